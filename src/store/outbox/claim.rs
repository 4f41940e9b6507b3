//! Claiming due rows for this replica, keeping the claims alive while their calls run, and the
//! check right before a post that this attempt still holds its row.

use super::{OutboxRow, interval};
use sqlx::PgPool;
use std::time::Duration;

/// How long a claim lasts: `hold` for a post (the Slack timeout plus a lease, so that a replica
/// that stalls mid-call is not taken over while Slack may still be posting), `lease` for the rest.
#[derive(Debug, Clone, Copy)]
pub struct Leases {
    pub lease: Duration,
    pub hold: Duration,
}

/// Claims up to `limit` due rows for this replica. A row is due when its time has come, no
/// earlier post or card edit of the same incident is still pending (the card goes before its
/// thread replies, and they go in order; a page to PagerDuty, a webhook or a status-page update waits for none of them), and neither its channel nor its method is paused. An
/// answer to one person waits only for the incident's card and holds back nothing: a
/// `response_url` that keeps failing never delays the incident's channel posts. With pacing on, at most one post per channel
/// is claimed, and the channel's next slot is taken in the same transaction, so all replicas
/// together keep to the pace. A slot may be taken up to one pace (at most a quarter of the lease)
/// before it opens, the next right after the last: the post waits for its slot's opening, so the
/// channel's posts leave a pace apart without a gap for the claim's own round trips.

#[tracing::instrument(skip_all)]
pub async fn claim_outbox(
    pool: &PgPool,
    limit: i64,
    Leases { lease, hold }: Leases,
    pace: Duration,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Walk the pending index in delivery order and stop at `limit`. Left to itself the planner
    // may instead gather and sort every pending row, which is what it does when the table's
    // statistics are stale (a burst of thousands of declares on a server where autovacuum is off
    // or behind): each claim then reads the whole backlog, and the queue stops draining just
    // when it is longest. (The workers' connections plan each statement for the outbox as it is
    // now, not as it was when the connection first ran it: see `store::worker_pool`.)
    sqlx::query!(
        "SELECT set_config('enable_sort', 'off', true) AS enable_sort,
                set_config('enable_bitmapscan', 'off', true) AS enable_bitmapscan"
    )
    .fetch_one(&mut *tx)
    .await?;
    let ahead = pace.min(lease / 4);
    let candidates = if pace.is_zero() {
        due_rows(&mut tx, limit).await?
    } else {
        due_per_channel(&mut tx, limit, ahead).await?
    };
    if candidates.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    // Each paced post claimed, with how long until its channel's slot opens.
    let mut slots: Vec<(i64, Duration)> = Vec::new();
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
        let won = sqlx::query!(
            r#"INSERT INTO slack_pacing AS p (pace_key, next_allowed_at)
             SELECT k, now() + make_interval(secs => $2) FROM UNNEST($1::text[]) AS k
             ON CONFLICT (pace_key) DO UPDATE
                 SET next_allowed_at = GREATEST(p.next_allowed_at, now()) + make_interval(secs => $2), updated_at = now()
             WHERE p.next_allowed_at <= now() + make_interval(secs => $3)
             RETURNING pace_key, GREATEST(EXTRACT(EPOCH FROM (next_allowed_at - now()))::float8 - $2, 0) AS "opens_in!""#,
            &keys,
            interval(pace),
            interval(ahead),
        )
        .fetch_all(&mut *tx)
        .await?;
        for slot in won {
            if let Some((_, id)) = first_per_channel.iter().find(|(k, _)| *k == slot.pace_key) {
                ids.push(*id);
                slots.push((*id, Duration::from_secs_f64(slot.opens_in.max(0.0))));
            }
        }
    }
    // A post is held for its call's whole length from the start (see `hold_for_call`): claimed
    // rows are delivered at once, so the call begins well inside the first lease.
    let rows = sqlx::query!(
        "UPDATE outbox SET attempts = attempts + 1, ambiguous = ambiguous OR lease_until IS NOT NULL, updated_at = now(),
                lease_until = now() + make_interval(secs => CASE WHEN method IN ('post', 'chat.postMessage') THEN $3::float8 ELSE $2::float8 END)
         WHERE id = ANY($1)
         RETURNING id, incident_id, kind, method, pace_key, payload, only_if_next_update_due_at, attempts, ambiguous, created_at",
        &ids,
        interval(lease),
        interval(hold),
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let claimed_at = std::time::Instant::now();
    let mut rows: Vec<OutboxRow> = rows
        .into_iter()
        .map(|r| OutboxRow {
            id: r.id,
            incident_id: r.incident_id,
            kind: r.kind,
            method: r.method,
            pace_key: r.pace_key,
            payload: r.payload,
            only_if_next_update_due_at: r.only_if_next_update_due_at,
            attempts: r.attempts,
            ambiguous: r.ambiguous,
            created_at: r.created_at,
            claimed_at,
            slot_opens_at: slots
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, opens_in)| claimed_at + *opens_in),
        })
        .collect();
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The due rows in delivery order, up to `limit` (pacing off).
async fn due_rows(
    tx: &mut sqlx::PgConnection,
    limit: i64,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    Ok(sqlx::query!(
            "SELECT o.id, o.pace_key FROM outbox o
             WHERE o.state = 'pending' AND o.run_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
               AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.state = 'pending' AND e.id < o.id
                               AND e.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply')
                               AND (o.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply') OR (e.kind = 'post_card' AND o.kind NOT IN ('page', 'webhook', 'status_page'))))
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
    .collect())
}

/// With pacing on: the first due post of each channel whose slot is free — found from the
/// channels that have posts waiting, one indexed lookup each, so a channel's backlog costs
/// nothing while its slot is taken — and the due answers to one person, up to `limit`.
async fn due_per_channel(
    tx: &mut sqlx::PgConnection,
    limit: i64,
    ahead: Duration,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"WITH RECURSIVE channels AS (
               (SELECT o.pace_key FROM outbox o WHERE o.state = 'pending' AND o.pace_key IS NOT NULL ORDER BY o.pace_key LIMIT 1)
               UNION ALL
               SELECT (SELECT o.pace_key FROM outbox o WHERE o.state = 'pending' AND o.pace_key > c.pace_key ORDER BY o.pace_key LIMIT 1)
               FROM channels c WHERE c.pace_key IS NOT NULL
           ), open_channels AS (
               SELECT c.pace_key FROM channels c
               WHERE c.pace_key IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM slack_pacing p WHERE p.pace_key = c.pace_key
                                 AND p.next_allowed_at > now() + make_interval(secs => $2))
           )
           SELECT f.id AS "id!", f.pace_key FROM open_channels c CROSS JOIN LATERAL (
               SELECT o.id, o.pace_key FROM outbox o
               WHERE o.state = 'pending' AND o.pace_key = c.pace_key AND o.run_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
                 AND (o.incident_id IS NULL OR NOT EXISTS (
                          SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.state = 'pending' AND e.id < o.id
                            AND e.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply')
                            AND (o.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply') OR (e.kind = 'post_card' AND o.kind NOT IN ('page', 'webhook', 'status_page')))))
                 AND NOT EXISTS (SELECT 1 FROM slack_pacing p WHERE p.pace_key = 'method:' || o.method AND p.next_allowed_at > now())
               ORDER BY o.priority, o.id
               LIMIT 1
               FOR UPDATE OF o SKIP LOCKED
           ) f
           UNION ALL
           SELECT u.id, u.pace_key FROM (
               SELECT o.id, o.pace_key FROM outbox o
               WHERE o.state = 'pending' AND o.pace_key IS NULL AND o.run_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
                 AND (o.incident_id IS NULL OR NOT EXISTS (
                          SELECT 1 FROM outbox e WHERE e.incident_id = o.incident_id AND e.state = 'pending' AND e.id < o.id
                            AND e.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply')
                            AND (o.kind IN ('post_card', 'update_card', 'thread_reply', 'broadcast_reply') OR (e.kind = 'post_card' AND o.kind NOT IN ('page', 'webhook', 'status_page')))))
                 AND NOT EXISTS (SELECT 1 FROM slack_pacing p WHERE p.pace_key = 'method:' || o.method AND p.next_allowed_at > now())
               ORDER BY o.priority, o.id
               LIMIT $1
               FOR UPDATE OF o SKIP LOCKED
           ) u"#,
        limit,
        interval(ahead),
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|c| (c.id, c.pace_key))
    .collect())
}

/// What the check right before a post found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Still this attempt's, and now held until the call is surely over.
    Held,
    /// Another replica took the row over.
    Lost,
    /// Still ours, but its channel is paused (a `Retry-After`) or another post has its slot now:
    /// posting would break Slack's pace. The row is given back for when that has passed.
    Wait(Duration),
}

