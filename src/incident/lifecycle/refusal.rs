//! Why a change was refused, in the words the person who asked is told.

use crate::incident::{RoleKey, Status};
use serde::{Deserialize, Serialize};

/// Why a change was refused; the `Display` is what the person is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error(
        "{id} is closed; closed incidents do not change. Declare a new incident if it has come back."
    )]
    Closed { id: String },
    #[error("{id} was cancelled (declared in error).")]
    Cancelled { id: String },
    #[error("{id} can be closed only once it is Resolved.")]
    NotResolved { id: String },
    #[error("{id} is already Resolved.")]
    AlreadyResolved { id: String },
    #[error("Close needs every criterion confirmed or not applicable. Still open: {}.", .open.join("; "))]
    ChecklistIncomplete { open: Vec<String> },
    #[error(
        "The triage answers hold this incident at {floor} or above until they are confirmed otherwise. Review the triage from the card first."
    )]
    BelowTriageFloor { floor: String },
    #[error(
        "Only the incident's role holders (or its declarer, until a commander is assigned) may do that here."
    )]
    NotPermitted,
    #[error("`{role}` is not a configured role.")]
    UnknownRole { role: RoleKey },
    #[error("`{incident_type}` is not a configured incident type.")]
    UnknownType { incident_type: String },
    #[error("{what} cannot be empty.")]
    Empty { what: String },
    #[error("{id} is not flagged as a personal-data breach.")]
    NotABreach { id: String },
    #[error("Discovery can't be in the future.")]
    DiscoveryInFuture,
    #[error("Choose when the next update is due.")]
    NextUpdateInPast,
    #[error("{id} is {status} and owes no more updates.")]
    OwesNoUpdates { id: String, status: Status },
    #[error("There is no overdue-update reminder to snooze.")]
    NothingToSnooze,
    #[error("The impact can't have started in the future.")]
    ImpactStartsInFuture,
    #[error("The link must be a web address starting with https:// (or http://).")]
    NotALink,
    #[error(
        "There is no entry #{entry} on this incident's timeline. `/incident timeline` shows the numbers."
    )]
    NoSuchEntry { entry: u32 },
    #[error("Entry #{entry} is itself a correction; correct the original entry instead.")]
    CorrectionOfACorrection { entry: u32 },
    #[error("The due date can't be in the past.")]
    DueInPast,
    #[error(
        "{id} needs at least one corrective action before it closes: add one from the card (More ▾ Add follow-up action), or check *No corrective action needed* and say why."
    )]
    NoCorrectiveActions { id: String },
    #[error("Every open follow-up action of {id} needs an owner before it closes.")]
    FollowUpWithoutOwner { id: String },
    #[error("The post-incident review of {id} starts once it is resolved.")]
    ReviewBeforeResolved { id: String },
    #[error("The review is complete once every item is answered (write “None” where nothing applies). Still blank: {}.", .blank.join("; "))]
    ReviewIncomplete { blank: Vec<String> },
    #[error("The post-incident review of {id} is already complete.")]
    ReviewAlreadyComplete { id: String },
    #[error(
        "There is no follow-up action {action}. `/incident actions INC-…` lists an incident's actions."
    )]
    NoSuchAction { action: String },
    #[error("{action} is already closed ({status}).")]
    ActionClosed { action: String, status: String },
    #[error(
        "There is no client-safe summary {summary}. The incident's thread shows each draft with its number."
    )]
    NoSuchSummary { summary: String },
    #[error(
        "You drafted {summary}, so someone else must approve it (four eyes): the incident's {approvers}."
    )]
    OwnSummary { summary: String, approvers: String },
    #[error(
        "Only the incident's {approvers} may approve a client-safe summary, and you hold none of those roles on it. Assign roles from the card first."
    )]
    NotAnApprover { approvers: String },
    #[error(
        "Only the incident's {approvers}, or the draft's author, may ask for changes to a client-safe summary."
    )]
    NotAReviewer { approvers: String },
    #[error(
        "{summary} was superseded by {by}; only the latest draft can be approved or sent back."
    )]
    SummarySuperseded { summary: String, by: String },
    #[error(
        "{summary} is already {state}, so it can no longer be {asked}. Draft a new one from the card (More ▾ Draft client-safe summary)."
    )]
    SummaryDecided {
        summary: String,
        state: String,
        asked: String,
    },
}

impl Refusal {
    pub(super) fn empty(what: &str) -> Self {
        Refusal::Empty {
            what: what.to_owned(),
        }
    }
}
