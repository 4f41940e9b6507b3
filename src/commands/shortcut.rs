//! The "Add to incident timeline" message shortcut.
//!
//! ```text
//! on a message in an incident's thread (or on its card) → added to that incident's timeline
//! on any other message                                  → a form to pick the open incident
//! ```
//! The entry keeps the message's author, its original time and a link to it; adding the same
//! message twice adds it once.

use super::{
    Reply,
    change::{self, ChangeOutcome},
    forms::{FormRequest, Input, MessageAction},
};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{IncidentId, lifecycle::Change},
    store,
};

/// What the shortcut adds to a timeline, and the key that makes adding it twice add it once.
trait TimelineMessage {
    fn change(&self) -> Change;
    fn key(&self, id: &IncidentId) -> String;
}

impl TimelineMessage for MessageAction {
    fn change(&self) -> Change {
        Change::AddMessage {
            author: self.author.clone(),
            posted_at: self.posted_at(),
            text: self.text.clone(),
            link: self.link.clone(),
        }
    }

    fn key(&self, id: &IncidentId) -> String {
        format!(
            "timeline_message:{id}:{}:{}",
            self.channel_id, self.message_ts
        )
    }
}

/// The shortcut was used on a message.
pub async fn on_message(state: &Context, action: MessageAction) -> Reply {
    let anchor = action
        .thread_ts
        .clone()
        .unwrap_or_else(|| action.message_ts.clone());
    let found = state
        .deadline
        .run(store::incidents::find_incident_by_message(
            &state.pool,
            &action.channel_id,
            &anchor,
        ))
        .await;
    match found {
        Ok(Some(incident)) => {
            let outcome = change::apply(
                state,
                &incident.id,
                action.change(),
                &action.user_id,
                Some(&action.key(&incident.id)),
            )
            .await;
            let id = incident.id.to_string();
            Reply::Say(match outcome {
                Ok(ChangeOutcome::Applied) => Answer::AddedToTimeline { id },
                Ok(ChangeOutcome::Duplicate | ChangeOutcome::NoOp) => {
                    Answer::AlreadyOnTimeline { id }
                }
                Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
                Ok(ChangeOutcome::NotFound) => Answer::not_found(&incident.id),
                Err(e) => super::store_failure(state, e),
            })
        }
        Ok(None) => {
            let mut open = match state
                .deadline
                .run(store::incidents::find_open(&state.pool, 100, true))
                .await
            {
                Ok(open) => open,
                Err(e) => return Reply::Say(super::store_failure(state, e)),
            };
            // The picker names no restricted incident unless the message is in their channel.
            let in_restricted = in_restricted_channel(state, &action);
            open.retain(|i| in_restricted || !i.restricted);
            Reply::Open(FormRequest::PickIncident {
                open,
                message: Box::new(action),
            })
        }
        Err(e) => Reply::Say(super::store_failure(state, e)),
    }
}

/// Whether the message is in the restricted channel, whose members alone see restricted
/// incidents.
fn in_restricted_channel(state: &Context, action: &MessageAction) -> bool {
    state.config.process.restricted.channel.as_deref() == Some(action.channel_id.as_str())
}

/// The incident picker was submitted, naming `incident` for `message`.
pub async fn on_pick(
    state: &Context,
    user: &str,
    incident: Option<&str>,
    message: Option<&MessageAction>,
) -> Reply {
    let Some(action) = message else {
        return Reply::Ack;
    };
    let Some(id) = incident.and_then(IncidentId::parse) else {
        return Reply::FieldErrors(vec![(Input::Incident, "Choose an incident.".to_owned())]);
    };
    let at = |text: String| Reply::FieldErrors(vec![(Input::Incident, text)]);
    if !in_restricted_channel(state, action) {
        let restricted = state
            .deadline
            .run(store::incidents::find_restricted(&state.pool, &id))
            .await;
        if let Ok(Some(true)) = restricted {
            return at(format!(
                "{id} is a restricted incident: add messages to it from its own channel."
            ));
        }
    }
    match change::apply(state, &id, action.change(), user, Some(&action.key(&id))).await {
        Ok(ChangeOutcome::Refused(refusal)) => at(refusal.to_string()),
        Ok(ChangeOutcome::NotFound) => at(format!("{id} no longer exists.")),
        Ok(_) => Reply::Ack,
        Err(e) => {
            let _ = super::store_failure(state, e);
            at("warroom cannot reach its database right now. Submit again in a moment.".to_owned())
        }
    }
}
