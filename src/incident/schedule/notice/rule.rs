//! Which customer-notification clock: the outage clock or the breach clock. The timeline's
//! `reminder_sent` events name it, so it imports nothing but the reminder kinds.

use super::super::kinds;
use serde::{Deserialize, Serialize};

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeRule {
    /// A severe incident still unresolved after `outage_after`.
    Outage,
    /// A personal-data breach.
    Breach,
}

impl NoticeRule {
    /// The reminder kind that keeps this clock.
    pub fn kind(self) -> &'static str {
        match self {
            NoticeRule::Outage => kinds::CUSTOMER_NOTICE_OUTAGE,
            NoticeRule::Breach => kinds::CUSTOMER_NOTICE_BREACH,
        }
    }
}
