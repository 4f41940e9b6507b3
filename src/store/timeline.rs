//! The append-only timeline: events in, events out. Entries are numbered per incident from 1,
//! oldest first (by time, then by insertion), which is how people refer to them in corrections.

use crate::incident::{
    Event, IncidentId,
    event::{Recorded, Stored},
};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

/// Appends an event to the timeline; the table refuses any other kind of change.
pub async fn insert_timeline_entry(
    tx: &mut Transaction<'_, Postgres>,
    incident_id: &str,
    at: DateTime<Utc>,
    actor: &str,
    event: &Event,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO timeline_entries (incident_id, at, actor, kind, details) VALUES ($1, $2, $3, $4, $5)",
        incident_id,
        at,
        actor,
        event.kind(),
        event.details(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Entry number `number` (counted from 1, oldest first) of an incident's timeline, if it has one.
pub async fn find_entry(
    pool: &PgPool,
    id: &IncidentId,
    number: u32,
) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT kind AS "kind!", details AS "details!"
           FROM (SELECT kind, details, row_number() OVER (ORDER BY at, id) AS number
                 FROM timeline_entries WHERE incident_id = $1) AS numbered
           WHERE number = $2"#,
        id.as_str(),
        i64::from(number),
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Stored::read(&r.kind, r.details)))
}

/// The newest `limit` entries of an incident's timeline, oldest first, each read back as its
/// event, and how many entries it has in all.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_timeline(
    pool: &PgPool,
    id: &IncidentId,
    limit: i64,
) -> Result<(Vec<Recorded>, usize), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT at AS "at!", actor AS "actor!", kind AS "kind!", details AS "details!", total AS "total!",
                  number AS "number!"
           FROM (SELECT at, actor, kind, details, id, count(*) OVER () AS total,
                        row_number() OVER (ORDER BY at, id) AS number
                 FROM timeline_entries WHERE incident_id = $1 ORDER BY at DESC, id DESC LIMIT $2) AS newest
           ORDER BY at, id"#,
        id.as_str(),
        limit,
    )
    .fetch_all(pool)
    .await?;
    let total = rows
        .first()
        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0));
    let entries = rows
        .into_iter()
        .map(|r| Recorded {
            number: u32::try_from(r.number).unwrap_or(u32::MAX),
            at: r.at,
            actor: r.actor,
            event: Stored::read(&r.kind, r.details),
        })
        .collect();
    Ok((entries, total))
}
