//! Background loops that every replica runs; none is special. Work lives in Postgres, so a loop
//! can die with its process and another replica (or the restarted one) carries on.

pub mod deliver;
mod legacy;
pub mod outbox;
pub mod record;
pub mod scheduler;

use crate::state::AppState;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts the outbox delivery loop, the scheduler and the housekeeping loop. Each returns once `stop` is
/// cancelled (by `app::serve` at shutdown); the caller awaits the handles.
pub fn spawn_all(state: AppState, stop: CancellationToken) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(outbox::run(state.clone(), stop.clone())),
        tokio::spawn(scheduler::run(state.clone(), stop.clone())),
        tokio::spawn(housekeeping(state, stop)),
    ]
}

/// Forgets old idempotency keys once an hour.
async fn housekeeping(state: AppState, stop: CancellationToken) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        match crate::store::requests::delete_expired_request_keys(&state.worker_pool).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "forgot expired Slack request keys"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not forget expired Slack request keys"),
        }
    }
}
