//! The inputs of warroom's forms, as the use cases name them when they reject one: a form's
//! errors are shown each under its input. Their block IDs are in `slack::keys`.

use crate::incident::review::AgendaItem;

/// One input of a form, for an error shown under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Title,
    Severity,
    IncidentType,
    Impact,
    Triage,
    Drill,
    Incident,
    Summary,
    Reason,
    Level,
    Role,
    User,
    CurrentAction,
    Owner,
    NextUpdate,
    Status,
    Discovered,
    ImpactStarted,
    Detection,
    Environment,
    Services,
    Cause,
    Deployed,
    Link,
    ActionText,
    ActionOwner,
    Due,
    NoAction,
    NoActionReason,
    Restricted,
    /// An item of the review's agenda.
    Agenda(AgendaItem),
    FollowUpDeadline,
    ReviewComplete,
    SummaryTitle,
    SummaryText,
    PublicStatus,
    Audience,
    AcknowledgeWarnings,
    /// A closure criterion, by key.
    Criterion(String),
    /// A field of the breach notification record, by key.
    Record(&'static str),
}
