//! What people do on the incident card and in warroom's forms, as the edge hands it over: a
//! [`Click`] names a [`CardAction`]; a [`Submission`] carries a filled-in [`Form`]; a use case that
//! needs more from the person answers with a [`FormRequest`], and rejects a form with errors per
//! [`Input`]. Slack's action IDs, callback IDs and block IDs stay in `slack/`.

use crate::incident::{
    Detection, Incident, IncidentId, SeverityRank, Status,
    actions::ActionsSummary,
    event::SourceMessage,
    review::AgendaItem,
    summaries::{PublicStatus, Summary},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every input of every form, named for the errors shown under them.
mod input;

pub use input::Input;

/// A click on a control of the incident card (or of a reminder in its thread).
#[derive(Debug, Clone)]
pub struct Click {
    pub user_id: String,
    pub incident: IncidentId,
    pub action: CardAction,
    /// Identifies a retried delivery of this very click.
    pub key: Option<String>,
    /// Where to answer the person privately.
    pub response_url: Option<String>,
    pub channel_id: Option<String>,
}

/// What a control asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardAction {
    Acknowledge,
    /// A status chosen in the status menu (Resolved and Closed open their forms).
    SetStatus(Status),
    /// A severity chosen in the severity menu, by name: the form asks why.
    ChooseSeverity(String),
    AssignRoles,
    PostUpdate,
    Edit,
    Cancel,
    FlagBreach,
    RecordNotified,
    ReviewTriage,
    RootCause,
    FixDeployed,
    AddAction,
    Review,
    /// Snooze the overdue-update reminder (from the reminder's menu).
    Snooze(chrono::Duration),
    /// Mark follow-up action number N done (from its reminder).
    ActionDone(u32),
    /// Close follow-up action number N as won't do: the form asks why.
    ActionWontDo(u32),
    /// Put off follow-up action number N's reminder (from its reminder's menu).
    ActionSnooze(u32, chrono::Duration),
    DraftSummary,
    /// Approve client-safe summary number N (from its post in the thread).
    ApproveSummary(u32),
    /// Send client-safe summary number N back: the form asks why.
    RequestChanges(u32),
}

/// A form warroom asks Slack to open for the person who acted.
#[derive(Debug, Clone)]
pub enum FormRequest {
    /// The declare form, with a severity preselected, Restricted checked when asked for, and
    /// "This is a drill" checked for a drill.
    Declare {
        severity: SeverityRank,
        restricted: bool,
        origin: Origin,
        drill: bool,
        /// What the form starts with, when declared from a message.
        prefill: Option<Box<Prefill>>,
    },
    /// Which open incident a message belongs to.
    PickIncident {
        open: Vec<Incident>,
        message: Box<MessageAction>,
    },
    /// A form about one incident.
    Card {
        incident: Box<Incident>,
        form: CardForm,
    },
}

/// The declare form's answers taken from the message it is declared from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub title: String,
    pub impact: Option<String>,
    pub detection: Option<Detection>,
}

/// The forms opened from the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardForm {
    Resolve,
    /// The closure checklist, with how the follow-up actions stand and whether they are owed.
    Close {
        actions: ActionsSummary,
        owed: bool,
    },
    /// Change severity to `chosen` (a configured name), asking why.
    Severity {
        chosen: String,
    },
    Roles,
    /// Post a structured update; `owner` is preselected.
    Update {
        owner: String,
    },
    Cancel,
    Edit,
    FlagBreach,
    RecordNotified,
    ReviewTriage,
    RootCause,
    FixDeployed,
    /// Add a follow-up action; `owner` and `due` are preselected.
    AddAction {
        owner: String,
        due: chrono::NaiveDate,
    },
    /// Why action number `number` won't be done.
    WontDo {
        number: u32,
        text: String,
    },
    /// The post-incident review, showing the draft so far.
    Review,
    /// Draft a client-safe summary; `status` is preselected, and a draft sent back for changes
    /// (`previous`) fills the form in.
    DraftSummary {
        status: PublicStatus,
        previous: Option<Box<Summary>>,
    },
    /// Why client-safe summary `summary` should change.
    RequestChanges {
        summary: Box<Summary>,
    },
}

/// A submitted form, with what the person entered (checked by the use case that takes it).
#[derive(Debug, Clone)]
pub struct Submission {
    /// Slack's ID of the submitted view: a resubmission of the same view is the same request.
    pub view_id: String,
    pub user_id: String,
    pub team_domain: Option<String>,
    pub form: Form,
}

/// Which form was submitted, and its fields.
#[derive(Debug, Clone)]
pub enum Form {
    Declare(DeclareFields),
    PickIncident {
        incident: Option<String>,
        message: Option<Box<MessageAction>>,
    },
    /// A card form about `incident` (absent when the form no longer says which).
    Card {
        incident: Option<IncidentId>,
        fields: CardFields,
    },
}

/// The declare form's fields.
#[derive(Debug, Clone, Default)]
pub struct DeclareFields {
    pub title: Option<String>,
    pub severity: Option<String>,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    /// Keys of the checked triage questions.
    pub triage: Vec<String>,
    pub scope: ScopeFields,
    /// "Restricted (security)" was checked.
    pub restricted: bool,
    pub origin: Origin,
    /// "This is a drill" was checked.
    pub drill: bool,
}

/// The scope inputs of the declare and edit forms, as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeFields {
    /// When the impact started, in seconds since the Unix epoch.
    pub impact_started: Option<i64>,
    /// The key of the chosen way it was detected.
    pub detection: Option<String>,
    /// The key of the chosen environment.
    pub environment: Option<String>,
    pub services: Option<String>,
}

