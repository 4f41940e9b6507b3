//! What happened to an incident, as typed facts: one [`Event`] per thing that can happen. The
//! timeline stores each as `kind` (the variant's name) plus `details` (its fields as JSONB), and
//! everything derived later — the thread posts, the timeline answer, reports and metrics — reads
//! these fields, never rendered text.
//!
//! The timeline is append-only, so rows written by earlier versions stay as they were: every
//! field added since has a default, and the shapes of older rows are kept readable (see the
//! tests beside this file).

use super::{
    RoleKey, SeverityName, Status, Triage,
    scope::{Detection, Environment},
    update::{ClosureAnswer, StructuredUpdate},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
}

/// How an incident was declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    pub title: String,
    pub severity: SeverityName,
    #[serde(default)]
    pub raised_by_triage: bool,
    #[serde(default)]
    pub incident_type: Option<String>,
    #[serde(default)]
    pub impact: Option<String>,
    #[serde(default)]
    pub triage: Triage,
    #[serde(default)]
    pub next_update_due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub via: DeclaredVia,
    #[serde(default)]
    pub breach_discovered_at: Option<DateTime<Utc>>,
    /// The escalation triggers the declaration met.
    #[serde(default)]
    pub escalated: Vec<String>,
    /// When the impact began (the declaration time unless the declarer said otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detection>,
    /// Absent from rows written before it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_services: Option<String>,
}

/// Where a declaration came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclaredVia {
    #[default]
    Command,
    Form,
}

/// A status change; moving back is a relapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMove {
    pub from: Status,
    pub to: Status,
    #[serde(default)]
    pub relapse: bool,
}

impl StatusMove {
    /// The move from `from` to `to`.
    pub fn new(from: Status, to: Status) -> Self {
        Self {
            from,
            to,
            relapse: to < from,
        }
    }
}

/// A severity change and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityMove {
    pub from: SeverityName,
    pub to: SeverityName,
    pub reason: String,
    pub direction: Direction,
}

/// Which way a severity moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Raised,
    Lowered,
}

/// A structured update, with the incident's severity and status when it was posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatePosted {
    pub update: StructuredUpdate,
    /// The status it moved the incident to, if it did.
    #[serde(default)]
    pub status_change: Option<StatusMove>,
    /// Severity when posted (absent from rows written before it was recorded).
    #[serde(default)]
    pub severity: Option<SeverityName>,
    /// Status after the update (absent from rows written before it was recorded).
    #[serde(default)]
    pub status: Option<Status>,
}

/// Why management was called in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Escalation {
    /// Not acknowledged within the severity's window.
    AckOverdue {
        reminder: AckOverdueTag,
        window_seconds: u64,
        severity: SeverityName,
    },
    /// Escalation triggers that began to hold (production down, money, personal data, …).
    Triggers { triggers: Vec<String> },
}

/// The stored marker of an acknowledgement escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckOverdueTag {
    AckOverdue,
}

/// A reminder warroom posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reminder", rename_all = "snake_case")]
pub enum ReminderSent {
    /// The next update is due soon.
    UpdateHeadsUp { deadline: DateTime<Utc> },
    /// The update is overdue; `repeat` counts earlier reminders for the same deadline.
    UpdateDue {
        deadline: DateTime<Utc>,
        #[serde(default)]
        repeat: u64,
        #[serde(default)]
        escalated: bool,
    },
    /// The breach clock's countdown.
    BreachClock {
        #[serde(default)]
        step: u64,
        deadline: DateTime<Utc>,
    },
    /// The post-incident review is due.
    ReviewDue {},
}

/// What a personal-data breach notification to the authority says (GDPR Art. 33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachNotification {
    pub nature: String,
    pub data_subjects: String,
    pub data_categories: String,
    pub likely_consequences: String,
    pub measures: String,
    pub contact_point: String,
}

impl BreachNotification {
    /// The fields, with their stable keys and labels, in the order the form shows them.
    pub const FIELDS: [(&'static str, &'static str); 6] = [
        ("nature", "Nature of the breach"),
        (
            "data_subjects",
            "Categories and approximate number of data subjects",
        ),
        ("data_categories", "Categories of personal data"),
        ("likely_consequences", "Likely consequences"),
        ("measures", "Measures taken or proposed"),
        ("contact_point", "Contact point"),
    ];

    /// The label of the first blank field, if any.
    pub fn first_blank(&self) -> Option<&'static str> {
        let values = [
            &self.nature,
            &self.data_subjects,
            &self.data_categories,
            &self.likely_consequences,
            &self.measures,
            &self.contact_point,
        ];
        values
            .iter()
            .position(|v| v.trim().is_empty())
            .map(|i| Self::FIELDS[i].1)
    }
}

/// An old and a new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed<T> {
    pub from: T,
    pub to: T,
}

/// What an edit changed; fields it left alone are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Changed<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Changed<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_type: Option<Changed<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_started_at: Option<Changed<Option<DateTime<Utc>>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<Changed<Option<Detection>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Changed<Environment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_services: Option<Changed<Option<String>>>,
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
        matches!(self, Event::Escalated(_) | Event::ReminderSent(_))
    }

    /// Whether the incident card shows something new after it.
    pub fn changes_card(&self) -> bool {
        !matches!(
            self,
            Event::Note { .. }
                | Event::MessageAdded { .. }
                | Event::Corrected { .. }
                | Event::ReminderSnoozed { .. }
                | Event::Escalated(_)
                | Event::ReminderSent(_)
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

/// A stored event, or the raw row when it is of a kind this version does not know.
#[derive(Debug, Clone, PartialEq)]
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
