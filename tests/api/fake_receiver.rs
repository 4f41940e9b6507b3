//! A fake receiver of warroom's outward calls on loopback (PagerDuty's Events API, a webhook
//! endpoint, Statuspage's API): records every request's headers and JSON body, and answers with its default answer
//! or, while scripted answers are queued, each of them in turn (a 500, a 429 with `Retry-After`,
//! a 400 refusing the request); reads (`GET`) have answers of their own. A request can also be
//! stalled, answered only after a delay, to make warroom's call time out.

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

/// A scripted answer: status, `Retry-After` seconds, body.
pub type Answer = (u16, Option<u64>, Value);

/// One request received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query, decoded.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The body exactly as sent (signatures are over these bytes).
    pub raw: String,
    pub body: Value,
}

struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
    default: Answer,
    /// Scripted answers to reads, and the default one.
    read_script: VecDeque<Answer>,
    read_default: Answer,
    /// How long the next requests wait before they are answered, in turn.
    stalls: VecDeque<Duration>,
}

#[derive(Clone)]
pub struct FakeReceiver {
    url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeReceiver {
    /// PagerDuty's Events API v2: `POST /v2/enqueue`, answered `202 Accepted`.
    pub async fn pagerduty() -> FakeReceiver {
        let accepted = json!({ "status": "success", "message": "Event processed" });
        Self::start("/v2/enqueue", (202, None, accepted)).await
    }

    /// A webhook endpoint: `POST /hook`, answered `204 No Content`.
    pub async fn webhook() -> FakeReceiver {
        Self::start("/hook", (204, None, Value::Null)).await
    }

    /// Statuspage's REST API under `/v1`: every method and path, answered `201` with the
    /// incident `sp-incident-1`; reads (listing the page's incidents) answered with none.
    pub async fn statuspage() -> FakeReceiver {
        let created = json!({ "id": "sp-incident-1", "status": "investigating" });
        let mut fake = Self::serve(None, (201, None, created)).await;
        fake.inner.lock().unwrap().read_default = (200, None, json!([]));
        fake.url.push_str("/v1");
        fake
    }

    async fn start(path: &str, default: Answer) -> FakeReceiver {
        let mut fake = Self::serve(Some(path), default).await;
        fake.url.push_str(path);
        fake
    }

    /// Serves `path` (every path when `None`).
    async fn serve(path: Option<&str>, default: Answer) -> FakeReceiver {
        let inner = Arc::new(Mutex::new(Inner {
            received: Vec::new(),
            script: VecDeque::new(),
            default,
            read_script: VecDeque::new(),
            read_default: (404, None, json!({ "error": "not found" })),
            stalls: VecDeque::new(),
        }));
        let app = match path {
            Some(path) => Router::new().route(path, post(receive)),
            None => Router::new().fallback(receive),
        }
        .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeReceiver {
            url: format!("http://{addr}"),
            inner,
        }
    }

    /// The URL to configure.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received, answered or not, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Every request's body, oldest first.
    pub fn bodies(&self) -> Vec<Value> {
        self.received().into_iter().map(|r| r.body).collect()
    }

    /// Answers the next requests with `answers`, in turn, then the default answer again.
    pub fn script(&self, answers: Vec<Answer>) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    /// Answers the next reads (`GET`) with `answers`, in turn, then the default read answer.
    pub fn script_reads(&self, answers: Vec<Answer>) {
        self.inner.lock().unwrap().read_script.extend(answers);
    }

    /// Answers the next request only after `delay` (its answer is chosen when it arrives).
    pub fn stall(&self, delay: Duration) {
        self.inner.lock().unwrap().stalls.push_back(delay);
    }

    /// Waits until `n` requests have arrived; their bodies.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let bodies = self.bodies();
            if bodies.len() >= n {
                return bodies;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} requests, got {}: {bodies:?}",
                bodies.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let (answer, stall) = {
        let mut inner = inner.lock().unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        let query = reqwest::Url::parse(&format!("http://receiver{uri}"))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let read = method == Method::GET;
        inner.received.push(Received {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query,
            headers,
            raw,
            body,
        });
        let answer = if read {
            let default = inner.read_default.clone();
            inner.read_script.pop_front().unwrap_or(default)
        } else {
            let default = inner.default.clone();
            inner.script.pop_front().unwrap_or(default)
        };
        (answer, inner.stalls.pop_front())
    };
    if let Some(delay) = stall {
        tokio::time::sleep(delay).await;
    }
    let (status, retry_after, body) = answer;
    let status = StatusCode::from_u16(status).unwrap();
    let mut response = if body.is_null() {
        status.into_response()
    } else {
        (status, Json(body)).into_response()
    };
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", secs.to_string().parse().unwrap());
    }
    response
}
