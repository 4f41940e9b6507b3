//! Outbox rows written before deliveries were typed carry a ready-made Slack call. Rows still
//! pending when warroom is upgraded are delivered as they were written, so an upgrade in the
//! middle of an incident loses no post.

use super::deliver::{
    Attempt, Outcome, already_posted, declare_link, incident_of, metadata, post_card,
    post_in_thread, post_message, update_card,
};
use crate::{delivery::Recipient, incident::Incident, state::AppState, store::outbox::OutboxRow};
use serde_json::Value;

/// Delivers a row in the shape an earlier version wrote.
pub(super) async fn deliver(state: &AppState, row: &OutboxRow) -> Outcome {
    let incident = match incident_of(state, row).await {
        Ok(incident) => incident,
        Err(outcome) => return outcome,
    };
    deliver_as_written(state, row, incident.as_ref())
        .await
        .unwrap_or_else(|outcome| outcome)
}

async fn deliver_as_written(
    state: &AppState,
    row: &OutboxRow,
    incident: Option<&Incident>,
) -> Attempt {
    let text = |key: &str| {
        row.payload
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match (row.kind.as_str(), incident) {
        ("post_card", Some(incident)) => post_card(state, row, incident).await,
        ("update_card", Some(incident)) => update_card(state, incident).await,
        ("thread_reply", Some(incident)) => {
            let mut body = row.payload.clone();
            if let Some(fields) = body.as_object_mut()
                && let Some(deadline) = fields.remove("only_if_next_update_due_at")
            {
                let armed: Option<chrono::DateTime<chrono::Utc>> =
                    serde_json::from_value(deadline).ok();
                if !incident.status.is_open()
                    || armed.is_none()
                    || incident.next_update_due_at != armed
                {
                    return Ok(Outcome::Superseded);
                }
            }
            post_in_thread(state, row, incident, body).await
        }
        ("declare_link", Some(incident)) => {
            let to = Recipient {
                user: text("user").unwrap_or_default(),
                channel: text("channel"),
                response_url: text("response_url"),
            };
            declare_link(state, &to, incident).await
        }
        ("respond", _) => {
            let Some(url) = text("response_url") else {
                return Ok(Outcome::Dropped("no response_url"));
            };
            state.slack.respond(&url, &row.payload["body"]).await?;
            Ok(Outcome::Delivered { ts: None })
        }
        ("ephemeral", _) => {
            state.slack.call("chat.postEphemeral", &row.payload).await?;
            Ok(Outcome::Delivered { ts: None })
        }
        ("post", _) => {
            let Some(channel) = text("channel") else {
                return Ok(Outcome::Dropped("no channel"));
            };
            let thread = text("thread_ts");
            if let Some(ts) = already_posted(state, row, &channel, thread.as_deref()).await? {
                return Ok(Outcome::Delivered { ts: Some(ts) });
            }
            let mut body = row.payload.clone();
            body["metadata"] = metadata(row);
            post_message(state, row, &body).await
        }
        (_, None) if row.incident_id.is_some() => Ok(Outcome::Dropped("incident not found")),
        _ => Ok(Outcome::Dropped("unknown outbox kind")),
    }
}
