//! `[[webhook]]` in the config file: where warroom sends its signed webhooks (Standard Webhooks),
//! which event types each receives, and whether restricted incidents go to it. A webhook's secret
//! is never in the file: `secret` names the environment variable that holds it.

use super::{ConfigError, Secret, err};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every webhook event type: one per kind of timeline event. (`webhooks::event_type` names each
/// event; a test there checks it names them from this list.)
pub const EVENT_TYPES: &[&str] = &[
    "incident.declared",
    "incident.acknowledged",
    "incident.status_changed",
    "incident.severity_changed",
    "incident.role_assigned",
    "incident.update_posted",
    "incident.note",
    "incident.message_added",
    "incident.reminder_snoozed",
    "incident.escalated",
    "incident.reminder_sent",
    "incident.breach_flagged",
    "incident.authority_notified",
    "incident.resolved",
    "incident.closed",
    "incident.cancelled",
    "incident.edited",
    "incident.triage_reviewed",
    "incident.root_cause_identified",
    "incident.fix_deployed",
    "incident.corrected",
    "incident.drill_injected",
    "incident.paged",
    "incident.page_failed",
    "action.added",
    "action.done",
    "action.wont_do",
    "action.snoozed",
    "review.saved",
    "review.completed",
    "summary.drafted",
    "summary.approved",
    "summary.changes_requested",
];

/// One receiver of webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Unique; names it in `warroom webhook test NAME`, the logs and the thread.
    pub name: String,
    pub url: String,
    /// The environment variable holding its signing secret.
    pub secret_env: String,
    /// The event types it receives; `None`: every one.
    pub events: Option<Vec<String>>,
    /// Whether restricted incidents' events go to it too.
    pub restricted: bool,
}

impl WebhookConfig {
    /// Whether it receives events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.iter().any(|e| e == event_type))
    }
}

/// `[[webhook]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWebhook {
    name: String,
    url: String,
    secret: String,
    events: Option<Vec<String>>,
    restricted: Option<bool>,
}

/// The webhooks, each checked: a unique name, an http(s) URL, a secret variable's name, known
/// event types.
pub(super) fn apply(file: Vec<FileWebhook>) -> Result<Vec<WebhookConfig>, ConfigError> {
    let mut hooks: Vec<WebhookConfig> = Vec::new();
    for (i, hook) in file.into_iter().enumerate() {
        let name = hook.name.trim().to_owned();
        let key = |field: &str| format!("WARROOM_CONFIG (webhook[{i}].{field})");
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(err(
                &key("name"),
                "must be one word of letters, digits, - or _",
            ));
        }
        if hooks.iter().any(|h| h.name.eq_ignore_ascii_case(&name)) {
            return Err(err(&key("name"), format!("`{name}` names two webhooks")));
        }
        let url = hook.url.trim().to_owned();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(err(&key("url"), "must be an http:// or https:// URL"));
        }
        let secret_env = hook.secret.trim().to_owned();
        if secret_env.is_empty()
            || !secret_env
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(err(
                &key("secret"),
                "must name the environment variable holding the secret, e.g. WEBHOOK_AUDIT_SECRET (never the secret itself)",
            ));
        }
        if let Some(events) = &hook.events
            && let Some(unknown) = events.iter().find(|e| !EVENT_TYPES.contains(&e.as_str()))
        {
            return Err(err(
                &key("events"),
                format!("`{unknown}` is not an event type (see the README's list)"),
            ));
        }
        hooks.push(WebhookConfig {
            name,
            url,
            secret_env,
            events: hook.events,
            restricted: hook.restricted.unwrap_or(false),
        });
    }
    Ok(hooks)
}

/// Each webhook's secret, from the environment variable it names: required, and at least 24
/// characters (a Standard Webhooks `whsec_…` secret, or any long random string).
pub(crate) fn secrets(
    get: &impl Fn(&str) -> Option<String>,
    webhooks: &[WebhookConfig],
) -> Result<BTreeMap<String, Secret>, ConfigError> {
    webhooks
        .iter()
        .map(|hook| {
            let secret = get(&hook.secret_env).ok_or_else(|| {
                err(
                    &hook.secret_env,
                    format!(
                        "is required: webhook `{}` names it as its secret",
                        hook.name
                    ),
                )
            })?;
            if secret.len() < 24 {
                return Err(err(
                    &hook.secret_env,
                    format!(
                        "is too short for webhook `{}`'s secret: use at least 24 random characters",
                        hook.name
                    ),
                ));
            }
            Ok((hook.name.clone(), Secret::new(secret)))
        })
        .collect()
}
