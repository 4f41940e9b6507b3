//! Client-safe summaries, under four eyes: anyone drafts one (numbered per incident, `INC-…-S1`),
//! the lint keeps internal details out of it, and it leaves warroom only once someone holding an
//! approver role — not its author — approves it. Approval records the exact text and its SHA-256;
//! a later draft supersedes earlier pending ones, so an approval always names one draft.

use super::{Incident, IncidentId, RoleKey, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

mod decide;
pub mod kinds;
pub mod lint;

pub use decide::{
    SummaryApplied, SummaryChange, SummaryDecision, approver_names, decide_summary, may_decide,
};
pub use kinds::{Audience, PublicStatus};

/// Longest public title kept.
pub const MAX_SUMMARY_TITLE_CHARS: usize = 150;
/// Longest summary text kept.
pub const MAX_SUMMARY_CHARS: usize = 3000;

/// A summary's ID: its incident's ID and its number there, written `INC-20261124-001-S2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryId {
    pub incident: IncidentId,
    pub number: u32,
}

impl SummaryId {
    /// Reads `INC-…-S<n>` in any case.
    pub fn parse(s: &str) -> Option<Self> {
        let (incident, number) = s.trim().rsplit_once('-')?;
        let number = number.strip_prefix(['S', 's'])?.parse().ok()?;
        if number == 0 {
            return None;
        }
        Some(SummaryId {
            incident: IncidentId::parse(incident)?,
            number,
        })
    }
}

impl fmt::Display for SummaryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-S{}", self.incident, self.number)
    }
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryState {
    /// Waiting for an approver.
    Pending,
    Approved,
    /// An approver (or its author) sent it back, with a reason.
    ChangesRequested,
    /// A later draft took its place before anyone approved it.
    Superseded,
}

impl SummaryState {
    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            SummaryState::Pending => "pending",
            SummaryState::Approved => "approved",
            SummaryState::ChangesRequested => "changes_requested",
            SummaryState::Superseded => "superseded",
        }
    }

    /// The state stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        [
            SummaryState::Pending,
            SummaryState::Approved,
            SummaryState::ChangesRequested,
            SummaryState::Superseded,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// One draft of a client-safe summary, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Its number on the incident (`S1`, `S2`, …).
    pub number: u32,
    pub title: String,
    pub text: String,
    pub status: PublicStatus,
    pub audience: Audience,
    pub state: SummaryState,
    /// Slack user ID of who drafted it.
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// The lint's warnings its author acknowledged when drafting it.
    pub acknowledged: Vec<lint::Rule>,
    /// Who approved it or asked for changes, and when (for a superseded draft: when).
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why changes were asked for.
    pub reason: Option<String>,
    /// The draft that took its place.
    pub superseded_by: Option<u32>,
    /// The SHA-256 of the approved text, in lower-case hex.
    pub sha256: Option<String>,
}

/// What the public reads of an approved summary: its title, status and text — nothing
/// internal (no incident ID, no names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSummary {
    pub title: String,
    pub status: PublicStatus,
    pub text: String,
}

/// The `[comms]` configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommsConfig {
    /// Domains whose host names must not appear in a summary, lower case.
    pub internal_domains: Vec<String>,
    /// The roles whose holders approve summaries.
    pub approver_roles: Vec<RoleKey>,
    /// The customer-facing channel approved summaries are posted to, if any.
    pub external_channel: Option<String>,
}

impl Default for CommsConfig {
    fn default() -> Self {
        Self {
            internal_domains: ["internal", "local", "lan", "corp", "intranet", "home.arpa"]
                .map(str::to_owned)
                .to_vec(),
            approver_roles: vec![
                RoleKey::commander(),
                RoleKey::from_stored("communications".to_owned()),
            ],
            external_channel: None,
        }
    }
}

/// Whether a summary may present the incident as over: only once it is resolved (or closed)
/// and its post-incident review is complete — never green before that.
pub fn green_allowed(incident: &Incident) -> bool {
    matches!(incident.status, Status::Resolved | Status::Closed) && incident.review.is_complete()
}

/// The public status a new draft starts with, from where the incident stands.
pub fn suggested_status(incident: &Incident) -> PublicStatus {
    match incident.status {
        Status::Investigating | Status::Cancelled => PublicStatus::Investigating,
        Status::Identified | Status::Contained => PublicStatus::Identified,
        _ if green_allowed(incident) => PublicStatus::Resolved,
        Status::Recovering | Status::Resolved | Status::Closed => PublicStatus::Monitoring,
    }
}

/// The SHA-256 of `text`'s UTF-8 bytes, in lower-case hex: what an approval records.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests;
