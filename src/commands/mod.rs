//! Use cases, one file per verb. Each takes what a person did (already verified and parsed by the
//! Slack edge), decides with the pure domain, performs it in one transaction, and answers with a
//! [`Reply`] that the edge turns into Slack's wire format.
//!
//! ```text
//! /incident declare [severity] <title>   declare.rs  → "Declaring INC-…" now, the card link soon
//! /incident declare                      declare.rs  → the declare form (a modal)
//! /incident list                         list.rs     → open incidents, newest first
//! /incident show|timeline INC-…          show.rs     → the current state | the timeline
//! /incident note INC-… <text>            show.rs     → a note on the timeline (and in the thread)
//! a click or a form on the card          card.rs     → change.rs: one transaction per change
//! "Add to incident timeline" shortcut    shortcut.rs → the message on the incident's timeline
//! /incident help                         mod.rs      → usage
//! @warroom (a mention)                   mention.rs  → a pointer to /incident help, in thread
//! ```

pub mod card;
pub mod change;
pub mod declare;
pub mod list;
pub mod mention;
pub mod shortcut;
pub mod show;

use crate::{
    app::AppState,
    delivery::Answer,
    incident::{Incident, IncidentId, event::Recorded},
    store::StoreError,
};

/// Who typed a command, where, and how to answer them later.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub user_id: String,
    pub channel_id: String,
    pub team_domain: Option<String>,
    pub text: String,
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
}

/// A click on a control of the incident card.
#[derive(Debug, Clone, Default)]
pub struct Click {
    pub user_id: String,
    pub action_id: String,
    /// From the button's value or the control's block.
    pub incident_id: Option<String>,
    pub value: Option<String>,
    pub selected: Option<String>,
    pub trigger_id: Option<String>,
    pub response_url: Option<String>,
    pub channel_id: Option<String>,
    /// Slack's timestamp of this click; with the user it identifies a retried delivery.
    pub action_ts: Option<String>,
}

/// One input of a submitted modal.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub text: Option<String>,
    pub selected: Option<String>,
    pub selected_many: Vec<String>,
    pub user: Option<String>,
}

/// A submitted modal: its inputs by block ID.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub callback_id: String,
    pub view_id: String,
    pub user_id: String,
    pub team_domain: Option<String>,
    pub private_metadata: Option<String>,
    pub fields: std::collections::HashMap<String, Field>,
}

impl Submission {
    /// Typed text, trimmed; `None` when blank.
    pub fn text(&self, block: &str) -> Option<String> {
        self.fields
            .get(block)
            .and_then(|f| f.text.as_deref())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
    /// The chosen option's value.
    pub fn selected(&self, block: &str) -> Option<String> {
        self.fields.get(block).and_then(|f| f.selected.clone())
    }
    /// Every checked option's value.
    pub fn selected_many(&self, block: &str) -> Vec<String> {
        self.fields
            .get(block)
            .map(|f| f.selected_many.clone())
            .unwrap_or_default()
    }
    /// The chosen user.
    pub fn user(&self, block: &str) -> Option<String> {
        self.fields.get(block).and_then(|f| f.user.clone())
    }
}

/// What the person who acted sees in answer; the edge renders it.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An answer only they can see.
    Say(Answer),
    /// Something to look at, only for them.
    Show(View),
    /// Nothing to show; the request is acknowledged.
    Ack,
    /// Keep the modal open with an error under each named input block.
    ViewErrors(Vec<(String, String)>),
}

/// What `/incident show`, `list` and `timeline` show.
#[derive(Debug, Clone)]
pub enum View {
    /// One incident as its card shows it (without the controls).
    Incident(Box<Incident>),
    /// Open incidents, newest first.
    List(Vec<Incident>),
    /// One incident's timeline, oldest first.
    Timeline {
        id: IncidentId,
        entries: Vec<Recorded>,
    },
}

/// Turns a storage failure into what the person is told, logging it once here at the boundary.
pub(crate) fn store_failure(state: &AppState, error: StoreError) -> Answer {
    if error.is_unavailable() {
        crate::metrics::Metrics::inc(&state.metrics.requests_database_unavailable);
        tracing::warn!("database unavailable while answering a Slack request");
        Answer::DatabaseUnavailable
    } else {
        tracing::error!(error = %error, "database error while answering a Slack request");
        Answer::InternalError
    }
}

/// The `/incident` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subcommand<'a> {
    /// Declare an incident; the rest of the text is `[severity] <title>`.
    Declare(&'a str),
    /// Open incidents, newest first.
    List,
    /// How to use warroom.
    Help,
    /// The current state of one incident.
    Show(&'a str),
    /// One incident's timeline.
    Timeline(&'a str),
    /// A note on an incident's timeline: `INC-… <text>`.
    Note(&'a str),
    /// Anything else: answered with usage.
    Unknown(&'a str),
}

impl<'a> Subcommand<'a> {
    /// Splits the command text into a subcommand and its arguments.
    pub fn parse(text: &'a str) -> Self {
        let text = text.trim();
        let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        match verb.to_ascii_lowercase().as_str() {
            "declare" | "new" | "open" => Subcommand::Declare(rest.trim()),
            "list" | "ls" => Subcommand::List,
            "show" | "status" => Subcommand::Show(rest.trim()),
            "timeline" => Subcommand::Timeline(rest.trim()),
            "note" => Subcommand::Note(rest.trim()),
            "" | "help" | "-h" | "--help" => Subcommand::Help,
            _ => Subcommand::Unknown(verb),
        }
    }
}

/// Runs a slash command.
pub async fn run_slash(state: &AppState, invocation: Invocation) -> Reply {
    let text = invocation.text.clone();
    match Subcommand::parse(&text) {
        Subcommand::Declare(rest) => declare::from_slash(state, &invocation, rest).await,
        Subcommand::List => list::run(state).await,
        Subcommand::Show(rest) => show::show(state, rest).await,
        Subcommand::Timeline(rest) => show::timeline(state, rest).await,
        Subcommand::Note(rest) => show::note(state, &invocation, rest).await,
        Subcommand::Help => Reply::Say(Answer::Help { unknown: None }),
        Subcommand::Unknown(verb) => Reply::Say(Answer::Help {
            unknown: Some(verb.to_owned()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommands_are_recognised_case_insensitively() {
        assert_eq!(
            Subcommand::parse("declare sev1 Payments down"),
            Subcommand::Declare("sev1 Payments down")
        );
        assert_eq!(Subcommand::parse("  DECLARE  "), Subcommand::Declare(""));
        assert_eq!(Subcommand::parse("list"), Subcommand::List);
        assert_eq!(Subcommand::parse(""), Subcommand::Help);
        assert_eq!(
            Subcommand::parse("frobnicate now"),
            Subcommand::Unknown("frobnicate")
        );
    }
}
