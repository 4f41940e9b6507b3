//! A fake Slack Web API on loopback for the integration tests.
//!
//! It records every request, keeps a ledger of the messages it accepted (with their metadata, so
//! warroom's "did that post land after all?" look-ups see what real Slack would show), and
//! injects faults per method: 429 with `Retry-After`, 5xx, permanent `ok:false` errors, slowness,
//! and "accepted, but the answer came too late". A request with more than one `Content-Type`
//! header is refused with 400, whatever the faults.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{self, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::task::AbortHandle;

/// The method name under which `POST /response/{name}` calls are recorded, faulted and delayed.
const RESPONSE_URL: &str = "response_url";
/// How often [`FakeSlack::wait_for_calls`] looks again.
const POLL: Duration = Duration::from_millis(20);

/// What to do to one call of a method instead of (or on top of) answering it normally.
#[derive(Clone, Debug)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: N` and `{"ok":false,"error":"ratelimited"}`; not processed.
    RateLimited { retry_after_secs: u64 },
    /// That HTTP status with the body `upstream error`; not processed.
    ServerError(u16),
    /// HTTP 200 `{"ok":false,"error":CODE}`; not processed.
    SlackError(String),
    /// Processed at once (a post lands in the ledger), but answered only after the delay: Slack
    /// did the work and the caller never learned of it in time.
    SlowAccept(Duration),
    /// Processed at once, then the connection breaks before the answer is complete.
    Reset,
}

/// Random faults for a long run: each Web API write (and response-url post) rolls once.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FaultMix {
    pub rate_limited: f64,
    pub server_error: f64,
    pub slow_accept: f64,
    pub slow_accept_ms: u64,
    pub reset: f64,
    pub permanent: f64,
    pub retry_after_secs: u64,
}

impl FaultMix {
    fn roll(&self, method: &str) -> Option<Fault> {
        if !matches!(
            method,
            "chat.postMessage" | "chat.update" | "chat.postEphemeral" | RESPONSE_URL
        ) {
            return None;
        }
        let mut x: f64 = rand::random();
        let choices = [
            (
                self.rate_limited,
                Fault::RateLimited {
                    retry_after_secs: self.retry_after_secs.max(1),
                },
            ),
            (self.server_error, Fault::ServerError(503)),
            (
                self.slow_accept,
                Fault::SlowAccept(Duration::from_millis(self.slow_accept_ms)),
            ),
            (self.reset, Fault::Reset),
            (
                self.permanent,
                Fault::SlackError("channel_not_found".to_owned()),
            ),
        ];
        for (p, fault) in choices {
            if x < p {
                return Some(fault);
            }
            x -= p;
        }
        None
    }
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    /// The Web API method, or `"response_url"` for `POST /response/{name}`.
    pub method: String,
    /// The request path with its query string.
    pub path: String,
    /// The JSON body; a form body, or a GET's query string, as an object of strings.
    pub body: Value,
    pub authorization: Option<String>,
    /// The first `Content-Type` header.
    pub content_type: Option<String>,
    /// How many `Content-Type` headers the request carried; more than one is refused with 400.
    pub content_types: usize,
    /// The HTTP status the fake answered (or, for a [`Fault::SlowAccept`], will answer) with.
    pub status: u16,
    pub received_at: Instant,
    /// `NAME` for a `POST /response/NAME`.
    pub response_name: Option<String>,
}

/// A message the fake accepted through `chat.postMessage`.
#[derive(Clone, Debug)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub metadata: Option<Value>,
    pub reply_broadcast: bool,
    /// How many `chat.update` calls changed it.
    pub updates: usize,
    /// When it was accepted, in milliseconds since the Unix epoch.
    pub accepted_at_ms: u128,
}

/// A file uploaded through Slack's external upload flow: asked for, sent, then shared.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub id: String,
    pub filename: String,
    /// The length announced when the upload URL was asked for.
    pub length: usize,
    /// What was sent to the upload URL.
    pub bytes: Vec<u8>,
    pub title: Option<String>,
    /// Where `files.completeUploadExternal` shared it: the channel and thread.
    pub shared_in: Option<(String, Option<String>)>,
}

