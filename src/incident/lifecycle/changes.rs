//! One function per change: each checks what the change needs, computes the incident's next
//! state and names the events that record it. `Ok(None)` means it is already so.

use super::{Applied, Refusal, Rules};
use crate::incident::{
    Incident, RoleKey, SeverityRank, Status, Triage,
    event::{Direction, Event, SeverityMove, StatusMove, UpdatePosted},
    schedule, truncate_chars,
    update::{ACTION_CRITERIA, ActionsSummary, ClosureAnswer, StructuredUpdate, open_criteria},
};
use chrono::{DateTime, Duration, Utc};

pub(super) type Outcome = Result<Option<Applied>, Refusal>;

/// When and by whom, under which rules.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) now: DateTime<Utc>,
    pub(super) rules: Rules<'a>,
    pub(super) actor: &'a str,
}

pub(super) fn applied(incident: Incident, events: Vec<Event>) -> Outcome {
    Ok(Some(Applied { incident, events }))
}

pub(super) fn non_empty(text: &str, what: &str, max: usize) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        Err(Refusal::empty(what))
    } else {
        Ok(truncate_chars(t, max))
    }
}

fn cadence(rules: Rules<'_>, rank: SeverityRank) -> Duration {
    Duration::from_std(rules.severities.get(rank).update_every).unwrap_or(Duration::days(1))
}

pub(super) fn severity_rank(incident: &Incident, rules: Rules<'_>) -> SeverityRank {
    rules
        .severities
        .by_name(incident.severity.name().as_str())
        .unwrap_or_else(|| rules.severities.rank_at(incident.severity.rank().index()))
}

pub(super) fn acknowledge(current: &Incident, at: At<'_>) -> Outcome {
    if current.acknowledged_at.is_some() {
        return Ok(None);
    }
    let mut next = current.clone();
    next.acknowledged_at = Some(at.now);
    next.acknowledged_by = Some(at.actor.to_owned());
    let seconds_after_declare = (at.now - current.declared_at).num_seconds().max(0);
    applied(
        next,
        vec![Event::Acknowledged {
            seconds_after_declare,
        }],
    )
}

/// Moves `next` to an active status; the one way any change reopens a Resolved incident, so a
/// reopened incident always owes updates again and is no longer counted as resolved.
fn move_to(next: &mut Incident, to: Status, at: At<'_>) -> StatusMove {
    let from = next.status;
    next.status = to;
    contained_by(next, to, at);
    if from == Status::Resolved {
        next.resolved_at = None;
        // The review is due after the incident is resolved for good.
        next.review.due_at = None;
        let rank = severity_rank(next, at.rules);
        next.next_update_due_at = Some(at.now + cadence(at.rules, rank));
    }
    StatusMove::new(from, to)
}

/// Containment starts the first time the incident reaches Contained, or a status past it.
fn contained_by(next: &mut Incident, to: Status, at: At<'_>) {
    if to >= Status::Contained && next.findings.contained_at.is_none() {
        next.findings.contained_at = Some(at.now);
    }
}

pub(super) fn set_status(current: &Incident, to: Status, at: At<'_>) -> Outcome {
    if to == current.status || !to.is_open() {
        return Ok(None);
    }
    let mut next = current.clone();
    let moved = move_to(&mut next, to, at);
    applied(next, vec![Event::StatusChanged(moved)])
}

pub(super) fn resolve(current: &Incident, summary: &str, at: At<'_>) -> Outcome {
    if current.status == Status::Resolved {
        return Ok(None);
    }
    let summary = non_empty(summary, "The resolution summary", 2000)?;
    let mut next = current.clone();
    next.status = Status::Resolved;
    contained_by(&mut next, Status::Resolved, at);
    next.resolved_at = Some(at.now);
    if schedule::needs_review(&next.severity, at.rules.schedule) && !next.review.is_complete() {
        next.review.due_at = Some(schedule::review_due_at(at.now, at.rules.schedule));
    }
    next.resolution_summary = Some(summary.clone());
    next.next_update_due_at = None;
    let from = current.status;
    applied(next, vec![Event::Resolved { from, summary }])
}

pub(super) fn close(
    current: &Incident,
    checklist: &[(String, ClosureAnswer)],
    no_action_reason: Option<String>,
    actions: ActionsSummary,
    at: At<'_>,
) -> Outcome {
    if current.status != Status::Resolved {
        return Err(Refusal::NotResolved {
            id: current.id.to_string(),
        });
    }
    let open = open_criteria(checklist);
    if !open.is_empty() {
        return Err(Refusal::ChecklistIncomplete {
            open: open.into_iter().map(str::to_owned).collect(),
        });
    }
    let id = || current.id.to_string();
    // Follow-up actions are owed for the incidents that get a review.
    let owed = schedule::needs_review(&current.severity, at.rules.schedule);
    let no_action_reason = no_action_reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty() && actions.total == 0);
    let documented = match (actions.total, &no_action_reason) {
        (0, None) if owed => return Err(Refusal::NoCorrectiveActions { id: id() }),
        (0, _) => ClosureAnswer::NotApplicable,
        _ => ClosureAnswer::Confirmed,
    };
    if actions.open_without_owner > 0 {
        return Err(Refusal::FollowUpWithoutOwner { id: id() });
    }
    let owners = if actions.open > 0 {
        ClosureAnswer::Confirmed
    } else {
        ClosureAnswer::NotApplicable
    };
    let mut next = current.clone();
    next.status = Status::Closed;
    next.closed_at = Some(at.now);
    let mut checklist: std::collections::BTreeMap<String, ClosureAnswer> =
        checklist.iter().cloned().collect();
    let [(documented_key, _), (owners_key, _)] = ACTION_CRITERIA;
    checklist.insert(documented_key.to_owned(), documented);
    checklist.insert(owners_key.to_owned(), owners);
    applied(
        next,
        vec![Event::Closed {
            checklist,
            no_action_reason,
        }],
    )
}

