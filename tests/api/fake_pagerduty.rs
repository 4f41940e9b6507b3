//! A fake PagerDuty Events API v2 on loopback: records every event it is sent and answers
//! `202 Accepted` as PagerDuty does, or, while scripted answers are queued, each of them in turn
//! (a 500, a 429 with `Retry-After`, a 400 refusing the event).

use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::post};
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

/// A scripted answer: status, `Retry-After` seconds, body.
pub type Answer = (u16, Option<u64>, Value);

#[derive(Default)]
struct Inner {
    events: Vec<Value>,
    script: VecDeque<Answer>,
}

#[derive(Clone)]
pub struct FakePagerDuty {
    url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakePagerDuty {
    pub async fn start() -> FakePagerDuty {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v2/enqueue", post(enqueue))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakePagerDuty {
            url: format!("http://{addr}/v2/enqueue"),
            inner,
        }
    }

    /// The events URL to configure.
    pub fn events_url(&self) -> &str {
        &self.url
    }

    /// Every event received, accepted or not, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.inner.lock().unwrap().events.clone()
    }

    /// Answers the next events with `answers`, in turn, then accepts again.
    pub fn script(&self, answers: Vec<Answer>) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    /// Waits until `n` events have arrived; all of them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let events = self.events();
            if events.len() >= n {
                return events;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} PagerDuty events, got {}: {events:?}",
                events.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn enqueue(
    State(inner): State<Arc<Mutex<Inner>>>,
    Json(event): Json<Value>,
) -> impl IntoResponse {
    let mut inner = inner.lock().unwrap();
    let dedup_key = event["dedup_key"].clone();
    inner.events.push(event);
    let (status, retry_after, body) = inner.script.pop_front().unwrap_or_else(|| {
        (
            202,
            None,
            json!({ "status": "success", "message": "Event processed", "dedup_key": dedup_key }),
        )
    });
    let mut response = (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", secs.to_string().parse().unwrap());
    }
    response
}
