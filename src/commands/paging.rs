//! Paging on-call through PagerDuty: which changes of an incident page on-call, and which tell
//! PagerDuty of an acknowledgement or a resolution. Each becomes a page in the outbox, queued in
//! the transaction of the change, so a page is never lost and never sent for a change that did
//! not happen. Drills never page anyone.

use crate::{
    config::Config,
    delivery::Delivery,
    incident::{Event, Incident, Status, event::PageAction},
    store::outbox::NewOutbox,
};

/// Whether an incident of this severity pages on-call: paging is on and it is not a drill.
pub(crate) fn pages(config: &Config, incident: &Incident) -> bool {
    config.pagerduty_routing_key.is_some()
        && !incident.drill
        && config.process.pagerduty.pages(
            incident.severity.name().as_str(),
            incident.severity.rank().index(),
        )
}

/// The page to queue for a declaration, if it pages on-call.
pub(crate) fn on_declare(config: &Config, incident: &Incident) -> Option<NewOutbox> {
    pages(config, incident).then(|| page(PageAction::Trigger))
}

/// The pages `events` call for, applied to an incident that was `paged` before them and is
/// `after` them now: a raise into the paged severities (or a relapse of a paged severity) pages
/// on-call; an acknowledgement, a resolution or a cancellation of an incident that paged is
/// passed on.
pub(crate) fn on_change(
    config: &Config,
    after: &Incident,
    paged: bool,
    events: &[Event],
) -> Vec<PageAction> {
    if config.pagerduty_routing_key.is_none() || after.drill {
        return Vec::new();
    }
    let mut actions = Vec::new();
    let mut paged = paged;
    for event in events {
        let action = match event {
            Event::SeverityChanged(_) | Event::StatusChanged(_)
                if pages(config, after) && after.status.is_open() =>
            {
                // A raise pages once; reopening a resolved incident pages again (its first page
                // was resolved with it).
                let reopened =
                    matches!(event, Event::StatusChanged(m) if m.from == Status::Resolved);
                (reopened || !paged).then_some(PageAction::Trigger)
            }
            Event::Acknowledged { .. } if paged => Some(PageAction::Acknowledge),
            Event::Resolved { .. } | Event::Cancelled { .. } if paged => Some(PageAction::Resolve),
            _ => None,
        };
        if let Some(action) = action {
            paged |= action == PageAction::Trigger;
            actions.push(action);
        }
    }
    actions
}

/// The outbox row of one page.
pub(crate) fn page(action: PageAction) -> NewOutbox {
    NewOutbox::standalone(Delivery::Page { action })
}
