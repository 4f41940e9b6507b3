//! Sign in with Slack, stood in: the OpenID Connect endpoints the web view signs in through.
//! `GET /openid/connect/authorize` (pick a sandbox person, then back to `redirect_uri` with a
//! code), `GET /openid/connect/keys` (the JWKS of an RSA key made at each start), and the Web API
//! methods `openid.connect.token` (code → access token and an RS256-signed id token) and
//! `openid.connect.userInfo`, with Slack's claim names.

use super::{
    Shared,
    request::bad,
    world::{PEOPLE, Person, TEAM_ID},
};
use crate::config::Secret;
use axum::{
    Json,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rsa::{
    RsaPrivateKey,
    pkcs1v15::SigningKey,
    signature::{SignatureEncoding, Signer},
    traits::PublicKeyParts,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

/// How long an authorization code may be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// The issuer Slack's id tokens name.
const ISSUER: &str = "https://slack.com";
/// How long an id token is valid.
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// The client the web view signs in as, and the key that signs its id tokens.
pub(super) struct Provider {
    key: RsaPrivateKey,
    kid: String,
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    /// Codes handed out and not yet exchanged, and access tokens: both single-sandbox, in memory.
    grants: std::sync::Mutex<Grants>,
}

#[derive(Default)]
struct Grants {
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, &'static Person>,
}

struct Grant {
    person: &'static Person,
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    issued: Instant,
}

impl Provider {
    /// A provider with a fresh 2048-bit key (made on a blocking thread: it takes a moment).
    pub(super) async fn generate(client_id: String, client_secret: Secret) -> anyhow::Result<Self> {
        let key =
            tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048))
                .await??;
        Ok(Self {
            key,
            kid: format!("sandbox-{:08x}", rand::random::<u32>()),
            client_id,
            client_secret,
            grants: std::sync::Mutex::new(Grants::default()),
        })
    }

    fn grants(&self) -> std::sync::MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The public key as a JSON Web Key Set.
    pub(super) fn jwks(&self) -> Value {
        let public = self.key.to_public_key();
        json!({ "keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        }]})
    }

    /// An RS256-signed JWT of `claims`.
    pub(super) fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signer = SigningKey::<sha2::Sha256>::new(self.key.clone());
        let signature = signer.sign(input.as_bytes()).to_bytes();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// Slack's claims about `person`.
fn claims(person: &Person) -> Value {
    let email = format!("{}@sandbox.example", person.id.to_lowercase());
    json!({
        "sub": person.id,
        "https://slack.com/user_id": person.id,
        "https://slack.com/team_id": TEAM_ID,
        "https://slack.com/team_name": "Sandbox",
        "https://slack.com/team_domain": "sandbox",
        "email": email,
        "email_verified": true,
        "name": person.name,
        "given_name": person.name.split(' ').next().unwrap_or_default(),
        "locale": "en-US",
    })
}

#[derive(Deserialize)]
pub(super) struct Authorize {
    client_id: String,
    redirect_uri: String,
    #[serde(default)]
    state: String,
    nonce: Option<String>,
    /// The person picked on the page; absent when the page is first shown.
    user: Option<String>,
}

/// The authorize page: one link per person; following one returns to the client with a code.
pub(super) async fn authorize(
    State(shared): State<Shared>,
    Query(ask): Query<Authorize>,
) -> Response {
    let provider = &shared.openid;
    if ask.client_id != provider.client_id {
        return bad("unknown client_id");
    }
    if !ask.redirect_uri.starts_with(&format!("{}/", shared.base)) {
        return bad("redirect_uri is not this sandbox's");
    }
    let Some(user) = ask.user.as_deref() else {
        let links: String = PEOPLE
            .iter()
            .map(|p| {
                let query = serde_urlencoded::to_string([
                    ("client_id", ask.client_id.as_str()),
                    ("redirect_uri", ask.redirect_uri.as_str()),
                    ("state", ask.state.as_str()),
                    ("nonce", ask.nonce.as_deref().unwrap_or_default()),
                    ("user", p.id),
                ])
                .unwrap_or_default();
                format!(
                    "<li><a class=\"person\" data-user=\"{}\" href=\"/openid/connect/authorize?{}\">{} — {}</a></li>",
                    p.id,
                    query.replace('&', "&amp;"),
                    p.name,
                    p.title
                )
            })
            .collect();
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to Sandbox</title>\
             <link rel=\"stylesheet\" href=\"/sandbox.css\"></head><body class=\"signin\"><h1>Sign in to the Sandbox workspace</h1>\
             <p>warroom asks who you are. Pick a sandbox person:</p><ul id=\"people\">{links}</ul></body></html>"
        );
        return (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, "default-src 'self'"),
            ],
            html,
        )
            .into_response();
    };
    let Some(person) = PEOPLE.iter().find(|p| p.id == user) else {
        return bad("unknown user");
    };
    let code = format!("sandbox-code-{}", hex::encode(rand::random::<[u8; 16]>()));
    provider.grants().codes.insert(
        code.clone(),
        Grant {
            person,
            client_id: ask.client_id.clone(),
            redirect_uri: ask.redirect_uri.clone(),
            nonce: ask.nonce.filter(|n| !n.is_empty()),
            issued: Instant::now(),
        },
    );
    let back =
        serde_urlencoded::to_string([("code", code.as_str()), ("state", ask.state.as_str())])
            .unwrap_or_default();
    let separator = if ask.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!("{}{separator}{back}", ask.redirect_uri)).into_response()
}

