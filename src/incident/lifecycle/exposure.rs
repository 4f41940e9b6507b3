//! The changes about what an incident exposes: a personal-data breach flagged and its
//! notification recorded, and the triage answers reviewed (which can raise the severity to
//! their floor and start the breach clock).

use super::{
    Refusal,
    changes::{At, Outcome, applied, change_severity, floor, severity_rank},
};
use crate::incident::{
    Incident, Triage,
    event::{BreachNotification, Event},
};
use chrono::{DateTime, Utc};

pub(super) fn flag_breach(current: &Incident, discovered_at: DateTime<Utc>, at: At<'_>) -> Outcome {
    if current.breach_discovered_at.is_some() {
        return Ok(None);
    }
    if discovered_at > at.now {
        return Err(Refusal::DiscoveryInFuture);
    }
    let mut next = current.clone();
    next.breach_discovered_at = Some(discovered_at);
    applied(next, vec![Event::BreachFlagged { discovered_at }])
}

pub(super) fn authority_notified(
    current: &Incident,
    record: BreachNotification,
    at: At<'_>,
) -> Outcome {
    if current.breach_discovered_at.is_none() {
        return Err(Refusal::NotABreach {
            id: current.id.to_string(),
        });
    }
    if current.authority_notified_at.is_some() {
        return Ok(None);
    }
    if let Some(blank) = record.first_blank() {
        return Err(Refusal::empty(blank));
    }
    let mut next = current.clone();
    next.authority_notified_at = Some(at.now);
    applied(next, vec![Event::AuthorityNotified(record)])
}

/// New triage answers: recorded, and the severity follows a floor they raise. A floor they lower
/// only allows lowering the severity afterwards, with a reason.
pub(super) fn review_triage(current: &Incident, triage: Triage, at: At<'_>) -> Outcome {
    if triage == current.triage {
        return Ok(None);
    }
    let mut next = current.clone();
    next.triage = triage;
    let mut events = vec![Event::TriageReviewed {
        from: current.triage,
        to: triage,
    }];
    let now_rank = severity_rank(current, at.rules);
    if let Some(floor) = floor(&triage, at.rules)
        && floor < now_rank
        && next.status.is_open()
    {
        let reason = "the triage answers set this floor".to_owned();
        events.push(Event::SeverityChanged(change_severity(
            &mut next, floor, reason, at,
        )));
    }
    if triage.personal_data_exposed == Some(true) && current.breach_discovered_at.is_none() {
        next.breach_discovered_at = Some(at.now);
        events.push(Event::BreachFlagged {
            discovered_at: at.now,
        });
    }
    applied(next, events)
}
