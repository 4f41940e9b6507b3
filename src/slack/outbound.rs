//! The one caller of Slack's Web API (and of `response_url`s). Each answer is classified as
//! success, rate-limited (with Slack's `Retry-After`), transient (5xx, timeouts, resets — marked
//! ambiguous when Slack may have acted on the request) or permanent (never retried).

use crate::{config::Secret, metrics::Metrics};
use serde_json::Value;
use std::{sync::Arc, time::Duration};

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackFailure {
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    #[error("transient failure: {reason}")]
    Transient {
        reason: String,
        /// Slack may have acted on the request (a post may exist).
        ambiguous: bool,
    },
    #[error("permanent error: {0}")]
    Permanent(String),
}

/// Error codes that retrying cannot fix.
const PERMANENT: &[&str] = &[
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "missing_scope",
    "no_permission",
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "msg_blocks_too_long",
    "no_text",
    "too_many_attachments",
    "cant_update_message",
    "message_not_found",
    "edit_window_closed",
    "invalid_arguments",
    "invalid_arg_name",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "restricted_action",
    "restricted_action_read_only_channel",
    "team_access_not_granted",
    "ekm_access_denied",
    "view_too_large",
    "expired_trigger_id",
    "exchanged_trigger_id",
    "invalid_trigger_id",
    "user_not_in_channel",
    "thread_not_found",
    "channel_is_archived",
    "method_deprecated",
    "deprecated_endpoint",
    "two_factor_setup_required",
    "org_login_required",
    "access_denied",
    "user_not_found",
    "no_such_subteam",
    "used_url",
    "expired_url",
];

/// Error codes that say Slack did not act and may succeed later.
const TRANSIENT: &[&str] = &[
    "ratelimited",
    "rate_limited",
    "internal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
];

/// A Web API client with the bot token.
#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: Secret,
    /// The app-level token, in Socket Mode.
    app_token: Option<Secret>,
    /// Where every successful call is counted. Failures are counted per outbox delivery by the
    /// outbox worker, which decides what happens next.
    metrics: Arc<Metrics>,
}

impl SlackApi {
    /// A client for `base` (e.g. `https://slack.com/api`) whose calls give up after `timeout`
    /// and whose successes are counted in `metrics`.
    pub fn new(base: &str, token: Secret, timeout: Duration, metrics: Arc<Metrics>) -> Self {
        // TLS uses ring; installing it twice is harmless (the second attempt is refused).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client configuration is valid");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
            app_token: None,
            metrics,
        }
    }

    /// The same client, also holding the app-level token Socket Mode connects with.
    pub fn with_app_token(self, app_token: Option<Secret>) -> Self {
        Self { app_token, ..self }
    }

    /// A fresh, single-use Socket Mode URL (`apps.connections.open`, with the app-level token).
    #[tracing::instrument(skip_all)]
    pub async fn open_socket_url(&self) -> Result<String, SlackFailure> {
        let Some(app_token) = &self.app_token else {
            return Err(SlackFailure::Permanent("no app-level token".to_owned()));
        };
        let request = self
            .http
            .post(format!("{}/apps.connections.open", self.base))
            .bearer_auth(app_token.expose());
        let request = request.header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
        let answer = self.counted(answer(request.send().await).await)?;
        answer
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| SlackFailure::Permanent("no url in the answer".to_owned()))
    }

    /// POSTs a JSON body to a Web API method.
    #[tracing::instrument(skip_all, fields(slack.method = method))]
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, SlackFailure> {
        // The body is serialized here rather than with `.json()`, which sets a Content-Type of
        // its own: one header, with the charset Slack asks JSON posts to name.
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body.to_string());
        self.counted(answer(request.send().await).await)
    }

    /// Calls a read method with query parameters (GET), as Slack's read methods expect.
    #[tracing::instrument(skip_all, fields(slack.method = method))]
    pub async fn get(&self, method: &str, query: &[(&str, &str)]) -> Result<Value, SlackFailure> {
        let request = self
            .http
            .get(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose())
            .query(query);
        self.counted(answer(request.send().await).await)
    }

    /// POSTs form fields to a Web API method that takes them (`files.getUploadURLExternal`).
    #[tracing::instrument(skip_all, fields(slack.method = method))]
    pub async fn post_form(
        &self,
        method: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, SlackFailure> {
        self.form(method, form, Some(&self.token)).await
    }

    /// POSTs form fields without the bot token: for `openid.connect.token`, whose credentials
    /// (the app's client id and secret) are in the form.
    #[tracing::instrument(skip_all, fields(slack.method = method))]
    pub async fn post_form_as_app(
        &self,
        method: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, SlackFailure> {
        self.form(method, form, None).await
    }

    async fn form(
        &self,
        method: &str,
        form: &[(&str, &str)],
        token: Option<&Secret>,
    ) -> Result<Value, SlackFailure> {
        let body = serde_urlencoded::to_string(form).unwrap_or_default();
        let mut request = self.http.post(format!("{}/{method}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        let request = request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.counted(answer(request.send().await).await)
    }

    /// Sends a file's bytes to the upload URL `files.getUploadURLExternal` handed out (the URL is
    /// the credential, so no token goes with them).
    #[tracing::instrument(skip_all, fields(upload.bytes = bytes.len()))]
    pub async fn upload(&self, upload_url: &str, bytes: Vec<u8>) -> Result<(), SlackFailure> {
        let sent = self
            .http
            .post(upload_url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .send()
            .await;
        let response = sent.map_err(transport_failure)?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return self.counted(Ok(()));
        }
        classify_status(status, None, &text).map(|_| ())
    }

    /// POSTs a message to a `response_url` (no token: the URL is the credential).
    #[tracing::instrument(skip_all)]
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackFailure> {
        let sent = self.http.post(response_url).json(body).send().await;
        let response = sent.map_err(transport_failure)?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            return self.counted(Ok(()));
        }
        classify_status(status, None, &text).map(|_| ())
    }

    /// Counts `result` in `slack_calls_ok` when it is a success, and passes it on.
    fn counted<T>(&self, result: Result<T, SlackFailure>) -> Result<T, SlackFailure> {
        if result.is_ok() {
            Metrics::inc(&self.metrics.slack_calls_ok);
        }
        result
    }
}

async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Value, SlackFailure> {
    let response = sent.map_err(transport_failure)?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = response.text().await.map_err(transport_failure)?;
    if !status.is_success() {
        return classify_status(status, retry_after, &text);
    }
    let value: Value = serde_json::from_str(&text).map_err(|_| SlackFailure::Transient {
        reason: "unreadable answer".into(),
        ambiguous: true,
    })?;
    if value.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(value);
    }
    let code = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error")
        .to_owned();
    Err(classify_code(code, retry_after))
}

fn classify_status(
    status: reqwest::StatusCode,
    retry_after: Option<u64>,
    body: &str,
) -> Result<Value, SlackFailure> {
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(SlackFailure::RateLimited(Duration::from_secs(
            retry_after.unwrap_or(30).max(1),
        )));
    }
    if status.is_server_error() {
        return Err(SlackFailure::Transient {
            reason: format!("HTTP {}", status.as_u16()),
            ambiguous: true,
        });
    }
    let code = body.trim();
    if code.len() <= 64
        && !code.is_empty()
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Err(classify_code(code.to_owned(), retry_after));
    }
    Err(SlackFailure::Permanent(format!("HTTP {}", status.as_u16())))
}

