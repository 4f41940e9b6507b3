//! The post-incident review, kept as a record: the agenda of the response plan (timeline
//! reconstruction, root cause, detection and response effectiveness, customer impact, preventive
//! measures, action items) plus the evidence collected and the follow-up deadline. It can be saved
//! as a draft and completed later; completing it records who and when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One item of the review's agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaItem {
    Timeline,
    RootCause,
    Detection,
    Response,
    CustomerImpact,
    PreventiveMeasures,
    ActionItems,
    Evidence,
}

impl AgendaItem {
    /// The agenda, in the order the review goes through it.
    pub const ALL: [AgendaItem; 8] = [
        AgendaItem::Timeline,
        AgendaItem::RootCause,
        AgendaItem::Detection,
        AgendaItem::Response,
        AgendaItem::CustomerImpact,
        AgendaItem::PreventiveMeasures,
        AgendaItem::ActionItems,
        AgendaItem::Evidence,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            AgendaItem::Timeline => "timeline",
            AgendaItem::RootCause => "root_cause",
            AgendaItem::Detection => "detection",
            AgendaItem::Response => "response",
            AgendaItem::CustomerImpact => "customer_impact",
            AgendaItem::PreventiveMeasures => "preventive_measures",
            AgendaItem::ActionItems => "action_items",
            AgendaItem::Evidence => "evidence",
        }
    }

    /// The question the review answers.
    pub fn label(self) -> &'static str {
        match self {
            AgendaItem::Timeline => "Timeline reconstruction: what happened and when",
            AgendaItem::RootCause => "Root cause: what was the underlying cause",
            AgendaItem::Detection => {
                "Detection effectiveness: did monitoring catch this promptly, and if not, why"
            }
            AgendaItem::Response => {
                "Response effectiveness: was the response fast and well-coordinated"
            }
            AgendaItem::CustomerImpact => {
                "Customer impact: how many customers were affected, and how"
            }
            AgendaItem::PreventiveMeasures => {
                "Preventive measures: what changes will prevent recurrence"
            }
            AgendaItem::ActionItems => "Action items: specific, assigned, time-bound improvements",
            AgendaItem::Evidence => "Evidence collected",
        }
    }

    /// The item stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.key() == key)
    }
}

/// What the review has written down so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNotes {
    /// The answered agenda items; an item left blank is absent.
    #[serde(default)]
    pub answers: BTreeMap<AgendaItem, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_deadline: Option<NaiveDate>,
}

impl ReviewNotes {
    /// The answer to `item`, if it was given.
    pub fn answer(&self, item: AgendaItem) -> Option<&str> {
        self.answers.get(&item).map(String::as_str)
    }

    /// The agenda items still unanswered.
    pub fn unanswered(&self) -> Vec<AgendaItem> {
        AgendaItem::ALL
            .into_iter()
            .filter(|i| !self.answers.contains_key(i))
            .collect()
    }
}

/// The review as it stands on the incident.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// When it is due: set when an incident whose severity calls for a review is resolved.
    pub due_at: Option<DateTime<Utc>>,
    /// `None` until the review is first saved.
    pub notes: Option<ReviewNotes>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<String>,
}

impl Review {
    /// Whether it has been completed.
    pub fn is_complete(&self) -> bool {
        self.completed_at.is_some()
    }
}
