//! Who may cause which event. With `restrict_changes` on, the events that steer an incident —
//! its status, severity, roles, what it is, its triage, its findings, corrections of its record and
//! its breach record — may be caused only
//! by the incident's role holders (or its declarer, until someone is commander). Anyone may
//! acknowledge, post an update that changes no status, add notes and messages, and raise a breach
//! flag. The match below names every event, so a new one cannot slip past unguarded.

use crate::incident::{Incident, RoleKey, event::Event};

/// Whether causing `event` needs the incident's steering people when changes are restricted.
pub fn needs_steering(event: &Event) -> bool {
    match event {
        Event::StatusChanged(_)
        | Event::SeverityChanged(_)
        | Event::RoleAssigned { .. }
        | Event::Resolved { .. }
        | Event::Closed { .. }
        | Event::Cancelled { .. }
        | Event::Edited(_)
        | Event::AuthorityNotified(_)
        | Event::TriageReviewed { .. }
        | Event::RootCauseIdentified { .. }
        | Event::FixDeployed { .. }
        | Event::Corrected { .. }
        | Event::ReviewSaved(_)
        | Event::ReviewCompleted { .. } => true,
        Event::UpdatePosted(update) => update.status_change.is_some(),
        Event::Declared(_)
        | Event::Acknowledged { .. }
        | Event::Note { .. }
        | Event::MessageAdded { .. }
        | Event::ReminderSnoozed { .. }
        | Event::BreachFlagged { .. }
        // Anyone may add a follow-up; closing one is for its owner or the steering people, which
        // `actions` decides, as it depends on the action.
        | Event::ActionAdded(_)
        | Event::ActionDone { .. }
        | Event::ActionWontDo { .. }
        | Event::ActionSnoozed { .. }
        // Drafting a client-safe summary is harmless: approving it is the gate, under a rule of
        // its own (an approver role, not the author) that `summaries` decides.
        | Event::SummaryDrafted(_)
        | Event::SummaryApproved(_)
        | Event::SummaryChangesRequested { .. }
        // warroom's own: the scheduler causes these, never a person.
        | Event::Escalated(_)
        | Event::ReminderSent(_)
        | Event::DrillInjected { .. }
        | Event::Paged(_)
        | Event::PageFailed(_) => false,
    }
}

/// Role holders steer; the declarer does too until someone is commander.
pub fn may_steer(incident: &Incident, actor: &str) -> bool {
    incident.roles.values().any(|holder| holder == actor)
        || (!incident.roles.contains_key(&RoleKey::commander()) && incident.declared_by == actor)
}
