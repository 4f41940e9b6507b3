//! Posting an approved client-safe summary into the customer-facing channel. Only what the
//! public may read goes: the title, status and text, rendered by `slack::summaries`. Its message
//! metadata names the outbox row, so an ambiguous failure is looked up rather than posted twice,
//! and nothing else — no incident ID reaches a channel outside the company.

use super::deliver::{Attempt, Outcome, already_posted, post_message};
use crate::{
    incident::summaries::PublicSummary, slack::summaries, state::AppState, store::outbox::OutboxRow,
};
use serde_json::json;

/// Posts `summary` into `channel`, unless an earlier, ambiguous attempt already did.
pub(super) async fn client_summary(
    state: &AppState,
    row: &OutboxRow,
    channel: &str,
    summary: &PublicSummary,
) -> Outcome {
    post(state, row, channel, summary)
        .await
        .unwrap_or_else(|outcome| outcome)
}

async fn post(
    state: &AppState,
    row: &OutboxRow,
    channel: &str,
    summary: &PublicSummary,
) -> Attempt {
    if let Some(ts) = already_posted(state, row, channel, None).await? {
        return Ok(Outcome::Delivered { ts: Some(ts) });
    }
    let mut body = summaries::public_message(summary).to_json();
    body["channel"] = json!(channel);
    body["metadata"] = json!({
        "event_type": super::deliver::METADATA_EVENT_TYPE,
        "event_payload": { "outbox_id": row.id.to_string() },
    });
    body["unfurl_links"] = json!(false);
    body["unfurl_media"] = json!(false);
    post_message(state, row, &body).await
}
