//! The outbox delivery loop: claims due rows (`FOR UPDATE SKIP LOCKED`, short leases), delivers
//! each on its own task (see `attempt`, which records every outcome), and extends the leases of
//! deliveries still in flight. Woken by `NOTIFY` when work is enqueued, with a short poll as the
//! fallback.

use super::attempt::deliver_one;
use crate::{
    metrics::Metrics,
    state::AppState,
    store::outbox::{self as queue, WAKE_CHANNEL},
};
use sqlx::postgres::PgListener;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// Longest wait between two looks at the outbox when nothing wakes the loop.
const POLL: Duration = Duration::from_millis(250);

/// How long the loop waits for half its delivery slots to free up before claiming fewer rows.
const BATCH_WAIT: Duration = Duration::from_millis(20);

/// Claims in flight on this replica: row id → attempt (its fencing token).
type InFlight = Arc<Mutex<HashMap<i64, i32>>>;

/// Runs until `stop` is cancelled.
pub async fn run(state: AppState, stop: CancellationToken) {
    let process = &state.config.process;
    let (lease, pace) = (process.outbox_lease, process.channel_pace);
    // One permit per concurrent delivery; a delivery task holds its permit until it has recorded
    // its outcome.
    let permits = Arc::new(Semaphore::new(process.outbox_concurrency));
    let half = (process.outbox_concurrency / 2).max(1);
    let in_flight: InFlight = Arc::default();
    // Leases are kept alive until the deliveries under way at shutdown have finished, and end
    // with this loop whichever way it ends (a panic included).
    let renewing = CancellationToken::new();
    let _extender = super::AbortOnDrop(tokio::spawn(extend_leases(
        state.clone(),
        in_flight.clone(),
        renewing.clone(),
    )));
    // Rung by each delivery as it ends: a slot is free.
    let finished = Arc::new(Notify::new());
    // Rung by a delivery whose outcome may have made another row due (the thread reply after
    // its card); a delivery that leaves its incident nothing pending does not cost a claim.
    let unblocked = Arc::new(Notify::new());
    let mut listener = listen(&state).await;
    state.metrics.claim_succeeded();
    while !stop.is_cancelled() {
        let free = permits.available_permits();
        if free < half {
            // A claim costs a round of queries whatever it returns: wait until half the slots
            // are free, or briefly, so that slow Slack calls do not hold the other slots back.
            let waited = tokio::select! {
                _ = stop.cancelled() => false,
                _ = finished.notified() => false,
                _ = tokio::time::sleep(BATCH_WAIT), if free > 0 => true,
            };
            if !waited {
                continue;
            }
        }
        let leases = queue::Leases {
            lease,
            hold: process.call_hold(),
        };
        let claimed = queue::claim_outbox(&state.worker_pool, free as i64, leases, pace).await;
        match &claimed {
            Ok(_) => state.metrics.claim_succeeded(),
            Err(_) => state.metrics.claim_failed(),
        }
        match claimed {
            Ok(rows) if !rows.is_empty() => {
                // Fewer rows than slots asked for: nothing else is due until something changes.
                // Not so with pacing on: a claim takes one post per channel, and the rows it
                // passed over may include another channel's, which the next claim (with this
                // channel's slot now taken) reaches.
                let all_due_taken = rows.len() < free && pace.is_zero();
                for row in rows {
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        break;
                    };
                    let slot = Slot::take(&in_flight, (row.id, row.attempts), permit, &finished);
                    let (state, unblocked) = (state.clone(), unblocked.clone());
                    tokio::spawn(async move {
                        // Released when the delivery ends, however it ends.
                        let _slot = slot;
                        if deliver_one(&state, row).await {
                            unblocked.notify_one();
                        }
                    });
                }
                if all_due_taken {
                    wait_for_work(&stop, &unblocked, &mut listener, &state).await;
                }
            }
            Ok(_) => wait_for_work(&stop, &unblocked, &mut listener, &state).await,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim outbox rows; retrying");
                tokio::select! { _ = stop.cancelled() => {}, _ = tokio::time::sleep(Duration::from_secs(1)) => {} }
            }
        }
    }
    finish_deliveries_under_way(&state, &permits).await;
    renewing.cancel();
}

/// At shutdown, waits for the deliveries under way to end and be recorded — each ends within the
/// Slack timeout — so that a replica stopped mid-post neither leaves the post to be looked for
/// nor exits before recording it. Bounded: what is still running after that is left to its
/// lease, and another replica (or this one, restarted) retries it.
async fn finish_deliveries_under_way(state: &AppState, permits: &Semaphore) {
    let process = &state.config.process;
    let all = u32::try_from(process.outbox_concurrency).unwrap_or(u32::MAX);
    let longest_call = process.slack_timeout.max(process.integrations_timeout);
    let bound = longest_call + Duration::from_secs(1);
    if tokio::time::timeout(bound, permits.acquire_many(all))
        .await
        .is_err()
    {
        let left = all as usize - permits.available_permits();
        tracing::warn!(
            deliveries = left,
            "stopping with deliveries still under way; their leases run out and they are retried"
        );
    }
}

