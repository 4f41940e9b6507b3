//! `@warroom …` in a channel → a pointer to `/incident help`, in the mention's thread. Events API
//! retries carry the same `event_id`, so the reply is sent once however often Slack delivers it.

use crate::{
    app::AppState,
    slack::blocks,
    store::{
        self, StoreError,
        outbox::{NewOutbox, OutboxKind},
    },
};
use serde_json::json;

/// A mention of the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub event_id: String,
    pub channel: String,
    /// The mention's own ts; the reply goes in its thread.
    pub ts: String,
    pub thread_ts: Option<String>,
}

/// Queues the reply unless this event was handled before.
pub async fn run(state: &AppState, mention: Mention) -> Result<(), StoreError> {
    let message = blocks::notice(
        "Hi! Type `/incident declare sev2 <title>` to declare an incident, or `/incident help` for everything I can do.",
    );
    let mut payload = message.to_json();
    payload["channel"] = json!(mention.channel);
    payload["thread_ts"] = json!(mention.thread_ts.unwrap_or(mention.ts));
    let row = NewOutbox {
        kind: OutboxKind::Post,
        method: "chat.postMessage",
        pace_key: Some(mention.channel),
        priority: 300,
        payload,
    };
    let key = format!("event:{}", mention.event_id);
    store::within(
        state.config.process.request_deadline,
        store::requests::insert_request_key_with_outbox(&state.pool, &key, &[row]),
    )
    .await?;
    Ok(())
}
