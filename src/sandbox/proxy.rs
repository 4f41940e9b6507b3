//! Every other path of the sandbox's address is warroom's own (`/healthz`, `/metrics`, the web
//! view's pages and its sign-in callback): passed on to warroom's loopback port as it came, and
//! answered as warroom answers, redirects included, so the one URL serves both.

use super::Shared;
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// The largest body passed on.
const MAX_BODY: usize = 1 << 20;

/// Headers that belong to one hop, not to the request or answer passed on.
fn per_hop(name: &header::HeaderName) -> bool {
    [
        header::HOST,
        header::CONNECTION,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ]
    .contains(name)
}

pub(super) async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = shared
        .http
        .request(parts.method.clone(), format!("{}{path}", shared.warroom));
    for (name, value) in parts.headers.iter().filter(|(n, _)| !per_hop(n)) {
        out = out.header(name, value);
    }
    let answer = match out.body(body).send().await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(error = %e, "warroom could not be reached");
            return (StatusCode::BAD_GATEWAY, "warroom is not answering").into_response();
        }
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers().iter().filter(|(n, _)| !per_hop(n)) {
        response = response.header(name, value);
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}
