//! Storing a declaration: the incident under the next number of its UTC day, with everything the
//! declaration writes, in one statement.

use super::outbox::NewOutbox;
use super::reminders::{LOOKS_AT_LEAST_EVERY, wake_schedulers};
use crate::incident::{Detection, Event, IncidentId, NewIncident, schedule::Arm};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, types::Json};

/// Who declared an incident, from where, and where its card goes.
#[derive(Debug, Clone)]
pub struct DeclaredBy {
    pub user_id: String,
    pub from_channel: Option<String>,
    pub team_domain: Option<String>,
    pub incident_channel: String,
}

/// The outcome of storing a declaration.
#[derive(Debug, Clone)]
pub enum Inserted {
    Declared(IncidentId),
    /// The Slack request (same trigger or view) was handled before: nothing new was written.
    AlreadyHandled(Option<IncidentId>),
    /// The same person declared the same title within the double-submit window: that incident.
    DoubleSubmit(Earlier),
}

/// The incident an earlier press of Enter declared, as the declarer is pointed back to it.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub id: IncidentId,
    pub card_ts: Option<String>,
    pub team_domain: Option<String>,
}

/// Everything one declaration writes.
pub struct Declaration<'a> {
    pub new: &'a NewIncident,
    pub by: &'a DeclaredBy,
    /// The `declared` event.
    pub event: &'a Event,
    /// Slack messages to send, in order.
    pub outbox: &'a [NewOutbox],
    pub reminders: &'a [Arm],
    /// The people whose Home shows the new incident: published again if they have opened it.
    pub homes: &'a [String],
    pub idempotency_key: Option<&'a str>,
    /// An incident the same person declared with the same title since then is returned instead.
    pub double_submit_since: DateTime<Utc>,
}

