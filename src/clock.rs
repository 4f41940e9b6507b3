//! Time as warroom sees it: a [`Clock`] the app reads "now" from, and the machine's own.

use chrono::{DateTime, SubsecRound, Utc};

/// A source of "now".
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Postgres keeps microseconds; a finer time would not read back equal to itself.
        Utc::now().trunc_subsecs(6)
    }
}
