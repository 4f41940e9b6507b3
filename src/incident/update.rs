//! The structured internal update (Incident ID, Severity, Status, Impact, Current action, Owner,
//! Next update) and the closure checklist.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The latest structured update, as kept on the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuredUpdate {
    pub impact: String,
    pub current_action: String,
    /// Slack user ID of the owner.
    pub owner: String,
    pub next_update_at: DateTime<Utc>,
    pub posted_by: String,
    pub posted_at: DateTime<Utc>,
}

/// How a closure criterion was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureAnswer {
    Confirmed,
    NotApplicable,
    UnderReview,
}

impl ClosureAnswer {
    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "confirmed" => Some(Self::Confirmed),
            "not_applicable" => Some(Self::NotApplicable),
            "under_review" => Some(Self::UnderReview),
            _ => None,
        }
    }

    /// What the person sees.
    pub fn label(self) -> &'static str {
        match self {
            Self::Confirmed => "Confirmed",
            Self::NotApplicable => "Not applicable",
            Self::UnderReview => "Under Review",
        }
    }
}

/// The closure criteria people confirm in the checklist, with stable keys.
pub const CLOSURE_CRITERIA: [(&str, &str); 6] = [
    ("service_restored", "Service restored"),
    ("root_cause_confirmed", "Root cause confirmed"),
    ("impact_assessed", "Impact assessed"),
    ("logs_preserved", "Logs preserved where needed"),
    (
        "financial_reconciliation",
        "Financial reconciliation done (if applicable)",
    ),
    (
        "data_exposure_assessed",
        "Data-exposure assessment done (if applicable)",
    ),
];

/// The closure criteria warroom computes from the incident's follow-up actions rather than asks.
pub const ACTION_CRITERIA: [(&str, &str); 2] = [
    (
        "corrective_actions_documented",
        "Corrective actions documented",
    ),
    (
        "follow_up_owners",
        "An owner assigned for each follow-up action",
    ),
];

/// The criteria that stop an incident from closing: unanswered or still under review.
pub fn open_criteria(answers: &[(String, ClosureAnswer)]) -> Vec<&'static str> {
    CLOSURE_CRITERIA
        .iter()
        .filter(|(key, _)| {
            !answers
                .iter()
                .any(|(k, a)| k == key && *a != ClosureAnswer::UnderReview)
        })
        .map(|(_, label)| *label)
        .collect()
}

/// How the actions stand for closing: how many there are, and how many open ones lack an owner
/// or a due date (none can, as warroom asks for both; counted rather than assumed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionsSummary {
    pub total: usize,
    pub open: usize,
    pub open_without_owner: usize,
}
