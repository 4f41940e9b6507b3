//! Sign in with Slack (OpenID Connect): the code is exchanged at `openid.connect.token` (a Web
//! API method, with the app's client id and secret); the id token that comes back is trusted
//! only once its RS256 signature checks against Slack's keys (`{SLACK_OPENID_URL}/openid/connect/
//! keys`, fetched when a key is first needed and kept), its issuer is Slack, its audience this
//! app, it has not expired, its nonce is the sign-in's, and its workspace is this workspace
//! (whose id `auth.test` tells, once).

use super::{Web, page::PageError};
use crate::slack::outbound::SlackFailure;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use serde_json::Value;
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

/// The issuer Slack's id tokens name.
pub(super) const ISSUER: &str = "https://slack.com";

/// Keys are fetched again for an unknown key id at most this often.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Slack's keys and this workspace's id, kept once fetched.
#[derive(Default)]
pub(super) struct Cache {
    /// Key id → key, and when they were fetched. Held across a fetch.
    keys: tokio::sync::Mutex<Option<(Instant, HashMap<String, DecodingKey>)>>,
    /// This workspace's team id, from `auth.test`.
    team: tokio::sync::Mutex<Option<String>>,
}

/// Who the id token says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    pub(super) user_id: String,
    pub(super) name: String,
    pub(super) team_id: String,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "https://slack.com/user_id")]
    user_id: Option<String>,
    #[serde(default, rename = "https://slack.com/team_id")]
    team_id: Option<String>,
}

fn unverified() -> PageError {
    PageError::bad_request(
        "Sign-in not verified",
        "Slack's answer to the sign-in could not be verified, so you are not signed in. Start again from the page you wanted.",
    )
}

/// This workspace's team id, from `auth.test` with the bot token; asked once and kept.
pub(super) async fn workspace(web: &Web) -> Result<String, PageError> {
    let mut team = web.oidc.team.lock().await;
    if let Some(team) = &*team {
        return Ok(team.clone());
    }
    let answer = web.app.slack.get("auth.test", &[]).await.map_err(|e| {
        tracing::warn!(reason = %e, "web view: auth.test failed");
        PageError::slack_unavailable()
    })?;
    let id = answer["team_id"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(PageError::slack_unavailable)?
        .to_owned();
    *team = Some(id.clone());
    Ok(id)
}

/// Exchanges the code Slack sent the browser back with for an id token.
pub(super) async fn exchange(web: &Web, code: &str) -> Result<String, PageError> {
    let redirect = format!("{}/auth/callback", web.config.public_url);
    let form = [
        ("client_id", web.config.client_id.as_str()),
        ("client_secret", web.config.client_secret.expose()),
        ("code", code),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect.as_str()),
    ];
    match web
        .app
        .slack
        .post_form_as_app("openid.connect.token", &form)
        .await
    {
        Ok(answer) => answer["id_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(unverified),
        Err(SlackFailure::Permanent(code)) => {
            tracing::info!(slack.error = %code, "web view: Slack refused the sign-in code");
            Err(PageError::bad_request(
                "Sign-in refused",
                "Slack did not accept this sign-in (it may have been used already). Start again from the page you wanted.",
            ))
        }
        Err(e) => {
            tracing::warn!(reason = %e, "web view: openid.connect.token failed");
            Err(PageError::slack_unavailable())
        }
    }
}

/// Checks `id_token` and says who signed in; a token of another workspace is refused with 403.
pub(super) async fn verify(web: &Web, id_token: &str, nonce: &str) -> Result<Identity, PageError> {
    let header = jsonwebtoken::decode_header(id_token).map_err(|_| unverified())?;
    if header.alg != Algorithm::RS256 {
        return Err(unverified());
    }
    let kid = header.kid.unwrap_or_default();
    let key = key(web, &kid).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[web.config.client_id.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = match jsonwebtoken::decode::<Claims>(id_token, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) => {
            let why = match e.kind() {
                ErrorKind::InvalidSignature => "bad signature",
                ErrorKind::ExpiredSignature => "expired",
                ErrorKind::InvalidIssuer => "another issuer",
                ErrorKind::InvalidAudience => "another audience",
                _ => "malformed",
            };
            tracing::info!(reason = why, "web view: an id token was refused");
            return Err(unverified());
        }
    };
    if claims.nonce.as_deref() != Some(nonce) {
        tracing::info!(reason = "nonce", "web view: an id token was refused");
        return Err(unverified());
    }
    let workspace = workspace(web).await?;
    let team_id = claims.team_id.unwrap_or_default();
    if team_id != workspace {
        tracing::info!(
            reason = "another workspace",
            "web view: an id token was refused"
        );
        return Err(PageError::forbidden(
            "Another workspace",
            "You signed in to a Slack workspace other than the one warroom serves. Sign in with your account in warroom's workspace.",
        ));
    }
    let user_id = claims.user_id.unwrap_or(claims.sub);
    Ok(Identity {
        name: claims.name.unwrap_or_else(|| user_id.clone()),
        user_id,
        team_id,
    })
}

/// The key `kid`, from the kept keys or, when it is not among them, from Slack's keys fetched
/// again (at most once a minute).
async fn key(web: &Web, kid: &str) -> Result<DecodingKey, PageError> {
    let mut keys = web.oidc.keys.lock().await;
    if let Some((_, known)) = &*keys
        && let Some(key) = known.get(kid)
    {
        return Ok(key.clone());
    }
    let stale = keys
        .as_ref()
        .is_none_or(|(at, _)| at.elapsed() >= REFETCH_AFTER);
    if stale {
        let fetched = fetch_keys(web).await?;
        *keys = Some((Instant::now(), fetched));
    }
    keys.as_ref()
        .and_then(|(_, known)| known.get(kid).cloned())
        .ok_or_else(unverified)
}

/// Slack's current RSA signing keys, by key id.
async fn fetch_keys(web: &Web) -> Result<HashMap<String, DecodingKey>, PageError> {
    let url = format!("{}/openid/connect/keys", web.config.openid_url);
    let http = reqwest::Client::builder()
        .timeout(web.app.config.process.slack_timeout)
        .build()
        .map_err(|e| PageError::internal("building an HTTP client failed", &e))?;
    let fetched = async {
        let response = http.get(&url).send().await?.error_for_status()?;
        response.json::<Value>().await
    }
    .await;
    let jwks = fetched.map_err(|e| {
        tracing::warn!(reason = %e, "web view: Slack's OpenID keys could not be fetched");
        PageError::slack_unavailable()
    })?;
    Ok(jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|k| k["kty"] == "RSA")
        .filter_map(|k| {
            let (kid, n, e) = (k["kid"].as_str()?, k["n"].as_str()?, k["e"].as_str()?);
            let key = DecodingKey::from_rsa_components(n, e).ok()?;
            Some((kid.to_owned(), key))
        })
        .collect())
}
