//! A fake Slack Web API on loopback: records every call, keeps a ledger of posted messages (with
//! their metadata, so warroom's look-ups after ambiguous failures work), and injects faults —
//! 429 with `Retry-After`, 5xx, permanent `ok:false` errors, slowness, and "accepted, but the
//! answer arrives too late".

use axum::{
    Router,
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Map, Value, json};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// What to do to the next call of a method.
#[derive(Clone, Debug)]
pub enum Fault {
    /// HTTP 429 with `Retry-After`; the call is not processed.
    RateLimited { retry_after_secs: u64 },
    /// That HTTP status; the call is not processed.
    ServerError(u16),
    /// HTTP 200 `{"ok":false,"error":CODE}`; the call is not processed.
    SlackError(String),
    /// The call is processed at once, but its answer is sent only after the delay.
    SlowAccept(Duration),
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub status: u16,
    pub received_at: Instant,
    pub response_name: Option<String>,
}

/// A message in the ledger.
#[derive(Clone, Debug)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub metadata: Option<Value>,
    pub reply_broadcast: bool,
    pub updates: usize,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    faults: HashMap<String, VecDeque<Fault>>,
    delays: HashMap<String, Duration>,
    messages: Vec<Message>,
    next_ts: u64,
    next_view: u64,
    rate_limited_until: HashMap<String, Instant>,
    violations: usize,
}

/// The fake; clones share one server.
#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Mutex<Inner>>,
    base: String,
}

