//! Capture by reaction: the configured emoji (📌 `pushpin` by default) on a message in an
//! incident's thread adds it to the incident's timeline exactly as the "Add to incident timeline"
//! shortcut does — author, original time, link — once per message however many people react, and
//! taking the last such reaction off adds a correction, never a deletion.
//!
//! A reaction event names only the message's channel and `ts`, so the message itself is read from
//! Slack by the delivery workers (`worker::capture`), which then hand it to [`apply`].

use super::{
    change::{self, ChangeOutcome},
    forms::slack_time,
};
use crate::{
    context::Context,
    delivery::Delivery,
    incident::{
        Event, IncidentId,
        event::{Recorded, Stored},
        lifecycle::Change,
    },
    store::{self, StoreError, outbox::NewOutbox},
};
use chrono::{DateTime, Utc};

/// A reaction added to (or taken off) a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub event_id: String,
    pub user: String,
    /// The emoji's name, without colons.
    pub name: String,
    pub channel: String,
    pub ts: String,
    pub added: bool,
}

/// Queues reading the message when the reaction is the capture emoji, unless this event was
/// handled before.
pub async fn run(state: &Context, reaction: Reaction) -> Result<(), StoreError> {
    if reaction.name != state.config.process.capture_reaction {
        return Ok(());
    }
    let row = NewOutbox::standalone(Delivery::Capture {
        channel: reaction.channel,
        ts: reaction.ts,
        by: reaction.user,
        added: reaction.added,
    });
    let key = format!("event:{}", reaction.event_id);
    let rows = [row];
    let queued = store::requests::insert_request_key_with_outbox(&state.pool, &key, &rows);
    state.deadline.run(queued).await?;
    Ok(())
}

/// The message a capture reaction is on, as Slack gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedMessage {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub author: String,
    pub text: String,
    pub link: Option<String>,
    /// How many capture reactions it still carries.
    pub reactions_left: usize,
}

impl CapturedMessage {
    fn posted_at(&self) -> DateTime<Utc> {
        slack_time(&self.ts)
    }
}

/// Adds `message` to its incident's timeline (`added`), or corrects its entry once nobody's
/// capture reaction is left on it. A message outside every incident's thread is left alone.
pub async fn apply(
    state: &Context,
    message: &CapturedMessage,
    by: &str,
    added: bool,
) -> Result<(), StoreError> {
    let anchor = message.thread_ts.as_deref().unwrap_or(&message.ts);
    let find = store::incidents::find_incident_by_message(&state.pool, &message.channel, anchor);
    let Some(incident) = state.deadline.run(find).await? else {
        return Ok(());
    };
    let id = incident.id;
    // The shortcut's key too: a message added either way is added once.
    let key = format!("timeline_message:{id}:{}:{}", message.channel, message.ts);
    if added {
        let change = Change::AddMessage {
            author: message.author.clone(),
            posted_at: message.posted_at(),
            text: message.text.clone(),
            link: message.link.clone(),
        };
        log(
            change::apply(state, &id, change, by, Some(&key)).await?,
            &id,
        );
        return Ok(());
    }
    if message.reactions_left > 0 {
        return Ok(());
    }
    let timeline = store::timeline::find_timeline(&state.pool, &id, i64::from(u32::MAX));
    let (entries, _) = state.deadline.run(timeline).await?;
    let posted_at = message.posted_at();
    let captured = entries.into_iter().rev().find(|e| {
        matches!(&e.event, Stored::Known(Event::MessageAdded { author, posted_at: at, .. })
            if *author == message.author && *at == posted_at)
    });
    let Some(Recorded {
        number: entry,
        event: target,
        ..
    }) = captured
    else {
        return Ok(());
    };
    let change = Change::Correct {
        entry,
        target: Some(Box::new(target)),
        text: format!(
            "taken off the timeline: the :{}: on this message was removed by <@{by}>",
            state.config.process.capture_reaction
        ),
    };
    let key = format!("{key}:removed:{entry}");
    log(
        change::apply(state, &id, change, by, Some(&key)).await?,
        &id,
    );
    Ok(())
}

fn log(outcome: ChangeOutcome, id: &IncidentId) {
    if let ChangeOutcome::Refused(why) = outcome {
        tracing::info!(incident.id = %id, reason = %why, "a captured message was not recorded");
    }
}
