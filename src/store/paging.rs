//! What warroom remembers of paging on-call: whether an incident was paged, and the order its
//! pages go out in.

use crate::incident::{Event, IncidentId};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

use super::outbox::NewOutbox;

/// Whether on-call was ever paged for the incident (a trigger was queued), under the caller's
/// lock of the incident row.
pub async fn was_paged(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<bool, sqlx::Error> {
    let paged = sqlx::query_scalar!(
        r#"SELECT paged_at IS NOT NULL AS "paged!" FROM incidents WHERE id = $1"#,
        id.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(paged.unwrap_or(false))
}

/// Records that on-call is being paged for the incident (the first time counts).
pub async fn mark_paged(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET paged_at = COALESCE(paged_at, now()) WHERE id = $1",
        id.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records what came of a page on the incident's timeline, by warroom, and queues what tells of
/// it (the thread's announcement, webhooks), in one transaction.
pub async fn record_page(
    pool: &PgPool,
    incident: &str,
    at: DateTime<Utc>,
    event: &Event,
    rows: &[NewOutbox],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    super::timeline::insert_timeline_entry(&mut tx, incident, at, "warroom", event).await?;
    super::outbox::insert_outbox(&mut tx, Some(incident), rows).await?;
    tx.commit().await
}
