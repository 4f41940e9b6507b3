//! What happened to an incident, as typed facts: one [`Event`] per thing that can happen. The
//! timeline stores each as `kind` (the variant's name) plus `details` (its fields as JSONB), and
//! everything derived later — the thread posts, the timeline answer, reports and metrics — reads
//! these fields, never rendered text.
//!
//! The timeline is append-only, so rows written by earlier versions stay as they were: every
//! field added since has a default, and the shapes of older rows are kept readable (see the
//! tests beside this file).

use super::{RoleKey, Status, Triage, review::ReviewNotes, update::ClosureAnswer};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod facts;

pub use facts::*;

/// One fact on an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case")]
pub enum Event {
    Declared(Declared),
    Acknowledged {
        seconds_after_declare: i64,
    },
    StatusChanged(StatusMove),
    SeverityChanged(SeverityMove),
    RoleAssigned {
        role: RoleKey,
        user: String,
        #[serde(default)]
        previous: Option<String>,
    },
    UpdatePosted(UpdatePosted),
    Note {
        text: String,
    },
    /// A Slack message added with the message shortcut.
    MessageAdded {
        author: String,
        posted_at: DateTime<Utc>,
        text: String,
        #[serde(default)]
        link: Option<String>,
        #[serde(default)]
        added_by: String,
    },
    ReminderSnoozed {
        until: DateTime<Utc>,
        seconds: i64,
    },
    /// Management was called in.
    Escalated(Escalation),
    ReminderSent(ReminderSent),
    BreachFlagged {
        discovered_at: DateTime<Utc>,
    },
    AuthorityNotified(BreachNotification),
    Resolved {
        from: Status,
        summary: String,
    },
    Closed {
        checklist: BTreeMap<String, ClosureAnswer>,
        /// Why no corrective action is needed, when someone said so instead of adding one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        no_action_reason: Option<String>,
    },
    Cancelled {
        from: Status,
        reason: String,
    },
    Edited(Edits),
    /// The triage questions were answered again; the severity floor follows the new answers.
    TriageReviewed {
        from: Triage,
        to: Triage,
    },
    /// The root cause was confirmed.
    RootCauseIdentified {
        cause: String,
    },
    /// A fix was deployed.
    FixDeployed {
        what: String,
        #[serde(default)]
        link: Option<String>,
    },
    /// A correction of the incident's timeline entry number `entry` (counted from 1).
    Corrected {
        entry: u32,
        text: String,
    },
    /// A corrective action was added.
    ActionAdded(ActionAdded),
    /// A corrective action was done.
    ActionDone {
        action: u32,
        text: String,
    },
    /// A corrective action will not be done, and why.
    ActionWontDo {
        action: u32,
        text: String,
        reason: String,
    },
    /// A corrective action's reminder was put off.
    ActionSnoozed {
        action: u32,
        until: DateTime<Utc>,
    },
    /// The post-incident review as written so far.
    ReviewSaved(ReviewNotes),
    /// The post-incident review was completed; `on_time` when by its due date.
    ReviewCompleted {
        #[serde(default)]
        on_time: bool,
    },
    /// A client-safe summary was drafted and waits for approval.
    SummaryDrafted(SummaryDrafted),
    /// A client-safe summary was approved (four eyes) and may leave warroom.
    SummaryApproved(SummaryApproved),
    /// Changes were asked for on a client-safe summary, and why.
    SummaryChangesRequested {
        summary: u32,
        reason: String,
    },
    /// Inject number `inject` of a scenario drill came due, `after_seconds` after the declaration,
    /// and was posted into the drill's thread.
    DrillInjected {
        inject: u32,
        after_seconds: u64,
        text: String,
    },
    /// A paging service (`service`, e.g. PagerDuty) accepted warroom's `action` for the incident,
    /// under `dedup_key`: on-call was paged, or told of the acknowledgement or resolution.
    Paged(Page),
    /// A paging service could not be told `action`, for good: whoever reads the thread must page
    /// by hand.
    PageFailed(PageFailure),
}

