//! Background loops that every replica runs; none is special. Work lives in Postgres, so a loop
//! can die with its process and another replica (or the restarted one) carries on.

mod attempt;
mod capture;
mod channel;
pub mod deliver;
mod home;
mod legacy;
mod membership;
pub mod outbox;
mod pagerduty;
mod public;
pub mod record;
pub mod scheduler;
mod statuspage;
mod upload;
mod webhook;

use crate::{metrics::Metrics, state::AppState};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts the outbox delivery loop, the scheduler and the housekeeping loop, each supervised
/// (see [`supervise`]). Each returns once `stop` is cancelled (by `app::serve` at shutdown); the
/// caller awaits the handles.
pub fn spawn_all(state: AppState, stop: CancellationToken) -> Vec<JoinHandle<()>> {
    let each = |name, run: fn(AppState, CancellationToken) -> LoopFuture| {
        let (state, token) = (state.clone(), stop.clone());
        supervise(name, state.metrics.clone(), stop.clone(), move || {
            run(state.clone(), token.clone())
        })
    };
    vec![
        each("outbox", |s, t| Box::pin(outbox::run(s, t))),
        each("scheduler", |s, t| Box::pin(scheduler::run(s, t))),
        each("housekeeping", |s, t| Box::pin(housekeeping(s, t))),
    ]
}

type LoopFuture = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// How long a loop that panicked waits before it starts again.
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Runs the loop `start` makes until it returns (once `stop` is cancelled). A loop that panics is
/// logged, counted at `/metrics` and started again after a second, so one bad row or bug cannot
/// leave a replica serving requests with nothing delivered or reminded.
pub fn supervise<F, Fut>(
    name: &'static str,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
    start: F,
) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(start()).await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    Metrics::inc(&metrics.worker_restarts);
                    tracing::error!(
                        worker = name,
                        "a background loop panicked; starting it again"
                    );
                }
                Err(_) => return,
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(RESTART_AFTER) => {}
            }
        }
    })
}

/// Stops a task when its owner goes away, however the owner ends.
pub(crate) struct AbortOnDrop(pub JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Rows deleted per statement, so that no delete holds its locks for long.
const RETENTION_BATCH: i64 = 1000;

/// Forgets old idempotency keys, and deletes delivered messages and finished reminders past
/// retention (`retention.keep`, 30 days by default), every `retention.every`. The timeline and
/// the incidents are never deleted: they are the record.
async fn housekeeping(state: AppState, stop: CancellationToken) {
    let process = &state.config.process;
    let mut every = tokio::time::interval(process.housekeeping_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        let pool = &state.worker_pool;
        match crate::store::requests::delete_expired_request_keys(pool).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "forgot expired Slack request keys"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not forget expired Slack request keys"),
        }
        let keep = process.retention;
        let outbox = drain_in_batches(&stop, || {
            crate::store::retention::delete_finished_outbox_before(pool, keep, RETENTION_BATCH)
        });
        match outbox.await {
            Ok(n) if n > 0 => {
                tracing::info!(deleted = n, "deleted delivered messages past retention")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not delete delivered messages past retention")
            }
        }
        let reminders = drain_in_batches(&stop, || {
            crate::store::retention::delete_finished_reminders_before(pool, keep, RETENTION_BATCH)
        });
        match reminders.await {
            Ok(n) if n > 0 => {
                tracing::info!(deleted = n, "deleted finished reminders past retention")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not delete finished reminders past retention")
            }
        }
    }
}

/// Repeats `delete` until a batch comes back short (or `stop`); the total deleted.
async fn drain_in_batches<F, Fut>(stop: &CancellationToken, delete: F) -> Result<u64, sqlx::Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<u64, sqlx::Error>>,
{
    let mut total = 0;
    while !stop.is_cancelled() {
        let n = delete().await?;
        total += n;
        if n < RETENTION_BATCH as u64 {
            break;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_loop_that_panics_is_started_again_and_counted() {
        tokio::time::pause();
        let metrics = Arc::new(Metrics::default());
        let starts = Arc::new(AtomicU32::new(0));
        let stop = CancellationToken::new();
        let counted = starts.clone();
        let handle = supervise("test", metrics.clone(), stop.clone(), move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    panic!("a loop that breaks the first time");
                }
            }
        });
        handle.await.unwrap();
        assert_eq!(
            starts.load(Ordering::SeqCst),
            2,
            "started again after the panic"
        );
        assert_eq!(metrics.worker_restarts.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_loop_that_returns_is_not_started_again() {
        let metrics = Arc::new(Metrics::default());
        let starts = Arc::new(AtomicU32::new(0));
        let counted = starts.clone();
        supervise(
            "test",
            metrics.clone(),
            CancellationToken::new(),
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async {}
            },
        )
        .await
        .unwrap();
        assert_eq!(starts.load(Ordering::SeqCst), 1);
        assert_eq!(metrics.worker_restarts.load(Ordering::SeqCst), 0);
    }
}
