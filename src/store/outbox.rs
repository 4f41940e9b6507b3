//! The outbox: every Slack write, enqueued in the transaction of the change that caused it and
//! delivered by the workers. Rows are claimed with `FOR UPDATE SKIP LOCKED` under a short lease
//! that the delivering replica keeps extending; `attempts` fences completions.

use crate::delivery::Delivery;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

/// The channel `NOTIFY`ed when work is enqueued.
pub const WAKE_CHANNEL: &str = "warroom_outbox";

/// A row to enqueue.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    pub delivery: Delivery,
    /// The channel a post goes to (pacing), when it posts into one.
    pub pace_key: Option<String>,
    /// Lower goes first (see [`Delivery::priority`]).
    pub priority: i32,
    /// Sent only while the incident's next update is still due at this time; a reminder about a
    /// deadline that has since moved is superseded instead.
    pub only_if_next_update_due_at: Option<DateTime<Utc>>,
}

impl NewOutbox {
    /// A delivery about an incident of severity `rank` whose card and thread are in `channel`.
    pub fn about(channel: &str, rank: usize, delivery: Delivery) -> Self {
        let pace_key = delivery.is_channel_post().then(|| channel.to_owned());
        NewOutbox {
            priority: delivery.priority(rank),
            pace_key,
            delivery,
            only_if_next_update_due_at: None,
        }
    }

    /// A delivery that concerns no incident's card (answers to one person, channel posts).
    pub fn standalone(delivery: Delivery) -> Self {
        let pace_key = match &delivery {
            Delivery::ChannelPost { channel, .. } => Some(channel.clone()),
            _ => None,
        };
        NewOutbox {
            priority: delivery.priority(0),
            pace_key,
            delivery,
            only_if_next_update_due_at: None,
        }
    }

    fn payload(&self) -> serde_json::Value {
        serde_json::to_value(&self.delivery).unwrap_or_default()
    }
}

/// A claimed row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub incident_id: Option<String>,
    pub kind: String,
    pub method: String,
    pub pace_key: Option<String>,
    pub payload: serde_json::Value,
    pub only_if_next_update_due_at: Option<DateTime<Utc>>,
    /// The fencing token of this attempt.
    pub attempts: i32,
    /// A previous attempt may have reached Slack: look for it before posting again.
    pub ambiguous: bool,
    pub created_at: DateTime<Utc>,
}

