//! Sending one webhook, rendered and signed when it is sent (see `webhooks`), and telling the
//! incident's thread about one given up on.

use super::deliver::{Outcome, incident_of};
use crate::{
    delivery::{Delivery, Post},
    incident::Event,
    outward,
    state::AppState,
    store::outbox::OutboxRow,
    webhooks::{self, signed_headers},
};
use chrono::{DateTime, Utc};

/// Sends the webhook of `row` (about `event`, by `actor`, `at`) to the webhook named `name`.
pub(super) async fn send(
    state: &AppState,
    row: &OutboxRow,
    name: &str,
    (event, actor, at): (&Event, &str, DateTime<Utc>),
) -> Outcome {
    let Some(hook) = state
        .config
        .process
        .webhooks
        .iter()
        .find(|h| h.name == name)
    else {
        return Outcome::Dropped("the webhook is no longer configured");
    };
    let Some(secret) = state.config.webhook_secrets.get(name) else {
        return Outcome::Dropped("the webhook has no secret");
    };
    let incident = match incident_of(state, row).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return Outcome::Dropped("a webhook that names no incident"),
        Err(outcome) => return outcome,
    };
    let text = webhooks::body(&incident, event, actor, at).to_string();
    let id = message_id(row.id);
    let timestamp = state.clock.now().timestamp();
    let headers = signed_headers(&id, timestamp, &text, secret.expose());
    let service = format!("webhook {name}");
    let call = outward::Call {
        service: &service,
        timeout: state.config.process.integrations_timeout,
    };
    match outward::post_json(call, &hook.url, &headers, text).await {
        Ok(_) => Outcome::Delivered { ts: None },
        Err(failure) => Outcome::Failed(failure),
    }
}

/// The `webhook-id` of the message an outbox row carries.
pub(crate) fn message_id(outbox_id: i64) -> String {
    format!("msg_{outbox_id}")
}

/// A webhook given up on: said in the incident's thread.
pub(super) async fn undelivered(state: &AppState, row: &OutboxRow, why: &str) {
    let Ok(Delivery::Webhook { webhook, event, .. }) =
        serde_json::from_value::<Delivery>(row.payload.clone())
    else {
        return;
    };
    let post = Post::WebhookUndelivered {
        webhook,
        event_type: webhooks::event_type(&event),
        why: why.to_owned(),
    };
    super::deliver::tell_thread(state, row, post).await;
}