impl FakeSlack {
    /// Starts serving on 127.0.0.1 at a free port.
    pub async fn start() -> FakeSlack {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/api/{method}", post(api).get(api))
            .route("/response/{name}", post(response_url))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeSlack { inner, base }
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.base)
    }

    pub fn response_url(&self, name: &str) -> String {
        format!("{}/response/{name}", self.base)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Waits until `n` calls to `method` have been answered.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Call> {
        let start = Instant::now();
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= n {
                return calls;
            }
            if start.elapsed() > timeout {
                let seen: Vec<String> = self
                    .calls()
                    .iter()
                    .map(|c| format!("{} {}", c.method, c.status))
                    .collect();
                panic!(
                    "waited {timeout:?} for {n} calls to {method}, got {}; calls seen: {seen:?}",
                    calls.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn push_fault(&self, method: &str, fault: Fault) {
        self.lock()
            .faults
            .entry(method.to_owned())
            .or_default()
            .push_back(fault);
    }

    pub fn set_delay(&self, method: &str, delay: Duration) {
        self.lock().delays.insert(method.to_owned(), delay);
    }

    pub fn messages(&self) -> Vec<Message> {
        self.lock().messages.clone()
    }

    pub fn retry_after_violations(&self) -> usize {
        self.lock().violations
    }
}

type Shared = Arc<Mutex<Inner>>;

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// JSON bodies as they are; form bodies and query strings as objects of strings.
fn parse_params(content_type: Option<&str>, body: &[u8], query: Option<&str>) -> Value {
    if content_type.is_some_and(|c| c.starts_with("application/json")) {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let mut params = Map::new();
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let query: Vec<(String, String)> = query
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    for (k, v) in form.into_iter().chain(query) {
        params.insert(k, Value::String(v));
    }
    Value::Object(params)
}

async fn api(
    State(inner): State<Shared>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = header_str(&headers, header::CONTENT_TYPE);
    let params = parse_params(content_type.as_deref(), &body, query.as_deref());
    let path = format!(
        "/api/{method}{}",
        query.map(|q| format!("?{q}")).unwrap_or_default()
    );
    let call = Call {
        method: method.clone(),
        path,
        body: params.clone(),
        authorization: header_str(&headers, header::AUTHORIZATION),
        content_type,
        status: 0,
        received_at: Instant::now(),
        response_name: None,
    };
    handle(inner, call, |state, params| process(state, &method, params)).await
}

async fn response_url(
    State(inner): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = header_str(&headers, header::CONTENT_TYPE);
    let call = Call {
        method: "response_url".to_owned(),
        path: format!("/response/{name}"),
        body: parse_params(content_type.as_deref(), &body, None),
        authorization: header_str(&headers, header::AUTHORIZATION),
        content_type,
        status: 0,
        received_at: Instant::now(),
        response_name: Some(name),
    };
    handle(inner, call, |_, _| (StatusCode::OK, "ok".to_owned())).await
}

/// Records the call, applies delay and fault, processes, answers.
async fn handle(
    inner: Shared,
    mut call: Call,
    process: impl FnOnce(&mut Inner, &Value) -> (StatusCode, String),
) -> Response {
    let method = call.method.clone();
    let delay = {
        let mut state = inner.lock().unwrap();
        let limited = state
            .rate_limited_until
            .get(&method)
            .or_else(|| state.rate_limited_until.get("*"));
        if limited.is_some_and(|until| Instant::now() < *until) {
            state.violations += 1;
        }
        state.delays.get(&method).copied().unwrap_or_default()
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let answer = {
        let mut state = inner.lock().unwrap();
        let fault = state.faults.get_mut(&method).and_then(VecDeque::pop_front);
        match fault {
            Some(Fault::RateLimited { retry_after_secs }) => {
                let until = Instant::now() + Duration::from_secs(retry_after_secs);
                state.rate_limited_until.insert(method.clone(), until);
                let body = json!({"ok": false, "error": "ratelimited"}).to_string();
                Answer {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    body,
                    retry_after: Some(retry_after_secs),
                    late: None,
                }
            }
            Some(Fault::ServerError(code)) => Answer::now(
                StatusCode::from_u16(code).unwrap(),
                "upstream error".to_owned(),
            ),
            Some(Fault::SlackError(code)) => Answer::now(
                StatusCode::OK,
                json!({"ok": false, "error": code}).to_string(),
            ),
            Some(Fault::SlowAccept(wait)) => {
                let (status, body) = process(&mut state, &call.body);
                Answer {
                    late: Some(wait),
                    ..Answer::now(status, body)
                }
            }
            None => {
                let (status, body) = process(&mut state, &call.body);
                Answer::now(status, body)
            }
        }
    };
    call.status = answer.status.as_u16();
    inner.lock().unwrap().calls.push(call);
    if let Some(wait) = answer.late {
        tokio::time::sleep(wait).await;
    }
    let mut response = (
        answer.status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        answer.body,
    )
        .into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.to_string().parse().unwrap());
    }
    response
}

/// How the fake answers one call.
struct Answer {
    status: StatusCode,
    body: String,
    retry_after: Option<u64>,
    /// Sent only after this delay (the call itself was processed at once).
    late: Option<Duration>,
}

impl Answer {
    fn now(status: StatusCode, body: String) -> Self {
        Answer {
            status,
            body,
            retry_after: None,
            late: None,
        }
    }
}

fn str_param(params: &Value, key: &str) -> Option<String> {
    match params.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn message_json(m: &Message, with_metadata: bool) -> Value {
    let mut v = json!({ "type": "message", "ts": m.ts, "text": m.text });
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
    }
    if with_metadata && let Some(meta) = &m.metadata {
        v["metadata"] = meta.clone();
    }
    v
}

/// A message timestamp like Slack's: the current time, unique and increasing.
fn next_ts(state: &mut Inner) -> String {
    state.next_ts += 1;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!("{secs}.{:06}", state.next_ts)
}

fn process(state: &mut Inner, method: &str, params: &Value) -> (StatusCode, String) {
    let ok = |v: Value| (StatusCode::OK, v.to_string());
    let err = |code: &str| {
        (
            StatusCode::OK,
            json!({"ok": false, "error": code}).to_string(),
        )
    };
    match method {
        "chat.postMessage" => {
            let Some(channel) = str_param(params, "channel") else {
                return err("channel_not_found");
            };
            let text = str_param(params, "text");
            let blocks = params.get("blocks").cloned();
            if text.is_none() && blocks.is_none() {
                return err("no_text");
            }
            let ts = next_ts(state);
            let metadata = params.get("metadata").cloned();
            let message = Message {
                channel: channel.clone(),
                ts: ts.clone(),
                thread_ts: str_param(params, "thread_ts"),
                text: text.clone(),
                blocks,
                metadata: metadata.clone(),
                reply_broadcast: params
                    .get("reply_broadcast")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                updates: 0,
            };
            state.messages.push(message);
            ok(
                json!({ "ok": true, "channel": channel, "ts": ts, "message": { "text": text, "ts": ts, "metadata": metadata } }),
            )
        }
        "chat.update" => {
            let (channel, ts) = (
                str_param(params, "channel").unwrap_or_default(),
                str_param(params, "ts").unwrap_or_default(),
            );
            let Some(m) = state
                .messages
                .iter_mut()
                .find(|m| m.channel == channel && m.ts == ts)
            else {
                return err("message_not_found");
            };
            m.text = str_param(params, "text");
            m.blocks = params.get("blocks").cloned();
            m.updates += 1;
            ok(json!({ "ok": true, "channel": channel, "ts": ts, "text": m.text }))
        }
        "chat.postEphemeral" => ok(json!({ "ok": true, "message_ts": next_ts(state) })),
        "views.open" | "views.update" | "views.push" => {
            state.next_view += 1;
            let mut view = params.get("view").cloned().unwrap_or(json!({}));
            view["id"] = json!(format!("V{:04}", state.next_view));
            view["hash"] = json!(format!("h{}", state.next_view));
            ok(json!({ "ok": true, "view": view }))
        }
        "conversations.history" => {
            let channel = str_param(params, "channel").unwrap_or_default();
            let oldest: f64 = str_param(params, "oldest")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0.0);
            let with_meta = str_param(params, "include_all_metadata").as_deref() == Some("true");
            let messages: Vec<Value> = state
                .messages
                .iter()
                .rev()
                .filter(|m| m.channel == channel && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
                .filter(|m| m.ts.parse::<f64>().unwrap_or(0.0) > oldest)
                .map(|m| message_json(m, with_meta))
                .collect();
            ok(json!({ "ok": true, "messages": messages, "has_more": false }))
        }
        "conversations.replies" => {
            let (channel, ts) = (
                str_param(params, "channel").unwrap_or_default(),
                str_param(params, "ts").unwrap_or_default(),
            );
            let with_meta = str_param(params, "include_all_metadata").as_deref() == Some("true");
            let thread: Vec<Value> = state
                .messages
                .iter()
                .filter(|m| {
                    m.channel == channel
                        && (m.ts == ts || m.thread_ts.as_deref() == Some(ts.as_str()))
                })
                .map(|m| message_json(m, with_meta))
                .collect();
            if thread.is_empty() {
                return err("thread_not_found");
            }
            ok(json!({ "ok": true, "messages": thread, "has_more": false }))
        }
        "auth.test" => {
            ok(json!({ "ok": true, "user_id": "UBOT", "team_id": "T1", "bot_id": "B1" }))
        }
        _ => ok(json!({ "ok": true })),
    }
}
