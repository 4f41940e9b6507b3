//! What a due reminder does for the incident as it is now ([`fire`]): what to post, to whom, what
//! to record, and when to fire again.

use super::{Arm, EscalationGroup, ScheduleConfig, breach_deadline, breach_step, kinds, span};
use crate::incident::{
    Event, Incident, Severities, Status,
    event::{AckOverdueTag, Escalation, ReminderSent},
};
use chrono::{DateTime, Duration as Span, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// Who a reminder or an escalation speaks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// One person (a Slack user ID).
    Person(String),
    /// The configured escalation group.
    Group(EscalationGroup),
}

/// What a due reminder asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reminder", rename_all = "snake_case")]
pub enum Reminder {
    /// The deadline is near.
    HeadsUp {
        deadline: DateTime<Utc>,
        to: Audience,
    },
    /// The update is overdue; `escalate` calls in the escalation group too.
    UpdateOverdue {
        deadline: DateTime<Utc>,
        to: Audience,
        escalate: Option<Audience>,
    },
    /// Not acknowledged in time.
    AckOverdue { to: Audience, window: Duration },
    /// The breach clock's countdown.
    BreachClock {
        deadline: DateTime<Utc>,
        to: Audience,
    },
    /// The review of a resolved incident is due.
    ReviewDue { to: Audience },
    /// Customers are owed a notification by `due` (`overdue`: it has run out, escalated).
    CustomerNotice {
        rule: super::NoticeRule,
        due: DateTime<Utc>,
        overdue: bool,
        to: Audience,
    },
    /// A corrective action is due today, or overdue.
    ActionDue {
        action: u32,
        text: String,
        due_on: chrono::NaiveDate,
        overdue: bool,
        to: Audience,
    },
    /// Something happens in a scenario drill, `after_seconds` after its declaration.
    DrillInject {
        inject: u32,
        after_seconds: u64,
        text: String,
    },
}

impl Reminder {
    /// The next-update deadline this reminder is about, if any: when it is sent, a deadline
    /// that has moved since (an update landed) makes it moot.
    pub fn about_deadline(&self) -> Option<DateTime<Utc>> {
        match self {
            Reminder::HeadsUp { deadline, .. } | Reminder::UpdateOverdue { deadline, .. } => {
                Some(*deadline)
            }
            _ => None,
        }
    }

    /// Whether it calls management in (and so is shown in the channel as well as the thread).
    pub fn escalates(&self) -> bool {
        matches!(
            self,
            Reminder::AckOverdue { .. }
                | Reminder::CustomerNotice { overdue: true, .. }
                | Reminder::UpdateOverdue {
                    escalate: Some(_),
                    ..
                }
        )
    }
}

/// The outcome of a due reminder: what to post, what to record, and when to fire again.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub post: Option<Reminder>,
    pub entry: Option<Event>,
    pub next: Option<(DateTime<Utc>, Value)>,
}

impl Fired {
    /// Nothing to do: the state moved on since the reminder was armed.
    pub fn stale() -> Self {
        Fired {
            post: None,
            entry: None,
            next: None,
        }
    }
}

/// Who escalations call in: the configured group, else the commander (or the declarer). A drill
/// calls in only its declarer — it exercises the response, not management's night — unless
/// `[drills] page_escalation_group` says the group takes part.
pub fn escalation_audience(incident: &Incident, cfg: &ScheduleConfig) -> Audience {
    if incident.drill && !cfg.page_drill_escalations {
        return Audience::Person(incident.declared_by.clone());
    }
    match &cfg.escalation_group {
        Some(group) => Audience::Group(group.clone()),
        None => Audience::Person(
            incident
                .commander()
                .unwrap_or(&incident.declared_by)
                .to_owned(),
        ),
    }
}

fn owner(incident: &Incident) -> Audience {
    Audience::Person(incident.owner().to_owned())
}

