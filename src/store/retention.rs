//! Deleting what is past retention: delivered (or given-up) messages and finished reminders. The
//! incidents and their timeline are never deleted.

use sqlx::PgPool;
use std::time::Duration;

/// Deletes up to `batch` rows that were delivered, given up on or superseded more than `keep`
/// ago; how many it deleted. Small batches keep each statement short.
pub async fn delete_finished_outbox_before(
    pool: &PgPool,
    keep: Duration,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox
             WHERE state <> 'pending' AND updated_at < now() - make_interval(secs => $1)
             LIMIT $2)",
        keep.as_secs_f64(),
        batch,
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// Deletes up to `batch` reminders that fired or were cancelled more than `keep` ago; how many it
/// deleted.
pub async fn delete_finished_reminders_before(
    pool: &PgPool,
    keep: Duration,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "DELETE FROM reminders WHERE id IN (
             SELECT id FROM reminders
             WHERE state <> 'pending' AND updated_at < now() - make_interval(secs => $1)
             LIMIT $2)",
        keep.as_secs_f64(),
        batch,
    )
    .execute(pool)
    .await?
    .rows_affected())
}
