//! `/incident help` (and anything warroom does not understand) → usage, shown only to the person
//! who typed it.

use super::Reply;
use crate::{app::AppState, slack::blocks};

/// The usage text, with the configured severities.
pub fn usage(state: &AppState) -> String {
    let severities: Vec<String> = state
        .config
        .process
        .severities
        .iter()
        .map(|(_, l)| {
            let aliases = if l.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", l.aliases.join(", "))
            };
            format!(
                "• *{}*{aliases}: {}",
                l.name,
                blocks::escape(&l.description)
            )
        })
        .collect();
    let default = &state
        .config
        .process
        .severities
        .get(state.config.process.default_severity)
        .name;
    format!(
        "*warroom — incident response in Slack*\n\
         `/incident declare [severity] <title>` declare an incident now (severity defaults to {default})\n\
         `/incident declare` open the declare form (type, impact and triage questions)\n\
         `/incident list` open incidents, newest first\n\
         `/incident show INC-…` one incident's current state\n\
         `/incident timeline INC-…` its timeline, with who and when\n\
         `/incident note INC-… <text>` add a note to its timeline\n\
         `/incident help` this message\n\n\
         *Severities*\n{}",
        severities.join("\n")
    )
}

/// Answers with usage; `unknown` is the word warroom did not understand, if any.
pub fn run(state: &AppState, unknown: Option<&str>) -> Reply {
    let usage = usage(state);
    let text = match unknown {
        Some(verb) => format!(
            "I don't know `{}`.\n\n{usage}",
            blocks::escape(&crate::incident::truncate_chars(verb, 40))
        ),
        None => usage,
    };
    Reply::Ephemeral(blocks::notice(&text))
}