fn interval(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Enqueues rows inside the caller's transaction and wakes the workers at commit.
pub async fn insert_outbox(
    tx: &mut Transaction<'_, Postgres>,
    incident_id: Option<&str>,
    rows: &[NewOutbox],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    for row in rows {
        sqlx::query!(
            "INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload, only_if_next_update_due_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            incident_id,
            row.delivery.kind(),
            row.delivery.lane(),
            row.pace_key.as_deref(),
            row.priority,
            row.payload(),
            row.only_if_next_update_due_at,
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query!("SELECT pg_notify($1, '')", WAKE_CHANNEL)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Claims up to `limit` due rows for this replica. A row is due when its time has come, no
/// earlier post or card edit of the same incident is still pending (the card goes before its
/// thread replies, and they go in order), and neither its channel nor its method is paused. An
/// answer to one person waits only for the incident's card and holds back nothing: a
/// `response_url` that keeps failing never delays the incident's channel posts. With pacing on, at most one post per channel
/// is claimed, and the channel's next slot is taken in the same transaction, so all replicas
/// together keep to the pace.
#[tracing::instrument(skip_all)]
pub async fn claim_outbox(
    pool: &PgPool,
    limit: i64,
    lease: Duration,
    pace: Duration,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Walk the pending index in delivery order and stop at `limit`. Left to itself the planner
    // may instead gather and sort every pending row, which is what it does when the table's
    // statistics are stale (a burst of thousands of declares on a server where autovacuum is off
    // or behind): each claim then reads the whole backlog, and the queue stops draining just
    // when it is longest.
    sqlx::query!(
        "SELECT set_config('enable_sort', 'off', true) AS enable_sort,
                set_config('enable_bitmapscan', 'off', true) AS enable_bitmapscan"
    )
    .fetch_one(&mut *tx)
    .await?;
    let candidates: Vec<(i64, Option<String>)> = sqlx::query!(
        "SELECT o.id, o.pace_key FROM outbox o
         WHERE o.state = 'pending' AND o.run_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.state = 'pending' AND e.id < o.id
                           AND e.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply')
                           AND (o.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply') OR e.kind = 'post_card'))
           AND NOT EXISTS (SELECT 1 FROM slack_pacing p
                           WHERE p.pace_key IN (o.pace_key, 'method:' || o.method) AND p.next_allowed_at > now())
         ORDER BY o.priority, o.id
         LIMIT $1
         FOR UPDATE OF o SKIP LOCKED",
        limit,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|c| (c.id, c.pace_key))
    .collect();
    if candidates.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = candidates
        .iter()
        .filter(|(_, key)| key.is_none() || pace.is_zero())
        .map(|(id, _)| *id)
        .collect();
    if !pace.is_zero() {
        // The first (most urgent) candidate of each channel competes for the channel's slot.
        let mut first_per_channel: Vec<(String, i64)> = Vec::new();
        for (id, key) in &candidates {
            if let Some(key) = key
                && !first_per_channel.iter().any(|(k, _)| k == key)
            {
                first_per_channel.push((key.clone(), *id));
            }
        }
        // Sorted keys take their row locks in one order everywhere: no deadlock between replicas.
        first_per_channel.sort();
        let keys: Vec<String> = first_per_channel.iter().map(|(k, _)| k.clone()).collect();
        let won: Vec<String> = sqlx::query_scalar!(
            "INSERT INTO slack_pacing AS p (pace_key, next_allowed_at)
             SELECT k, now() + make_interval(secs => $2) FROM UNNEST($1::text[]) AS k
             ON CONFLICT (pace_key) DO UPDATE SET next_allowed_at = EXCLUDED.next_allowed_at, updated_at = now()
             WHERE p.next_allowed_at <= now()
             RETURNING pace_key",
            &keys,
            interval(pace),
        )
        .fetch_all(&mut *tx)
        .await?;
        ids.extend(
            first_per_channel
                .iter()
                .filter(|(k, _)| won.contains(k))
                .map(|(_, id)| *id),
        );
    }
    let rows = sqlx::query_as!(
        OutboxRow,
        "UPDATE outbox SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1,
                ambiguous = ambiguous OR lease_until IS NOT NULL, updated_at = now()
         WHERE id = ANY($1)
         RETURNING id, incident_id, kind, method, pace_key, payload, only_if_next_update_due_at, attempts, ambiguous, created_at",
        &ids,
        interval(lease),
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut rows = rows;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Whether this attempt still holds the row: nobody took it over (the attempt count is still
/// ours) and its lease has not run out. Asked right before each post, so a replica that stalled
/// past its lease leaves the post to whoever holds the row now. A row still held is held for
/// `hold` from now: long enough for the call to end (it times out before that), so a replica that
/// stalls while Slack is still at work is not taken over until Slack has finished — the replica
/// that takes over then finds the post instead of repeating it.
pub async fn hold_for_call(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    hold: Duration,
) -> Result<bool, sqlx::Error> {
    let held = sqlx::query_scalar!(
        "UPDATE outbox SET lease_until = GREATEST(lease_until, now() + make_interval(secs => $3))
         WHERE id = $1 AND attempts = $2 AND state = 'pending' AND lease_until > now()
         RETURNING id",
        id,
        attempt,
        interval(hold),
    )
    .fetch_optional(pool)
    .await?;
    Ok(held.is_some())
}

/// Keeps this replica's claims alive while their Slack calls are in flight; a row held longer for
/// a call in progress keeps that longer hold.
pub async fn extend_outbox_leases(
    pool: &PgPool,
    claims: &[(i64, i32)],
    lease: Duration,
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = claims.iter().map(|c| c.0).collect();
    let attempts: Vec<i32> = claims.iter().map(|c| c.1).collect();
    sqlx::query!(
        "UPDATE outbox o SET lease_until = GREATEST(o.lease_until, now() + make_interval(secs => $3))
         FROM UNNEST($1::bigint[], $2::int[]) AS c(id, attempts)
         WHERE o.id = c.id AND o.attempts = c.attempts AND o.state = 'pending'",
        &ids,
        &attempts,
        interval(lease),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a delivery, if this attempt still holds the row: one statement, so the worker's
/// bookkeeping costs the database one round trip. A delivered card also gives its incident the
/// card's `ts` (the first one wins).
///
/// It commits without waiting for its WAL flush. Should Postgres crash before the flush, the row
/// is still pending with a claim on it, so it is retried as ambiguous: warroom looks the message
/// up by its outbox id in Slack, finds it, and records it then, without posting it again.
pub async fn mark_delivered(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    slack_ts: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
         done AS (
             UPDATE outbox SET state = 'delivered', delivered_at = now(), slack_ts = $3, lease_until = NULL, last_error = NULL, updated_at = now(),
                               payload = (payload #- '{to,response_url}'::text[]) - 'response_url'::text
             WHERE id = $1 AND attempts = $2 AND state = 'pending' AND EXISTS (SELECT 1 FROM relaxed)
             RETURNING incident_id, kind
         )
         UPDATE incidents SET card_ts = $3, updated_at = now()
         FROM done WHERE done.kind = 'post_card' AND incidents.id = done.incident_id AND $3::text IS NOT NULL AND incidents.card_ts IS NULL",
        id,
        attempt,
        slack_ts,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives an attempt back to be retried after `delay`.
pub async fn mark_retry(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    delay: Duration,
    error: &str,
    ambiguous: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET run_at = now() + make_interval(secs => $3), lease_until = NULL, last_error = $4,
                ambiguous = ambiguous OR $5, updated_at = now()
         WHERE id = $1 AND attempts = $2 AND state = 'pending'",
        id,
        attempt,
        interval(delay),
        error,
        ambiguous,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Stops retrying a row for good, recording why.
pub async fn mark_failed(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    attempt: i32,
    error: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = $3, updated_at = now(),
                           payload = (payload #- '{to,response_url}'::text[]) - 'response_url'::text
         WHERE id = $1 AND attempts = $2 AND state = 'pending'",
        id,
        attempt,
        error,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Holds every call on `key` (a channel, or `method:NAME`) until `retry_after` has passed, as a
/// 429 demands, for all replicas.
pub async fn pause_pace_key(
    pool: &PgPool,
    key: &str,
    retry_after: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO slack_pacing AS p (pace_key, next_allowed_at) VALUES ($1, now() + make_interval(secs => $2))
         ON CONFLICT (pace_key) DO UPDATE SET next_allowed_at = GREATEST(p.next_allowed_at, EXCLUDED.next_allowed_at), updated_at = now()",
        key,
        interval(retry_after),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Why an incident's card could not be posted, if it failed.
pub async fn find_card_error(
    pool: &PgPool,
    incident_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let error: Option<Option<String>> = sqlx::query_scalar!(
        "SELECT last_error FROM outbox WHERE incident_id = $1 AND kind = 'post_card' AND state = 'failed' ORDER BY id DESC LIMIT 1",
        incident_id,
    )
    .fetch_optional(pool)
    .await?;
    Ok(error.flatten())
}

/// Enqueues rows in a transaction of their own (answers that change no incident).
pub async fn insert_outbox_now(pool: &PgPool, rows: &[NewOutbox]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert_outbox(&mut tx, None, rows).await?;
    tx.commit().await
}

/// Marks a row no longer wanted (a reminder whose deadline moved before it was sent).
pub async fn mark_superseded(pool: &PgPool, id: i64, attempt: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET state = 'superseded', lease_until = NULL, updated_at = now(),
                           payload = (payload #- '{to,response_url}'::text[]) - 'response_url'::text
         WHERE id = $1 AND attempts = $2 AND state = 'pending'",
        id,
        attempt,
    )
    .execute(pool)
    .await?;
    Ok(())
}
