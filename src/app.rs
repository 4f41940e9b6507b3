//! The application: shared state, the HTTP router and the serving loop. `router(state)` is apart
//! from `serve(listener, ..)` so tests run the real app on port 0.

use crate::{
    clock::Clock, config::Config, metrics::Metrics, slack, slack::outbound::SlackApi, worker,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use sqlx::{PgPool, postgres::PgPoolOptions};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Slack payloads are small; anything larger than this is refused before any signature work.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Everything a request handler or worker needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: PgPool,
    /// The delivery and reminder workers' own, smaller pool on the same database: however long
    /// the outbox grows, the workers cannot take the connections Slack's requests need.
    pub worker_pool: PgPool,
    pub slack: SlackApi,
    pub verifier: Option<slack::verify::Verifier>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// Live Socket Mode connections; `None` in HTTP mode.
    pub socket_connections: Option<Arc<std::sync::atomic::AtomicUsize>>,
}

impl AppState {
    /// State for `config` on an already migrated pool.
    pub fn new(config: Config, pool: PgPool, clock: Arc<dyn Clock>) -> Self {
        let metrics = Arc::new(Metrics::default());
        let slack = SlackApi::new(
            &config.slack_api_url,
            config.slack_bot_token.clone(),
            config.process.slack_timeout,
            Arc::clone(&metrics),
        )
        .with_app_token(config.slack_app_token.clone());
        let socket_connections = config
            .slack_app_token
            .as_ref()
            .map(|_| slack::socket::counter());
        let verifier = config
            .slack_signing_secret
            .clone()
            .map(slack::verify::Verifier::new);
        let worker_pool = PgPoolOptions::new()
            .max_connections((config.process.db_max_connections / 4).max(2))
            .acquire_timeout(Duration::from_secs(5))
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy_with((*pool.connect_options()).clone());
        Self {
            config: Arc::new(config),
            worker_pool,
            pool,
            slack,
            verifier,
            clock,
            metrics,
            socket_connections,
        }
    }
}

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
