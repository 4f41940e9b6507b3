//! Every change a responder makes to an incident, decided against its current state: apply it
//! (with the events it causes), ignore it (it is already so), or refuse it with a reason. Pure:
//! the caller locks the incident row, asks, and writes. Who may cause which event is decided in
//! one place, [`permission`], from the events themselves, so no path around it exists.

mod changes;
mod edit;
mod exposure;
mod findings;
pub mod permission;
mod refusal;
mod review;

pub use edit::EditFields;
pub use findings::web_link;
pub use refusal::Refusal;

use super::{
    Incident, RoleKey, Severities, SeverityRank, Status, Triage,
    catalog::Catalog,
    event::{BreachNotification, Escalation, Event, Stored},
    review::ReviewNotes,
    schedule,
    update::{ActionsSummary, ClosureAnswer},
};
use chrono::{DateTime, Utc};

/// What someone asked to change.
#[derive(Debug, Clone)]
pub enum Change {
    Acknowledge,
    /// Move to an active status (Investigating … Recovering); Resolved and Closed have their own.
    SetStatus(Status),
    Resolve {
        summary: String,
    },
    /// Close, with the checklist's answers; `actions` is how the follow-up actions stand when
    /// the change is decided (filled in under the incident's lock), `no_action_reason` why none
    /// is needed, when someone said so.
    Close {
        checklist: Vec<(String, ClosureAnswer)>,
        no_action_reason: Option<String>,
        actions: ActionsSummary,
    },
    Cancel {
        reason: String,
    },
    SetSeverity {
        to: SeverityRank,
        reason: String,
    },
    AssignRole {
        role: RoleKey,
        user: String,
    },
    /// A structured update; the next one is due `next_update_in` after it is posted.
    PostUpdate {
        impact: String,
        current_action: String,
        owner: String,
        next_update_in: chrono::Duration,
        status: Option<Status>,
    },
    Edit(EditFields),
    Note {
        text: String,
    },
    /// Flag the incident as a personal-data breach discovered at `discovered_at`: the 72-hour
    /// notification clock starts.
    FlagBreach {
        discovered_at: DateTime<Utc>,
    },
    /// The supervisory authority was notified, with the notification record.
    AuthorityNotified {
        record: BreachNotification,
    },
    /// A Slack message added to the timeline with the message shortcut.
    AddMessage {
        author: String,
        posted_at: DateTime<Utc>,
        text: String,
        link: Option<String>,
    },
    /// The triage questions answered again.
    ReviewTriage {
        triage: Triage,
    },
    /// The root cause, once confirmed.
    RecordRootCause {
        cause: String,
    },
    /// What was deployed to fix it, and where to read about it.
    RecordFix {
        what: String,
        link: Option<String>,
    },
    /// The post-incident review written down: saved as a draft, or completed.
    SaveReview {
        notes: ReviewNotes,
        complete: bool,
    },
    /// A correction of timeline entry number `entry` (counted from 1 per incident); `target` is
    /// that entry as stored, when it exists.
    Correct {
        entry: u32,
        target: Option<Box<Stored>>,
        text: String,
    },
}

impl Change {
    /// Whether it only keeps the record straight — it changes nothing about how the incident
    /// stands — and so is taken after the incident is closed or cancelled too.
    pub fn keeps_the_record(&self) -> bool {
        matches!(self, Change::Correct { .. } | Change::SaveReview { .. })
    }
}

/// An accepted change: the incident's new state and the events that got it there, in order.
#[derive(Debug, Clone)]
pub struct Applied {
    pub incident: Incident,
    pub events: Vec<Event>,
}

impl Applied {
    /// Whether the card shows something new.
    pub fn card_changed(&self) -> bool {
        self.events.iter().any(Event::changes_card)
    }

    /// The incident type whose runbook the thread should get: one that was just set.
    pub fn runbook_for(&self) -> Option<&str> {
        self.events.iter().find_map(|e| match e {
            Event::Edited(edits) => edits.incident_type.as_ref()?.to.as_deref(),
            _ => None,
        })
    }
}

/// The verdict on a change.
#[derive(Debug, Clone)]
pub enum Decision {
    Apply(Box<Applied>),
    /// It is already so: nothing is written, posted or edited.
    NoOp,
    Refused(Refusal),
}

