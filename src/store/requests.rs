//! Idempotency keys of Slack requests already handled (Events API `event_id`s and the like).

use sqlx::PgPool;

/// Forgets keys older than a day: Slack retries within minutes and a replayed request is refused
/// by its signature's five-minute window long before that.
pub async fn delete_expired_request_keys(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM slack_requests WHERE created_at < now() - interval '1 day'")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// Records `key` and enqueues `rows` in one transaction; nothing is enqueued when the key was
/// already there. Returns whether this was the first time.
#[tracing::instrument(skip_all)]
pub async fn insert_request_key_with_outbox(
    pool: &PgPool,
    key: &str,
    rows: &[super::outbox::NewOutbox],
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let first = sqlx::query!(
        "INSERT INTO slack_requests (key) VALUES ($1) ON CONFLICT (key) DO NOTHING",
        key,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if first {
        super::outbox::insert_outbox(&mut tx, None, rows).await?;
    }
    tx.commit().await?;
    Ok(first)
}