/// One delivery's place on this replica: its row in the in-flight set (whose leases are
/// extended) and its concurrency permit. Dropping it — when the delivery ends, or its task
/// panics — frees both and wakes the loop.
struct Slot {
    in_flight: InFlight,
    id: i64,
    _permit: OwnedSemaphorePermit,
    finished: Arc<Notify>,
}

impl Slot {
    fn take(
        in_flight: &InFlight,
        (id, attempt): (i64, i32),
        permit: OwnedSemaphorePermit,
        finished: &Arc<Notify>,
    ) -> Self {
        lock(in_flight).insert(id, attempt);
        Self {
            in_flight: in_flight.clone(),
            id,
            _permit: permit,
            finished: finished.clone(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.in_flight).remove(&self.id);
        self.finished.notify_one();
    }
}

/// The in-flight set, even if a task panicked while holding it (its map stays consistent: each
/// change is one insert or remove).
fn lock(in_flight: &InFlight) -> std::sync::MutexGuard<'_, HashMap<i64, i32>> {
    in_flight
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn listen(state: &AppState) -> Option<PgListener> {
    crate::store::listen(&state.worker_pool, WAKE_CHANNEL)
        .await
        .ok()
}

async fn wait_for_work(
    stop: &CancellationToken,
    unblocked: &Notify,
    listener: &mut Option<PgListener>,
    state: &AppState,
) {
    // With pacing on, a channel's next post is due once its slot opens, one pace after the last
    // claim took it, and nothing announces that: look again then.
    let pace = state.config.process.channel_pace;
    let poll = if pace.is_zero() { POLL } else { POLL.min(pace) };
    let declared = &state.outbox_wake;
    match listener {
        Some(l) => {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = unblocked.notified() => {}
                _ = declared.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                received = l.recv() => if received.is_err() {
                    // The connection dropped; poll until a new one can be made.
                    *listener = None;
                } else {
                    drain_wake_ups(listener).await;
                },
            }
        }
        None => {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = unblocked.notified() => {}
                _ = declared.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
            *listener = listen(state).await;
        }
    }
}

/// Takes in the wake-ups that have already arrived: one claim answers them all (a burst of
/// declarations sends one each), so each would otherwise cost a claim that finds nothing.
async fn drain_wake_ups(listener: &mut Option<PgListener>) {
    while let Some(l) = listener {
        match tokio::time::timeout(Duration::ZERO, l.recv()).await {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => *listener = None,
            Err(_) => return,
        }
    }
}

/// Keeps this replica's claims alive while their Slack calls run (a call may take up to the Slack
/// timeout, longer than a lease), until `stop`. If this replica dies, its leases run out and
/// others take over.
async fn extend_leases(state: AppState, in_flight: InFlight, stop: CancellationToken) {
    let lease = state.config.process.outbox_lease;
    let mut every = tokio::time::interval((lease / 3).max(Duration::from_millis(10)));
    loop {
        tokio::select! { _ = stop.cancelled() => return, _ = every.tick() => {} }
        let claims: Vec<(i64, i32)> = lock(&in_flight).iter().map(|(id, a)| (*id, *a)).collect();
        if claims.is_empty() {
            continue;
        }
        // A renewal may keep fewer rows than it was given without anything being wrong: a
        // delivery that finished meanwhile is no longer pending. Only a failed renewal counts.
        if let Err(e) = queue::extend_outbox_leases(&state.worker_pool, &claims, lease).await {
            Metrics::inc(&state.metrics.outbox_lease_renewal_failures);
            tracing::warn!(error = %e, "could not extend outbox leases");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_delivery_that_panics_leaves_the_in_flight_set_and_frees_its_slot() {
        let in_flight: InFlight = Arc::default();
        let permits = Arc::new(Semaphore::new(1));
        let finished = Arc::new(Notify::new());
        let permit = permits.clone().acquire_owned().await.unwrap();
        let slot = Slot::take(&in_flight, (7, 2), permit, &finished);
        assert_eq!(lock(&in_flight).get(&7), Some(&2));
        let task = tokio::spawn(async move {
            let _slot = slot;
            panic!("a delivery that breaks");
        });
        assert!(task.await.unwrap_err().is_panic());
        assert!(
            lock(&in_flight).is_empty(),
            "its lease is no longer extended"
        );
        assert_eq!(permits.available_permits(), 1, "its slot is free again");
        tokio::time::timeout(Duration::from_secs(5), finished.notified())
            .await
            .expect("the loop was woken");
    }
}
