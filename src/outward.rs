//! Calls to services other than Slack (PagerDuty, webhook receivers): one HTTP client, and each
//! answer classified as Slack's are, so the outbox retries them the same way — accepted, rate
//! limited (after `Retry-After`), worth retrying (a 5xx, a timeout; ambiguous when the service
//! may have acted), or refused for good (any other 4xx).

use crate::slack::outbound::SlackFailure;
use serde_json::Value;
use std::{sync::OnceLock, time::Duration};

/// How long to wait after a 429 that names no wait.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client configuration is valid")
    })
}

/// An accepted call: its status and its body.
#[derive(Debug)]
pub struct Accepted {
    pub status: u16,
    pub body: String,
}

/// One call: which service it goes to (named in what a failure says), and how long it may take
/// (`[integrations] timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub service: &'a str,
    pub timeout: Duration,
}

/// POSTs `body` (JSON text) to `url` with `headers`.
pub async fn post_json(
    call: Call<'_>,
    url: &str,
    headers: &[(&str, String)],
    body: String,
) -> Result<Accepted, SlackFailure> {
    send_json(call, reqwest::Method::POST, url, headers, body).await
}

/// Sends `body` (JSON text) to `url` with `method` and `headers`; a body of `None` sends none
/// (a `GET`).
pub async fn send_json(
    call: Call<'_>,
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, String)],
    body: impl Into<Option<String>>,
) -> Result<Accepted, SlackFailure> {
    let Call { service, timeout } = call;
    let mut request = client().request(method, url).timeout(timeout);
    if let Some(body) = body.into() {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.map_err(|e| SlackFailure::Transient {
        reason: if e.is_timeout() {
            format!("{service} did not answer in time")
        } else if e.is_connect() {
            format!("could not connect to {service}")
        } else {
            format!("the connection to {service} failed")
        },
        ambiguous: !e.is_connect(),
    })?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = response.text().await.unwrap_or_default();
    if status.is_success() {
        return Ok(Accepted {
            status: status.as_u16(),
            body: text,
        });
    }
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(SlackFailure::RateLimited(
            retry_after.map_or(RATE_LIMIT_WAIT, |s| Duration::from_secs(s.max(1))),
        ));
    }
    if status.is_server_error() {
        return Err(SlackFailure::Transient {
            reason: format!("{service} answered HTTP {}", status.as_u16()),
            ambiguous: true,
        });
    }
    Err(SlackFailure::Permanent(format!(
        "{service} refused it (HTTP {}): {}",
        status.as_u16(),
        explanation(&text)
    )))
}

/// What a refusal says: a JSON `message` (with its `errors`, as PagerDuty gives them), or the
/// start of the body.
fn explanation(text: &str) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        let message = v.get("message")?.as_str()?.to_owned();
        let errors: Vec<String> = v
            .get("errors")
            .and_then(Value::as_array)
            .map(|e| {
                e.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Some(if errors.is_empty() {
            message
        } else {
            format!("{message}: {}", errors.join("; "))
        })
    });
    let said = from_json.unwrap_or_else(|| text.trim().to_owned());
    if said.is_empty() {
        "no explanation".to_owned()
    } else {
        truncate(&said, 300)
    }
}

/// `text` cut to at most `max` bytes on a character boundary, marked with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_within_its_limit_on_a_character_boundary() {
        let long = "é".repeat(2000);
        let cut = truncate(&long, 1024);
        assert!(cut.len() <= 1024, "{}", cut.len());
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short", 1024), "short");
    }

    #[test]
    fn a_refusal_says_what_the_service_said() {
        let pagerduty = r#"{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}"#;
        assert_eq!(
            explanation(pagerduty),
            "Event object is invalid: Invalid routing key"
        );
        assert_eq!(explanation("gone\n"), "gone");
        assert_eq!(explanation(""), "no explanation");
    }
}
