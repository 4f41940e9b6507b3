//! Incidents and their timeline.

use super::outbox::NewOutbox;
use crate::incident::schedule::Arm;
use crate::incident::{
    Event, Incident, IncidentId, NewIncident, Status, Triage,
    event::{Recorded, Stored},
    update::StructuredUpdate,
};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction, types::Json};
use std::collections::BTreeMap;

// Every query that reads incidents names the same columns, so that `query_as!` can check each one
// against `IncidentRow`: a query missing a field, or one whose type changed, does not compile.
// JSONB columns decode through the type named in the column's alias.

/// Who declared an incident, from where, and where its card goes.
#[derive(Debug, Clone)]
pub struct DeclaredBy {
    pub user_id: String,
    pub from_channel: Option<String>,
    pub team_domain: Option<String>,
    pub incident_channel: String,
}

/// The outcome of storing a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    Declared(IncidentId),
    /// The Slack request (same trigger or view) was handled before: nothing new was written.
    AlreadyHandled(Option<IncidentId>),
}

/// Everything one declaration writes.
pub struct Declaration<'a> {
    pub new: &'a NewIncident,
    pub severity_name: &'a str,
    pub by: &'a DeclaredBy,
    /// The `declared` event.
    pub event: &'a Event,
    /// Slack messages to send, in order.
    pub outbox: &'a [NewOutbox],
    pub reminders: &'a [Arm],
    pub idempotency_key: Option<&'a str>,
}

