//! Cookies and sessions. A session's token is 32 random bytes sent only in an `HttpOnly; Secure;
//! SameSite=Lax` cookie; the database keeps its SHA-256. The sign-out form's CSRF token is derived
//! from the session token, so it needs no storage and no other page can know it.

use super::{Web, page::PageError};
use crate::store::{self, sessions::Session};
use axum::http::{HeaderMap, HeaderValue, header};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub(super) const SESSION_COOKIE: &str = "warroom_session";
/// The cookie that binds a sign-in's `state` to the browser that started it.
pub(super) const SIGN_IN_COOKIE: &str = "warroom_sign_in";

/// Who is looking, and what they may see.
#[derive(Debug, Clone)]
pub(super) struct Viewer {
    pub(super) session: Session,
    /// The sign-out form's token.
    pub(super) csrf: String,
    /// A member of the restricted channel: restricted incidents are shown.
    pub(super) sees_restricted: bool,
}

impl Viewer {
    /// Who is signed in and the sign-out form's token, as the layout shows them.
    pub(super) fn signed_in(&self) -> Option<(&str, &str)> {
        Some((&self.session.user_name, &self.csrf))
    }
}

/// A fresh random token, as hex.
pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 of `secret`, as hex: what the database keeps.
pub(super) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The sign-out form's token for the session token `token`.
pub(super) fn csrf_for(token: &str) -> String {
    digest(&format!("warroom csrf {token}"))
}

/// The value of cookie `name`, if the request carries it.
pub(super) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for a cookie only this site's pages send back, over HTTPS.
pub(super) fn set_cookie(name: &str, value: &str, path: &str, max_age_secs: u64) -> HeaderValue {
    let cookie = format!(
        "{name}={value}; HttpOnly; Secure; SameSite=Lax; Path={path}; Max-Age={max_age_secs}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Why there is no one signed in.
pub(super) enum NotSignedIn {
    /// Send them to sign in, then back to the page.
    SignIn,
    Failed(PageError),
}

impl From<sqlx::Error> for NotSignedIn {
    fn from(e: sqlx::Error) -> Self {
        NotSignedIn::Failed(e.into())
    }
}

/// The person signed in with this request's cookie, and whether they may see restricted
/// incidents; an unknown or expired session asks them to sign in.
pub(super) async fn viewer(web: &Web, headers: &HeaderMap) -> Result<Viewer, NotSignedIn> {
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Err(NotSignedIn::SignIn);
    };
    let found = store::sessions::find_session(&web.app.pool, &digest(token)).await?;
    let Some(session) = found.filter(|s| s.expires_at > web.app.clock.now()) else {
        return Err(NotSignedIn::SignIn);
    };
    let sees_restricted = sees_restricted(web, &session.user_id).await;
    Ok(Viewer {
        csrf: csrf_for(token),
        session,
        sees_restricted,
    })
}

/// Whether `user` is a member of the restricted channel. Nobody is when no restricted channel
/// is configured or its members cannot be read.
async fn sees_restricted(web: &Web, user: &str) -> bool {
    let Some(channel) = &web.app.config.process.restricted.channel else {
        return false;
    };
    match web
        .app
        .members
        .contains(&web.app.slack, channel, user)
        .await
    {
        Ok(member) => member,
        Err(e) => {
            tracing::warn!(reason = %e, "could not read the restricted channel's members");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; warroom_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, SIGN_IN_COOKIE), None);
    }

    #[test]
    fn a_token_is_kept_only_as_its_digest_and_the_csrf_token_differs_from_both() {
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert_ne!(random_token(), token);
        assert_ne!(digest(&token), token);
        assert_ne!(csrf_for(&token), digest(&token));
        assert_eq!(csrf_for(&token), csrf_for(&token));
    }
}
