//! `/auth/login` sends the browser to Slack's authorize page with a fresh `state` and `nonce`
//! (the state's SHA-256 kept for ten minutes, and the state itself in a cookie, so only the
//! browser that started can finish); `/auth/callback` takes that state once, exchanges the code,
//! checks the id token and starts a session; `/auth/logout` ends it.

use super::{
    Web, oidc,
    page::{PageError, html_page, layout, param, params},
    session::{
        self, SESSION_COOKIE, SIGN_IN_COOKIE, cookie, csrf_for, digest, random_token, set_cookie,
    },
};
use crate::store::{
    self,
    sessions::{Session, SignIn},
};
use axum::{
    Form,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use maud::html;
use serde::Deserialize;

/// How long a sign-in may take, from leaving for Slack to coming back.
const SIGN_IN_WITHIN: std::time::Duration = std::time::Duration::from_secs(600);

/// Where a signed-in person is sent when they asked for no page.
const HOME: &str = "/incidents";

/// The page to go back to: one of warroom's own paths, never another site.
fn return_to(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/auth/")
                && path.len() <= 512 =>
        {
            path.to_owned()
        }
        _ => HOME.to_owned(),
    }
}

/// The URL that signs in and comes back to `path`.
pub(super) fn login_path(path: &str) -> String {
    let query = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    format!("/auth/login?{query}")
}

/// Off to Slack's authorize page; `?next=` is the page to come back to.
pub(super) async fn login(State(web): State<Web>, RawQuery(query): RawQuery) -> Response {
    let next = params(query.as_deref())
        .ok()
        .and_then(|p| param(&p, "next"));
    match start(&web, next.as_deref()).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn start(web: &Web, next: Option<&str>) -> Result<Response, PageError> {
    let (state, nonce) = (random_token(), random_token());
    let now = web.app.clock.now();
    let expires = now + chrono::Duration::from_std(SIGN_IN_WITHIN).unwrap_or_default();
    let sign_in = SignIn {
        nonce: nonce.clone(),
        return_to: return_to(next),
    };
    // Sign-ins never finished (and sessions past their end) go as new ones start.
    store::sessions::delete_expired(&web.app.pool, now).await?;
    store::sessions::insert_sign_in(&web.app.pool, &digest(&state), &sign_in, expires).await?;
    let redirect = format!("{}/auth/callback", web.config.public_url);
    let mut query = vec![
        ("response_type", "code"),
        ("scope", "openid email profile"),
        ("client_id", web.config.client_id.as_str()),
        ("state", state.as_str()),
        ("nonce", nonce.as_str()),
        ("redirect_uri", redirect.as_str()),
    ];
    // The workspace, so Slack does not ask which one; the sign-in works without it.
    let team = oidc::workspace(web).await.ok();
    if let Some(team) = &team {
        query.push(("team", team.as_str()));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    let to = format!("{}/openid/connect/authorize?{query}", web.config.openid_url);
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SIGN_IN_COOKIE, &state, "/auth", SIGN_IN_WITHIN.as_secs()),
    );
    Ok(response)
}

/// What Slack sends the browser back with.
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn bad_state() -> PageError {
    PageError::bad_request(
        "Sign-in expired or already used",
        "This sign-in link is not one this browser started, was used already, or is more than ten minutes old. Start again from the page you wanted.",
    )
}

/// Back from Slack: checks the state, exchanges the code, checks the id token, and starts a
/// session.
pub(super) async fn callback(
    State(web): State<Web>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let back = params(query.as_deref()).map(|p| Callback {
        code: param(&p, "code"),
        state: param(&p, "state"),
        error: param(&p, "error"),
    });
    let finished = match back {
        Ok(back) => finish(&web, &headers, back).await,
        Err(e) => Err(e),
    };
    match finished {
        Ok(response) => response,
        Err(e) => {
            let mut response = e.into_response();
            // The sign-in is over either way.
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SIGN_IN_COOKIE, "", "/auth", 0),
            );
            response
        }
    }
}