/// Stores a declaration as one statement, hence one transaction: the incident row under the next
/// number of its UTC day, its `declared` timeline entry, the outbox rows (in the given order), its
/// reminders, the request's idempotency key, and wake-ups for the workers.
///
/// The number is taken first, in a statement of its own (see [`take_day_number`]), so concurrent
/// declares do not queue on the day's counter row for the length of each other's commits. A
/// declaration that then fails (or a redelivered request) leaves a gap in the day's numbers.
#[tracing::instrument(skip_all, fields(idempotency_key = d.idempotency_key.is_some()))]
pub async fn insert_declared(pool: &PgPool, d: Declaration<'_>) -> Result<Inserted, sqlx::Error> {
    let Declaration {
        new,
        severity_name,
        by,
        event,
        outbox,
        reminders,
        idempotency_key,
    } = d;
    let (mut reminder_kinds, mut reminder_due, mut reminder_details) =
        (Vec::new(), Vec::new(), Vec::new());
    for arm in reminders {
        if let Arm::Set {
            kind,
            due_at,
            details,
        } = arm
        {
            reminder_kinds.push(*kind);
            reminder_due.push(*due_at);
            reminder_details.push(details.clone());
        }
    }
    let number = take_day_number(pool, new.declared_at.date_naive()).await?;
    let kinds: Vec<&str> = outbox.iter().map(|o| o.delivery.kind()).collect();
    let methods: Vec<&str> = outbox.iter().map(|o| o.delivery.lane()).collect();
    let pace_keys: Vec<Option<String>> = outbox.iter().map(|o| o.pace_key.clone()).collect();
    let priorities: Vec<i32> = outbox.iter().map(|o| o.priority).collect();
    let payloads: Vec<serde_json::Value> = outbox
        .iter()
        .map(|o| serde_json::to_value(&o.delivery).unwrap_or_default())
        .collect();
    let result = sqlx::query_scalar!(
        r#"
        WITH counter AS (
            SELECT $26::int AS last_number
        ), inc AS (
            INSERT INTO incidents (id, title, severity, severity_rank, incident_type, impact, triage,
                declared_by, declared_from, team_domain, channel_id, declared_at, next_update_due_at,
                breach_discovered_at, escalations)
            SELECT 'INC-' || to_char($1::date, 'YYYYMMDD') || '-' ||
                   CASE WHEN last_number < 1000 THEN lpad(last_number::text, 3, '0') ELSE last_number::text END,
                   $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $24, $25
            FROM counter
            RETURNING id
        ), entry AS (
            INSERT INTO timeline_entries (incident_id, at, actor, kind, details)
            SELECT id, $12, $8, $27, $14 FROM inc
        ), queued AS (
            INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload)
            SELECT inc.id, u.kind, u.method, u.pace_key, u.priority, u.payload
            FROM inc, UNNEST($15::text[], $20::text[], $16::text[], $17::int[], $18::jsonb[])
                 WITH ORDINALITY AS u(kind, method, pace_key, priority, payload, ord)
            ORDER BY u.ord
        ), request AS (
            INSERT INTO slack_requests (key, incident_id) SELECT $19, id FROM inc WHERE $19::text IS NOT NULL
        ), armed AS (
            INSERT INTO reminders (incident_id, kind, due_at, details)
            SELECT inc.id, r.kind, r.due_at, r.details FROM inc, UNNEST($21::text[], $22::timestamptz[], $23::jsonb[]) AS r(kind, due_at, details)
        )
        SELECT id AS "id!" FROM inc, LATERAL (SELECT pg_notify('warroom_outbox', ''), pg_notify('warroom_reminders', '')) AS wake
        "#,
        new.declared_at.date_naive(),
        new.title.as_str(),
        severity_name,
        new.severity.index() as i32,
        new.incident_type.as_deref(),
        new.impact.as_deref(),
        Json(&new.triage) as _,
        &by.user_id,
        by.from_channel.as_deref(),
        by.team_domain.as_deref(),
        &by.incident_channel,
        new.declared_at,
        new.next_update_due_at,
        event.details(),
        &kinds as &[&str],
        &pace_keys as &[Option<String>],
        &priorities,
        &payloads,
        idempotency_key,
        &methods as &[&str],
        &reminder_kinds as &[&str],
        &reminder_due,
        &reminder_details,
        new.breach_discovered_at,
        Json(&new.escalations) as _,
        number,
        event.kind(),
    )
    .fetch_one(pool)
    .await;
    match result {
        Ok(id) => Ok(Inserted::Declared(IncidentId::from_stored(id))),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("slack_requests_pkey") => {
            let key = idempotency_key.unwrap_or_default();
            Ok(Inserted::AlreadyHandled(
                find_request_incident(pool, key).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

/// Takes the next incident number of `day`. The counter's row is locked only for this one
/// statement, which commits without waiting for its WAL flush: the declaration that uses the
/// number commits after it, synchronously, and so flushes the counter too. If the server crashes
/// before that, no stored incident carries the number, and it is simply taken again.
async fn take_day_number(pool: &PgPool, day: chrono::NaiveDate) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
         INSERT INTO incident_day_counters AS c (day, last_number) SELECT $1, 1 FROM relaxed
         ON CONFLICT (day) DO UPDATE SET last_number = c.last_number + 1, updated_at = now()
         RETURNING last_number",
        day,
    )
    .fetch_one(pool)
    .await
}

async fn find_request_incident(
    pool: &PgPool,
    key: &str,
) -> Result<Option<IncidentId>, sqlx::Error> {
    let id: Option<Option<String>> =
        sqlx::query_scalar!("SELECT incident_id FROM slack_requests WHERE key = $1", key)
            .fetch_optional(pool)
            .await?;
    Ok(id.flatten().map(IncidentId::from_stored))
}

/// The incident the same person declared with the same title since `since`, if any: a user who
/// pressed Enter twice gets their first incident back instead of a duplicate.
#[tracing::instrument(skip_all)]
pub async fn find_recent_duplicate(
    pool: &PgPool,
    user_id: &str,
    title: &str,
    since: DateTime<Utc>,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE declared_by = $1 AND declared_at >= $2 AND title = $3 AND status <> 'cancelled'
         ORDER BY declared_at DESC LIMIT 1"#,
        user_id,
        since,
        title,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Incident::from))
}

/// One incident by ID.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_incident(
    pool: &PgPool,
    id: &IncidentId,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE id = $1"#,
        id.as_str(),
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Incident::from))
}

/// Open incidents, newest first.
#[tracing::instrument(skip_all)]
pub async fn find_open(pool: &PgPool, limit: i64) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE status NOT IN ('resolved', 'closed', 'cancelled')
         ORDER BY declared_at DESC, id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

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

