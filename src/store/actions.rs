//! Corrective actions: numbered per incident under the incident's row lock, changed only in the
//! transaction that records their timeline event.

use crate::incident::{
    IncidentId,
    actions::{Action, ActionStatus, ListedAction},
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};

struct ActionRow {
    incident_id: String,
    incident_title: String,
    incident_restricted: bool,
    number: i32,
    text: String,
    owner: String,
    due_on: NaiveDate,
    link: Option<String>,
    status: String,
    reason: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    finished_by: Option<String>,
}

impl From<ActionRow> for ListedAction {
    fn from(r: ActionRow) -> Self {
        ListedAction {
            incident: IncidentId::from_stored(r.incident_id),
            incident_title: r.incident_title,
            incident_restricted: r.incident_restricted,
            action: Action {
                number: u32::try_from(r.number).unwrap_or_default(),
                text: r.text,
                owner: r.owner,
                due_on: r.due_on,
                link: r.link,
                // The CHECK constraint admits only known statuses.
                status: ActionStatus::parse(&r.status).unwrap_or(ActionStatus::Open),
                reason: r.reason,
                created_by: r.created_by,
                created_at: r.created_at,
                finished_at: r.finished_at,
                finished_by: r.finished_by,
            },
        }
    }
}

// Every query reads the same columns, joined with the incident's title, so that `query_as!`
// checks each against `ActionRow`.

/// The incident's actions, in number order (on a pool, or inside a transaction).
pub async fn find_actions<'e>(
    db: impl PgExecutor<'e>,
    id: &IncidentId,
) -> Result<Vec<Action>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ActionRow,
        "SELECT a.incident_id, i.title AS incident_title, i.restricted AS incident_restricted, a.number, a.text, a.owner, a.due_on, a.link, a.status,
                a.reason, a.created_by, a.created_at, a.finished_at, a.finished_by
         FROM incident_actions a JOIN incidents i ON i.id = a.incident_id
         WHERE a.incident_id = $1 ORDER BY a.number",
        id.as_str(),
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ListedAction::from(r).action)
        .collect())
}

/// Locks one action for a change (after its incident's row, the order every change takes).
pub async fn find_action_for_update(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
    number: u32,
) -> Result<Option<Action>, sqlx::Error> {
    let row = sqlx::query_as!(
        ActionRow,
        "SELECT a.incident_id, i.title AS incident_title, i.restricted AS incident_restricted, a.number, a.text, a.owner, a.due_on, a.link, a.status,
                a.reason, a.created_by, a.created_at, a.finished_at, a.finished_by
         FROM incident_actions a JOIN incidents i ON i.id = a.incident_id
         WHERE a.incident_id = $1 AND a.number = $2 FOR UPDATE OF a",
        id.as_str(),
        i32::try_from(number).unwrap_or(i32::MAX),
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| ListedAction::from(r).action))
}

/// The number the incident's next action takes.
pub async fn find_next_number(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<u32, sqlx::Error> {
    let last: i32 = sqlx::query_scalar!(
        r#"SELECT COALESCE(max(number), 0) AS "last!" FROM incident_actions WHERE incident_id = $1"#,
        id.as_str(),
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(u32::try_from(last).unwrap_or_default() + 1)
}

/// Writes an action as it now stands: inserted when new, updated otherwise.
pub async fn upsert_action(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
    action: &Action,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO incident_actions (incident_id, number, text, owner, due_on, link, status, reason, created_by,
                                       created_at, finished_at, finished_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (incident_id, number) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
             finished_at = EXCLUDED.finished_at, finished_by = EXCLUDED.finished_by, updated_at = now()",
        id.as_str(),
        i32::try_from(action.number).unwrap_or(i32::MAX),
        action.text,
        action.owner,
        action.due_on,
        action.link.as_deref(),
        action.status.key(),
        action.reason.as_deref(),
        action.created_by,
        action.created_at,
        action.finished_at,
        action.finished_by.as_deref(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Open actions owned by `owner`, soonest due first.
pub async fn find_open_for_owner(
    pool: &PgPool,
    owner: &str,
    limit: i64,
) -> Result<Vec<ListedAction>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ActionRow,
        "SELECT a.incident_id, i.title AS incident_title, i.restricted AS incident_restricted, a.number, a.text, a.owner, a.due_on, a.link, a.status,
                a.reason, a.created_by, a.created_at, a.finished_at, a.finished_by
         FROM incident_actions a JOIN incidents i ON i.id = a.incident_id
         WHERE a.owner = $1 AND a.status = 'open' AND i.status <> 'cancelled'
         ORDER BY a.due_on, a.incident_id, a.number LIMIT $2",
        owner,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(ListedAction::from).collect())
}

/// Everyone's open actions due before `today`, most overdue first.
pub async fn find_overdue(
    pool: &PgPool,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<ListedAction>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ActionRow,
        "SELECT a.incident_id, i.title AS incident_title, i.restricted AS incident_restricted, a.number, a.text, a.owner, a.due_on, a.link, a.status,
                a.reason, a.created_by, a.created_at, a.finished_at, a.finished_by
         FROM incident_actions a JOIN incidents i ON i.id = a.incident_id
         WHERE a.status = 'open' AND a.due_on < $1 AND i.status <> 'cancelled'
         ORDER BY a.due_on, a.incident_id, a.number LIMIT $2",
        today,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(ListedAction::from).collect())
}
