//! The scheduler: fires due reminders on time, exactly once, from any replica. Each reminder is
//! claimed with `FOR UPDATE SKIP LOCKED` after its incident's row (the order every change locks
//! them in; an incident a change holds waits for the next round), decided by the pure
//! `incident::schedule::fire`, and in the same transaction marked fired, its timeline entry
//! written, its Slack post enqueued and its next occurrence armed. A replica that dies mid-way
//! rolls back and another fires it. Between reminders the loop sleeps until the next one is due
//! or a change arms a new one (`NOTIFY`), with a short safety cap for lost notifications.
//! Besides the kinds `incident::schedule` decides, a corrective action's reminder and a scenario
//! drill's inject are each a kind of their own (`action_due:N`, `drill_inject:N`).

use crate::{
    delivery::{ChannelPost, Delivery, Post},
    incident::{
        IncidentId, actions, drills,
        schedule::{self, Arm, Fired, kinds},
    },
    state::AppState,
    store::{
        self,
        outbox::NewOutbox,
        reminders::{self as queue, WAKE_CHANNEL},
    },
};
use serde_json::json;
use sqlx::postgres::PgListener;
use std::{borrow::Cow, time::Duration};
use tokio_util::sync::CancellationToken;

/// Due reminders fired in one transaction.
const FIRE_BATCH: i64 = 32;

/// Longest sleep without a look at the table (covers a lost notification, and the reminders a
/// declaration arms without one).
const SAFETY_CAP: Duration = queue::LOOKS_AT_LEAST_EVERY;

/// Runs until `stop` is cancelled.
pub async fn run(state: AppState, stop: CancellationToken) {
    let mut listener = listen(&state).await;
    while !stop.is_cancelled() {
        arm_digest(&state).await;
        loop {
            match fire_due(&state).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "could not fire a reminder; retrying shortly");
                    break;
                }
            }
        }
        let wait = match queue::find_next_due_in(&state.worker_pool).await {
            Ok(Some(secs)) => Duration::from_secs_f64(secs).min(SAFETY_CAP),
            Ok(None) => SAFETY_CAP,
            Err(_) => Duration::from_secs(1),
        };
        if wait.is_zero() {
            continue;
        }
        match &mut listener {
            Some(l) => {
                if sleep_until_due(&stop, l, wait).await.is_err() {
                    listener = None;
                }
            }
            None => {
                tokio::select! { _ = stop.cancelled() => {}, _ = tokio::time::sleep(wait) => {} }
                listener = listen(&state).await;
            }
        }
    }
}

/// Sleeps for `wait`, or less when a reminder armed meanwhile is due sooner; a reminder due later
/// than the next look (a declaration's, due in half an hour) does not wake the scheduler at all.
/// Fails when the notification connection dropped.
async fn sleep_until_due(
    stop: &CancellationToken,
    listener: &mut PgListener,
    wait: Duration,
) -> Result<(), sqlx::Error> {
    let mut until = tokio::time::Instant::now() + wait;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            _ = tokio::time::sleep_until(until) => return Ok(()),
            received = listener.recv() => match queue::wake_due_in(received?.payload()) {
                None => return Ok(()),
                Some(due_in) => until = until.min(tokio::time::Instant::now() + due_in),
            },
        }
    }
}

async fn listen(state: &AppState) -> Option<PgListener> {
    store::listen(&state.worker_pool, WAKE_CHANNEL).await.ok()
}

async fn arm_digest(state: &AppState) {
    if let Some(at) = schedule::next_digest_at(&state.config.process.schedule, state.clock.now())
        && let Err(e) = queue::insert_digest_if_missing(&state.worker_pool, at).await
    {
        tracing::warn!(error = %e, "could not arm the daily digest");
    }
}

/// Fires the reminders that are due, up to a batch, in one transaction; how many it fired.
#[tracing::instrument(skip_all)]
async fn fire_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut tx = state.worker_pool.begin().await?;
    let mut due = queue::claim_due_reminders(&mut tx, FIRE_BATCH).await?;
    if due.is_empty() {
        tx.rollback().await?;
        return Ok(0);
    }
    // Every replica locks the incidents of its batch in the same order, so two batches never
    // wait on each other in a cycle.
    due.sort_by(|a, b| a.incident_id.cmp(&b.incident_id));
    let mut fired = Vec::with_capacity(due.len());
    for reminder in &due {
        fired.push(fire_in(state, &mut tx, reminder).await?);
    }
    tx.commit().await?;
    for (reminder, posted) in due.iter().zip(fired) {
        let late_ms = (state.clock.now() - reminder.due_at).num_milliseconds();
        tracing::info!(incident.id = reminder.incident_id.as_deref().unwrap_or("-"), reminder.kind = %reminder.kind, reminder.late_ms = late_ms, posted, "reminder fired");
    }
    Ok(due.len())
}