pub(super) fn cancel(current: &Incident, reason: &str) -> Outcome {
    let reason = non_empty(reason, "The reason", 1000)?;
    let mut next = current.clone();
    next.status = Status::Cancelled;
    next.next_update_due_at = None;
    let from = current.status;
    applied(next, vec![Event::Cancelled { from, reason }])
}

/// The most severe rank the triage answers allow to be left, if they set a floor.
pub(super) fn floor(triage: &Triage, rules: Rules<'_>) -> Option<SeverityRank> {
    triage.floor_index().map(|i| rules.severities.rank_at(i))
}

pub(super) fn set_severity(
    current: &Incident,
    to: SeverityRank,
    reason: &str,
    at: At<'_>,
) -> Outcome {
    let target = &at.rules.severities.get(to).name;
    if target == current.severity.name().as_str() {
        return Ok(None);
    }
    if let Some(floor) = floor(&current.triage, at.rules)
        && to > floor
    {
        return Err(Refusal::BelowTriageFloor {
            floor: at.rules.severities.get(floor).name.clone(),
        });
    }
    let reason = non_empty(reason, "The reason", 1000)?;
    let mut next = current.clone();
    let moved = change_severity(&mut next, to, reason, at);
    applied(next, vec![Event::SeverityChanged(moved)])
}

/// Sets `next`'s severity to `to`, re-computing when the next update is due.
pub(super) fn change_severity(
    next: &mut Incident,
    to: SeverityRank,
    reason: String,
    at: At<'_>,
) -> SeverityMove {
    let from = next.severity.name().clone();
    let direction = if to < next.severity.rank() {
        Direction::Raised
    } else {
        Direction::Lowered
    };
    if next.status.is_open() {
        next.next_update_due_at = Some(recomputed_due(next, to, at));
    }
    next.severity = at.rules.severities.severity(to);
    SeverityMove {
        from,
        to: next.severity.name().clone(),
        reason,
        direction,
    }
}

/// After a severity change the next update is due one new cadence after the last update (or the
/// declaration), but never later than an update already promised.
fn recomputed_due(current: &Incident, to: SeverityRank, at: At<'_>) -> DateTime<Utc> {
    let base = current
        .latest_update
        .as_ref()
        .map_or(current.declared_at, |u| u.posted_at);
    let by_cadence = (base + cadence(at.rules, to)).max(at.now);
    match &current.latest_update {
        Some(u) => by_cadence.min(u.next_update_at.max(at.now)),
        None => by_cadence,
    }
}

pub(super) fn assign_role(current: &Incident, role: RoleKey, user: String, at: At<'_>) -> Outcome {
    if at.rules.catalog.role(role.as_str()).is_none() {
        return Err(Refusal::UnknownRole { role });
    }
    if current.roles.get(&role) == Some(&user) {
        return Ok(None);
    }
    let mut next = current.clone();
    let previous = next.roles.insert(role.clone(), user.clone());
    applied(
        next,
        vec![Event::RoleAssigned {
            role,
            user,
            previous,
        }],
    )
}

pub(super) struct UpdateFields {
    pub(super) impact: String,
    pub(super) current_action: String,
    pub(super) owner: String,
    pub(super) next_update_in: Duration,
    pub(super) status: Option<Status>,
}

pub(super) fn post_update(current: &Incident, fields: UpdateFields, at: At<'_>) -> Outcome {
    let impact = non_empty(&fields.impact, "Impact", 2000)?;
    let current_action = non_empty(&fields.current_action, "Current action", 2000)?;
    if fields.next_update_in <= Duration::zero() {
        return Err(Refusal::NextUpdateInPast);
    }
    let next_update_at = at.now + fields.next_update_in;
    let mut next = current.clone();
    let status_change = fields
        .status
        .filter(|to| *to != current.status && to.is_open())
        .map(|to| move_to(&mut next, to, at));
    let update = StructuredUpdate {
        impact,
        current_action,
        owner: fields.owner,
        next_update_at,
        posted_by: at.actor.to_owned(),
        posted_at: at.now,
    };
    next.latest_update = Some(update.clone());
    next.next_update_due_at = Some(next_update_at);
    let event = Event::UpdatePosted(UpdatePosted {
        update,
        status_change,
        severity: Some(next.severity.name().clone()),
        status: Some(next.status),
    });
    applied(next, vec![event])
}

pub(super) fn note(current: &Incident, text: &str) -> Outcome {
    let text = non_empty(text, "The note", 3000)?;
    applied(current.clone(), vec![Event::Note { text }])
}