/// A card form's fields; text is trimmed and `None` when blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardFields {
    Resolve {
        summary: Option<String>,
    },
    /// Each closure criterion's key with the chosen answer's stored spelling, and whether "No
    /// corrective action needed" was checked, with its reason.
    Close {
        answers: Vec<(String, Option<String>)>,
        no_action: bool,
        no_action_reason: Option<String>,
    },
    Severity {
        level: Option<String>,
        reason: Option<String>,
    },
    Roles {
        role: Option<String>,
        user: Option<String>,
    },
    Update {
        impact: Option<String>,
        current_action: Option<String>,
        owner: Option<String>,
        /// Seconds until the next update, as chosen.
        next_update: Option<String>,
        status: Option<String>,
    },
    Cancel {
        reason: Option<String>,
    },
    Edit {
        title: Option<String>,
        impact: Option<String>,
        incident_type: Option<String>,
        scope: ScopeFields,
    },
    FlagBreach {
        /// Seconds before now that the breach was discovered, as chosen.
        discovered_ago: Option<String>,
    },
    /// The notification record's fields by key (see `BreachNotification::FIELDS`).
    RecordNotified {
        record: Vec<(&'static str, Option<String>)>,
    },
    ReviewTriage {
        /// Keys of the checked triage questions.
        checked: Vec<String>,
    },
    RootCause {
        cause: Option<String>,
    },
    FixDeployed {
        what: Option<String>,
        link: Option<String>,
    },
    AddAction {
        text: Option<String>,
        owner: Option<String>,
        /// The chosen date, `YYYY-MM-DD`.
        due: Option<String>,
        link: Option<String>,
    },
    WontDo {
        /// The action's number, when the form still says it.
        number: Option<u32>,
        reason: Option<String>,
    },
    /// The review's answers per agenda item, its follow-up deadline (`YYYY-MM-DD`) and whether
    /// "The review is complete" was checked.
    Review {
        answers: Vec<(AgendaItem, Option<String>)>,
        follow_up_deadline: Option<String>,
        complete: bool,
    },
    /// A client-safe summary's draft: status and audience by key, and whether its author
    /// checked that the lint's warnings stand.
    DraftSummary {
        title: Option<String>,
        text: Option<String>,
        status: Option<String>,
        audience: Option<String>,
        acknowledged: bool,
    },
    RequestChanges {
        /// The summary's number, when the form still says it.
        number: Option<u32>,
        reason: Option<String>,
    },
}

impl CardFields {
    /// The input a refusal is shown under when it concerns no input of its own.
    pub fn input_first(&self) -> Input {
        match self {
            CardFields::Resolve { .. } => Input::Summary,
            CardFields::Close { answers, .. } => answers
                .first()
                .map_or(Input::Summary, |(k, _)| Input::Criterion(k.clone())),
            CardFields::Severity { .. } => Input::Level,
            CardFields::Roles { .. } => Input::Role,
            CardFields::Update { .. } => Input::Impact,
            CardFields::Cancel { .. } => Input::Reason,
            CardFields::Edit { .. } => Input::Title,
            CardFields::FlagBreach { .. } => Input::Discovered,
            CardFields::RecordNotified { record } => record
                .first()
                .map_or(Input::Reason, |(k, _)| Input::Record(k)),
            CardFields::ReviewTriage { .. } => Input::Triage,
            CardFields::RootCause { .. } => Input::Cause,
            CardFields::FixDeployed { .. } => Input::Deployed,
            CardFields::AddAction { .. } => Input::ActionText,
            CardFields::WontDo { .. } => Input::Reason,
            CardFields::Review { .. } => Input::Agenda(AgendaItem::Timeline),
            CardFields::DraftSummary { .. } => Input::SummaryText,
            CardFields::RequestChanges { .. } => Input::Reason,
        }
    }
}

/// Where the declarer is told about the card once it is posted; carried through the form in its
/// `private_metadata`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Origin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_domain: Option<String>,
    /// The message the incident is being declared from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Box<SourceMessage>>,
}

/// The message the shortcut was used on, and who used it where.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MessageAction {
    pub user_id: String,
    pub channel_id: String,
    pub message_ts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<String>,
    pub author: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_domain: Option<String>,
    /// A link to the message, when the workspace's address is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(skip)]
    pub response_url: Option<String>,
    /// What an alert whose text is empty says instead: its first attachment's title (or
    /// fallback), else its first block's text.
    #[serde(skip)]
    pub headline: Option<String>,
    /// Posted by a bot or an integration, not a person.
    #[serde(skip)]
    pub from_bot: bool,
}

impl MessageAction {
    /// When the message was posted, from its Slack `ts`.
    pub fn posted_at(&self) -> DateTime<Utc> {
        slack_time(&self.message_ts)
    }
}

/// The time a Slack `ts` names. One reading everywhere: a message captured by reaction is found
/// again on the timeline by this time.
pub fn slack_time(ts: &str) -> DateTime<Utc> {
    let secs: f64 = ts.parse().unwrap_or(0.0);
    DateTime::from_timestamp(secs.trunc() as i64, (secs.fract() * 1e9) as u32).unwrap_or_default()
}

/// The errors of a submitted form, each under its input.
pub(crate) type Errors = Vec<(Input, String)>;

/// A required input's text, or an empty one with `message` under `input` when it was left blank.
pub(crate) fn required(
    value: &Option<String>,
    input: Input,
    errors: &mut Errors,
    message: &str,
) -> String {
    value.clone().unwrap_or_else(|| {
        errors.push((input, message.to_owned()));
        String::new()
    })
}
