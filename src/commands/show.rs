//! Reading and annotating one incident from the command line.
//!
//! ```text
//! /incident show INC-20261124-001              → its current state, as on the card
//! /incident timeline INC-20261124-001          → every entry, oldest first, with who and when
//! /incident note INC-20261124-001 Paged DBA    → a note on the timeline, echoed in the thread
//! /incident correct INC-20261124-001 #3 Paged at 10:05, not 10:01
//!                                              → a correction of entry #3 (nothing is edited:
//!                                                the timeline shows the corrected value, marked)
//! ```

use super::{
    Invocation, Reply, View,
    change::{self, ChangeOutcome},
    hidden_from, read_failure, store_failure,
};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{IncidentId, lifecycle::Change},
    store,
};

/// The most timeline entries one answer reads (it shows the newest of them that fit).
const TIMELINE_LIMIT: i64 = 500;

fn parse_id(rest: &str) -> Result<(IncidentId, &str), Reply> {
    let (first, more) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    IncidentId::parse(first)
        .map(|id| (id, more.trim()))
        .ok_or(Reply::Say(Answer::NameTheIncident))
}

/// The current state of one incident.
pub async fn show(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let id = match parse_id(rest) {
        Ok((id, _)) => id,
        Err(reply) => return reply,
    };
    match state
        .deadline
        .run(store::incidents::find_incident(&state.pool, &id))
        .await
    {
        Ok(Some(incident)) if incident.restricted && !inv.sees_restricted => {
            Reply::Say(Answer::Restricted { id: id.to_string() })
        }
        Ok(Some(incident)) => Reply::Show(View::Incident(Box::new(incident))),
        Ok(None) => Reply::Say(Answer::not_found(&id)),
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}

/// One incident's timeline.
pub async fn timeline(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let id = match parse_id(rest) {
        Ok((id, _)) => id,
        Err(reply) => return reply,
    };
    if let Some(reply) = hidden_from(state, inv, &id).await {
        return reply;
    }
    let found = state
        .deadline
        .run(store::timeline::find_timeline(
            &state.pool,
            &id,
            TIMELINE_LIMIT,
        ))
        .await;
    match found {
        Ok((entries, _)) if entries.is_empty() => Reply::Say(Answer::not_found(&id)),
        Ok((entries, total)) => Reply::Show(View::Timeline { id, entries, total }),
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}

/// A note on the timeline.
pub async fn note(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let (id, text) = match parse_id(rest) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    if text.is_empty() {
        return Reply::Say(Answer::NoteNeedsText);
    }
    if let Some(reply) = hidden_from(state, inv, &id).await {
        return reply;
    }
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    let change = Change::Note {
        text: text.to_owned(),
    };
    let answer = match change::apply(state, &id, change, &inv.user_id, key.as_deref()).await {
        Ok(ChangeOutcome::Applied | ChangeOutcome::Duplicate | ChangeOutcome::NoOp) => {
            Answer::Noted { id: id.to_string() }
        }
        Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
        Ok(ChangeOutcome::NotFound) => Answer::not_found(&id),
        Err(e) => store_failure(state, e),
    };
    Reply::Say(answer)
}

/// `#N <text>`: the entry number and the correction.
fn parse_correction(rest: &str) -> Option<(u32, &str)> {
    let (number, text) = rest.split_once(char::is_whitespace)?;
    let entry = number.strip_prefix('#').unwrap_or(number).parse().ok()?;
    let text = text.trim();
    (entry > 0 && !text.is_empty()).then_some((entry, text))
}

/// A correction of one timeline entry, recorded as a new entry that refers to it.
pub async fn correct(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let (id, rest) = match parse_id(rest) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    let Some((entry, text)) = parse_correction(rest) else {
        return Reply::Say(Answer::HowToCorrect);
    };
    if let Some(reply) = hidden_from(state, inv, &id).await {
        return reply;
    }
    let target = match state
        .deadline
        .run(store::timeline::find_entry(&state.pool, &id, entry))
        .await
    {
        Ok(target) => target,
        Err(e) => return Reply::Say(store_failure(state, e)),
    };
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    let change = Change::Correct {
        entry,
        target: target.map(Box::new),
        text: text.to_owned(),
    };
    let answer = match change::apply(state, &id, change, &inv.user_id, key.as_deref()).await {
        Ok(ChangeOutcome::Applied | ChangeOutcome::Duplicate | ChangeOutcome::NoOp) => {
            Answer::Corrected {
                id: id.to_string(),
                entry,
            }
        }
        Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
        Ok(ChangeOutcome::NotFound) => Answer::not_found(&id),
        Err(e) => store_failure(state, e),
    };
    Reply::Say(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_names_its_entry_with_or_without_the_hash() {
        assert_eq!(
            parse_correction("#3 Paged at 10:05"),
            Some((3, "Paged at 10:05"))
        );
        assert_eq!(
            parse_correction("12   it was the EU  "),
            Some((12, "it was the EU"))
        );
        assert_eq!(parse_correction("#0 nothing"), None);
        assert_eq!(parse_correction("#3"), None);
        assert_eq!(parse_correction("three it was"), None);
        assert_eq!(parse_correction(""), None);
    }
}