/// The fake server; clones share it, and it stops when the last clone is dropped.
#[derive(Clone)]
pub struct FakeSlack {
    addr: SocketAddr,
    state: Shared,
    // Kept apart from `state`: the server's handlers hold `state` too, so its count never
    // reaches zero while the server runs.
    _server: Arc<ServerTask>,
}

type Shared = Arc<Mutex<State>>;

/// Aborts the server task when dropped.
struct ServerTask(AbortHandle);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl FakeSlack {
    /// Serves on a free loopback port until the last clone is dropped.
    pub async fn start() -> FakeSlack {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves on `addr` until the last clone is dropped.
    pub async fn start_on(addr: SocketAddr) -> FakeSlack {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the fake Slack to a loopback port");
        let addr = listener.local_addr().expect("the fake Slack's address");
        let state = Shared::default();
        lock(&state).base = format!("http://{addr}");
        let app = Router::new()
            .route("/api/{method}", get(receive).post(receive))
            .route("/response/{name}", post(receive))
            .route("/upload/{file}", post(upload))
            .route("/_ledger", get(ledger_json))
            .route("/_stats", get(stats_json))
            .route("/_faults", post(set_faults))
            .route("/openid/connect/keys", get(openid_keys))
            .route("/openid/connect/authorize", get(openid_authorize))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the fake Slack stopped serving");
        });
        FakeSlack {
            addr,
            state,
            _server: Arc::new(ServerTask(task.abort_handle())),
        }
    }

    /// The Web API base URL, without a trailing slash.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// A `response_url` whose posts are recorded under `name`.
    pub fn response_url(&self, name: &str) -> String {
        format!("http://{}/response/{name}", self.addr)
    }

    /// Every view the fake opened, pushed or updated, as it answered (with its `id`), in order.
    pub fn views(&self) -> Vec<Value> {
        self.state().answered_views.clone()
    }

    /// Every call so far, in arrival order.
    ///
    /// A call shows up once the fake has decided how to answer it, so whatever it did to the
    /// ledger is already visible; calls still held by [`FakeSlack::set_delay`] do not.
    pub fn calls(&self) -> Vec<Call> {
        let state = self.state();
        state
            .calls
            .iter()
            .filter(|c| c.status != 0)
            .cloned()
            .collect()
    }

    /// How many calls to `method` have arrived, those still held by a delay included.
    pub fn arrived(&self, method: &str) -> usize {
        self.state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .count()
    }

    /// The calls to one method (`"response_url"` for response-url posts), in arrival order.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits for at least `n` calls to `method` and returns them all.
    ///
    /// # Panics
    /// If they have not arrived within `timeout`, naming every call that did.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Call> {
        // Wall-clock, not tokio's clock: the calls come over real sockets.
        let deadline = Instant::now() + timeout;
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= n {
                return calls;
            }
            if Instant::now() >= deadline {
                let seen: Vec<String> = self
                    .state()
                    .calls
                    .iter()
                    .map(|c| match c.status {
                        0 => format!("{} (no answer yet)", c.method),
                        status => format!("{} ({status})", c.method),
                    })
                    .collect();
                panic!(
                    "expected {n} call(s) to {method} within {timeout:?} but got {}; calls seen: [{}]",
                    calls.len(),
                    seen.join(", ")
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Queues a fault for `method`; each call to it takes the oldest queued fault, if any.
    ///
    /// # Panics
    /// If a [`Fault::ServerError`] does not carry a valid HTTP status.
    pub fn push_fault(&self, method: &str, fault: Fault) {
        if let Fault::ServerError(status) = fault {
            assert!(
                StatusCode::from_u16(status).is_ok(),
                "{status} is not an HTTP status"
            );
        }
        self.state()
            .faults
            .entry(method.to_owned())
            .or_default()
            .push_back(fault);
    }

    /// Holds every call to `method` for `delay` before it is looked at; `Duration::ZERO` clears.
    pub fn set_delay(&self, method: &str, delay: Duration) {
        let mut state = self.state();
        if delay.is_zero() {
            state.delays.remove(method);
        } else {
            state.delays.insert(method.to_owned(), delay);
        }
    }

    /// The messages accepted so far, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.state().ledger.clone()
    }

    /// The messages accepted after the first `skip`: for a caller that follows a long ledger.
    pub fn messages_after(&self, skip: usize) -> Vec<Message> {
        self.state().ledger.iter().skip(skip).cloned().collect()
    }

    /// The base of Slack's OpenID pages (`SLACK_OPENID_URL`): `/openid/connect/authorize` and
    /// `/openid/connect/keys`.
    pub fn openid_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `jwks` at `GET /openid/connect/keys`.
    pub fn set_jwks(&self, jwks: Value) {
        self.state().jwks = jwks;
    }

    /// The query of every visit to the authorize page, in order.
    pub fn authorizations(&self) -> Vec<Value> {
        self.state().authorizations.clone()
    }

    /// Answers every call to `method` (not otherwise modelled) with `body`.
    pub fn set_answer(&self, method: &str, body: Value) {
        self.state().answers.insert(method.to_owned(), body);
    }

    /// Rolls random faults on every Web API write from now on.
    pub fn set_fault_mix(&self, mix: FaultMix) {
        self.state().mix = mix;
    }

    /// Refuses (429) posts into a channel that come sooner than `pace` after the previous one.
    pub fn enforce_channel_pace(&self, pace: Duration) {
        self.state().channel_pace = pace;
    }

    /// Posts refused for coming too soon into their channel.
    pub fn pace_violations(&self) -> usize {
        self.state().pace_violations
    }

    /// Forgets the faults still queued for `method`.
    pub fn clear_faults(&self, method: &str) {
        self.state().faults.remove(method);
    }

    /// How many calls arrived while a `Retry-After` the fake had given still ran.
    pub fn retry_after_violations(&self) -> usize {
        self.state().violations
    }

    /// Every file upload begun, in order, with what was sent and where it was shared.
    pub fn uploads(&self) -> Vec<Upload> {
        self.state().uploads.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

#[derive(Default)]
struct State {
    /// In arrival order, including calls still held by a delay (status 0 until decided).
    calls: Vec<Call>,
    ledger: Vec<Message>,
    faults: HashMap<String, VecDeque<Fault>>,
    delays: HashMap<String, Duration>,
    /// When the last `Retry-After` given for each method runs out.
    retry_until: HashMap<String, Instant>,
    violations: usize,
    /// The seconds and counter of the last ts handed out.
    ts_secs: u64,
    ts_counter: u32,
    views: u64,
    /// Every view opened, pushed or updated, as answered (with the id Slack gave it).
    answered_views: Vec<Value>,
    /// Fixed answers set with `set_answer`.
    answers: HashMap<String, Value>,
    /// What `GET /openid/connect/keys` serves.
    jwks: Value,
    /// The query of each visit to `GET /openid/connect/authorize`, in order.
    authorizations: Vec<Value>,
    mix: FaultMix,
    /// With a pace set, a post into a channel sooner than this after the last one is refused.
    channel_pace: Duration,
    last_post: HashMap<String, Instant>,
    pace_violations: usize,
    /// `http://ADDR`, for the upload URLs it hands out.
    base: String,
    uploads: Vec<Upload>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A test that panicked while looking at the fake must not make every later look panic too.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `GET /_ledger`: every accepted message, for a process that runs the fake on its own.
async fn ledger_json(extract::State(state): extract::State<Shared>) -> Json<Value> {
    let state = lock(&state);
    Json(state.ledger.iter().map(|m| json!({
        "channel": m.channel, "ts": m.ts, "thread_ts": m.thread_ts, "text": m.text, "metadata": m.metadata,
        "reply_broadcast": m.reply_broadcast, "updates": m.updates, "accepted_at_ms": m.accepted_at_ms as u64,
    })).collect())
}

/// `GET /_stats`: call counts, rule violations and what the ledger shows about pace and duplicates.
async fn stats_json(extract::State(state): extract::State<Shared>) -> Json<Value> {
    let state = lock(&state);
    let mut by_method: HashMap<&str, usize> = HashMap::new();
    let mut by_status: HashMap<u16, usize> = HashMap::new();
    for call in &state.calls {
        *by_method.entry(call.method.as_str()).or_default() += 1;
        *by_status.entry(call.status).or_default() += 1;
    }
    let mut per_outbox: HashMap<String, usize> = HashMap::new();
    let mut per_channel: HashMap<&str, Vec<u128>> = HashMap::new();
    for m in &state.ledger {
        if let Some(id) = m
            .metadata
            .as_ref()
            .and_then(|md| md.get("event_payload"))
            .and_then(|p| p.get("outbox_id"))
        {
            *per_outbox.entry(id.to_string()).or_default() += 1;
        }
        per_channel
            .entry(m.channel.as_str())
            .or_default()
            .push(m.accepted_at_ms);
    }
    // The most posts any channel received in a 5-second window.
    let busiest = per_channel
        .values_mut()
        .map(|times| {
            times.sort_unstable();
            (0..times.len())
                .map(|i| {
                    times[i..]
                        .iter()
                        .take_while(|t| **t < times[i] + 5000)
                        .count()
                })
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    Json(json!({
        "calls_by_method": by_method,
        "status_counts": by_status.iter().map(|(k, v)| (k.to_string(), *v)).collect::<HashMap<_, _>>(),
        "retry_after_violations": state.violations,
        "pace_violations": state.pace_violations,
        "max_posts_per_channel_in_any_5s_window": busiest,
        "duplicates_by_outbox_id": per_outbox.values().filter(|n| **n > 1).count(),
        "messages": state.ledger.len(),
    }))
}

/// `POST /_faults`: replaces the random fault mix.
async fn set_faults(
    extract::State(state): extract::State<Shared>,
    Json(mix): Json<FaultMix>,
) -> StatusCode {
    lock(&state).mix = mix;
    StatusCode::NO_CONTENT
}

/// Slack's keys, as set by the test.
async fn openid_keys(extract::State(state): extract::State<Shared>) -> Json<Value> {
    Json(lock(&state).jwks.clone())
}

/// Slack's authorize page, as if the person had agreed at once: back to `redirect_uri` with a
/// code and the state.
async fn openid_authorize(extract::State(state): extract::State<Shared>, uri: Uri) -> Response {
    let query = parse_params(None, &[], uri.query());
    let mut state = lock(&state);
    state.authorizations.push(query.clone());
    let code = format!("code-{}", state.authorizations.len());
    let back = format!(
        "{}?{}",
        query["redirect_uri"].as_str().unwrap_or_default(),
        serde_urlencoded::to_string([
            ("code", code.as_str()),
            ("state", query["state"].as_str().unwrap_or_default()),
        ])
        .unwrap()
    );
    (StatusCode::FOUND, [(header::LOCATION, back)]).into_response()
}

/// Both routes: `/api/{method}` is a Web API call, `/response/{name}` a response-url post.
async fn receive(
    extract::State(state): extract::State<Shared>,
    Path(segment): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (method, response_name) = if uri.path().starts_with("/response/") {
        (RESPONSE_URL.to_owned(), Some(segment))
    } else {
        (segment, None)
    };
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = text(header::CONTENT_TYPE);
    let content_types = headers.get_all(header::CONTENT_TYPE).iter().count();
    let call = Call {
        method,
        path: uri
            .path_and_query()
            .map_or(uri.path(), |p| p.as_str())
            .to_owned(),
        body: parse_params(content_type.as_deref(), &body, uri.query()),
        authorization: text(header::AUTHORIZATION),
        content_type,
        content_types,
        status: 0,
        received_at: Instant::now(),
        response_name,
    };
    if content_types > 1 {
        // Which one would a server believe? Refuse rather than guess, and never process it.
        let status = StatusCode::BAD_REQUEST;
        lock(&state).calls.push(Call {
            status: status.as_u16(),
            ..call
        });
        return (status, "more than one Content-Type header").into_response();
    }
    // Slack finishes what it received even when the caller has gone (a replica killed or
    // stalled mid-call), so the work runs on its own task rather than in this handler.
    tokio::spawn(answer(state, call))
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `POST /upload/{file}`: the bytes of a file whose upload URL the fake handed out.
async fn upload(
    extract::State(state): extract::State<Shared>,
    Path(file): Path<String>,
    uri: Uri,
    body: Bytes,
) -> StatusCode {
    let mut state = lock(&state);
    let status = match state.uploads.iter_mut().find(|u| u.id == file) {
        Some(upload) => {
            upload.bytes = body.to_vec();
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    };
    state.calls.push(Call {
        method: "file_upload".to_owned(),
        path: uri.path().to_owned(),
        body: json!({ "bytes": body.len() }),
        authorization: None,
        content_type: None,
        content_types: 0,
        status: status.as_u16(),
        received_at: Instant::now(),
        response_name: None,
    });
    status
}

/// Records the call, holds it for the method's delay, then applies a queued fault or processes it.
async fn answer(state: Shared, call: Call) -> Response {
    let method = call.method.clone();
    let params = call.body.clone();
    let (index, delay) = {
        let mut state = lock(&state);
        if state.breaks_retry_after(&method, call.received_at) {
            state.violations += 1;
        }
        let delay = state.delays.get(&method).copied().unwrap_or_default();
        state.calls.push(call);
        (state.calls.len() - 1, delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (response, answer_after) = {
        let mut state = lock(&state);
        let queued = state.faults.get_mut(&method).and_then(VecDeque::pop_front);
        let fault = queued
            .or_else(|| state.mix.roll(&method))
            .or_else(|| state.pace_fault(&method, &params));
        let (response, answer_after) = match fault {
            Some(Fault::RateLimited { retry_after_secs }) => {
                let until = Instant::now() + Duration::from_secs(retry_after_secs);
                state.retry_until.insert(method.clone(), until);
                (rate_limited(retry_after_secs), None)
            }
            Some(Fault::ServerError(status)) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                ((status, "upstream error").into_response(), None)
            }
            Some(Fault::SlackError(code)) => (Json(slack_error(&code)).into_response(), None),
            Some(Fault::SlowAccept(wait)) => (state.process(&method, &params), Some(wait)),
            Some(Fault::Reset) => {
                let _ = state.process(&method, &params);
                (broken_answer(), None)
            }
            None => (state.process(&method, &params), None),
        };
        state.calls[index].status = response.status().as_u16();
        (response, answer_after)
    };
    if let Some(wait) = answer_after {
        tokio::time::sleep(wait).await;
    }
    response
}

/// An answer whose body fails half-way: the client sees the connection break.
fn broken_answer() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection reset"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_LENGTH, "64")
        .body(axum::body::Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn rate_limited(retry_after_secs: u64) -> Response {
    let retry_after = [(header::RETRY_AFTER, retry_after_secs.to_string())];
    (
        StatusCode::TOO_MANY_REQUESTS,
        retry_after,
        Json(slack_error("ratelimited")),
    )
        .into_response()
}

fn slack_error(code: &str) -> Value {
    json!({ "ok": false, "error": code })
}

impl State {
    /// A 429 for a post that comes too soon after the previous one into its channel.
    fn pace_fault(&mut self, method: &str, params: &Value) -> Option<Fault> {
        if method != "chat.postMessage" || self.channel_pace.is_zero() {
            return None;
        }
        let channel = text_param(params, "channel")?;
        let now = Instant::now();
        if self
            .last_post
            .get(&channel)
            .is_some_and(|last| now.duration_since(*last) < self.channel_pace)
        {
            self.pace_violations += 1;
            return Some(Fault::RateLimited {
                retry_after_secs: 1,
            });
        }
        self.last_post.insert(channel, now);
        None
    }

    /// Whether a call to `method` arriving `at` ignores a `Retry-After` the fake gave.
    fn breaks_retry_after(&self, method: &str, at: Instant) -> bool {
        let held = |m: &str| self.retry_until.get(m).is_some_and(|until| at < *until);
        // A rate-limited chat.postMessage holds back every Web API call, not just more posts;
        // response URLs are not the Web API and are not counted.
        held(method) || (method != RESPONSE_URL && held("chat.postMessage"))
    }

    fn process(&mut self, method: &str, params: &Value) -> Response {
        let body = match method {
            RESPONSE_URL => return (StatusCode::OK, "ok").into_response(),
            "chat.postMessage" => self.post_message(params),
            "chat.update" => self.update_message(params),
            "chat.postEphemeral" => json!({ "ok": true, "message_ts": self.next_ts() }),
            "views.open" | "views.update" | "views.push" => self.view(method, params),
            "conversations.history" => self.history(params),
            "conversations.replies" => self.replies(params),
            "files.getUploadURLExternal" => self.upload_url(params),
            "files.completeUploadExternal" => self.complete_upload(params),
            "auth.test" => {
                json!({ "ok": true, "user_id": "UBOT", "team_id": "T1", "bot_id": "B1" })
            }
            other => self
                .answers
                .get(other)
                .cloned()
                .unwrap_or_else(|| json!({ "ok": true })),
        };
        Json(body).into_response()
    }

    fn post_message(&mut self, params: &Value) -> Value {
        let Some(channel) = text_param(params, "channel") else {
            return slack_error("channel_not_found");
        };
        let text = text_param(params, "text");
        let blocks = json_param(params, "blocks");
        if text.is_none() && blocks.is_none() {
            return slack_error("no_text");
        }
        let ts = self.next_ts();
        let metadata = json_param(params, "metadata");
        let answer = json!({
            "ok": true,
            "channel": channel,
            "ts": ts,
            "message": { "text": text, "ts": ts, "metadata": metadata },
        });
        self.ledger.push(Message {
            channel,
            ts,
            thread_ts: text_param(params, "thread_ts"),
            text,
            blocks,
            metadata,
            reply_broadcast: flag_param(params, "reply_broadcast"),
            updates: 0,
            accepted_at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis(),
        });
        answer
    }

    /// The first step of an upload: a URL to send the file's bytes to.
    fn upload_url(&mut self, params: &Value) -> Value {
        let (Some(filename), Some(length)) = (
            text_param(params, "filename"),
            text_param(params, "length").and_then(|l| l.parse::<usize>().ok()),
        ) else {
            return slack_error("invalid_arguments");
        };
        let id = format!("F{:04}", self.uploads.len() + 1);
        let upload_url = format!("{}/upload/{id}", self.base);
        self.uploads.push(Upload {
            id: id.clone(),
            filename,
            length,
            ..Upload::default()
        });
        json!({ "ok": true, "upload_url": upload_url, "file_id": id })
    }

    /// The last step: the uploaded files shared into a channel (and thread), with a comment.
    fn complete_upload(&mut self, params: &Value) -> Value {
        let Some(Value::Array(files)) = json_param(params, "files") else {
            return slack_error("invalid_arguments");
        };
        let channel = text_param(params, "channel_id");
        let thread_ts = text_param(params, "thread_ts");
        let mut shared = Vec::new();
        for file in &files {
            let id = file["id"].as_str().unwrap_or_default();
            let Some(upload) = self.uploads.iter_mut().find(|u| u.id == id) else {
                return slack_error("file_not_found");
            };
            if upload.bytes.len() != upload.length {
                return slack_error("file_upload_size_mismatch");
            }
            upload.title = file["title"].as_str().map(str::to_owned);
            upload.shared_in = channel.clone().map(|c| (c, thread_ts.clone()));
            shared.push(json!({ "id": id, "title": upload.title }));
        }
        if let Some(channel) = channel {
            let ts = self.next_ts();
            self.ledger.push(Message {
                channel,
                ts,
                thread_ts,
                text: text_param(params, "initial_comment"),
                blocks: None,
                metadata: None,
                reply_broadcast: false,
                updates: 0,
                accepted_at_ms: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis(),
            });
        }
        json!({ "ok": true, "files": shared })
    }

    fn update_message(&mut self, params: &Value) -> Value {
        let (channel, ts) = (text_param(params, "channel"), text_param(params, "ts"));
        let found = self
            .ledger
            .iter_mut()
            .find(|m| Some(&m.channel) == channel.as_ref() && Some(&m.ts) == ts.as_ref());
        let Some(message) = found else {
            return slack_error("message_not_found");
        };
        if let Some(text) = text_param(params, "text") {
            message.text = Some(text);
        }
        if let Some(blocks) = json_param(params, "blocks") {
            message.blocks = Some(blocks);
        }
        if let Some(metadata) = json_param(params, "metadata") {
            message.metadata = Some(metadata);
        }
        message.updates += 1;
        json!({ "ok": true, "channel": message.channel, "ts": message.ts, "text": message.text })
    }

    fn view(&mut self, method: &str, params: &Value) -> Value {
        self.views += 1;
        // An updated view keeps its id, as in Slack; opened and pushed views get a new one.
        let id = text_param(params, "view_id")
            .filter(|_| method == "views.update")
            .unwrap_or_else(|| format!("V{:04}", self.views));
        let mut view = match json_param(params, "view") {
            Some(Value::Object(view)) => view,
            _ => serde_json::Map::new(),
        };
        view.insert("id".to_owned(), json!(id));
        view.insert("hash".to_owned(), json!(format!("h{}", self.views)));
        self.answered_views.push(Value::Object(view.clone()));
        json!({ "ok": true, "view": view })
    }

    /// Top-level messages of a channel, newest first, a page at a time as Slack pages them:
    /// at most `limit` (default 100, at most 999) and a `next_cursor` while more remain.
    fn history(&self, params: &Value) -> Value {
        let Some(channel) = text_param(params, "channel") else {
            return slack_error("channel_not_found");
        };
        let oldest = text_param(params, "oldest").and_then(|o| o.parse::<f64>().ok());
        let with_metadata = flag_param(params, "include_all_metadata");
        let messages: Vec<Value> = self
            .ledger
            .iter()
            .rev()
            .filter(|m| m.channel == channel && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
            .filter(|m| oldest.is_none_or(|oldest| m.ts.parse().is_ok_and(|ts: f64| ts > oldest)))
            .map(|m| message_json(m, with_metadata))
            .collect();
        page(messages, params)
    }

    /// A thread's parent and replies, oldest first, paged like `conversations.history`.
    fn replies(&self, params: &Value) -> Value {
        let (Some(channel), Some(ts)) = (text_param(params, "channel"), text_param(params, "ts"))
        else {
            return slack_error("thread_not_found");
        };
        let with_metadata = flag_param(params, "include_all_metadata");
        let messages: Vec<Value> = self
            .ledger
            .iter()
            .filter(|m| m.channel == channel && (m.ts == ts || m.thread_ts.as_ref() == Some(&ts)))
            .map(|m| message_json(m, with_metadata))
            .collect();
        if messages.is_empty() {
            return slack_error("thread_not_found");
        }
        page(messages, params)
    }

    /// A Slack-style ts: the current second and a six-digit counter, strictly increasing.
    fn next_ts(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // Never step back with the wall clock, and move to the next second rather than let the
        // counter outgrow six digits, so a later ts always compares greater (also as a float).
        self.ts_secs = self.ts_secs.max(now);
        self.ts_counter += 1;
        if self.ts_counter > 999_999 {
            self.ts_secs += 1;
            self.ts_counter = 1;
        }
        format!("{}.{:06}", self.ts_secs, self.ts_counter)
    }
}

/// One page of a listing: `cursor` is where the previous page ended.
fn page(messages: Vec<Value>, params: &Value) -> Value {
    let limit = text_param(params, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0)
        .unwrap_or(100)
        .min(999);
    let start = text_param(params, "cursor")
        .and_then(|c| {
            c.strip_prefix("page:")
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(0);
    let end = (start + limit).min(messages.len());
    let has_more = end < messages.len();
    let next = if has_more {
        format!("page:{end}")
    } else {
        String::new()
    };
    json!({
        "ok": true,
        "messages": messages.get(start..end).unwrap_or_default(),
        "has_more": has_more,
        "response_metadata": { "next_cursor": next },
    })
}

/// A message as `conversations.history` and `conversations.replies` list it.
fn message_json(message: &Message, with_metadata: bool) -> Value {
    let mut json = json!({
        "type": "message",
        "ts": message.ts,
        "text": message.text.as_deref().unwrap_or_default(),
    });
    if let Some(thread_ts) = &message.thread_ts {
        json["thread_ts"] = json!(thread_ts);
    }
    if with_metadata && let Some(metadata) = &message.metadata {
        json["metadata"] = metadata.clone();
    }
    json
}

/// A request's parameters: a JSON body as sent; a form body, or the query string when there is
/// no body (GET), as an object of strings.
fn parse_params(content_type: Option<&str>, body: &[u8], query: Option<&str>) -> Value {
    if body.is_empty() {
        return form_object(query.unwrap_or_default().as_bytes());
    }
    if content_type.is_some_and(|c| c.starts_with("application/json")) {
        // Keep an unparseable body as text, so a test can see what was sent.
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    } else {
        form_object(body)
    }
}

fn form_object(encoded: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded).unwrap_or_default();
    Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

/// A parameter as text (JSON bodies may send numbers or booleans); empty counts as absent.
fn text_param(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A structured parameter (blocks, metadata, a view), which form bodies carry as JSON text.
fn json_param(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(serde_json::from_str(s).unwrap_or_else(|_| json!(s))),
        other => Some(other.clone()),
    }
}

fn flag_param(params: &Value, key: &str) -> bool {
    match params.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        _ => false,
    }
}