/// The configuration a decision depends on.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub severities: &'a Severities,
    pub catalog: &'a Catalog,
    pub restrict_changes: bool,
    pub schedule: &'a schedule::ScheduleConfig,
}

/// Decides `change` by `actor` at `now` against the incident's current state.
pub fn decide(
    current: &Incident,
    change: Change,
    actor: &str,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> Decision {
    if !change.keeps_the_record()
        && let Some(refusal) = refusal_for_state(current)
    {
        return Decision::Refused(refusal);
    }
    let mut applied = match compute(current, change, actor, now, rules) {
        Ok(Some(applied)) => applied,
        Ok(None) => return Decision::NoOp,
        Err(refusal) => return Decision::Refused(refusal),
    };
    if rules.restrict_changes
        && !permission::may_steer(current, actor)
        && applied.events.iter().any(permission::needs_steering)
    {
        return Decision::Refused(Refusal::NotPermitted);
    }
    escalate_fresh_triggers(&mut applied);
    Decision::Apply(Box::new(applied))
}

/// Computes `change` by `actor`; the caller has checked the incident takes changes at all.
fn compute(
    current: &Incident,
    change: Change,
    actor: &str,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> changes::Outcome {
    let at = changes::At { now, rules, actor };
    match change {
        Change::Acknowledge => changes::acknowledge(current, at),
        Change::SetStatus(to) => changes::set_status(current, to, at),
        Change::Resolve { summary } => changes::resolve(current, &summary, at),
        Change::Close {
            checklist,
            no_action_reason,
            actions,
        } => changes::close(current, &checklist, no_action_reason, actions, at),
        Change::Cancel { reason } => changes::cancel(current, &reason),
        Change::SetSeverity { to, reason } => changes::set_severity(current, to, &reason, at),
        Change::AssignRole { role, user } => changes::assign_role(current, role, user, at),
        Change::PostUpdate {
            impact,
            current_action,
            owner,
            next_update_in,
            status,
        } => changes::post_update(
            current,
            changes::UpdateFields {
                impact,
                current_action,
                owner,
                next_update_in,
                status,
            },
            at,
        ),
        Change::Edit(fields) => edit::edit(current, fields, at),
        Change::Note { text } => changes::note(current, &text),
        Change::FlagBreach { discovered_at } => exposure::flag_breach(current, discovered_at, at),
        Change::AuthorityNotified { record } => exposure::authority_notified(current, record, at),
        Change::AddMessage {
            author,
            posted_at,
            text,
            link,
        } => Ok(Some(Applied {
            incident: current.clone(),
            events: vec![Event::MessageAdded {
                author,
                posted_at,
                text: super::truncate_chars(&text, 3000),
                link,
                added_by: actor.to_owned(),
            }],
        })),
        Change::ReviewTriage { triage } => exposure::review_triage(current, triage, at),
        Change::RecordRootCause { cause } => findings::root_cause(current, &cause, at),
        Change::RecordFix { what, link } => findings::fix_deployed(current, &what, link, at),
        Change::Correct {
            entry,
            target,
            text,
        } => findings::correct(current, entry, target.as_deref(), &text),
        Change::SaveReview { notes, complete } => review::save(current, notes, complete, at),
    }
}

/// Closed and cancelled incidents take no changes at all.
pub fn refusal_for_state(incident: &Incident) -> Option<Refusal> {
    let id = incident.id.to_string();
    match incident.status {
        Status::Closed => Some(Refusal::Closed { id }),
        Status::Cancelled => Some(Refusal::Cancelled { id }),
        _ => None,
    }
}

/// Escalation triggers announce themselves once, when they first hold.
fn escalate_fresh_triggers(applied: &mut Applied) {
    let next = &mut applied.incident;
    let fresh: Vec<String> =
        schedule::escalation_triggers(next.incident_type.as_deref(), &next.triage)
            .into_iter()
            .map(str::to_owned)
            .filter(|t| !next.escalations.contains(t))
            .collect();
    if !fresh.is_empty() {
        next.escalations.extend(fresh.iter().cloned());
        applied
            .events
            .push(Event::Escalated(Escalation::Triggers { triggers: fresh }));
    }
}

#[cfg(test)]
mod milestone_tests;
#[cfg(test)]
mod steering_tests;
#[cfg(test)]
mod tests;
