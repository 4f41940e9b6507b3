//! Slack's vocabulary for warroom's controls and forms, in one place: the action ID of every
//! control, the value of every "More…" option, the callback ID of every form and the block ID of
//! every input. Rendering and parsing both read these tables, so a key cannot be rendered one way
//! and parsed another, and adding a control or a form is a compile error until it has its keys.

use crate::commands::forms::{CardAction, CardForm, Input};

/// A control on the incident card or on a reminder in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Acknowledge,
    Status,
    Severity,
    Roles,
    PostUpdate,
    /// The secondary controls, in an overflow menu (or a "More…" menu past five).
    More,
    /// The Snooze menu on an overdue-update reminder.
    Snooze,
    /// Mark done, on a follow-up action's reminder.
    ActionDone,
    /// Won't do…, on a follow-up action's reminder.
    ActionWontDo,
    /// The Snooze menu on a follow-up action's reminder.
    ActionSnooze,
    /// Approve, on a client-safe summary pending approval.
    SummaryApprove,
    /// Request changes…, on a client-safe summary pending approval.
    SummaryChanges,
}

impl Control {
    pub const ALL: [Control; 12] = [
        Control::Acknowledge,
        Control::Status,
        Control::Severity,
        Control::Roles,
        Control::PostUpdate,
        Control::More,
        Control::Snooze,
        Control::ActionDone,
        Control::ActionWontDo,
        Control::ActionSnooze,
        Control::SummaryApprove,
        Control::SummaryChanges,
    ];

    /// Its action ID.
    pub fn action_id(self) -> &'static str {
        match self {
            Control::Acknowledge => "incident_acknowledge",
            Control::Status => "incident_status",
            Control::Severity => "incident_severity",
            Control::Roles => "incident_roles",
            Control::PostUpdate => "incident_post_update",
            Control::More => "incident_more",
            Control::Snooze => "reminder_snooze",
            Control::ActionDone => "action_done",
            Control::ActionWontDo => "action_wont_do",
            Control::ActionSnooze => "action_snooze",
            Control::SummaryApprove => "summary_approve",
            Control::SummaryChanges => "summary_request_changes",
        }
    }

    /// The control with this action ID.
    pub fn parse(action_id: &str) -> Option<Control> {
        Control::ALL
            .into_iter()
            .find(|c| c.action_id() == action_id)
    }
}

/// The secondary controls, offered under "More".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum More {
    Edit,
    ReviewTriage,
    RootCause,
    FixDeployed,
    AddAction,
    DraftSummary,
    Review,
    FlagBreach,
    RecordNotified,
    Cancel,
}

impl More {
    pub const ALL: [More; 10] = [
        More::Edit,
        More::ReviewTriage,
        More::RootCause,
        More::FixDeployed,
        More::AddAction,
        More::DraftSummary,
        More::Review,
        More::FlagBreach,
        More::RecordNotified,
        More::Cancel,
    ];

    /// The option's value prefix (the value is `KEY:INC-…`).
    pub fn key(self) -> &'static str {
        match self {
            More::Edit => "edit",
            More::ReviewTriage => "triage",
            More::RootCause => "root_cause",
            More::FixDeployed => "fix",
            More::AddAction => "action",
            More::DraftSummary => "summary",
            More::Review => "review",
            More::FlagBreach => "breach",
            More::RecordNotified => "notified",
            More::Cancel => "cancel",
        }
    }

    /// What the person reads.
    pub fn label(self) -> &'static str {
        match self {
            More::Edit => "Edit title, impact or type",
            More::ReviewTriage => "Review triage",
            More::RootCause => "Root cause identified",
            More::FixDeployed => "Fix deployed",
            More::AddAction => "Add follow-up action",
            More::DraftSummary => "Draft client-safe summary",
            More::Review => "Post-incident review",
            More::FlagBreach => "Flag personal-data breach",
            More::RecordNotified => "Record authority notified",
            More::Cancel => "Cancel (declared in error)",
        }
    }

    /// What choosing it asks for.
    pub fn action(self) -> CardAction {
        match self {
            More::Edit => CardAction::Edit,
            More::ReviewTriage => CardAction::ReviewTriage,
            More::RootCause => CardAction::RootCause,
            More::FixDeployed => CardAction::FixDeployed,
            More::AddAction => CardAction::AddAction,
            More::DraftSummary => CardAction::DraftSummary,
            More::Review => CardAction::Review,
            More::FlagBreach => CardAction::FlagBreach,
            More::RecordNotified => CardAction::RecordNotified,
            More::Cancel => CardAction::Cancel,
        }
    }

    /// The option with this key.
    pub fn parse(key: &str) -> Option<More> {
        More::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// Every form warroom opens, by callback ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    Declare,
    PickIncident,
    Resolve,
    Close,
    Severity,
    Roles,
    Update,
    Cancel,
    Edit,
    FlagBreach,
    RecordNotified,
    ReviewTriage,
    RootCause,
    FixDeployed,
    AddAction,
    WontDo,
    Review,
    DraftSummary,
    SummaryChanges,
}

