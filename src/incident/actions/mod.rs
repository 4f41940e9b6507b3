//! Corrective (follow-up) actions: what must change so the incident does not happen again, each
//! with an owner, a due date and an ID (`INC-…-A1`). Open → done, or won't do (with a reason);
//! every change is a timeline event. Owners are reminded in the incident's thread when an action
//! is due and every day it stays overdue. Actions outlive the incident: they are added and closed
//! after it is resolved or closed, as the review finds them.

use super::IncidentId;
pub use super::update::ActionsSummary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

mod decide;
mod remind;

pub use decide::{ActionApplied, ActionChange, ActionDecision, decide_action};
pub use remind::{fire, next_reminder, reminder_action, reminder_kind, today};

/// Longest action text kept.
pub const MAX_ACTION_CHARS: usize = 1000;

/// An action's ID: its incident's ID and its number there, written `INC-20261124-001-A3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionId {
    pub incident: IncidentId,
    pub number: u32,
}

impl ActionId {
    /// Reads `INC-…-A<n>` in any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (incident, number) = s.rsplit_once('-')?;
        let number = number.strip_prefix(['A', 'a'])?.parse().ok()?;
        if number == 0 {
            return None;
        }
        Some(ActionId {
            incident: IncidentId::parse(incident)?,
            number,
        })
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-A{}", self.incident, self.number)
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
    WontDo,
}

impl ActionStatus {
    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont_do",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::Done => "Done",
            ActionStatus::WontDo => "Won't do",
        }
    }

    /// The status stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        [Self::Open, Self::Done, Self::WontDo]
            .into_iter()
            .find(|s| s.key() == key)
    }
}

/// One corrective action as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub number: u32,
    pub text: String,
    /// Slack user ID of its owner.
    pub owner: String,
    pub due_on: NaiveDate,
    pub link: Option<String>,
    pub status: ActionStatus,
    /// Why it won't be done.
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub finished_by: Option<String>,
}

impl Action {
    /// Whether it is open past its due date (`today` in the configured time zone).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionStatus::Open && self.due_on < today
    }
}

/// An action listed with the incident it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAction {
    pub incident: IncidentId,
    pub incident_title: String,
    /// Its incident is restricted: shown only to the restricted channel's members.
    pub incident_restricted: bool,
    pub action: Action,
}

impl ListedAction {
    /// Its ID.
    pub fn id(&self) -> ActionId {
        ActionId {
            incident: self.incident.clone(),
            number: self.action.number,
        }
    }
}

impl ActionsSummary {
    /// The summary of `actions`.
    pub fn of(actions: &[Action]) -> Self {
        let open: Vec<&Action> = actions
            .iter()
            .filter(|a| a.status == ActionStatus::Open)
            .collect();
        ActionsSummary {
            total: actions.len(),
            open: open.len(),
            open_without_owner: open.iter().filter(|a| a.owner.trim().is_empty()).count(),
        }
    }
}

#[cfg(test)]
mod tests;
