//! Reading and annotating one incident from the command line.
//!
//! ```text
//! /incident show INC-20261124-001              → its current state, as on the card
//! /incident timeline INC-20261124-001          → every entry, oldest first, with who and when
//! /incident note INC-20261124-001 Paged DBA    → a note on the timeline, echoed in the thread
//! ```

use super::{
    Invocation, Reply,
    change::{self, ChangeOutcome},
    store_failure,
};
use crate::{
    app::AppState,
    incident::{IncidentId, lifecycle::Change},
    slack::blocks,
    store,
};

/// How many timeline entries one answer shows.
const TIMELINE_LIMIT: i64 = 200;

fn parse_id(rest: &str) -> Result<(IncidentId, &str), Reply> {
    let (first, more) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    IncidentId::parse(first)
        .map(|id| (id, more.trim()))
        .ok_or_else(|| {
            Reply::Ephemeral(blocks::notice(
                "Name the incident, like `INC-20261124-001`. `/incident list` shows the open ones.",
            ))
        })
}

/// The current state of one incident.
pub async fn show(state: &AppState, rest: &str) -> Reply {
    let id = match parse_id(rest) {
        Ok((id, _)) => id,
        Err(reply) => return reply,
    };
    match store::within(
        state.config.process.request_deadline,
        store::incidents::find_incident(&state.pool, &id),
    )
    .await
    {
        Ok(Some(incident)) => {
            let process = &state.config.process;
            let mut card = crate::slack::card::incident_card(
                &incident,
                &process.severities,
                &process.catalog,
                &process.schedule,
            );
            // Controls belong on the card itself, not in a private answer.
            card.blocks.retain(|b| b["type"] != "actions");
            Reply::Ephemeral(card)
        }
        Ok(None) => Reply::Ephemeral(blocks::notice(&format!("I can't find {id}."))),
        Err(e) => store_failure(state, e),
    }
}

/// One incident's timeline.
pub async fn timeline(state: &AppState, rest: &str) -> Reply {
    let id = match parse_id(rest) {
        Ok((id, _)) => id,
        Err(reply) => return reply,
    };
    let found = store::within(
        state.config.process.request_deadline,
        store::incidents::find_timeline(&state.pool, &id, TIMELINE_LIMIT),
    )
    .await;
    match found {
        Ok(entries) if entries.is_empty() => {
            Reply::Ephemeral(blocks::notice(&format!("I can't find {id}.")))
        }
        Ok(entries) => Reply::Ephemeral(blocks::timeline(&id, &entries)),
        Err(e) => store_failure(state, e),
    }
}

/// A note on the timeline.
pub async fn note(state: &AppState, inv: &Invocation, rest: &str) -> Reply {
    let (id, text) = match parse_id(rest) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    if text.is_empty() {
        return Reply::Ephemeral(blocks::notice(
            "Add the note after the ID: `/incident note INC-20261124-001 Paged the DBA`.",
        ));
    }
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    match change::apply(
        state,
        &id,
        Change::Note {
            text: text.to_owned(),
        },
        &inv.user_id,
        key.as_deref(),
    )
    .await
    {
        Ok(ChangeOutcome::Applied | ChangeOutcome::Duplicate | ChangeOutcome::NoOp) => {
            Reply::Ephemeral(blocks::notice(&format!(":memo: Noted on {id}'s timeline.")))
        }
        Ok(ChangeOutcome::Refused(why)) => Reply::Ephemeral(blocks::notice(&why)),
        Ok(ChangeOutcome::NotFound) => {
            Reply::Ephemeral(blocks::notice(&format!("I can't find {id}.")))
        }
        Err(e) => store_failure(state, e),
    }
}
