//! The "Add to incident timeline" message shortcut.
//!
//! ```text
//! on a message in an incident's thread (or on its card) → added to that incident's timeline
//! on any other message                                  → a form to pick the open incident
//! ```
//! The entry keeps the message's author, its original time and a link to it; adding the same
//! message twice adds it once.

use super::{
    Reply, Submission,
    change::{self, ChangeOutcome},
};
use crate::{
    app::AppState,
    delivery::{Answer, Recipient},
    incident::{IncidentId, lifecycle::Change},
    slack::{blocks, modals, modals::ids},
    store,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The shortcut's callback ID in the app manifest.
pub const CALLBACK_ID: &str = "add_to_timeline";

/// The message the shortcut was used on, and who used it where.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MessageAction {
    pub user_id: String,
    pub channel_id: String,
    pub message_ts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<String>,
    pub author: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_domain: Option<String>,
    #[serde(skip)]
    pub trigger_id: Option<String>,
    #[serde(skip)]
    pub response_url: Option<String>,
}

impl MessageAction {
    fn posted_at(&self) -> DateTime<Utc> {
        let secs: f64 = self.message_ts.parse().unwrap_or(0.0);
        DateTime::from_timestamp(secs.trunc() as i64, ((secs.fract()) * 1e9) as u32)
            .unwrap_or_default()
    }

    fn change(&self) -> Change {
        Change::AddMessage {
            author: self.author.clone(),
            posted_at: self.posted_at(),
            text: self.text.clone(),
            link: blocks::message_link(
                self.team_domain.as_deref(),
                &self.channel_id,
                &self.message_ts,
            ),
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
pub async fn on_message(state: &AppState, action: MessageAction) -> Reply {
    let deadline = state.config.process.request_deadline;
    let anchor = action
        .thread_ts
        .clone()
        .unwrap_or_else(|| action.message_ts.clone());
    let found = store::within(
        deadline,
        store::incidents::find_incident_by_message(&state.pool, &action.channel_id, &anchor),
    )
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
            let answer = match outcome {
                Ok(ChangeOutcome::Applied) => Answer::AddedToTimeline { id },
                Ok(ChangeOutcome::Duplicate | ChangeOutcome::NoOp) => {
                    Answer::AlreadyOnTimeline { id }
                }
                Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
                Ok(ChangeOutcome::NotFound) => Answer::not_found(&incident.id),
                Err(e) => super::store_failure(state, e),
            };
            let to = Recipient {
                user: action.user_id.clone(),
                channel: Some(action.channel_id.clone()),
                response_url: action.response_url.clone(),
            };
            change::tell(state, to, answer).await;
            Reply::Ack
        }
        Ok(None) => {
            let open = match store::within(deadline, store::incidents::find_open(&state.pool, 100))
                .await
            {
                Ok(open) => open,
                Err(e) => return Reply::Say(super::store_failure(state, e)),
            };
            let Some(trigger_id) = &action.trigger_id else {
                return Reply::Ack;
            };
            let mut metadata = action.clone();
            // private_metadata holds 3000 characters; the text is kept short enough to fit.
            metadata.text = crate::incident::truncate_chars(&metadata.text, 1500);
            let view =
                modals::pick_incident(&open, &serde_json::to_string(&metadata).unwrap_or_default());
            if let Err(e) = state
                .slack
                .call(
                    "views.open",
                    &json!({ "trigger_id": trigger_id, "view": view }),
                )
                .await
            {
                tracing::warn!(error = %e, "could not open the incident picker");
            }
            Reply::Ack
        }
        Err(e) => Reply::Say(super::store_failure(state, e)),
    }
}

/// The incident picker was submitted.
pub async fn on_pick(state: &AppState, form: &Submission) -> Reply {
    let Some(action) = form
        .private_metadata
        .as_deref()
        .and_then(|m| serde_json::from_str::<MessageAction>(m).ok())
    else {
        return Reply::Ack;
    };
    let Some(id) = form
        .selected(ids::INCIDENT)
        .as_deref()
        .and_then(IncidentId::parse)
    else {
        return Reply::ViewErrors(vec![(
            ids::INCIDENT.to_owned(),
            "Choose an incident.".to_owned(),
        )]);
    };
    match change::apply(
        state,
        &id,
        action.change(),
        &form.user_id,
        Some(&action.key(&id)),
    )
    .await
    {
        Ok(ChangeOutcome::Refused(refusal)) => {
            Reply::ViewErrors(vec![(ids::INCIDENT.to_owned(), refusal.to_string())])
        }
        Ok(ChangeOutcome::NotFound) => Reply::ViewErrors(vec![(
            ids::INCIDENT.to_owned(),
            format!("{id} no longer exists."),
        )]),
        Ok(_) => Reply::Ack,
        Err(e) => {
            let _ = super::store_failure(state, e);
            Reply::ViewErrors(vec![(
                ids::INCIDENT.to_owned(),
                "warroom cannot reach its database right now. Submit again in a moment.".to_owned(),
            )])
        }
    }
}
