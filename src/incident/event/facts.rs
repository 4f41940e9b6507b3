//! The facts an [`Event`](super::Event) carries: what was declared, how a status or severity
//! moved, the structured update, escalations and reminders, the breach notification, edits and
//! corrective actions — each a type with the fields reports and metrics read.

// The summaries' words are named by their own modules: `summaries` itself decides with these
// facts, and importing it here would close a circle.
use crate::incident::summaries::kinds::{Audience, PublicStatus};
use crate::incident::summaries::lint::Rule;
use crate::incident::{
    SeverityName, Status, Triage,
    scope::{Detection, Environment},
    update::StructuredUpdate,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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
    /// A drill; absent from (and so false for) rows written before drills, and for real incidents.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill: bool,
    /// The scenario a scripted drill runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Declared restricted (absent, and so false, on rows written before it existed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
    /// The message it was declared from (an alert, a report), the detection's evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_message: Option<Box<SourceMessage>>,
}

/// A Slack message an incident was declared from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMessage {
    pub channel: String,
    pub ts: String,
    /// A link to it, when the workspace's address was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Posted by a bot or an integration (an alert), not a person.
    #[serde(default)]
    pub from_bot: bool,
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
    /// A corrective action is due, or overdue.
    ActionDue { action: u32, due_on: NaiveDate },
    /// Customers are owed a notification by `due`; `overdue` once it has run out.
    CustomerNotice {
        rule: crate::incident::schedule::notice::rule::NoticeRule,
        due: DateTime<Utc>,
        #[serde(default)]
        overdue: bool,
    },
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

/// A corrective action as it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionAdded {
    /// Its number on the incident (`A1`, `A2`, …).
    pub action: u32,
    pub text: String,
    pub owner: String,
    pub due_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A client-safe summary as it was drafted: pending approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryDrafted {
    /// Its number on the incident (`S1`, `S2`, …).
    pub summary: u32,
    pub title: String,
    pub text: String,
    pub status: PublicStatus,
    pub audience: Audience,
    /// The lint's warnings the author acknowledged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledged: Vec<Rule>,
    /// The pending drafts it took the place of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<u32>,
}

/// A client-safe summary as it was approved: the exact text, its SHA-256 and who wrote it (the
/// entry's actor is who approved it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryApproved {
    pub summary: u32,
    pub title: String,
    pub text: String,
    pub status: PublicStatus,
    pub audience: Audience,
    /// The SHA-256 of `text`, in lower-case hex.
    pub sha256: String,
    pub author: String,
}

/// What warroom asks of a paging service, in the order an incident goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageAction {
    /// Page on-call.
    Trigger,
    /// Someone acknowledged the incident: stop re-paging.
    Acknowledge,
    /// The incident is resolved: close the page.
    Resolve,
}

impl PageAction {
    /// The word for it, as a paging service names it.
    pub fn label(self) -> &'static str {
        match self {
            PageAction::Trigger => "trigger",
            PageAction::Acknowledge => "acknowledge",
            PageAction::Resolve => "resolve",
        }
    }
}

/// A paging service accepted an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub service: String,
    pub action: PageAction,
    pub dedup_key: String,
}

/// A paging service could not be told an action, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFailure {
    pub service: String,
    pub action: PageAction,
    pub reason: String,
}
