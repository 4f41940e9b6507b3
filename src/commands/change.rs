//! Applying one change to an incident, for every control: lock the incident row, record the
//! request's idempotency key, decide with the pure lifecycle rules against the current state, and
//! write the new state, its events and what they must tell Slack in one transaction. A stale
//! card, a double click or a Slack retry therefore never produces a second entry or a wrong
//! transition.

use crate::{
    context::Context,
    delivery::{Answer, Delivery, Post, Recipient},
    incident::{
        Event, Incident, IncidentId,
        actions::ActionsSummary,
        event::{Escalation, PageAction},
        lifecycle::{Change, Decision, Refusal, Rules, decide},
        schedule,
    },
    store::{self, StoreError, outbox::NewOutbox},
    webhooks,
};

/// What came of a change.
#[derive(Debug)]
pub enum ChangeOutcome {
    Applied,
    /// It was already so: nothing written, posted or edited.
    NoOp,
    /// Refused, with the reason for the person who asked.
    Refused(Refusal),
    NotFound,
    /// This very request was handled before.
    Duplicate,
}

/// Applies `change` by `actor`; `key` makes a retried request a no-op.
pub async fn apply(
    state: &Context,
    id: &IncidentId,
    change: Change,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, StoreError> {
    state
        .deadline
        .run(apply_in_transaction(state, id, change, actor, key))
        .await
}

async fn apply_in_transaction(
    state: &Context,
    id: &IncidentId,
    mut change: Change,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, sqlx::Error> {
    let process = &state.config.process;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(outcome),
    };
    // Closing is decided against the follow-up actions as they are now, under the lock.
    if let Change::Close { actions, .. } = &mut change {
        *actions = ActionsSummary::of(&store::actions::find_actions(&mut *tx, id).await?);
    }
    let rules = Rules {
        severities: &process.severities,
        catalog: &process.catalog,
        restrict_changes: process.restrict_changes,
        schedule: &process.schedule,
    };
    let applied = match decide(&incident, change, actor, now, rules) {
        Decision::NoOp => {
            tx.commit().await?;
            return Ok(ChangeOutcome::NoOp);
        }
        Decision::Refused(refusal) => {
            tracing::info!(incident.id = %id, reason = %refusal, "change refused");
            return Ok(ChangeOutcome::Refused(refusal));
        }
        Decision::Apply(applied) => applied,
    };
    let next = &applied.incident;
    store::incidents::update_incident_state(&mut tx, next).await?;
    let mut rows = Vec::new();
    for event in &applied.events {
        let by = if event.is_warroom_own() {
            "warroom"
        } else {
            actor
        };
        store::timeline::insert_timeline_entry(&mut tx, id.as_str(), now, by, event).await?;
        rows.extend(announce(next, event, by));
        rows.extend(webhooks::rows(&state.config, next, event, by, now));
    }
    if let Some(incident_type) = applied.runbook_for() {
        let runbook = Post::Runbook {
            incident_type: incident_type.to_owned(),
        };
        rows.push(about(next, Delivery::ThreadReply { post: runbook }));
    }
    let paged = state.config.pagerduty_routing_key.is_some()
        && store::paging::was_paged(&mut tx, id).await?;
    let pages = super::paging::on_change(&state.config, next, paged, &applied.events);
    if pages.contains(&PageAction::Trigger) {
        store::paging::mark_paged(&mut tx, id).await?;
    }
    rows.extend(pages.into_iter().map(super::paging::page));
    let arms = schedule::plan(
        Some(&incident),
        next,
        &process.severities,
        &process.schedule,
        now,
    );
    store::reminders::apply_arms(&mut tx, Some(id.as_str()), &arms).await?;
    store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    let homes = super::home::involved(&incident, next);
    store::homes::queue_publish(&mut tx, &homes).await?;
    if applied.card_changed() {
        let priority = Delivery::UpdateCard.priority(next.severity.rank().index());
        store::cards::insert_card_update(&mut tx, id.as_str(), priority).await?;
    }
    tx.commit().await?;
    observe(state, next, &applied.events);
    let kinds: Vec<&str> = applied.events.iter().map(Event::kind).collect();
    tracing::info!(incident.id = %id, change = ?kinds, "incident changed");
    Ok(ChangeOutcome::Applied)
}

/// Observes the time to acknowledge or to resolve of a change just committed, under the
/// incident's configured severity (the level at its stored rank when its name is no longer
/// configured, as the lifecycle rules read it). A drill's times are an exercise's, not the
/// team's response times, so they are not observed (as `stats` leaves drills out).
fn observe(state: &Context, incident: &Incident, events: &[Event]) {
    if incident.drill {
        return;
    }
    let severities = &state.config.process.severities;
    let rank = severities
        .by_name(incident.severity.name().as_str())
        .unwrap_or_else(|| severities.rank_at(incident.severity.rank().index()))
        .index();
    let since_declared = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| (at - incident.declared_at).as_seconds_f64())
    };
    let series = &state.metrics.by_severity;
    for event in events {
        match event {
            Event::Acknowledged { .. } => {
                if let Some(s) = since_declared(incident.acknowledged_at) {
                    series.acknowledged_after(rank, s);
                }
            }
            Event::Resolved { .. } => {
                if let Some(s) = since_declared(incident.resolved_at) {
                    series.resolved_after(rank, s);
                }
            }
            _ => {}
        }
    }
}

