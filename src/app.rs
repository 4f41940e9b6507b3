//! The application: shared state, the HTTP routers and the serving loop. `router(state)` is apart
//! from `serve(listener, ..)` so tests run the real app on port 0.

use crate::{listen, slack, web, worker};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, FromRequest, Request, State},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use std::{future::Future, time::Duration};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use crate::slack::ingress::MAX_BODY_BYTES;

pub use crate::state::AppState;

/// The HTTP routes: Slack's, the web view's (when it is on), and the operator's three.
pub fn router(state: AppState) -> Router {
    let body_timeout = state.config.process.http_body_timeout;
    // The body limit is the outer layer, so the body's deadline reads under it.
    let slack = Router::new()
        .route("/slack/commands", post(slack::ingress::commands))
        .route("/slack/interactions", post(slack::ingress::interactions))
        .route("/slack/events", post(slack::ingress::events))
        .layer(middleware::from_fn_with_state(
            body_timeout,
            read_body_within,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Outermost: a request without a fresh, well-formed signature is refused unread.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            slack::ingress::screen_signature,
        ));
    let web = web::router(&state);
    operator_routes(Router::new().merge(slack).merge(web))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// `/healthz`, `/readyz` and `/metrics` alone, for `WARROOM_ADMIN_LISTEN`.
pub fn admin_router(state: AppState) -> Router {
    operator_routes(Router::new())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

fn operator_routes(routes: Router<AppState>) -> Router<AppState> {
    routes
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Reads the whole body (within the body limit) before the handler runs, and answers 408 and
/// closes the connection when it has not arrived within `limit`: a client trickling its body in
/// cannot hold a request, and its buffer, for longer.
async fn read_body_within(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = Bytes::from_request(Request::from_parts(parts.clone(), body), &());
    match tokio::time::timeout(limit, read).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(rejection)) => rejection.into_response(),
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            [(header::CONNECTION, "close")],
            "the request body did not arrive in time",
        )
            .into_response(),
    }
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    // Three leases without a successful claim: whatever held the rows, nothing moves now.
    let patience = (state.config.process.outbox_lease * 3).max(Duration::from_secs(3));
    if state.metrics.claims_failing(patience) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "outbox claims keep failing: nothing is being delivered to Slack",
        );
    }
    let database = state
        .database_probe
        .reachable(&state.pool, &state.metrics)
        .await;
    match (database, slack::socket::connected(&state)) {
        (true, None | Some(true)) => (StatusCode::OK, "ready"),
        (true, Some(false)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no Socket Mode connection to Slack",
        ),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
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
    serve_with_admin(listener, None, state, shutdown).await
}

/// Like [`serve`], and serves `/healthz`, `/readyz` and `/metrics` on `admin` too.
pub async fn serve_with_admin(
    listener: TcpListener,
    admin: Option<TcpListener>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if let Some(channel) = &state.config.process.restricted.channel {
        slack::members::check_private(&state.slack, channel).await?;
    }
    // Cancelled once shutdown begins; every worker loop and listener watches it and returns.
    let stop = CancellationToken::new();
    let mut workers = worker::spawn_all(state.clone(), stop.clone());
    if state.config.slack_app_token.is_some() {
        workers.extend(slack::socket::spawn(state.clone(), stop.clone()));
    }
    let header_timeout = state.config.process.http_header_timeout;
    tracing::info!(listen = %listener.local_addr()?, "warroom is serving");
    let main = listen::serve(
        listener,
        router(state.clone()),
        header_timeout,
        stop.clone(),
    );
    let admin = async {
        if let Some(admin) = admin {
            tracing::info!(admin_listen = %admin.local_addr()?, "serving /healthz, /readyz and /metrics");
            listen::serve(admin, admin_router(state), header_timeout, stop.clone()).await;
        }
        anyhow::Ok(())
    };
    let trigger = async {
        shutdown.await;
        stop.cancel();
    };
    let ((), admin, ()) = tokio::join!(main, admin, trigger);
    admin?;
    stop.cancel();
    for handle in workers {
        let _ = handle.await;
    }
    Ok(())
}