/// Whether this attempt still holds the row: nobody took it over (the attempt count is still
/// ours) and its lease has not run out. Asked before a post whose claim is no longer fresh, so a
/// replica that stalled past its lease leaves the post to whoever holds the row now — and one
/// that stalled while its channel was paused, or past its pace slot, does not post out of turn.
/// A row still held is held for `hold` from now: long enough for the call to end (it times out
/// before that), so a replica that stalls while Slack is still at work is not taken over until
/// Slack has finished — the replica that takes over then finds the post instead of repeating it.
pub async fn hold_for_call(
    pool: &PgPool,
    id: i64,
    attempt: i32,
    hold: Duration,
) -> Result<Hold, sqlx::Error> {
    let found = sqlx::query!(
        r#"WITH mine AS (
               SELECT id, pace_key, method FROM outbox
               WHERE id = $1 AND attempts = $2 AND state = 'pending' AND lease_until > now()),
           blocked AS (
               SELECT max(p.next_allowed_at) AS until FROM slack_pacing p, mine
               WHERE p.pace_key IN (mine.pace_key, 'method:' || mine.method) AND p.next_allowed_at > now()),
           held AS (
               UPDATE outbox o SET lease_until = GREATEST(o.lease_until, now() + make_interval(secs => $3))
               FROM mine WHERE o.id = mine.id AND (SELECT until FROM blocked) IS NULL
               RETURNING o.id)
           SELECT EXISTS (SELECT 1 FROM mine) AS "mine!",
                  EXTRACT(EPOCH FROM ((SELECT until FROM blocked) - now()))::float8 AS wait_secs"#,
        id,
        attempt,
        interval(hold),
    )
    .fetch_one(pool)
    .await?;
    Ok(match (found.mine, found.wait_secs) {
        (false, _) => Hold::Lost,
        (true, Some(secs)) => Hold::Wait(Duration::from_secs_f64(secs.max(0.0))),
        (true, None) => Hold::Held,
    })
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
