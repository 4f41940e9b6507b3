//! The application: shared state, the HTTP router and the serving loop. `router(state)` is apart
//! from `serve(listener, ..)` so tests run the real app on port 0.

use crate::{slack, worker};
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use std::{future::Future, time::Duration};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Slack payloads are small; anything larger than this is refused before any signature work.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub use crate::state::AppState;

/// The HTTP routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/slack/commands", post(slack::ingress::commands))
        .route("/slack/interactions", post(slack::ingress::interactions))
        .route("/slack/events", post(slack::ingress::events))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let ping = tokio::time::timeout(
        Duration::from_secs(1),
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await;
    // Three leases without a successful claim: whatever held the rows, nothing moves now.
    let patience = (state.config.process.outbox_lease * 3).max(Duration::from_secs(3));
    if state.metrics.claims_failing(patience) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "outbox claims keep failing: nothing is being delivered to Slack",
        );
    }
    match (ping, slack::socket::connected(&state)) {
        (Ok(Ok(_)), None | Some(true)) => (StatusCode::OK, "ready"),
        (Ok(Ok(_)), Some(false)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no Socket Mode connection to Slack",
        ),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
}

/// Serves HTTP on `listener` and runs the background workers until `shutdown` completes; then
/// stops accepting requests, lets in-flight ones finish and stops the workers.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Cancelled once shutdown begins; every worker loop watches it and returns.
    let stop = CancellationToken::new();
    let mut workers = worker::spawn_all(state.clone(), stop.clone());
    if state.config.slack_app_token.is_some() {
        workers.extend(slack::socket::spawn(state.clone(), stop.clone()));
    }
    let stop_http = stop.clone();
    let app = router(state);
    tracing::info!(listen = %listener.local_addr()?, "warroom is serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop_http.cancel();
        })
        .await?;
    stop.cancel();
    for handle in workers {
        let _ = handle.await;
    }
    Ok(())
}