/// Decides what a due reminder of `kind` does for the incident as it is now.
pub fn fire(
    kind: &str,
    details: &Value,
    incident: &Incident,
    severities: &Severities,
    cfg: &ScheduleConfig,
    now: DateTime<Utc>,
) -> Fired {
    use kinds::*;
    match kind {
        CUSTOMER_NOTICE_OUTAGE => {
            return super::notice::fire(super::NoticeRule::Outage, details, incident, cfg, now);
        }
        CUSTOMER_NOTICE_BREACH => {
            return super::notice::fire(super::NoticeRule::Breach, details, incident, cfg, now);
        }
        _ => {}
    }
    let deadline_matches = || {
        let armed: Option<DateTime<Utc>> = serde_json::from_value(details["deadline"].clone()).ok();
        incident.status.is_open() && armed.is_some() && incident.next_update_due_at == armed
    };
    let level = severities.get(incident.severity.rank());
    match kind {
        // A heads-up after its deadline (the scheduler was down) would only be noise.
        HEADS_UP if deadline_matches() && incident.next_update_due_at.is_some_and(|d| d > now) => {
            let deadline = incident.next_update_due_at.expect("matched");
            Fired {
                post: Some(Reminder::HeadsUp {
                    deadline,
                    to: owner(incident),
                }),
                entry: Some(Event::ReminderSent(ReminderSent::UpdateHeadsUp {
                    deadline,
                })),
                next: None,
            }
        }
        UPDATE_DUE if deadline_matches() => {
            let deadline = incident.next_update_due_at.expect("matched");
            let count = details["count"].as_u64().unwrap_or(0);
            let already = details["escalated"].as_bool().unwrap_or(false);
            let cadence = span(level.update_every);
            let escalate =
                (!already && now - deadline >= cadence).then(|| escalation_audience(incident, cfg));
            let escalated = already || escalate.is_some();
            let entry = Event::ReminderSent(ReminderSent::UpdateDue {
                deadline,
                repeat: count,
                escalated: escalate.is_some(),
            });
            let next = (
                now + cadence,
                json!({ "deadline": deadline, "count": count + 1, "escalated": escalated }),
            );
            let post = Reminder::UpdateOverdue {
                deadline,
                to: owner(incident),
                escalate,
            };
            Fired {
                post: Some(post),
                entry: Some(entry),
                next: Some(next),
            }
        }
        ACK_OVERDUE if incident.acknowledged_at.is_none() && incident.status.is_open() => {
            let entry = Event::Escalated(Escalation::AckOverdue {
                reminder: AckOverdueTag::AckOverdue,
                window_seconds: level.ack_within.as_secs(),
                severity: incident.severity.name().clone(),
            });
            let post = Reminder::AckOverdue {
                to: escalation_audience(incident, cfg),
                window: level.ack_within,
            };
            Fired {
                post: Some(post),
                entry: Some(entry),
                next: None,
            }
        }
        BREACH_CLOCK => match (
            incident.breach_discovered_at,
            incident.authority_notified_at,
        ) {
            (Some(discovered), None) => {
                let step = details["step"].as_u64().unwrap_or(0) as usize;
                let deadline = breach_deadline(discovered, cfg);
                let next = breach_step(discovered, step + 1, cfg).and_then(|arm| match arm {
                    Arm::Set {
                        due_at, details, ..
                    } => Some((due_at, details)),
                    Arm::Cancel { .. } => None,
                });
                let entry = Event::ReminderSent(ReminderSent::BreachClock {
                    step: step as u64,
                    deadline,
                });
                Fired {
                    post: Some(Reminder::BreachClock {
                        deadline,
                        to: escalation_audience(incident, cfg),
                    }),
                    entry: Some(entry),
                    next,
                }
            }
            _ => Fired::stale(),
        },
        REVIEW_DUE
            if matches!(incident.status, Status::Resolved | Status::Closed)
                && !incident.review.is_complete() =>
        {
            Fired {
                post: Some(Reminder::ReviewDue {
                    to: owner(incident),
                }),
                entry: Some(Event::ReminderSent(ReminderSent::ReviewDue {})),
                // Again each day until someone completes the review.
                next: Some((now + Span::days(1), details.clone())),
            }
        }
        _ => Fired::stale(),
    }
}
