//! Client-safe summaries: numbered per incident under the incident's row lock, changed only in
//! the transaction that records their timeline event.

use crate::incident::{
    IncidentId,
    summaries::{Audience, PublicStatus, Summary, SummaryState, lint::Rule},
};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, Transaction};

struct SummaryRow {
    number: i32,
    title: String,
    text: String,
    public_status: String,
    audience: String,
    status: String,
    author: String,
    acknowledged: Vec<String>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: Option<String>,
    superseded_by: Option<i32>,
    sha256: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<SummaryRow> for Summary {
    fn from(r: SummaryRow) -> Self {
        let number = |n: i32| u32::try_from(n).unwrap_or_default();
        Summary {
            number: number(r.number),
            title: r.title,
            text: r.text,
            // The CHECK constraints admit only known spellings.
            status: PublicStatus::parse(&r.public_status).unwrap_or(PublicStatus::Investigating),
            audience: Audience::parse(&r.audience).unwrap_or(Audience::Customers),
            state: SummaryState::parse(&r.status).unwrap_or(SummaryState::Superseded),
            author: r.author,
            created_at: r.created_at,
            acknowledged: r
                .acknowledged
                .iter()
                .filter_map(|k| Rule::parse(k))
                .collect(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reason: r.reason,
            superseded_by: r.superseded_by.map(number),
            sha256: r.sha256,
        }
    }
}

/// The incident's summaries, in number order (on a pool, or inside a transaction).
pub async fn find_summaries<'e>(
    db: impl PgExecutor<'e>,
    id: &IncidentId,
) -> Result<Vec<Summary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        SummaryRow,
        "SELECT number, title, text, public_status, audience, status, author, acknowledged, decided_by,
                decided_at, reason, superseded_by, sha256, created_at
         FROM incident_summaries WHERE incident_id = $1 ORDER BY number",
        id.as_str(),
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Summary::from).collect())
}

/// Locks the incident's summaries for a change (after its incident's row, the order every change
/// takes), so a new draft's number and what it supersedes are decided on what is there.
pub async fn find_summaries_for_update(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<Vec<Summary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        SummaryRow,
        "SELECT number, title, text, public_status, audience, status, author, acknowledged, decided_by,
                decided_at, reason, superseded_by, sha256, created_at
         FROM incident_summaries WHERE incident_id = $1 ORDER BY number FOR UPDATE",
        id.as_str(),
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(Summary::from).collect())
}

/// Writes a summary as it now stands: inserted when new; otherwise only how it was decided
/// changes (its words never do).
pub async fn upsert_summary(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
    summary: &Summary,
) -> Result<(), sqlx::Error> {
    let acknowledged: Vec<String> = summary
        .acknowledged
        .iter()
        .map(|r| r.key().to_owned())
        .collect();
    let number = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO incident_summaries (incident_id, number, title, text, public_status, audience, status, author,
                                         acknowledged, decided_by, decided_at, reason, superseded_by, sha256,
                                         created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (incident_id, number) DO UPDATE SET status = EXCLUDED.status,
             decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, reason = EXCLUDED.reason,
             superseded_by = EXCLUDED.superseded_by, sha256 = EXCLUDED.sha256, updated_at = now()",
        id.as_str(),
        number(summary.number),
        summary.title,
        summary.text,
        summary.status.key(),
        summary.audience.key(),
        summary.state.key(),
        summary.author,
        &acknowledged,
        summary.decided_by.as_deref(),
        summary.decided_at,
        summary.reason.as_deref(),
        summary.superseded_by.map(number),
        summary.sha256.as_deref(),
        summary.created_at,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