async fn finish(web: &Web, headers: &HeaderMap, back: Callback) -> Result<Response, PageError> {
    let state = back.state.filter(|s| !s.is_empty()).ok_or_else(bad_state)?;
    // Only the browser that left for Slack holds the state in its cookie.
    if cookie(headers, SIGN_IN_COOKIE) != Some(state.as_str()) {
        return Err(bad_state());
    }
    let now = web.app.clock.now();
    let sign_in = store::sessions::take_sign_in(&web.app.pool, &digest(&state), now)
        .await?
        .ok_or_else(bad_state)?;
    if back.error.is_some() {
        return Err(PageError::bad_request(
            "Not signed in",
            "Slack did not sign you in (the request was declined). Start again from the page you wanted.",
        ));
    }
    let code = back.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        PageError::bad_request("Not signed in", "Slack sent no sign-in code back.")
    })?;
    let id_token = oidc::exchange(web, &code).await?;
    let who = oidc::verify(web, &id_token, &sign_in.nonce).await?;
    let token = random_token();
    let lifetime = web.config.session_lifetime;
    let session = Session {
        user_id: who.user_id,
        user_name: who.name,
        team_id: who.team_id,
        expires_at: now + chrono::Duration::from_std(lifetime).unwrap_or_default(),
    };
    store::sessions::insert_session(&web.app.pool, &digest(&token), &session).await?;
    tracing::info!(user.id = %session.user_id, "web view: signed in");
    let mut response = Redirect::to(&sign_in.return_to).into_response();
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, "/", lifetime.as_secs()),
    );
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SIGN_IN_COOKIE, "", "/auth", 0),
    );
    Ok(response)
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub(super) struct Logout {
    #[serde(default)]
    csrf: String,
}

/// Ends the session, when the form's CSRF token is the session's.
pub(super) async fn logout(
    State(web): State<Web>,
    headers: HeaderMap,
    Form(form): Form<Logout>,
) -> Response {
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    if token.is_empty() || form.csrf != csrf_for(token) {
        return PageError::forbidden(
            "Not signed out",
            "This sign-out did not come from warroom's own page. Use the Sign out button.",
        )
        .into_response();
    }
    if let Err(e) = store::sessions::delete_session(&web.app.pool, &digest(token)).await {
        return PageError::from(e).into_response();
    }
    let mut response = Redirect::to("/auth/signed-out").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", 0));
    response
}

/// Says so, with a way back in.
pub(super) async fn signed_out() -> Response {
    let body = html! {
        section class="signed-out" {
            h1 { "Signed out" }
            p { "You are signed out of warroom's web view." }
            p { a id="sign-in" href=(login_path(HOME)) { "Sign in with Slack" } }
        }
    };
    html_page(StatusCode::OK, layout("Signed out", None, body))
}

/// Sends someone who is not signed in to sign in, and back to `path` afterwards.
pub(super) fn sign_in_first(path: &str) -> Response {
    let mut response = Redirect::to(&login_path(path)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// [`require`] for the page at `path` asked with `query`.
pub(super) async fn require_with_query(
    web: &Web,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
) -> Result<session::Viewer, Response> {
    let asked = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    require(web, headers, &asked).await
}

/// The viewer, or the answer that replaces the page: sign in first, or an error page.
pub(super) async fn require(
    web: &Web,
    headers: &HeaderMap,
    path: &str,
) -> Result<session::Viewer, Response> {
    match session::viewer(web, headers).await {
        Ok(viewer) => Ok(viewer),
        Err(session::NotSignedIn::SignIn) => Err(sign_in_first(path)),
        Err(session::NotSignedIn::Failed(e)) => Err(e.into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_warroom_s_own_pages_are_gone_back_to() {
        assert_eq!(
            return_to(Some("/incidents/INC-20261124-001")),
            "/incidents/INC-20261124-001"
        );
        assert_eq!(return_to(Some("/stats?since=7d")), "/stats?since=7d");
        for elsewhere in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "/auth/logout",
            "",
        ] {
            assert_eq!(return_to(Some(elsewhere)), HOME, "{elsewhere}");
        }
        assert_eq!(return_to(None), HOME);
    }
}