impl Event {
    /// The stored `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Declared(_) => "declared",
            Event::Acknowledged { .. } => "acknowledged",
            Event::StatusChanged(_) => "status_changed",
            Event::SeverityChanged(_) => "severity_changed",
            Event::RoleAssigned { .. } => "role_assigned",
            Event::UpdatePosted(_) => "update_posted",
            Event::Note { .. } => "note",
            Event::MessageAdded { .. } => "message_added",
            Event::ReminderSnoozed { .. } => "reminder_snoozed",
            Event::Escalated(_) => "escalated",
            Event::ReminderSent(_) => "reminder_sent",
            Event::BreachFlagged { .. } => "breach_flagged",
            Event::AuthorityNotified(_) => "authority_notified",
            Event::Resolved { .. } => "resolved",
            Event::Closed { .. } => "closed",
            Event::Cancelled { .. } => "cancelled",
            Event::Edited(_) => "edited",
            Event::TriageReviewed { .. } => "triage_reviewed",
            Event::RootCauseIdentified { .. } => "root_cause_identified",
            Event::FixDeployed { .. } => "fix_deployed",
            Event::Corrected { .. } => "corrected",
            Event::ActionAdded(_) => "action_added",
            Event::ActionDone { .. } => "action_done",
            Event::ActionWontDo { .. } => "action_wont_do",
            Event::ActionSnoozed { .. } => "action_snoozed",
            Event::ReviewSaved(_) => "review_saved",
            Event::ReviewCompleted { .. } => "review_completed",
            Event::SummaryDrafted(_) => "summary_drafted",
            Event::SummaryApproved(_) => "summary_approved",
            Event::SummaryChangesRequested { .. } => "summary_changes_requested",
            Event::DrillInjected { .. } => "drill_injected",
            Event::Paged(_) => "paged",
            Event::PageFailed(_) => "page_failed",
        }
    }

    /// The stored `details`.
    pub fn details(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => tagged
                .remove("details")
                .unwrap_or_else(|| serde_json::json!({})),
            _ => serde_json::json!({}),
        }
    }

    /// Reads a stored row back.
    pub fn from_stored(kind: &str, details: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "details": details }))
    }

    /// Whether warroom itself, rather than a person, caused it.
    pub fn is_warroom_own(&self) -> bool {
        matches!(
            self,
            Event::Escalated(_)
                | Event::ReminderSent(_)
                | Event::DrillInjected { .. }
                | Event::Paged(_)
                | Event::PageFailed(_)
        )
    }

    /// Whether the incident card shows something new after it.
    pub fn changes_card(&self) -> bool {
        !matches!(
            self,
            Event::Note { .. }
                | Event::MessageAdded { .. }
                | Event::Corrected { .. }
                | Event::ActionAdded(_)
                | Event::ActionDone { .. }
                | Event::ActionWontDo { .. }
                | Event::ActionSnoozed { .. }
                | Event::ReviewSaved(_)
                | Event::SummaryDrafted(_)
                | Event::SummaryApproved(_)
                | Event::SummaryChangesRequested { .. }
                | Event::ReminderSnoozed { .. }
                | Event::Escalated(_)
                | Event::ReminderSent(_)
                | Event::DrillInjected { .. }
                | Event::Paged(_)
                | Event::PageFailed(_)
        )
    }
}

/// A timeline entry: who caused what, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Its number on the incident's timeline, counted from 1, oldest first.
    pub number: u32,
    pub at: DateTime<Utc>,
    /// A Slack user ID, or `warroom`.
    pub actor: String,
    pub event: Stored,
}

/// A stored event, or the raw row when it is of a kind this version does not know. Written out
/// (for the report's JSON) as the row it was read from: `{"kind": …, "details": …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Stored {
    Known(Event),
    Unknown {
        kind: String,
        details: serde_json::Value,
    },
}

impl Stored {
    /// Reads a row; an unknown kind or shape is kept as it is rather than lost.
    pub fn read(kind: &str, details: serde_json::Value) -> Self {
        match Event::from_stored(kind, details.clone()) {
            Ok(event) => Stored::Known(event),
            Err(_) => Stored::Unknown {
                kind: kind.to_owned(),
                details,
            },
        }
    }
}

#[cfg(test)]
mod tests;