/// `GET /openid/connect/keys`.
pub(super) async fn keys(State(shared): State<Shared>) -> Response {
    Json(shared.openid.jwks()).into_response()
}

/// `openid.connect.token`: a code, with the client's id and secret (form fields or HTTP Basic).
pub(super) fn token(provider: &Provider, params: &Value, basic: Option<(String, String)>) -> Value {
    let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    let (client_id, client_secret) = match basic {
        Some(pair) => (Some(pair.0), Some(pair.1)),
        None => (text("client_id"), text("client_secret")),
    };
    if client_id.as_deref() != Some(provider.client_id.as_str()) {
        return json!({ "ok": false, "error": "invalid_client_id" });
    }
    if client_secret.as_deref() != Some(provider.client_secret.expose()) {
        return json!({ "ok": false, "error": "bad_client_secret" });
    }
    let mut grants = provider.grants();
    let Some(grant) = text("code").and_then(|c| grants.codes.remove(&c)) else {
        return json!({ "ok": false, "error": "invalid_code" });
    };
    if grant.issued.elapsed() > CODE_LIFETIME || grant.client_id != provider.client_id {
        return json!({ "ok": false, "error": "invalid_code" });
    }
    if text("redirect_uri").is_some_and(|r| r != grant.redirect_uri) {
        return json!({ "ok": false, "error": "bad_redirect_uri" });
    }
    let now = chrono::Utc::now().timestamp();
    let mut id = claims(grant.person);
    id["iss"] = json!(ISSUER);
    id["aud"] = json!(provider.client_id);
    id["iat"] = json!(now);
    id["exp"] = json!(now + TOKEN_LIFETIME_SECS);
    id["auth_time"] = json!(now);
    if let Some(nonce) = &grant.nonce {
        id["nonce"] = json!(nonce);
    }
    let access = format!("xoxp-sandbox-{}", hex::encode(rand::random::<[u8; 16]>()));
    grants.tokens.insert(access.clone(), grant.person);
    json!({ "ok": true, "access_token": access, "token_type": "Bearer", "id_token": provider.sign(&id) })
}

/// `openid.connect.userInfo`, with the access token `openid.connect.token` gave.
pub(super) fn user_info(provider: &Provider, bearer: Option<&str>) -> Value {
    let grants = provider.grants();
    match bearer.and_then(|t| grants.tokens.get(t)) {
        Some(person) => {
            let mut answer = claims(person);
            answer["ok"] = json!(true);
            answer
        }
        None => json!({ "ok": false, "error": "invalid_auth" }),
    }
}

#[cfg(test)]
mod tests;