/// Stores a declaration in one transaction: the incident row under the next number of its UTC
/// day, its `declared` timeline entry, the outbox rows (in the given order), its reminders and the
/// request's idempotency key — unless the same person declared the same title moments ago (a
/// drill and a real incident of one title are two things).
///
/// The transaction sends no `NOTIFY`: at commit every notifying transaction queues on one lock of
/// the whole server, which cost declarations a fifth of their throughput. The caller wakes its
/// own replica's delivery loop once this returns (other replicas' loops look on their own every
/// 250 ms), and sleeping schedulers are told only of a reminder due sooner than they look anyway.
/// Declarations of one title by one person take a lock on that pair first, so two presses of
/// Enter reaching two replicas at once still declare once.
///
/// The day's number is taken first, in a statement of its own (see [`take_day_number`]), so
/// concurrent declares do not queue on the day's counter row for the length of each other's
/// commits. A declaration that then fails, a redelivered request or a double submit leaves a gap
/// in the day's numbers.
#[tracing::instrument(skip_all, fields(idempotency_key = d.idempotency_key.is_some()))]
pub async fn insert_declared(pool: &PgPool, d: Declaration<'_>) -> Result<Inserted, sqlx::Error> {
    let Declaration {
        new,
        by,
        event,
        outbox,
        reminders,
        homes,
        idempotency_key,
        double_submit_since,
    } = d;
    // Taken before the transaction, which then holds a single connection: a declaration never
    // waits for a second connection while holding one (under a burst, that would starve the pool).
    let number = take_day_number(pool, new.declared_at.date_naive()).await?;
    let mut tx = pool.begin().await?;
    let pair = format!("{}\n{}", by.user_id, new.title.as_str());
    sqlx::query_scalar!(
        r#"SELECT 1 AS "locked!" FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l"#,
        pair,
    )
    .fetch_one(&mut *tx)
    .await?;
    let (mut reminder_kinds, mut reminder_due, mut reminder_details) =
        (Vec::new(), Vec::new(), Vec::new());
    for arm in reminders {
        if let Arm::Set {
            kind,
            due_at,
            details,
        } = arm
        {
            reminder_kinds.push(kind.as_ref());
            reminder_due.push(*due_at);
            reminder_details.push(details.clone());
        }
    }
    let kinds: Vec<&str> = outbox.iter().map(|o| o.delivery.kind()).collect();
    let methods: Vec<&str> = outbox.iter().map(|o| o.delivery.lane()).collect();
    let pace_keys: Vec<Option<String>> = outbox.iter().map(|o| o.pace_key.clone()).collect();
    let priorities: Vec<i32> = outbox.iter().map(|o| o.priority).collect();
    let payloads: Vec<serde_json::Value> = outbox
        .iter()
        .map(|o| serde_json::to_value(&o.delivery).unwrap_or_default())
        .collect();
    // The statement starts after the lock is held, so it sees any declaration of the pair that
    // committed before: that one (`earlier`) is returned instead, and nothing is written.
    let result = sqlx::query!(
        r#"
        WITH earlier AS (
            SELECT id, card_ts, team_domain FROM incidents
            WHERE declared_by = $8 AND declared_at >= $28 AND title = $2 AND status <> 'cancelled' AND drill = $34
            ORDER BY declared_at DESC LIMIT 1
        ), counter AS (
            SELECT $26::int AS last_number WHERE NOT EXISTS (SELECT 1 FROM earlier)
        ), inc AS (
            INSERT INTO incidents (id, title, severity, severity_rank, incident_type, impact, triage,
                declared_by, declared_from, team_domain, channel_id, declared_at, next_update_due_at,
                breach_discovered_at, escalations, impact_started_at, detection, environment, affected_services,
                restricted, drill, paged_at)
            SELECT 'INC-' || to_char($1::date, 'YYYYMMDD') || '-' ||
                   CASE WHEN last_number < 1000 THEN lpad(last_number::text, 3, '0') ELSE last_number::text END,
                   $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $24, $25, $29, $30, $31, $32, $33, $34,
                   CASE WHEN 'page' = ANY($15::text[]) THEN $12::timestamptz END
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
        ), home AS (
            -- As `homes::queue_publish` queues a Home's publication: only for who opened it, once.
            INSERT INTO outbox (incident_id, kind, method, priority, payload)
            SELECT NULL, 'publish_home', 'home', 260, jsonb_build_object('deliver', 'publish_home', 'user', h.user_id)
            FROM inc, app_homes h
            WHERE h.user_id = ANY($35)
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'publish_home' AND o.state = 'pending'
                              AND o.lease_until IS NULL AND o.payload->>'user' = h.user_id)
        )
        SELECT id AS "id!", NULL::text AS "card_ts?", NULL::text AS "team_domain?", true AS "declared!"
        FROM inc
        UNION ALL
        SELECT id, card_ts, team_domain, false FROM earlier
        "#,
        new.declared_at.date_naive(),
        new.title.as_str(),
        new.severity.name().as_str(),
        new.severity.rank().index() as i32,
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
        double_submit_since,
        new.scope.impact_started_at,
        new.scope.detection.map(Detection::key),
        new.scope.environment.key(),
        new.scope.affected_services.as_deref(),
        new.restricted,
        new.drill,
        homes,
    )
    .fetch_one(&mut *tx)
    .await;
    match result {
        Ok(row) if row.declared => {
            tx.commit().await?;
            let soonest = reminders.iter().filter_map(|arm| match arm {
                Arm::Set { due_at, .. } => Some(*due_at),
                Arm::Cancel { .. } => None,
            });
            if let Some(due_at) = soonest.min()
                && due_at - new.declared_at
                    < chrono::Duration::from_std(LOOKS_AT_LEAST_EVERY).unwrap_or_default()
            {
                // The declaration is stored: a wake-up that fails only leaves the reminder to
                // the schedulers' own next look, two seconds at most.
                if let Err(e) = wake_schedulers(pool, due_at).await {
                    tracing::warn!(error = %e, "could not wake the schedulers for a reminder due soon");
                }
            }
            Ok(Inserted::Declared(IncidentId::from_stored(row.id)))
        }
        Ok(row) => {
            tx.rollback().await?;
            Ok(Inserted::DoubleSubmit(Earlier {
                id: IncidentId::from_stored(row.id),
                card_ts: row.card_ts,
                team_domain: row.team_domain,
            }))
        }
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("slack_requests_pkey") => {
            tx.rollback().await?;
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
