//! Posts outside an incident's thread: the daily digest, a reply to a mention, the one-line
//! notice of a restricted incident.

use super::deliver::{Attempt, Outcome, already_posted, metadata, post_message};
use crate::{
    delivery::ChannelPost,
    slack::{blocks, reminders},
    state::AppState,
    store::{self, outbox::OutboxRow},
};
use serde_json::json;

/// Posts `post` into `channel` (in `thread_ts`, when a reply), unless an earlier, ambiguous
/// attempt already did.
pub(super) async fn channel_post(
    state: &AppState,
    row: &OutboxRow,
    channel: &str,
    thread_ts: Option<&str>,
    post: &ChannelPost,
) -> Attempt {
    if let Some(ts) = already_posted(state, row, channel, thread_ts).await? {
        return Ok(Outcome::Delivered { ts: Some(ts) });
    }
    let message = match post {
        ChannelPost::RestrictedDeclared { severity } => blocks::notice(&format!(
            ":lock: A restricted {severity} incident was declared; responders have been notified."
        )),
        ChannelPost::MentionHelp => blocks::notice(
            "Hi! Type `/incident declare sev2 <title>` to declare an incident, or `/incident help` for everything I can do.",
        ),
        ChannelPost::Digest { restricted } => {
            let mut open = store::incidents::find_open_by_severity(&state.worker_pool, 40)
                .await
                .map_err(|e| Outcome::Internal(e.into()))?;
            // Restricted incidents are in the restricted channel's digest, and only there.
            open.retain(|i| i.restricted == *restricted);
            reminders::digest(&open, state.clock.now())
        }
    };
    let mut body = message.to_json();
    body["channel"] = json!(channel);
    if let Some(ts) = thread_ts {
        body["thread_ts"] = json!(ts);
    }
    body["metadata"] = metadata(row);
    post_message(state, row, &body).await
}
