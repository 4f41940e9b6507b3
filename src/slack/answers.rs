//! How warroom words what it tells one person: refusals, confirmations, usage, and what went
//! wrong. Commands say *what* to answer ([`Answer`]); this is the one place that says it in Slack.

use super::{
    blocks::{Message, escape, message_link, notice},
    lists::{incident_list, search_results},
};
use crate::{
    commands::{View, list::Scope, search::PAGE_SIZE},
    config::ProcessConfig,
    delivery::Answer,
    incident::truncate_chars,
};
use serde_json::json;

/// Told to someone when the database cannot be reached within the request deadline.
pub const DATABASE_UNAVAILABLE: &str = ":warning: warroom cannot reach its database right now, so this may not have been saved. \
Look at the card (or `/incident list`) before trying again; if this persists, coordinate in the channel by hand and tell whoever runs warroom.";

/// Told when something unexpected went wrong (the details are in warroom's log).
pub const INTERNAL_ERROR: &str =
    ":warning: Something went wrong inside warroom and nothing was changed. Please try again.";

/// The answer as a message.
pub fn render(answer: &Answer, process: &ProcessConfig) -> Message {
    notice(&text(answer, process))
}

/// What `/incident show`, `list`, `search` and `timeline` show.
pub fn view(view: &View, process: &ProcessConfig) -> Message {
    match view {
        View::Incident(incident) => {
            let mut card = super::card::incident_card(incident, process);
            // Controls belong on the card itself, not in a private answer.
            card.blocks.retain(|b| b["type"] != "actions");
            if let Some(base) = &process.web_view_url {
                let link = format!(
                    "<{base}/incidents/{}|Open in browser>",
                    incident.id.as_str()
                );
                card.blocks.push(serde_json::json!({ "type": "context",
                    "elements": [{ "type": "mrkdwn", "text": link }] }));
            }
            card
        }
        View::List {
            scope,
            incidents,
            more,
            hidden,
        } => with_hidden(incident_list(*scope, incidents, *more), *hidden, "incident"),
        View::Found {
            words,
            page,
            per_page,
            total,
            incidents,
            hidden,
        } => with_hidden(
            search_results(words, *page, *per_page, *total, incidents),
            *hidden,
            "incident",
        ),
        View::Timeline { id, entries, total } => super::timeline::timeline(id, entries, *total),
        View::Stats(report) => super::stats::report(report),
        View::Actions {
            heading,
            actions,
            today,
            hidden,
        } => with_hidden(
            super::actions::list(heading, actions, *today),
            *hidden,
            "follow-up action of a restricted incident",
        ),
        View::Scenarios(scenarios) => {
            super::drills::scenarios(scenarios, &process.severities, &process.catalog)
        }
    }
}

/// Adds, when some were left out, how many restricted `what`s are not shown here — counted,
/// never described.
fn with_hidden(mut message: Message, hidden: usize, what: &str) -> Message {
    if hidden > 0 {
        let (count, these) = match (hidden, what) {
            (1, "incident") => ("1 restricted incident is".to_owned(), "its"),
            (n, "incident") => (format!("{n} restricted incidents are"), "their"),
            (1, what) => (format!("1 {what} is"), "its"),
            (n, what) => (format!("{n} {what}s are"), "their"),
        };
        message.blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn",
            "text": format!(":lock: {count} not shown here: {these} details are for the restricted channel's members, there or in a direct message with warroom.") }] }));
    }
    message
}

