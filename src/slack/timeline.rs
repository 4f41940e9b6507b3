//! `/incident timeline`: every entry, oldest first, as one line each — when, who, what —
//! rendered from the typed events.

use super::blocks::{Message, escape, section, sections, slack_date};
use crate::incident::{
    Event, IncidentId,
    event::{Escalation, Recorded, ReminderSent, Stored},
};

/// One incident's timeline, oldest first: when, who, what.
pub fn timeline(id: &IncidentId, entries: &[Recorded]) -> Message {
    let lines = entries.iter().map(|e| {
        let who = if e.actor.starts_with('U') || e.actor.starts_with('W') {
            format!("<@{}>", e.actor)
        } else {
            escape(&e.actor)
        };
        format!("• {} {who} — {}", slack_date(e.at), escape(&line(&e.event)))
    });
    let mut blocks = vec![section(&format!(
        "*Timeline of {id}* ({} entries)",
        entries.len()
    ))];
    blocks.extend(sections(lines));
    if blocks.len() > 50 {
        blocks.truncate(49);
        blocks.push(section(
            "… the rest is in the database; this answer shows the first entries.",
        ));
    }
    let text = format!("Timeline of {id}: {} entries", entries.len());
    Message { text, blocks }
}

/// A one-line summary of a timeline entry (plain text; the caller escapes it).
pub fn line(stored: &Stored) -> String {
    let event = match stored {
        Stored::Known(event) => event,
        Stored::Unknown { kind, .. } => return kind.replace('_', " "),
    };
    match event {
        Event::Declared(d) => format!("declared {} “{}”", d.severity, d.title),
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
        Event::Edited(_) => "edited title, impact or type".to_owned(),
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
    }
}