struct IncidentRow {
    id: String,
    title: String,
    severity: String,
    severity_rank: i32,
    status: String,
    incident_type: Option<String>,
    impact: Option<String>,
    triage: Json<Triage>,
    declared_by: String,
    team_domain: Option<String>,
    channel_id: String,
    card_ts: Option<String>,
    declared_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<String>,
    next_update_due_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    resolution_summary: Option<String>,
    roles: Json<BTreeMap<String, String>>,
    latest_update: Option<Json<StructuredUpdate>>,
    breach_discovered_at: Option<DateTime<Utc>>,
    authority_notified_at: Option<DateTime<Utc>>,
    escalations: Json<Vec<String>>,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Self {
        Incident {
            id: IncidentId::from_stored(r.id),
            title: r.title,
            severity: r.severity,
            severity_rank: usize::try_from(r.severity_rank).unwrap_or_default(),
            // The CHECK constraint admits only known statuses.
            status: Status::parse(&r.status).unwrap_or(Status::Investigating),
            incident_type: r.incident_type,
            impact: r.impact,
            triage: r.triage.0,
            declared_by: r.declared_by,
            team_domain: r.team_domain,
            channel_id: r.channel_id,
            card_ts: r.card_ts,
            declared_at: r.declared_at,
            acknowledged_at: r.acknowledged_at,
            acknowledged_by: r.acknowledged_by,
            next_update_due_at: r.next_update_due_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            resolution_summary: r.resolution_summary,
            roles: r.roles.0,
            latest_update: r.latest_update.map(|u| u.0),
            breach_discovered_at: r.breach_discovered_at,
            authority_notified_at: r.authority_notified_at,
            escalations: r.escalations.0,
        }
    }
}

/// Locks the incident's row for the rest of `tx`, so a change is decided against its current
/// state and no concurrent change slips in between.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_incident_for_update(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE id = $1 FOR UPDATE"#,
        id.as_str(),
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Incident::from))
}

/// Writes an incident's new current state.
pub async fn update_incident_state(
    tx: &mut Transaction<'_, Postgres>,
    incident: &Incident,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET title = $2, severity = $3, severity_rank = $4, status = $5, incident_type = $6, impact = $7,
                acknowledged_at = $8, acknowledged_by = $9, next_update_due_at = $10, resolved_at = $11, closed_at = $12,
                resolution_summary = $13, roles = $14, latest_update = $15, breach_discovered_at = $16,
                authority_notified_at = $17, escalations = $18, triage = $19, version = version + 1, updated_at = now()
         WHERE id = $1",
        incident.id.as_str(),
        &incident.title,
        &incident.severity,
        incident.severity_rank as i32,
        incident.status.as_str(),
        incident.incident_type.as_deref(),
        incident.impact.as_deref(),
        incident.acknowledged_at,
        incident.acknowledged_by.as_deref(),
        incident.next_update_due_at,
        incident.resolved_at,
        incident.closed_at,
        incident.resolution_summary.as_deref(),
        Json(&incident.roles) as _,
        incident.latest_update.as_ref().map(Json) as _,
        incident.breach_discovered_at,
        incident.authority_notified_at,
        Json(&incident.escalations) as _,
        Json(&incident.triage) as _,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a request key inside `tx`; false when it was handled before.
pub async fn insert_request_key_in(
    tx: &mut Transaction<'_, Postgres>,
    key: &str,
    incident_id: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO slack_requests (key, incident_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        key,
        incident_id,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// An incident's timeline, oldest first, each row read back as its event.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_timeline(
    pool: &PgPool,
    id: &IncidentId,
    limit: i64,
) -> Result<Vec<Recorded>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT at, actor, kind, details FROM timeline_entries WHERE incident_id = $1 ORDER BY at, id LIMIT $2",
        id.as_str(),
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Recorded {
            at: r.at,
            actor: r.actor,
            event: Stored::read(&r.kind, r.details),
        })
        .collect())
}

/// The incident whose card is the message `ts` in `channel`, or whose thread that message is in.
pub async fn find_incident_by_message(
    pool: &PgPool,
    channel: &str,
    ts: &str,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE channel_id = $1 AND card_ts = $2 LIMIT 1"#,
        channel,
        ts,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Incident::from))
}

/// Open incidents, most severe and then oldest first (for the digest).
pub async fn find_open_by_severity(
    pool: &PgPool,
    limit: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = sqlx::query_as!(
        IncidentRow,
        r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>"
         FROM incidents WHERE status NOT IN ('resolved', 'closed', 'cancelled')
         ORDER BY severity_rank, declared_at LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// Moves the pending overdue-update reminder of an incident to `until`; false if none is pending.
pub async fn update_reminder_snooze(
    tx: &mut Transaction<'_, Postgres>,
    id: &str,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query!(
        "UPDATE reminders SET due_at = $2, updated_at = now() WHERE incident_id = $1 AND kind = 'update_due' AND state = 'pending'",
        id,
        until,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved == 1)
}