/// The answer's text (mrkdwn).
pub fn text(answer: &Answer, process: &ProcessConfig) -> String {
    match answer {
        Answer::Refused { refusal } => refusal.to_string(),
        Answer::NotFound { id } => format!("I can't find {id}."),
        Answer::DatabaseUnavailable => DATABASE_UNAVAILABLE.to_owned(),
        Answer::DatabaseUnavailableToRead => ":warning: warroom cannot reach its database right now, so it cannot show this. Try again in a moment; the cards in the incidents channel show the latest state warroom posted.".to_owned(),
        Answer::InternalError => INTERNAL_ERROR.to_owned(),
        Answer::FormDidNotOpen => {
            ":warning: Slack didn't open the form in time. Please click again.".to_owned()
        }
        Answer::DeclareFormDidNotOpen => ":warning: I couldn't open the declare form. Declare directly instead: `/incident declare sev2 <title>`.".to_owned(),
        Answer::Declaring { id, channel } => format!(
            ":rotating_light: Declaring *{id}*… its card will appear in <#{channel}> in a moment."
        ),
        Answer::DeclaringDrill {
            id,
            channel,
            scenario,
        } => super::drills::declaring(id, channel, scenario.as_ref()),
        Answer::HowToDrill => "Type `/incident drill sev2 <title>` to declare a drill, or `/incident drill scenario <name>` to run a tabletop scenario (`/incident drill scenarios` lists them).".to_owned(),
        Answer::NameTheScenario { known } => format!(
            "Name the scenario to run. {}",
            super::drills::known(known)
        ),
        Answer::UnknownScenario { given, known } => format!(
            "There is no scenario `{}`. {}",
            escape(&truncate_chars(&given.replace('`', "'"), 60)),
            super::drills::known(known)
        ),
        Answer::AlreadyDeclared { id: Some(id) } => {
            format!("This request already declared *{id}*; nothing new was declared.")
        }
        Answer::AlreadyDeclared { id: None } => {
            "This request was already handled; nothing new was declared.".to_owned()
        }
        Answer::DoubleSubmit {
            id,
            channel,
            card_ts,
            team_domain,
        } => {
            let link = card_ts
                .as_deref()
                .and_then(|ts| message_link(team_domain.as_deref(), channel, ts));
            let shown = link.map_or_else(|| format!("*{id}*"), |url| format!("<{url}|{id}>"));
            format!(
                "You declared {shown} with this title less than a minute ago, so I didn't open a second one. It is in <#{channel}>."
            )
        }
        Answer::MissingTitle => {
            "An incident needs a title: `/incident declare sev2 Checkout is failing`.".to_owned()
        }
        Answer::NoRestrictedChannel => "Restricted incidents need a private channel, and none is configured: ask whoever runs warroom to set `[restricted] channel`. Declare it without `restricted` to use the incidents channel.".to_owned(),
        Answer::Restricted { id } => format!(
            ":lock: {id} is a restricted incident: its details are shown only to members of its private channel, there or in a direct message with warroom."
        ),
        Answer::HowToDeclare => {
            "Type `/incident declare sev2 <title>` to declare an incident.".to_owned()
        }
        Answer::NameTheIncident => "Name the incident, like `INC-20261124-001`. `/incident list` shows the open ones.".to_owned(),
        Answer::NoteNeedsText => {
            "Add the note after the ID: `/incident note INC-20261124-001 Paged the DBA`.".to_owned()
        }
        Answer::UnknownList { given } => {
            let choices: Vec<String> = Scope::ALL
                .iter()
                .map(|s| format!("`/incident list {}`", s.word()))
                .collect();
            format!(
                "I can't list `{}`. Try {} (`/incident list` alone lists the open ones).",
                escape(&truncate_chars(&given.replace('`', "'"), 40)),
                choices.join(", ")
            )
        }
        Answer::SearchNeedsWords => "Say what to look for: `/incident search payments timeout`. \
            I search titles, impact statements, structured updates and notes; \
            `\"a phrase\"` keeps words together and `-word` leaves a word out."
            .to_owned(),
        Answer::BadStatsPeriod { problem } => format!(
            "I can't report on that: {}. Try `/incident stats 7d`, `/incident stats 90d` or \
             `/incident stats 2026-11-01..2026-11-30` (whole days in UTC, both included); \
             `/incident stats` alone covers the last 30 days.",
            escape(&truncate_chars(problem, 300))
        ),
        Answer::NothingToSearchFor { words } => format!(
            "“{}” leaves nothing to search for: punctuation and very common words (the, and, of…) \
             are left out of a search. Try a word from the title, the impact, an update or a note, \
             like `/incident search payments timeout`.",
            escape(&truncate_chars(words, 100))
        ),
        Answer::Noted { id } => format!(":memo: Noted on {id}'s timeline."),
        Answer::ActionChanged { action } => format!(":clipboard: Done: follow-up action *{action}* is on the incident's timeline and in its thread."),
        Answer::ActionUnchanged => "That follow-up action was already so; nothing changed.".to_owned(),
        Answer::HowToAddAction => "Add a follow-up action with an owner, a due date and what to do: `/incident action INC-20261124-001 @ana 2026-12-20 Alert on pool saturation` (or `in 5d`, `in 2w`, `tomorrow`). Close one with `/incident action done INC-…-A1` or `/incident action wontdo INC-…-A1 <why>`.".to_owned(),
        Answer::HowToListActions => "`/incident actions` lists your open follow-up actions, `/incident actions INC-…` an incident's, `/incident actions overdue` everyone's overdue ones.".to_owned(),
        Answer::ActionNeedsOwner => "Mention the action's owner with @ so Slack links them: `/incident action INC-… @ana in 5d <what>`.".to_owned(),
        Answer::ActionNeedsDueDate => "Give a due date after the owner: `2026-12-20`, `today`, `tomorrow`, `in 5d` or `in 2w`.".to_owned(),
        Answer::WontDoNeedsReason => "Say why it won't be done: `/incident action wontdo INC-…-A1 Superseded by the new pool`.".to_owned(),
        Answer::ReportComing { id } => format!(
            ":page_facing_up: Building the report of *{id}*; it will be in the incident's thread in a moment, as a Markdown file."
        ),
        Answer::HowToCorrect => "Name the entry and the correction: `/incident correct INC-20261124-001 #3 Paged the DBA at 10:05, not 10:01`. `/incident timeline INC-…` shows the numbers.".to_owned(),
        Answer::Corrected { id, entry } => format!(
            ":pencil: Correction of entry #{entry} recorded on {id}'s timeline; the entry now shows the corrected value, marked (corrected)."
        ),
        Answer::AddedToTimeline { id } => format!(":pushpin: Added to {id}'s timeline."),
        Answer::AlreadyOnTimeline { id } => format!("That message is already on {id}'s timeline."),
        Answer::NotDelivered { id, what, why } => format!(
            ":warning: warroom could not deliver {what} for *{id}* to Slack (`{}`), and has stopped trying. \
             Its timeline still holds everything: `/incident timeline {id}`.",
            escape(&truncate_chars(why, 200))
        ),
        Answer::Help { unknown } => {
            let usage = usage(process);
            match unknown {
                Some(verb) => format!(
                    "I don't know `{}`.\n\n{usage}",
                    escape(&truncate_chars(verb, 40))
                ),
                None => usage,
            }
        }
    }
}

