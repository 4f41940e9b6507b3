//! Use cases, one file per verb. Each takes what a person did (already verified and parsed by the
//! Slack edge), decides with the pure domain, performs it in one transaction, and answers with a
//! [`Reply`] that the edge turns into Slack's wire format.
//!
//! ```text
//! /incident declare [severity] <title>   declare.rs  → "Declaring INC-…" now, the card link soon
//! /incident declare                      declare.rs  → the declare form (a modal)
//! /incident drill [severity] <title>     drill.rs    → a drill (a tabletop exercise), declared at once
//! /incident drill scenario <name> | scenarios  drill.rs → a scripted drill | the scenarios
//! /incident list [open|resolved|closed|all|drills]  list.rs → incidents in that state, newest first
//! /incident search <words> [page N]      search.rs   → incidents that mention the words
//! /incident stats [7d|30d|90d|A..B]       stats.rs    → MTTD/MTTA/MTTC/MTTR per severity, and more
//! /incident show|timeline INC-…          show.rs     → the current state | the timeline
//! /incident note INC-… <text>            show.rs     → a note on the timeline (and in the thread)
//! /incident correct INC-… #N <text>      show.rs     → a correction of timeline entry N
//! /incident action … | actions …         actions/    → corrective actions: add, close, list
//! /incident report INC-…                 report.rs   → the report, uploaded into its thread
//! a click or a form on the card          card.rs     → change.rs: one transaction per change
//! "Add to incident timeline" shortcut    shortcut.rs → the message on the incident's timeline
//! "Declare incident from message"        alert.rs    → the declare form, filled in from the message
//! 📌 on a message in an incident's thread capture.rs  → the message on the timeline (read by the workers)
//! /incident help                         mod.rs      → usage
//! @warroom (a mention)                   mention.rs  → a pointer to /incident help, in thread
//! ```

pub mod actions;
pub mod alert;
pub mod capture;
pub mod card;
pub mod change;
pub mod declare;
pub mod drill;
pub mod forms;
pub mod home;
pub mod list;
pub mod mention;
mod paging;
pub mod report;
mod scope;
pub mod search;
pub mod shortcut;
pub mod show;
pub mod stats;
pub mod summaries;

use crate::{
    context::Context,
    delivery::Answer,
    incident::{
        Incident, IncidentId, actions::ListedAction, drills::Scenarios, event::Recorded,
        stats::StatsReport,
    },
    store::StoreError,
};
use forms::{Form, FormRequest, Input, Submission};

/// Who typed a command, where, and how to answer them later.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub user_id: String,
    pub channel_id: String,
    pub team_domain: Option<String>,
    pub text: String,
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
    /// Whether they may see restricted incidents here (a member of the restricted channel, in
    /// it or in a direct message with warroom); the edge finds out before the command runs.
    pub sees_restricted: bool,
}

/// What the person who acted sees in answer; the edge renders it.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An answer only they can see.
    Say(Answer),
    /// Something to look at, only for them.
    Show(View),
    /// A form for them to fill in, opened by the edge while the request's trigger is valid.
    Open(FormRequest),
    /// Nothing to show; the request is acknowledged.
    Ack,
    /// Keep the submitted form open with an error under each input.
    FieldErrors(Vec<(Input, String)>),
}

/// What `/incident show`, `list`, `search` and `timeline` show.
#[derive(Debug, Clone)]
pub enum View {
    /// One incident as its card shows it (without the controls).
    Incident(Box<Incident>),
    /// The newest incidents in `scope`, newest first; `more` when older ones were left out.
    List {
        scope: list::Scope,
        incidents: Vec<Incident>,
        more: bool,
        /// Restricted incidents among them, left out for someone who may not see them.
        hidden: usize,
    },
    /// Page `page` (from 1, `per_page` a page) of the incidents a search for `words` matched,
    /// newest first, of `total` in all.
    Found {
        words: String,
        page: u32,
        per_page: u32,
        total: usize,
        incidents: Vec<Incident>,
        /// Restricted matches on this page, left out for someone who may not see them.
        hidden: usize,
    },
    /// The newest entries of one incident's timeline, oldest first, of `total` in all.
    Timeline {
        id: IncidentId,
        entries: Vec<Recorded>,
        total: usize,
    },
    /// The incident metrics of a period.
    Stats(Box<StatsReport>),
    /// Corrective actions; `today` (in the configured time zone) tells which are overdue.
    Actions {
        heading: actions::ActionsHeading,
        actions: Vec<ListedAction>,
        today: chrono::NaiveDate,
        /// Actions of restricted incidents, left out for someone who may not see them.
        hidden: usize,
    },
    /// The tabletop scenarios `/incident drill scenario <name>` runs.
    Scenarios(Scenarios),
}

