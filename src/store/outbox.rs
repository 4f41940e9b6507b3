//! The outbox: every Slack write, enqueued in the transaction of the change that caused it and
//! delivered by the workers. Rows are claimed with `FOR UPDATE SKIP LOCKED` under a short lease
//! that the delivering replica keeps extending; `attempts` fences completions.

use crate::delivery::Delivery;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

mod claim;

pub use claim::{Hold, Leases, claim_outbox, extend_outbox_leases, hold_for_call};

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
    /// A delivery about an incident of severity `rank` whose card and thread are in `channel`
    /// (a client-safe summary keeps to the pace of the channel it goes to).
    pub fn about(channel: &str, rank: usize, delivery: Delivery) -> Self {
        let pace_key = delivery.is_channel_post().then(|| match &delivery {
            Delivery::ClientSummary { channel, .. } => channel.clone(),
            _ => channel.to_owned(),
        });
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
#[derive(Debug, Clone)]
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
    /// When this replica's claim came back, on its own clock.
    pub claimed_at: std::time::Instant,
    /// When the channel's pace slot this post was claimed for opens, on this replica's clock: a
    /// post may be claimed a little before its slot, and then waits for it (see `claim_outbox`).
    pub slot_opens_at: Option<std::time::Instant>,
}

pub(super) fn interval(d: Duration) -> f64 {
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

/// A card render that reached Slack: the incident version it showed, and the priority of a
/// further render should the incident have moved on since.
#[derive(Debug, Clone, Copy)]
pub struct Rendered {
    pub version: i32,
    pub priority: i32,
}

/// Records a delivery, if this attempt still holds the row: one statement, so the worker's
/// bookkeeping costs the database one round trip. A delivered card also gives its incident the
/// card's `ts` (the first one wins). After a card render (`rendered`), another render is queued
/// in the same statement when the incident has moved past the version shown and no render is
/// waiting, so the card ends on the latest state. Whether the incident has other rows waiting
/// (pending and not being delivered), which this delivery may have made due.
///
/// It commits without waiting for its WAL flush. Should Postgres crash before the flush, the row
/// is still pending with a claim on it, so it is retried as ambiguous: warroom looks the message
/// up by its outbox id in Slack, finds it, and records it then, without posting it again.
pub async fn mark_delivered(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    slack_ts: Option<&str>,
    rendered: Option<Rendered>,
) -> Result<bool, sqlx::Error> {
    let again = crate::delivery::Delivery::UpdateCard;
    let recorded = sqlx::query!(
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
         done AS (
             UPDATE outbox SET state = 'delivered', delivered_at = now(), slack_ts = $3, lease_until = NULL, last_error = NULL, updated_at = now(),
                               payload = (payload #- '{to,response_url}'::text[]) - 'response_url'::text
             WHERE id = $1 AND attempts = $2 AND state = 'pending' AND EXISTS (SELECT 1 FROM relaxed)
             RETURNING incident_id, kind
         ),
         card AS (
             UPDATE incidents SET card_ts = $3, updated_at = now()
             FROM done WHERE done.kind = 'post_card' AND incidents.id = done.incident_id AND $3::text IS NOT NULL AND incidents.card_ts IS NULL
         ),
         again AS (
             INSERT INTO outbox (incident_id, kind, method, priority, payload)
             SELECT i.id, $6, $7, $5, $8 FROM incidents i JOIN done ON i.id = done.incident_id
             WHERE i.version > $4
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.state = 'pending'
                               AND o.kind IN ('post_card', 'update_card') AND o.lease_until IS NULL)
             RETURNING id
         ),
         woke AS (SELECT pg_notify('warroom_outbox', '') FROM again)
         SELECT (SELECT count(*) FROM woke) AS \"woken!\",
                EXISTS (SELECT 1 FROM outbox o JOIN done ON o.incident_id = done.incident_id
                        WHERE o.state = 'pending' AND o.id <> $1 AND (o.lease_until IS NULL OR o.lease_until < now())) AS \"more!\"",
        id,
        attempt,
        slack_ts,
        rendered.map(|r| r.version),
        rendered.map(|r| r.priority),
        again.kind(),
        crate::delivery::lanes::UPDATE,
        serde_json::to_value(&again).unwrap_or_default(),
    )
    .fetch_one(pool)
    .await?;
    Ok(recorded.more)
}

/// Records a delivery that is neither a card nor a card render — a thread reply, an answer to
/// one person, a page, a webhook — as [`mark_delivered`] does, in a statement of its own: the
/// workers' connections plan every statement afresh (see `store::worker_pool`), and two of every
/// three deliveries are of this kind; this statement costs a third of the other's to plan.
pub async fn mark_sent(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    slack_ts: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let recorded = sqlx::query!(
        r#"WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
         done AS (
             UPDATE outbox SET state = 'delivered', delivered_at = now(), slack_ts = $3, lease_until = NULL, last_error = NULL, updated_at = now(),
                               payload = (payload #- '{to,response_url}'::text[]) - 'response_url'::text
             WHERE id = $1 AND attempts = $2 AND state = 'pending' AND EXISTS (SELECT 1 FROM relaxed)
             RETURNING incident_id
         )
         SELECT EXISTS (SELECT 1 FROM outbox o JOIN done ON o.incident_id = done.incident_id
                        WHERE o.state = 'pending' AND o.id <> $1 AND (o.lease_until IS NULL OR o.lease_until < now())) AS "more!""#,
        id,
        attempt,
        slack_ts,
    )
    .fetch_one(pool)
    .await?;
    Ok(recorded.more)
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
    insert_outbox_about(pool, None, rows).await
}

/// Queues `rows` about incident `incident_id` (in order after its other messages), in a
/// transaction of their own.
pub async fn insert_outbox_about(
    pool: &PgPool,
    incident_id: Option<&str>,
    rows: &[NewOutbox],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert_outbox(&mut tx, incident_id, rows).await?;
    tx.commit().await
}

/// Whether an earlier row of `kind` about the same incident is still waiting to go out: pages and
/// status-page updates reach their service in the order they were queued.
pub async fn earlier_pending(
    pool: &PgPool,
    outbox_id: i64,
    incident: &str,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = $3 AND state = 'pending'
                          AND id < $1 AND incident_id = $2) AS "pending!""#,
        outbox_id,
        incident,
        kind
    )
    .fetch_one(pool)
    .await
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
