//! Signed webhooks: which timeline events go to which configured receiver, and the JSON body
//! each receives (schema version 1, described by `docs/webhooks.schema.json`). Each event is
//! queued for each receiver in the outbox, in the transaction of the change that recorded it, and
//! sent, rendered and signed, by the delivery workers (`worker::webhook`). Restricted incidents' events go only to
//! webhooks marked `restricted = true`; a drill's say `"drill": true`.

use crate::{
    config::Config,
    delivery::Delivery,
    incident::{Event, Incident},
    store::outbox::NewOutbox,
};
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The body's schema version; a change a receiver could trip over gets a new one.
pub const SCHEMA_VERSION: u32 = 1;

/// The webhook event type of `event`: `incident.*`, `action.*`, `review.*` or `summary.*`.
pub fn event_type(event: &Event) -> String {
    type_of_kind(event.kind())
}

/// The webhook event type of a stored timeline `kind`.
fn type_of_kind(kind: &str) -> String {
    for family in ["action", "review", "summary"] {
        if let Some(rest) = kind.strip_prefix(family).and_then(|r| r.strip_prefix('_')) {
            return format!("{family}.{rest}");
        }
    }
    format!("incident.{kind}")
}

/// The outbox rows sending `event` (recorded `at`, caused by `actor`, about `incident` as it is
/// after the event) to every webhook that wants it.
pub fn rows(
    config: &Config,
    incident: &Incident,
    event: &Event,
    actor: &str,
    at: DateTime<Utc>,
) -> Vec<NewOutbox> {
    let hooks = &config.process.webhooks;
    if hooks.is_empty() {
        return Vec::new();
    }
    let kind = event_type(event);
    let wanted: Vec<&str> = hooks
        .iter()
        .filter(|h| h.wants(&kind) && (h.restricted || !incident.restricted))
        .map(|h| h.name.as_str())
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    wanted
        .into_iter()
        .map(|webhook| {
            NewOutbox::standalone(Delivery::Webhook {
                webhook: webhook.to_owned(),
                event: event.clone(),
                actor: actor.to_owned(),
                at,
            })
        })
        .collect()
}

/// The body of one event, with `incident` as it is now.
pub fn body(incident: &Incident, event: &Event, actor: &str, at: DateTime<Utc>) -> Value {
    json!({
        "type": event_type(event),
        "schema_version": SCHEMA_VERSION,
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "drill": incident.drill,
        "actor": actor,
        "incident": {
            "id": incident.id.to_string(),
            "title": incident.title.as_str(),
            "severity": incident.severity.name().as_str(),
            "status": incident.status.as_str(),
            "type": incident.incident_type,
            "restricted": incident.restricted,
            "declared_at": incident.declared_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "declared_by": incident.declared_by,
            "channel": incident.channel_id,
        },
        "data": event.details(),
    })
}

/// The three Standard Webhooks headers (<https://www.standardwebhooks.com/>) for `body`:
/// `webhook-id` (the same on every retry of a message, so a receiver can drop repeats),
/// `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature: v1,<base64 of
/// HMAC-SHA256 over "{id}.{timestamp}.{body}">`. A `whsec_…` secret is base64 after its prefix,
/// as Standard Webhooks issues them; any other secret is used as its bytes.
pub fn signed_headers(
    id: &str,
    timestamp: i64,
    body: &str,
    secret: &str,
) -> Vec<(&'static str, String)> {
    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap_or_else(|_| secret.as_bytes().to_vec()),
        None => secret.as_bytes().to_vec(),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", format!("v1,{signature}")),
    ]
}

/// The body of `warroom webhook test`'s ping.
pub fn ping(webhook: &str, at: DateTime<Utc>) -> Value {
    json!({
        "type": "webhook.test",
        "schema_version": SCHEMA_VERSION,
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "webhook": webhook,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WEBHOOK_EVENT_TYPES;

    #[test]
    fn every_event_kind_has_a_listed_webhook_type() {
        // One name per stored kind: the list in the config is what `events` may name.
        let kinds = [
            "declared",
            "acknowledged",
            "status_changed",
            "severity_changed",
            "role_assigned",
            "update_posted",
            "note",
            "message_added",
            "reminder_snoozed",
            "escalated",
            "reminder_sent",
            "breach_flagged",
            "authority_notified",
            "resolved",
            "closed",
            "cancelled",
            "edited",
            "triage_reviewed",
            "root_cause_identified",
            "fix_deployed",
            "corrected",
            "action_added",
            "action_done",
            "action_wont_do",
            "action_snoozed",
            "review_saved",
            "review_completed",
            "summary_drafted",
            "summary_approved",
            "summary_changes_requested",
            "drill_injected",
            "paged",
            "page_failed",
        ];
        assert_eq!(kinds.len(), WEBHOOK_EVENT_TYPES.len());
        for kind in kinds {
            let named = type_of_kind(kind);
            assert!(
                WEBHOOK_EVENT_TYPES.contains(&named.as_str()),
                "{kind} → {named}"
            );
        }
        let note = Event::Note { text: "x".into() };
        assert_eq!(event_type(&note), "incident.note");
    }

    #[test]
    fn the_signature_is_standard_webhooks_own_example() {
        // The example of the Standard Webhooks specification and its reference libraries.
        let headers = signed_headers(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        );
        assert_eq!(
            headers[2],
            (
                "webhook-signature",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned()
            )
        );
        assert_eq!(headers[0].1, "msg_p5jXN8AQM9LWM0D4loKWxJek");
        assert_eq!(headers[1].1, "1614265330");
    }
}
