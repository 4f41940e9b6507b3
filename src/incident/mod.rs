//! The incident domain: pure types and rules, no I/O. Every function here takes `now` instead of
//! reading a clock, so the rules are tested without a database or Slack.

pub mod actions;
pub mod catalog;
pub mod declare;
pub mod drills;
pub mod event;
#[cfg(test)]
pub(crate) mod example;
pub mod id;
pub mod lifecycle;
pub mod report;
pub mod review;
pub mod schedule;
pub mod scope;
pub mod severity;
pub mod stats;
pub mod status;
pub mod summaries;
pub mod triage;
pub mod update;

pub use catalog::{Catalog, RoleKey};
pub use declare::{DeclareError, DeclareInput, NewIncident, decide_declare};
pub use event::Event;
pub use id::IncidentId;
pub use review::Review;
pub use scope::{Detection, Environment, Findings, Scope};
pub use severity::{Severities, Severity, SeverityLevel, SeverityName, SeverityRank};
pub use status::Status;
pub use triage::Triage;

use chrono::{DateTime, Utc};

/// Longest title kept; longer ones are cut at a character boundary with an ellipsis.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest impact statement kept.
pub const MAX_IMPACT_CHARS: usize = 2000;

/// An incident title: trimmed, never blank, at most [`MAX_TITLE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Trims and bounds a typed title; a blank one is refused.
    pub fn parse(s: &str) -> Result<Self, DeclareError> {
        let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(DeclareError::MissingTitle);
        }
        Ok(Self(truncate_chars(&collapsed, MAX_TITLE_CHARS)))
    }

    /// The title text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a title read back from the database, which only ever stores parsed ones.
    pub(crate) fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl std::ops::Deref for Title {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Title {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
impl From<&str> for Title {
    fn from(s: &str) -> Self {
        Title::parse(s).expect("a test title is not blank")
    }
}

/// An incident as stored: its current state (the timeline holds how it got there).
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: IncidentId,
    pub title: Title,
    pub severity: Severity,
    pub status: Status,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    pub triage: Triage,
    pub declared_by: String,
    pub team_domain: Option<String>,
    pub channel_id: String,
    pub card_ts: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub next_update_due_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution_summary: Option<String>,
    /// Role key → Slack user ID of its holder.
    pub roles: std::collections::BTreeMap<RoleKey, String>,
    pub latest_update: Option<update::StructuredUpdate>,
    /// When a personal-data breach was discovered (the 72-hour clock starts here).
    pub breach_discovered_at: Option<DateTime<Utc>>,
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// Escalation triggers already announced, so each is announced once.
    pub escalations: Vec<String>,
    /// Where it happened, what it touches, when the impact began and how it was detected.
    pub scope: Scope,
    /// Containment, the confirmed root cause and the fix, once each is reached.
    pub findings: Findings,
    /// The post-incident review.
    pub review: Review,
    /// A drill (a tabletop exercise), set at declaration and never changed. The one flag every
    /// outward path checks: a drill pages nobody, reaches no customer-facing channel, escalates
    /// only to its declarer by default, and stays out of the metrics and the digest.
    pub drill: bool,
    /// A restricted (security) incident: its card and thread live in the restricted channel, and
    /// its details are shown only to that channel's members.
    pub restricted: bool,
    /// When customers were first told, by an approved client-safe summary for a customer-facing
    /// audience.
    pub customers_notified_at: Option<DateTime<Utc>>,
    /// Counts the changes written to the incident's row: a card rendered from one version is
    /// stale once the row has a later one.
    pub version: i32,
}

impl Incident {
    /// The incident commander's Slack user ID, once someone holds the role.
    pub fn commander(&self) -> Option<&str> {
        self.roles.get(&RoleKey::commander()).map(String::as_str)
    }

    /// Who reminders speak to: the latest update's owner, else the commander, else the declarer.
    pub fn owner(&self) -> &str {
        self.latest_update
            .as_ref()
            .map(|u| u.owner.as_str())
            .or_else(|| self.commander())
            .unwrap_or(&self.declared_by)
    }
}

/// Cuts `s` to at most `max` characters, ending with `…` when something was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
