//! Who has opened warroom's Home tab, and the publications of their Home waiting in the outbox
//! (one per person at a time: a Home is rendered from the state when it is sent).

use sqlx::{PgPool, Postgres, Transaction};

/// Records that `user` opened their Home and queues its publication, in one transaction.
pub async fn record_opened(pool: &PgPool, user: &str) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO app_homes (user_id) VALUES ($1)
         ON CONFLICT (user_id) DO UPDATE SET opened_at = now()",
        user
    )
    .execute(&mut *tx)
    .await?;
    queue_publish(&mut tx, &[user.to_owned()]).await?;
    tx.commit().await
}

/// Queues publishing the Home of each of `users` who has opened it, unless a publication of it is
/// already waiting (not yet under way).
pub async fn queue_publish(
    tx: &mut Transaction<'_, Postgres>,
    users: &[String],
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    // One statement, and a wake-up only when something was queued: most changes concern nobody
    // who has opened their Home.
    sqlx::query!(
        r#"WITH queued AS (
               INSERT INTO outbox (incident_id, kind, method, priority, payload)
               SELECT NULL, 'publish_home', 'home', 260, jsonb_build_object('deliver', 'publish_home', 'user', h.user_id)
               FROM app_homes h
               WHERE h.user_id = ANY($1)
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'publish_home' AND o.state = 'pending'
                                 AND o.lease_until IS NULL AND o.payload->>'user' = h.user_id)
               RETURNING 1)
           SELECT pg_notify($2, '') FROM (SELECT 1 FROM queued LIMIT 1) AS any_queued"#,
        users,
        super::outbox::WAKE_CHANNEL
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(())
}
