//! `@warroom …` in a channel → a pointer to `/incident help`, in the mention's thread. Events API
//! retries carry the same `event_id`, so the reply is sent once however often Slack delivers it.

use crate::{
    context::Context,
    delivery::{ChannelPost, Delivery},
    store::{self, StoreError, outbox::NewOutbox},
};

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
pub async fn run(state: &Context, mention: Mention) -> Result<(), StoreError> {
    let row = NewOutbox::standalone(Delivery::ChannelPost {
        thread_ts: Some(mention.thread_ts.unwrap_or(mention.ts)),
        channel: mention.channel,
        post: ChannelPost::MentionHelp,
    });
    let key = format!("event:{}", mention.event_id);
    state
        .deadline
        .run(store::requests::insert_request_key_with_outbox(
            &state.pool,
            &key,
            &[row],
        ))
        .await?;
    Ok(())
}
