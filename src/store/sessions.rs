//! The web view's sign-ins under way and its sessions. Both are kept by the SHA-256 of their
//! secret (the `state` sent through Slack, the cookie's token), never the secret itself.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// A sign-in under way, as its `state` found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub nonce: String,
    /// The page first asked for, to go back to once signed in.
    pub return_to: String,
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub user_name: String,
    pub team_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Remembers a sign-in until `expires_at`.
#[tracing::instrument(skip_all)]
pub async fn insert_sign_in(
    pool: &PgPool,
    state_sha256: &str,
    sign_in: &SignIn,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO web_sign_ins (state_sha256, nonce, return_to, expires_at) VALUES ($1, $2, $3, $4)",
        state_sha256,
        sign_in.nonce,
        sign_in.return_to,
        expires_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes the sign-in of this state, once: a second use, or one after `now` past its expiry,
/// finds nothing.
#[tracing::instrument(skip_all)]
pub async fn take_sign_in(
    pool: &PgPool,
    state_sha256: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignIn>, sqlx::Error> {
    let row = sqlx::query!(
        "DELETE FROM web_sign_ins WHERE state_sha256 = $1 RETURNING nonce, return_to, expires_at",
        state_sha256,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.filter(|r| r.expires_at > now).map(|r| SignIn {
        nonce: r.nonce,
        return_to: r.return_to,
    }))
}

/// Starts a session for the token whose SHA-256 is `token_sha256`.
#[tracing::instrument(skip_all, fields(user.id = %session.user_id))]
pub async fn insert_session(
    pool: &PgPool,
    token_sha256: &str,
    session: &Session,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO web_sessions (token_sha256, user_id, user_name, team_id, expires_at) VALUES ($1, $2, $3, $4, $5)",
        token_sha256,
        session.user_id,
        session.user_name,
        session.team_id,
        session.expires_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The session of this token, expired or not (the caller tells).
#[tracing::instrument(skip_all)]
pub async fn find_session(
    pool: &PgPool,
    token_sha256: &str,
) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query_as!(
        Session,
        "SELECT user_id, user_name, team_id, expires_at FROM web_sessions WHERE token_sha256 = $1",
        token_sha256,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

/// Ends the session of this token.
#[tracing::instrument(skip_all)]
pub async fn delete_session(pool: &PgPool, token_sha256: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM web_sessions WHERE token_sha256 = $1",
        token_sha256
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes the sessions and sign-ins that expired before `now`.
#[tracing::instrument(skip_all)]
pub async fn delete_expired(pool: &PgPool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM web_sessions WHERE expires_at < $1", now)
        .execute(pool)
        .await?;
    sqlx::query!("DELETE FROM web_sign_ins WHERE expires_at < $1", now)
        .execute(pool)
        .await?;
    Ok(())
}