impl Callback {
    pub const ALL: [Callback; 19] = [
        Callback::Declare,
        Callback::PickIncident,
        Callback::Resolve,
        Callback::Close,
        Callback::Severity,
        Callback::Roles,
        Callback::Update,
        Callback::Cancel,
        Callback::Edit,
        Callback::FlagBreach,
        Callback::RecordNotified,
        Callback::ReviewTriage,
        Callback::RootCause,
        Callback::FixDeployed,
        Callback::AddAction,
        Callback::WontDo,
        Callback::Review,
        Callback::DraftSummary,
        Callback::SummaryChanges,
    ];

    /// Its callback ID.
    pub fn id(self) -> &'static str {
        match self {
            Callback::Declare => "declare_incident",
            Callback::PickIncident => "timeline_pick",
            Callback::Resolve => "incident_resolve",
            Callback::Close => "incident_close",
            Callback::Severity => "incident_severity",
            Callback::Roles => "incident_roles",
            Callback::Update => "incident_update",
            Callback::Cancel => "incident_cancel",
            Callback::Edit => "incident_edit",
            Callback::FlagBreach => "incident_breach",
            Callback::RecordNotified => "incident_authority_notified",
            Callback::ReviewTriage => "incident_triage",
            Callback::RootCause => "incident_root_cause",
            Callback::FixDeployed => "incident_fix_deployed",
            Callback::AddAction => "incident_add_action",
            Callback::WontDo => "incident_action_wont_do",
            Callback::Review => "incident_review",
            Callback::DraftSummary => "incident_summary",
            Callback::SummaryChanges => "incident_summary_changes",
        }
    }

    /// The form with this callback ID.
    pub fn parse(id: &str) -> Option<Callback> {
        Callback::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The callback of a card form.
    pub fn of(form: &CardForm) -> Callback {
        match form {
            CardForm::Resolve => Callback::Resolve,
            CardForm::Close { .. } => Callback::Close,
            CardForm::Severity { .. } => Callback::Severity,
            CardForm::Roles => Callback::Roles,
            CardForm::Update { .. } => Callback::Update,
            CardForm::Cancel => Callback::Cancel,
            CardForm::Edit => Callback::Edit,
            CardForm::FlagBreach => Callback::FlagBreach,
            CardForm::RecordNotified => Callback::RecordNotified,
            CardForm::ReviewTriage => Callback::ReviewTriage,
            CardForm::RootCause => Callback::RootCause,
            CardForm::FixDeployed => Callback::FixDeployed,
            CardForm::AddAction { .. } => Callback::AddAction,
            CardForm::WontDo { .. } => Callback::WontDo,
            CardForm::Review => Callback::Review,
            CardForm::DraftSummary { .. } => Callback::DraftSummary,
            CardForm::RequestChanges { .. } => Callback::SummaryChanges,
        }
    }
}

/// The callback ID of the "Add to incident timeline" message shortcut in the app manifest.
pub const ADD_TO_TIMELINE: &str = "add_to_timeline";
/// The Home tab's **Declare incident** button.
pub const HOME_DECLARE: &str = "home_declare";
/// The callback id of the "Declare incident from message" message shortcut (both manifests).
pub const DECLARE_FROM_MESSAGE: &str = "declare_from_message";

/// The action ID of the single element inside every input block.
pub const VALUE: &str = "value";

/// The value of the declare form's "This is a drill" checkbox.
pub const DRILL_VALUE: &str = "drill";

/// The block ID of an input.
pub fn block_id(input: &Input) -> String {
    let id = match input {
        Input::Title => "title",
        Input::Severity => "severity",
        Input::IncidentType => "incident_type",
        Input::Impact => "impact",
        Input::Triage => "triage",
        Input::Drill => "drill",
        Input::Incident => "incident",
        Input::Summary => "summary",
        Input::Reason => "reason",
        Input::Level => "level",
        Input::Role => "role",
        Input::User => "user",
        Input::CurrentAction => "current_action",
        Input::Owner => "owner",
        Input::NextUpdate => "next_update",
        Input::Status => "status",
        Input::Discovered => "discovered",
        Input::ImpactStarted => "impact_started",
        Input::Detection => "detection",
        Input::Environment => "environment",
        Input::Services => "services",
        Input::Cause => "cause",
        Input::Deployed => "deployed",
        Input::Link => "link",
        Input::ActionText => "action_text",
        Input::ActionOwner => "action_owner",
        Input::Due => "due",
        Input::NoAction => "no_action",
        Input::NoActionReason => "no_action_reason",
        Input::Restricted => "restricted",
        Input::Agenda(item) => item.key(),
        Input::FollowUpDeadline => "follow_up_deadline",
        Input::ReviewComplete => "review_complete",
        Input::SummaryTitle => "summary_title",
        Input::SummaryText => "summary_text",
        Input::PublicStatus => "public_status",
        Input::Audience => "audience",
        Input::AcknowledgeWarnings => "acknowledge_warnings",
        Input::Criterion(key) => key,
        Input::Record(key) => key,
    };
    id.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_parses_back_to_itself() {
        for c in Control::ALL {
            assert_eq!(Control::parse(c.action_id()), Some(c));
        }
        for m in More::ALL {
            assert_eq!(More::parse(m.key()), Some(m));
        }
        for c in Callback::ALL {
            assert_eq!(Callback::parse(c.id()), Some(c));
        }
    }
}
