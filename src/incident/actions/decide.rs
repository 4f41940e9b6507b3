//! Deciding a change to the incident's corrective actions: adding one, marking it done or won't
//! do, or putting its reminder off. Pure, like the lifecycle's rules.

use super::{Action, ActionId, ActionStatus, MAX_ACTION_CHARS, remind};
use crate::incident::{
    Incident, Status,
    event::{ActionAdded, Event},
    lifecycle::{Refusal, permission, web_link},
    schedule::{Arm, ScheduleConfig},
    truncate_chars,
};
use chrono::{DateTime, NaiveDate, Utc};

/// What someone asked to do with the incident's actions.
#[derive(Debug, Clone)]
pub enum ActionChange {
    /// A new action; its number is the next one on the incident.
    Add {
        text: String,
        owner: String,
        due_on: NaiveDate,
        link: Option<String>,
    },
    Done {
        number: u32,
    },
    WontDo {
        number: u32,
        reason: String,
    },
    /// Put the action's reminder off until `until`.
    Snooze {
        number: u32,
        until: DateTime<Utc>,
    },
}

impl ActionChange {
    /// The existing action it is about, if any.
    pub fn number(&self) -> Option<u32> {
        match self {
            ActionChange::Add { .. } => None,
            ActionChange::Done { number }
            | ActionChange::WontDo { number, .. }
            | ActionChange::Snooze { number, .. } => Some(*number),
        }
    }
}

/// An accepted action change: the action's new state, its event and its reminder.
#[derive(Debug, Clone)]
pub struct ActionApplied {
    pub action: Action,
    pub event: Event,
    pub arm: Arm,
}

/// The verdict on an action change.
#[derive(Debug, Clone)]
pub enum ActionDecision {
    Apply(Box<ActionApplied>),
    /// It is already so.
    NoOp,
    Refused(Refusal),
}

fn trimmed(text: &str, what: &str, max: usize) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Refusal::Empty {
            what: what.to_owned(),
        });
    }
    Ok(truncate_chars(t, max))
}

/// Decides `change` by `actor` at `now`. `existing` is the action it is about (`None` when there
/// is no such action, or for a new one), `next_number` the number a new one would take.
#[expect(
    clippy::too_many_arguments,
    reason = "a decision needs the incident, the action, the rules and who and when"
)]
pub fn decide_action(
    incident: &Incident,
    existing: Option<&Action>,
    next_number: u32,
    change: ActionChange,
    actor: &str,
    now: DateTime<Utc>,
    cfg: &ScheduleConfig,
    restrict_changes: bool,
) -> ActionDecision {
    match decide(
        incident,
        existing,
        next_number,
        change,
        actor,
        now,
        cfg,
        restrict_changes,
    ) {
        Ok(Some(applied)) => ActionDecision::Apply(Box::new(applied)),
        Ok(None) => ActionDecision::NoOp,
        Err(refusal) => ActionDecision::Refused(refusal),
    }
}

#[expect(clippy::too_many_arguments, reason = "as decide_action")]
fn decide(
    incident: &Incident,
    existing: Option<&Action>,
    next_number: u32,
    change: ActionChange,
    actor: &str,
    now: DateTime<Utc>,
    cfg: &ScheduleConfig,
    restrict_changes: bool,
) -> Result<Option<ActionApplied>, Refusal> {
    if incident.status == Status::Cancelled {
        return Err(Refusal::Cancelled {
            id: incident.id.to_string(),
        });
    }
    if let ActionChange::Add {
        text,
        owner,
        due_on,
        link,
    } = change
    {
        let text = trimmed(&text, "The action", MAX_ACTION_CHARS)?;
        if due_on < remind::today(now, cfg) {
            return Err(Refusal::DueInPast);
        }
        let link = web_link(link)?;
        let action = Action {
            number: next_number,
            text: text.clone(),
            owner: owner.clone(),
            due_on,
            link: link.clone(),
            status: ActionStatus::Open,
            reason: None,
            created_by: actor.to_owned(),
            created_at: now,
            finished_at: None,
            finished_by: None,
        };
        let event = Event::ActionAdded(ActionAdded {
            action: next_number,
            text,
            owner,
            due_on,
            link,
        });
        let arm = remind::arm(next_number, remind::next_reminder(due_on, now, cfg));
        return Ok(Some(ActionApplied { action, event, arm }));
    }
    let id = |number| ActionId {
        incident: incident.id.clone(),
        number,
    };
    let Some(current) = existing else {
        let number = change.number().unwrap_or_default();
        return Err(Refusal::NoSuchAction {
            action: id(number).to_string(),
        });
    };
    // The owner closes their own action; otherwise, when changes are restricted, the people
    // steering the incident do.
    if restrict_changes && actor != current.owner && !permission::may_steer(incident, actor) {
        return Err(Refusal::NotPermitted);
    }
    let closed = |to: ActionStatus| Refusal::ActionClosed {
        action: id(current.number).to_string(),
        status: to.label().to_owned(),
    };
    let mut next = current.clone();
    let number = current.number;
    let cancel = Arm::Cancel {
        kind: remind::reminder_kind(number).into(),
    };
    let (event, arm) = match change {
        ActionChange::Add { .. } => unreachable!("handled above"),
        ActionChange::Done { .. } => match current.status {
            ActionStatus::Done => return Ok(None),
            ActionStatus::WontDo => return Err(closed(ActionStatus::WontDo)),
            ActionStatus::Open => {
                next.status = ActionStatus::Done;
                let text = current.text.clone();
                (
                    Event::ActionDone {
                        action: number,
                        text,
                    },
                    cancel,
                )
            }
        },
        ActionChange::WontDo { reason, .. } => match current.status {
            ActionStatus::WontDo => return Ok(None),
            ActionStatus::Done => return Err(closed(ActionStatus::Done)),
            ActionStatus::Open => {
                let reason = trimmed(&reason, "The reason", MAX_ACTION_CHARS)?;
                next.status = ActionStatus::WontDo;
                next.reason = Some(reason.clone());
                let text = current.text.clone();
                let event = Event::ActionWontDo {
                    action: number,
                    text,
                    reason,
                };
                (event, cancel)
            }
        },
        ActionChange::Snooze { until, .. } => {
            if current.status != ActionStatus::Open {
                return Err(closed(current.status));
            }
            (
                Event::ActionSnoozed {
                    action: number,
                    until,
                },
                remind::arm(number, until),
            )
        }
    };
    if next.status != ActionStatus::Open {
        next.finished_at = Some(now);
        next.finished_by = Some(actor.to_owned());
    }
    Ok(Some(ActionApplied {
        action: next,
        event,
        arm,
    }))
}