/// The usage text, with the configured severities.
pub fn usage(process: &ProcessConfig) -> String {
    let severities: Vec<String> = process
        .severities
        .iter()
        .map(|(_, l)| {
            let aliases = if l.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", l.aliases.join(", "))
            };
            format!("• *{}*{aliases}: {}", l.name, escape(&l.description))
        })
        .collect();
    let default = &process.severities.get(process.default_severity).name;
    format!(
        "*warroom — incident response in Slack*\n\
         `/incident declare [severity] <title>` declare an incident now (severity defaults to {default})\n\
         `/incident declare restricted [severity] <title>` a restricted (security) incident, in the private restricted channel\n\
         `/incident declare` open the declare form (type, impact and triage questions)\n\
         `/incident drill [severity] <title>` declare a drill (a tabletop exercise), marked DRILL everywhere and left out of the metrics\n\
         `/incident drill scenario <name>` run a tabletop scenario: a drill whose injects arrive in its thread; `/incident drill scenarios` lists them\n\
         `/incident list [open|resolved|closed|all|drills]` incidents newest first: open (the default), resolved but not closed, closed, all of them, or the drills\n\
         `/incident search <words> [page N]` incidents whose title, impact, updates or notes mention the words, newest first, {PAGE_SIZE} a page\n\
         `/incident stats [7d|30d|90d|YYYY-MM-DD..YYYY-MM-DD]` MTTD, MTTA, MTTC and MTTR per severity against their targets, breach notifications, reviews and corrective actions (the last 30 days unless you say)\n\
         `/incident show INC-…` one incident's current state\n\
         `/incident timeline INC-…` its timeline, with who and when\n\
         `/incident note INC-… <text>` add a note to its timeline\n\
         `/incident correct INC-… #N <text>` correct timeline entry N (the timeline numbers them)\n\
         `/incident action INC-… @owner <YYYY-MM-DD | in 5d> <what>` add a follow-up action; `action done|wontdo INC-…-A1` closes one\n\
         `/incident actions [INC-… | overdue]` your open follow-up actions, an incident's, or everyone's overdue ones\n\
         `/incident report INC-…` the post-incident report, as a file in the incident's thread\n\
         `/incident help` this message\n\n\
         *Severities*\n{}",
        severities.join("\n")
    )
}
