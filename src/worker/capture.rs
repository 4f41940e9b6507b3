//! Reading the message a capture reaction was put on (or taken off) — `reactions.get` returns it
//! with its thread, author, permalink and reactions — and handing it to `commands::capture`.

use super::deliver::Outcome;
use crate::{
    commands::capture::{self, CapturedMessage},
    state::AppState,
};
use serde_json::Value;

/// Reads the message and records it (or its removal).
pub(super) async fn capture(
    state: &AppState,
    channel: &str,
    ts: &str,
    by: &str,
    added: bool,
) -> Outcome {
    let query = [("channel", channel), ("timestamp", ts), ("full", "true")];
    let answer = match state.slack.get("reactions.get", &query).await {
        Ok(answer) => answer,
        Err(failure) => return Outcome::Failed(failure),
    };
    let emoji = &state.config.process.capture_reaction;
    let Some(message) = captured(&answer, channel, emoji) else {
        return Outcome::Dropped("Slack's answer holds no message");
    };
    match capture::apply(state, &message, by, added).await {
        Ok(()) => Outcome::Delivered { ts: None },
        Err(e) => Outcome::Internal(e.into()),
    }
}

/// The message in `reactions.get`'s answer, and how many `emoji` reactions it still has.
fn captured(answer: &Value, channel: &str, emoji: &str) -> Option<CapturedMessage> {
    let message = answer.get("message")?;
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let reactions_left = message["reactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["name"] == emoji)
        .map(|r| r["count"].as_u64().unwrap_or(0) as usize)
        .sum();
    Some(CapturedMessage {
        channel: s(&answer["channel"]).unwrap_or_else(|| channel.to_owned()),
        ts: s(&message["ts"])?,
        thread_ts: s(&message["thread_ts"]),
        author: s(&message["user"])
            .or_else(|| s(&message["bot_id"]))
            .unwrap_or_else(|| "unknown".to_owned()),
        text: s(&message["text"]).unwrap_or_default(),
        link: s(&message["permalink"]),
        reactions_left,
    })
}