/// A delivery about `incident`, paced and ordered with its other posts.
pub(crate) fn about(incident: &Incident, delivery: Delivery) -> NewOutbox {
    NewOutbox::about(
        &incident.channel_id,
        incident.severity.rank().index(),
        delivery,
    )
}

/// The thread's announcement of `event`, if the thread hears of it; escalations are also shown
/// in the channel.
pub(crate) fn announce(incident: &Incident, event: &Event, actor: &str) -> Option<NewOutbox> {
    let post = Post::announcing(event, actor)?;
    let delivery = match event {
        Event::Escalated(Escalation::Triggers { .. }) => Delivery::Broadcast { post },
        _ => Delivery::ThreadReply { post },
    };
    Some(about(incident, delivery))
}

/// Locks the incident's row and records the request's idempotency key, both for the rest of
/// `tx`: the incident as it is now, or why there is nothing to do.
pub(crate) async fn lock_for_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: &IncidentId,
    key: Option<&str>,
) -> Result<Result<Incident, ChangeOutcome>, sqlx::Error> {
    let Some(incident) = store::incidents::find_incident_for_update(tx, id).await? else {
        return Ok(Err(ChangeOutcome::NotFound));
    };
    if let Some(key) = key
        && !store::incidents::insert_request_key_in(tx, key, id.as_str()).await?
    {
        return Ok(Err(ChangeOutcome::Duplicate));
    }
    Ok(Ok(incident))
}

/// Tells one person something privately, through the outbox. An error means it could not be
/// queued (the caller may still say it another way).
pub async fn tell(state: &Context, to: Recipient, answer: Answer) -> Result<(), StoreError> {
    if !to.reachable() {
        return Ok(());
    }
    let rows = [NewOutbox::standalone(Delivery::Tell { to, answer })];
    let enqueue = store::outbox::insert_outbox_now(&state.pool, &rows);
    state.deadline.run(enqueue).await
}

/// Snoozes the overdue-update reminder for `by`, recorded on the timeline and in the thread.
pub async fn snooze(
    state: &Context,
    id: &IncidentId,
    by: chrono::Duration,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, StoreError> {
    state
        .deadline
        .run(snooze_in_transaction(state, id, by, actor, key))
        .await
}

async fn snooze_in_transaction(
    state: &Context,
    id: &IncidentId,
    by: chrono::Duration,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(outcome),
    };
    if !incident.status.is_open() {
        return Ok(ChangeOutcome::Refused(Refusal::OwesNoUpdates {
            id: id.to_string(),
            status: incident.status,
        }));
    }
    let until = now + by;
    if !store::incidents::update_reminder_snooze(&mut tx, id.as_str(), until).await? {
        return Ok(ChangeOutcome::Refused(Refusal::NothingToSnooze));
    }
    let event = Event::ReminderSnoozed {
        until,
        seconds: by.num_seconds(),
    };
    store::timeline::insert_timeline_entry(&mut tx, id.as_str(), now, actor, &event).await?;
    let mut rows: Vec<NewOutbox> = announce(&incident, &event, actor).into_iter().collect();
    rows.extend(webhooks::rows(&state.config, &incident, &event, actor, now));
    store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}