fn classify_code(code: String, retry_after: Option<u64>) -> SlackFailure {
    if code == "ratelimited" || code == "rate_limited" {
        return SlackFailure::RateLimited(Duration::from_secs(retry_after.unwrap_or(30).max(1)));
    }
    if code == "fatal_error" {
        // Slack documents that part of the operation may have happened.
        return SlackFailure::Transient {
            reason: code,
            ambiguous: true,
        };
    }
    if TRANSIENT.contains(&code.as_str()) {
        return SlackFailure::Transient {
            reason: code,
            ambiguous: false,
        };
    }
    if !PERMANENT.contains(&code.as_str()) {
        tracing::warn!(slack.error = %code, "unrecognised Slack error code; not retrying");
    }
    SlackFailure::Permanent(code)
}

fn transport_failure(e: reqwest::Error) -> SlackFailure {
    // A failed connect never reached Slack; anything later may have been acted upon.
    let ambiguous = !e.is_connect();
    let reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "connection failed".to_owned()
    };
    SlackFailure::Transient { reason, ambiguous }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_classified() {
        assert_eq!(
            classify_code("channel_not_found".into(), None),
            SlackFailure::Permanent("channel_not_found".into())
        );
        assert_eq!(
            classify_code("ratelimited".into(), Some(7)),
            SlackFailure::RateLimited(Duration::from_secs(7))
        );
        assert!(matches!(
            classify_code("fatal_error".into(), None),
            SlackFailure::Transient {
                ambiguous: true,
                ..
            }
        ));
        assert!(matches!(
            classify_code("internal_error".into(), None),
            SlackFailure::Transient {
                ambiguous: false,
                ..
            }
        ));
        assert!(matches!(
            classify_code("brand_new_code".into(), None),
            SlackFailure::Permanent(_)
        ));
    }

    #[test]
    fn http_statuses_are_classified() {
        let s = |n| reqwest::StatusCode::from_u16(n).unwrap();
        assert_eq!(
            classify_status(s(429), Some(3), ""),
            Err(SlackFailure::RateLimited(Duration::from_secs(3)))
        );
        assert!(matches!(
            classify_status(s(503), None, ""),
            Err(SlackFailure::Transient {
                ambiguous: true,
                ..
            })
        ));
        assert_eq!(
            classify_status(s(404), None, "expired_url"),
            Err(SlackFailure::Permanent("expired_url".into()))
        );
        assert_eq!(
            classify_status(s(400), None, "<html>"),
            Err(SlackFailure::Permanent("HTTP 400".into()))
        );
    }
}