/// Fires one claimed reminder within `tx`: its post, its timeline entry and its next occurrence.
/// Whether it posted anything.
async fn fire_in(
    state: &AppState,
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    reminder: &queue::ReminderRow,
) -> Result<bool, sqlx::Error> {
    let process = &state.config.process;
    let now = state.clock.now();
    queue::mark_fired(tx, reminder.id).await?;
    let Some(incident_id) = reminder.incident_id.clone() else {
        if reminder.kind == kinds::DIGEST {
            let digest = |channel: &str, restricted| {
                NewOutbox::standalone(Delivery::ChannelPost {
                    channel: channel.to_owned(),
                    thread_ts: None,
                    post: ChannelPost::Digest { restricted },
                })
            };
            let mut digests = vec![digest(&state.config.incident_channel, false)];
            if let Some(channel) = &process.restricted.channel {
                digests.push(digest(channel, true));
            }
            store::outbox::insert_outbox(tx, None, &digests).await?;
            let next = schedule::next_digest_after(&process.schedule, reminder.due_at, now);
            if let Some(next) = next {
                queue::apply_arms(
                    tx,
                    None,
                    &[Arm::Set {
                        kind: kinds::DIGEST.into(),
                        due_at: next,
                        details: json!({}),
                    }],
                )
                .await?;
            }
            return Ok(true);
        }
        return Ok(false);
    };
    let id = IncidentId::from_stored(incident_id);
    let Some(incident) = store::incidents::find_incident_for_update(tx, &id).await? else {
        return Ok(false);
    };
    let fired = match (
        actions::reminder_action(&reminder.kind),
        drills::inject_number(&reminder.kind),
    ) {
        (Some(number), _) => match store::actions::find_action_for_update(tx, &id, number).await? {
            Some(action) => actions::fire(&incident, &action, now, &process.schedule),
            None => Fired::stale(),
        },
        (None, Some(number)) => drills::fire_inject(&incident, number, &reminder.details),
        (None, None) => schedule::fire(
            &reminder.kind,
            &reminder.details,
            &incident,
            &process.severities,
            &process.schedule,
            now,
        ),
    };
    if let Some(reminder) = &fired.post {
        let post = Post::Reminder {
            reminder: reminder.clone(),
        };
        let delivery = if reminder.escalates() {
            Delivery::Broadcast { post }
        } else {
            Delivery::ThreadReply { post }
        };
        let mut row = NewOutbox::about(
            &incident.channel_id,
            incident.severity.rank().index(),
            delivery,
        );
        // Checked again when it is sent: an update landing meanwhile makes it moot.
        row.only_if_next_update_due_at = reminder.about_deadline();
        store::outbox::insert_outbox(tx, Some(id.as_str()), &[row]).await?;
    }
    if let Some(event) = &fired.entry {
        store::timeline::insert_timeline_entry(tx, id.as_str(), now, "warroom", event).await?;
        let hooks = crate::webhooks::rows(&state.config, &incident, event, "warroom", now);
        store::outbox::insert_outbox(tx, Some(id.as_str()), &hooks).await?;
    }
    // The next occurrence of a kind warroom knows (an earlier version's kind is left to lapse).
    let known: Option<Cow<'static, str>> = match actions::reminder_action(&reminder.kind) {
        Some(_) => Some(reminder.kind.clone().into()),
        None => kinds::PER_INCIDENT
            .into_iter()
            .find(|k| *k == reminder.kind)
            .map(Into::into),
    };
    if let Some((due_at, details)) = fired.next
        && let Some(kind) = known
    {
        queue::apply_arms(
            tx,
            Some(id.as_str()),
            &[Arm::Set {
                kind,
                due_at,
                details,
            }],
        )
        .await?;
    }
    Ok(fired.post.is_some())
}
