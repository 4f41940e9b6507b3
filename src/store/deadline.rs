//! One deadline for all the database work of one Slack request. Slack waits three seconds for
//! its acknowledgement; a request that asks Postgres three things must not wait three deadlines
//! for a hung server. The deadline runs from the request's arrival, every statement gets what is
//! left of it, and once one has found the database unreachable the rest of the request does not
//! try again.

use super::StoreError;
use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::time::Instant as Clock;

/// Shared by everything one request does (cheap to clone).
#[derive(Clone, Debug)]
pub struct Deadline(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    ends: Ends,
    /// Set once this request found the database unreachable.
    down: AtomicBool,
}

#[derive(Debug, Clone, Copy)]
enum Ends {
    /// A request's: everything must be done by then (on tokio's clock, which tests can pause).
    At(Clock),
    /// Work on no request's clock: each piece gets this long.
    EachCall(Duration),
}

impl Deadline {
    /// A request's deadline, `budget` after it arrived.
    pub fn for_request(received: Instant, budget: Duration) -> Self {
        Self::new(Ends::At(Clock::from_std(received + budget)))
    }

    /// For work outside a request: each piece of work gets `budget` of its own.
    pub fn each_call(budget: Duration) -> Self {
        Self::new(Ends::EachCall(budget))
    }

    fn new(ends: Ends) -> Self {
        Self(Arc::new(Inner {
            ends,
            down: AtomicBool::new(false),
        }))
    }

    /// Whether this request already found the database unreachable (or ran out of time).
    pub fn database_down(&self) -> bool {
        self.0.down.load(Ordering::Relaxed)
    }

    /// Runs `work` within what is left of the deadline; at once `Unavailable` when nothing is
    /// left or the database was already found unreachable.
    pub async fn run<T, E>(&self, work: impl Future<Output = Result<T, E>>) -> Result<T, StoreError>
    where
        StoreError: From<E>,
    {
        let budget = match self.0.ends {
            Ends::At(at) => at.saturating_duration_since(Clock::now()),
            Ends::EachCall(budget) => budget,
        };
        if self.database_down() || budget.is_zero() {
            self.found_down();
            return Err(StoreError::Unavailable);
        }
        let result = match tokio::time::timeout(budget, work).await {
            Ok(result) => result.map_err(StoreError::from),
            Err(_) => Err(StoreError::Unavailable),
        };
        if result.as_ref().is_err_and(StoreError::is_unavailable) {
            self.found_down();
        }
        result
    }

    fn found_down(&self) {
        // Outside a request every call tries afresh: a blip must not stop background work.
        if matches!(self.0.ends, Ends::At(_)) {
            self.0.down.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    async fn hangs() -> Result<(), sqlx::Error> {
        std::future::pending().await
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waits_for_a_hung_database_once_and_then_not_at_all() {
        let received = Instant::now();
        let deadline = Deadline::for_request(received, Duration::from_millis(1500));
        assert!(deadline.run(hangs()).await.unwrap_err().is_unavailable());
        assert!(deadline.database_down());
        let tried = AtomicU32::new(0);
        let again = deadline
            .run(async {
                tried.fetch_add(1, Ordering::Relaxed);
                Ok::<_, sqlx::Error>(())
            })
            .await;
        assert!(again.unwrap_err().is_unavailable());
        assert_eq!(
            tried.load(Ordering::Relaxed),
            0,
            "the second piece never started"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_second_piece_of_work_gets_only_what_is_left() {
        let deadline = Deadline::for_request(Instant::now(), Duration::from_millis(1500));
        let slow = async {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            Ok::<_, sqlx::Error>(())
        };
        assert!(deadline.run(slow).await.is_ok());
        let started = tokio::time::Instant::now();
        assert!(deadline.run(hangs()).await.is_err());
        let waited = started.elapsed();
        assert!(
            waited <= Duration::from_millis(510),
            "waited {waited:?} of the 500 ms left"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn work_outside_a_request_tries_afresh_each_time() {
        let deadline = Deadline::each_call(Duration::from_millis(100));
        assert!(deadline.run(hangs()).await.is_err());
        assert!(!deadline.database_down());
        assert!(
            deadline
                .run(async { Ok::<_, sqlx::Error>(()) })
                .await
                .is_ok()
        );
    }
}