/// What someone who may not see restricted incidents is told about incident `id`, when it is
/// one: that it is restricted, and nothing about it. `None` lets the command go on.
pub(crate) async fn hidden_from(
    state: &Context,
    inv: &Invocation,
    id: &IncidentId,
) -> Option<Reply> {
    if inv.sees_restricted {
        return None;
    }
    let found = state
        .deadline
        .run(crate::store::incidents::find_restricted(&state.pool, id))
        .await;
    match found {
        Ok(Some(true)) => Some(Reply::Say(Answer::Restricted { id: id.to_string() })),
        Ok(_) => None,
        Err(e) => Some(Reply::Say(read_failure(state, e))),
    }
}

/// Leaves out the restricted incidents someone may not see; how many it left out. They are
/// counted, never described.
pub(crate) fn hide_restricted(incidents: &mut Vec<Incident>, inv: &Invocation) -> usize {
    let before = incidents.len();
    incidents.retain(|i| inv.sees_restricted || !i.restricted);
    before - incidents.len()
}

/// Turns a storage failure of a request that only reads into what the person is told.
pub(crate) fn read_failure(state: &Context, error: StoreError) -> Answer {
    match store_failure(state, error) {
        Answer::DatabaseUnavailable => Answer::DatabaseUnavailableToRead,
        other => other,
    }
}

/// Turns a storage failure into what the person is told, logging it once here at the boundary.
pub(crate) fn store_failure(state: &Context, error: StoreError) -> Answer {
    if error.is_unavailable() {
        crate::metrics::Metrics::inc(&state.metrics.requests_database_unavailable);
        tracing::warn!("database unavailable while answering a Slack request");
        Answer::DatabaseUnavailable
    } else {
        tracing::error!(error = %error, "database error while answering a Slack request");
        Answer::InternalError
    }
}

/// What a form is told under its first input when a storage failure stopped it, logged once (see
/// [`store_failure`]); the form stays open with what was typed.
pub(crate) fn form_failure(state: &Context, error: StoreError) -> String {
    match store_failure(state, error) {
        Answer::DatabaseUnavailable => "warroom cannot reach its database right now, so this may not have been saved. Submit again in a moment.",
        _ => "Something went wrong inside warroom and nothing was changed. Please try again.",
    }
    .to_owned()
}

