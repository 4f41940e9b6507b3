//! `warroom webhook test NAME`: sends the configured webhook NAME a signed ping, exactly as its
//! events are signed, and says what the receiver answered — so an operator can check the URL and
//! the secret before an incident depends on them. Needs only the config file and the webhook's
//! secret variable.

use crate::{
    config::{ConfigError, ProcessConfig, webhook_secrets},
    outward, webhooks,
};
use chrono::{DateTime, Utc};

/// `warroom webhook`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub command: WebhookCommand,
}

/// What to do with a webhook.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum WebhookCommand {
    /// Send the webhook NAME (a `[[webhook]]` of the config file) a signed `webhook.test` ping
    /// and print its answer; exits non-zero unless it answers 2xx.
    Test { name: String },
}

/// Why a ping could not be sent or was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PingError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("there is no webhook `{name}` in the config file (configured: {known})")]
    Unknown { name: String, known: String },
    #[error("webhook `{name}`: {why}")]
    Failed { name: String, why: String },
}

/// Sends the ping (`webhook-id` `msg_test_<time>`) and returns what the receiver answered.
pub async fn ping(
    process: &ProcessConfig,
    get: impl Fn(&str) -> Option<String>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, PingError> {
    let Some(hook) = process.webhooks.iter().find(|h| h.name == name) else {
        let known: Vec<&str> = process.webhooks.iter().map(|h| h.name.as_str()).collect();
        return Err(PingError::Unknown {
            name: name.to_owned(),
            known: if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            },
        });
    };
    let secrets = webhook_secrets(&get, std::slice::from_ref(hook))?;
    let secret = secrets
        .get(name)
        .expect("the secret of the webhook just read");
    let body = webhooks::ping(name, now).to_string();
    let id = format!("msg_test_{}", now.timestamp_millis());
    let headers = webhooks::signed_headers(&id, now.timestamp(), &body, secret.expose());
    let service = format!("webhook {name}");
    let call = outward::Call {
        service: &service,
        timeout: process.integrations_timeout,
    };
    match outward::post_json(call, &hook.url, &headers, body).await {
        Ok(answer) => Ok(format!(
            "webhook `{name}` ({}) answered HTTP {}{}",
            hook.url,
            answer.status,
            if answer.body.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", outward::truncate(answer.body.trim(), 500))
            }
        )),
        Err(failure) => Err(PingError::Failed {
            name: name.to_owned(),
            why: failure.to_string(),
        }),
    }
}
