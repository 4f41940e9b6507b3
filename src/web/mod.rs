//! The web view: incidents, their pages and the figures, read in a browser after Sign in with
//! Slack. An edge like `slack/`: it reads through `store/` and the use cases' reports, calls
//! Slack only to sign people in and to read the restricted channel's members, and is called by
//! nobody but the router.
//!
//! ```text
//! GET  /incidents                  → the incidents, filtered (status, severity, type, dates, words)
//! GET  /incidents/INC-…            → one incident: state, timeline, actions, review, summaries
//! GET  /incidents/INC-…/report.md  → its report as a Markdown file
//! GET  /stats                      → the figures of a period, and charts by week
//! GET  /auth/login                 → off to Slack to sign in
//! GET  /auth/callback              → back from Slack: a session
//! POST /auth/logout                → the session ends
//! ```
//! Without `SLACK_CLIENT_ID` none of these routes exist (404). Every answer carries a strict
//! Content-Security-Policy, `X-Robots-Tag: noindex` and `Cache-Control: no-store`; pages have no
//! script at all, and the one form that changes anything (sign out) carries a CSRF token.

use crate::{config::WebConfig, state::AppState};
use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use std::sync::Arc;

/// Sign in, the callback and sign out.
mod auth;
/// SVG charts, drawn on the server.
mod chart;
/// One incident's page and its report.
mod incident;
/// The incidents, filtered.
mod list;
/// Slack's OpenID Connect: the code exchange, the id token's checks, the keys.
mod oidc;
/// The layout every page shares, and the error pages.
mod page;
/// Cookies, sessions and who may see what.
mod session;
/// The figures and their charts.
mod stats;

/// What the web view's handlers share.
#[derive(Clone)]
struct Web {
    app: AppState,
    config: Arc<WebConfig>,
    /// Slack's signing keys and this workspace's team id, fetched once and kept.
    oidc: Arc<oidc::Cache>,
}

/// The stylesheet every page links; no style is inline.
const STYLESHEET: &str = include_str!("style.css");

/// Where the stylesheet is served.
const STYLESHEET_PATH: &str = "/web/style.css";

/// The web view's routes, or none when it is off (no `SLACK_CLIENT_ID`).
pub fn router(state: &AppState) -> Router<AppState> {
    let Some(config) = state.config.web.clone() else {
        return Router::new();
    };
    let web = Web {
        app: state.clone(),
        config: Arc::new(config),
        oidc: Arc::default(),
    };
    Router::new()
        .route("/incidents", get(list::page))
        .route("/incidents/{id}", get(incident::page))
        .route("/incidents/{id}/report.md", get(incident::report))
        .route("/stats", get(stats::page))
        .route("/auth/login", get(auth::login))
        .route("/auth/callback", get(auth::callback))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/signed-out", get(auth::signed_out))
        .route(STYLESHEET_PATH, get(stylesheet))
        .layer(middleware::from_fn(guard_headers))
        .with_state(web)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// The headers every answer of the web view carries.
async fn guard_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (
            header::HeaderName::from_static("x-robots-tag"),
            "noindex, nofollow, noarchive",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages show who is signed in and what they may see: never kept by a browser or a proxy.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