/// The `/incident` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subcommand<'a> {
    /// Declare an incident; the rest of the text is `[severity] <title>`.
    Declare(&'a str),
    /// A drill: `[severity] <title>`, `scenario <name>` or `scenarios`.
    Drill(drill::Ask<'a>),
    /// Incidents, newest first: `open` (the default), `resolved`, `closed`, `all` or `drills`;
    /// anything else comes back as typed, to be explained.
    List(Result<list::Scope, &'a str>),
    /// Incidents whose title, impact, updates or notes mention `<words>` (`[page N]`); `None`
    /// without words.
    Search(Option<search::Query<'a>>),
    /// Incident metrics per severity over a period: `7d`, `30d` (the default), `90d`, any `Nd`,
    /// or `YYYY-MM-DD..YYYY-MM-DD`; read by the use case, which explains a period it refuses.
    Stats(&'a str),
    /// How to use warroom.
    Help,
    /// The current state of one incident.
    Show(&'a str),
    /// One incident's timeline.
    Timeline(&'a str),
    /// A note on an incident's timeline: `INC-… <text>`.
    Note(&'a str),
    /// A correction of a timeline entry: `INC-… #N <text>`.
    Correct(&'a str),
    /// A corrective action: `INC-… @owner <due> <text>`, `done INC-…-A1`, `wontdo INC-…-A1 <why>`.
    Action(&'a str),
    /// Corrective actions: mine, an incident's, or everyone's overdue ones.
    Actions(&'a str),
    /// The post-incident report of `INC-…`, into its thread.
    Report(&'a str),
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
            "drill" | "exercise" => Subcommand::Drill(drill::Ask::parse(rest)),
            "list" | "ls" => Subcommand::List(list::Scope::parse(rest)),
            "search" => Subcommand::Search(search::Query::parse(rest)),
            "stats" | "metrics" => Subcommand::Stats(rest.trim()),
            "show" | "status" => Subcommand::Show(rest.trim()),
            "timeline" => Subcommand::Timeline(rest.trim()),
            "note" => Subcommand::Note(rest.trim()),
            "correct" => Subcommand::Correct(rest.trim()),
            "action" | "followup" | "follow-up" => Subcommand::Action(rest.trim()),
            "actions" | "followups" | "follow-ups" => Subcommand::Actions(rest.trim()),
            "report" => Subcommand::Report(rest.trim()),
            "" | "help" | "-h" | "--help" => Subcommand::Help,
            _ => Subcommand::Unknown(verb),
        }
    }
}

/// Handles a submitted form.
pub async fn run_form(state: &Context, submission: Submission) -> Reply {
    let user = submission.user_id.as_str();
    match &submission.form {
        Form::Declare(fields) => declare::from_form(state, &submission, fields).await,
        Form::PickIncident { incident, message } => {
            shortcut::on_pick(state, user, incident.as_deref(), message.as_deref()).await
        }
        Form::Card {
            incident: Some(id),
            fields,
        } => card::on_submit(state, id, fields, user, &submission.view_id).await,
        // A form that no longer says which incident it is about: let it close.
        Form::Card { incident: None, .. } => Reply::Ack,
    }
}

/// Runs a slash command.
pub async fn run_slash(state: &Context, invocation: Invocation) -> Reply {
    let text = invocation.text.clone();
    match Subcommand::parse(&text) {
        Subcommand::Declare(rest) => declare::from_slash(state, &invocation, rest).await,
        Subcommand::Drill(ask) => drill::run(state, &invocation, ask).await,
        Subcommand::List(Ok(scope)) => list::run(state, &invocation, scope).await,
        Subcommand::List(Err(given)) => Reply::Say(Answer::UnknownList {
            given: given.to_owned(),
        }),
        Subcommand::Search(query) => search::run(state, &invocation, query).await,
        Subcommand::Stats(period) => stats::run(state, period).await,
        Subcommand::Show(rest) => show::show(state, &invocation, rest).await,
        Subcommand::Timeline(rest) => show::timeline(state, &invocation, rest).await,
        Subcommand::Note(rest) => show::note(state, &invocation, rest).await,
        Subcommand::Correct(rest) => show::correct(state, &invocation, rest).await,
        Subcommand::Action(rest) => actions::run(state, &invocation, rest).await,
        Subcommand::Actions(rest) => actions::list(state, &invocation, rest).await,
        Subcommand::Report(rest) => report::run(state, &invocation, rest).await,
        Subcommand::Help => Reply::Say(Answer::Help { unknown: None }),
        Subcommand::Unknown(verb) => Reply::Say(Answer::Help {
            unknown: Some(verb.to_owned()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::{list::Scope, search::Query, *};

    #[test]
    fn subcommands_are_recognised_case_insensitively() {
        assert_eq!(
            Subcommand::parse("declare sev1 Payments down"),
            Subcommand::Declare("sev1 Payments down")
        );
        assert_eq!(Subcommand::parse("  DECLARE  "), Subcommand::Declare(""));
        assert_eq!(Subcommand::parse("list"), Subcommand::List(Ok(Scope::Open)));
        assert_eq!(Subcommand::parse(""), Subcommand::Help);
        assert_eq!(
            Subcommand::parse("Drill scenario database-outage"),
            Subcommand::Drill(drill::Ask::Scenario("database-outage"))
        );
        assert_eq!(Subcommand::parse("stats"), Subcommand::Stats(""));
        assert_eq!(
            Subcommand::parse("Stats  2026-11-01..2026-11-30 "),
            Subcommand::Stats("2026-11-01..2026-11-30")
        );
        assert_eq!(
            Subcommand::parse("frobnicate now"),
            Subcommand::Unknown("frobnicate")
        );
    }

    #[test]
    fn list_takes_one_of_its_scopes_in_any_case_and_hands_back_anything_else() {
        for (text, scope) in [
            ("list", Scope::Open),
            ("ls", Scope::Open),
            ("list open", Scope::Open),
            ("list  Resolved ", Scope::Resolved),
            ("LIST CLOSED", Scope::Closed),
            ("list all", Scope::All),
            ("list Drills", Scope::Drills),
        ] {
            assert_eq!(
                Subcommand::parse(text),
                Subcommand::List(Ok(scope)),
                "{text}"
            );
        }
        assert_eq!(
            Subcommand::parse("list frobnicated"),
            Subcommand::List(Err("frobnicated"))
        );
        assert_eq!(
            Subcommand::parse("list closed yesterday"),
            Subcommand::List(Err("closed yesterday"))
        );
    }

    #[test]
    fn search_reads_its_words_and_a_trailing_page_number() {
        let search = |words, page| Subcommand::Search(Some(Query { words, page }));
        assert_eq!(
            Subcommand::parse("search payments timeout"),
            search("payments timeout", 1)
        );
        assert_eq!(
            Subcommand::parse("SEARCH \"connection pool\" -redis  page 3"),
            search("\"connection pool\" -redis", 3)
        );
        assert_eq!(Subcommand::parse("search db Page 2"), search("db", 2));
        // Without words before it, or without a whole number from 1, `page` is a word like any.
        assert_eq!(Subcommand::parse("search page 2"), search("page 2", 1));
        assert_eq!(
            Subcommand::parse("search db page 0"),
            search("db page 0", 1)
        );
        assert_eq!(
            Subcommand::parse("search db page two"),
            search("db page two", 1)
        );
        assert_eq!(Subcommand::parse("search !!!"), search("!!!", 1));
        assert_eq!(Subcommand::parse("search"), Subcommand::Search(None));
        assert_eq!(Subcommand::parse("search   "), Subcommand::Search(None));
    }
}
