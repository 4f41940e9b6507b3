//! How each timeline event reads as one line of plain text — for `/incident timeline` in Slack,
//! for the report, and for any other place that shows the timeline. Each edge escapes or formats
//! the line for its own medium; the words are the same everywhere.

use crate::incident::{
    Event, drills,
    event::{Escalation, PageAction, Recorded, ReminderSent, Stored},
    review::AgendaItem,
};
use std::collections::BTreeMap;

/// The latest correction of each corrected entry: entry number → (the correction's number, its
/// text).
pub fn corrections(entries: &[Recorded]) -> BTreeMap<u32, (u32, &str)> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Stored::Known(Event::Corrected { entry, text }) => {
                Some((*entry, (e.number, text.as_str())))
            }
            _ => None,
        })
        .collect()
}

/// A one-line summary of a timeline entry (plain text; the caller escapes it).
pub fn line(stored: &Stored) -> String {
    let event = match stored {
        Stored::Known(event) => event,
        Stored::Unknown { kind, .. } => return kind.replace('_', " "),
    };
    match event {
        Event::Declared(d) if d.drill => match &d.scenario {
            Some(scenario) => format!(
                "declared drill {} “{}” (scenario {scenario})",
                d.severity, d.title
            ),
            None => format!("declared drill {} “{}”", d.severity, d.title),
        },
        Event::Declared(d) => match &d.source_message {
            Some(source) => format!(
                "declared {} “{}” from {} {}",
                d.severity,
                d.title,
                if source.from_bot {
                    "an alert"
                } else {
                    "a message"
                },
                source
                    .link
                    .clone()
                    .unwrap_or_else(|| format!("in {} at {}", source.channel, source.ts))
            ),
            None => format!("declared {} “{}”", d.severity, d.title),
        },
        Event::Acknowledged { .. } => "acknowledged".to_owned(),
        Event::StatusChanged(m) => format!(
            "status {} → {}{}",
            m.from.as_str(),
            m.to.as_str(),
            if m.relapse { " (relapse)" } else { "" }
        ),
        Event::Resolved { summary, .. } => format!("resolved: {summary}"),
        Event::Closed { .. } => "closed (checklist complete)".to_owned(),
        Event::Cancelled { reason, .. } => format!("cancelled: {reason}"),
        Event::SeverityChanged(m) => format!("severity {} → {}: {}", m.from, m.to, m.reason),
        Event::RoleAssigned { role, user, .. } => format!("{role} assigned to {user}"),
        Event::UpdatePosted(u) => format!("update: {}", u.update.current_action),
        Event::Edited(_) => "edited what the incident is".to_owned(),
        Event::Note { text } => format!("note: {text}"),
        Event::MessageAdded { author, text, .. } => format!("message by {author} added: {text}"),
        Event::ReminderSnoozed { seconds, .. } => {
            format!("update reminder snoozed for {} min", seconds / 60)
        }
        Event::Escalated(Escalation::Triggers { triggers }) => {
            format!("escalated: {}", triggers.join("; "))
        }
        Event::Escalated(Escalation::AckOverdue { severity, .. }) => {
            format!("escalated: {severity} not acknowledged in time")
        }
        Event::ReminderSent(ReminderSent::UpdateHeadsUp { .. }) => {
            "reminder: next update due soon".to_owned()
        }
        Event::ReminderSent(ReminderSent::UpdateDue { escalated, .. }) => format!(
            "reminder: update overdue{}",
            if *escalated { " (escalated)" } else { "" }
        ),
        Event::ReminderSent(ReminderSent::BreachClock { .. }) => {
            "reminder: breach notification clock".to_owned()
        }
        Event::ReminderSent(ReminderSent::ReviewDue {}) => {
            "reminder: post-incident review due".to_owned()
        }
        Event::BreachFlagged { .. } => "flagged a personal-data breach".to_owned(),
        Event::AuthorityNotified(_) => "recorded the authority notification".to_owned(),
        Event::TriageReviewed { .. } => "triage reviewed".to_owned(),
        Event::RootCauseIdentified { cause } => format!("root cause identified: {cause}"),
        Event::FixDeployed { what, link } => match link {
            Some(link) => format!("fix deployed: {what} ({link})"),
            None => format!("fix deployed: {what}"),
        },
        Event::Corrected { entry, text } => format!("correction of #{entry}: {text}"),
        Event::ActionAdded(_)
        | Event::ActionDone { .. }
        | Event::ActionWontDo { .. }
        | Event::ActionSnoozed { .. } => action_line(event).unwrap_or_default(),
        Event::ReviewSaved(notes) => format!(
            "review saved ({} of {} items answered)",
            AgendaItem::ALL.len() - notes.unanswered().len(),
            AgendaItem::ALL.len()
        ),
        Event::ReviewCompleted { .. } => "post-incident review completed".to_owned(),
        Event::ReminderSent(ReminderSent::CustomerNotice { overdue, .. }) => {
            if *overdue {
                "escalated: customer notification overdue".to_owned()
            } else {
                "reminder: customer notification due".to_owned()
            }
        }
        Event::ReminderSent(ReminderSent::ActionDue { action, .. }) => {
            format!("reminder: follow-up A{action} due")
        }
        Event::SummaryDrafted(d) => format!(
            "client-safe summary S{} drafted for {} ({}): {}",
            d.summary,
            d.audience.label().to_lowercase(),
            d.status.label(),
            d.title
        ),
        Event::SummaryApproved(a) => format!(
            "client-safe summary S{} approved (SHA-256 {})",
            a.summary, a.sha256
        ),
        Event::SummaryChangesRequested { summary, reason } => {
            format!("changes asked for on client-safe summary S{summary}: {reason}")
        }
        Event::DrillInjected {
            inject,
            after_seconds,
            text,
        } => format!(
            "drill inject {inject} at {}: {text}",
            drills::t_plus(*after_seconds)
        ),
        Event::Paged(page) => format!(
            "{} {} (dedup key {})",
            page.service,
            match page.action {
                PageAction::Trigger => "paged on-call",
                PageAction::Acknowledge => "told of the acknowledgement",
                PageAction::Resolve => "told of the resolution",
            },
            page.dedup_key
        ),
        Event::PageFailed(failure) => format!(
            "{} could not be sent the {}: {}",
            failure.service,
            failure.action.label(),
            failure.reason
        ),
    }
}

/// One timeline line for an action event (plain text), if it is one.
fn action_line(event: &Event) -> Option<String> {
    Some(match event {
        Event::ActionAdded(a) => format!(
            "follow-up A{} added: {} (owner {}, due {})",
            a.action, a.text, a.owner, a.due_on
        ),
        Event::ActionDone { action, text } => format!("follow-up A{action} done: {text}"),
        Event::ActionWontDo { action, reason, .. } => {
            format!("follow-up A{action} won't be done: {reason}")
        }
        Event::ActionSnoozed { action, until } => format!(
            "follow-up A{action} reminder put off until {}",
            until.format("%Y-%m-%d %H:%M UTC")
        ),
        _ => return None,
    })
}
