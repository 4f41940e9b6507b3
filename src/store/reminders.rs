//! Reminders: armed and cancelled in the transaction of the change that calls for them, claimed
//! one at a time by the scheduler on any replica.

use crate::incident::schedule::Arm;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

/// The channel `NOTIFY`ed when a reminder is armed, so sleeping schedulers re-check. The payload
/// is the number of seconds until the earliest reminder armed is due, as the database counts them
/// (so no clock is compared with another): a scheduler that will look sooner anyway sleeps on.
/// An empty or unreadable payload means "look now".
pub const WAKE_CHANNEL: &str = "warroom_reminders";

/// Longest a scheduler sleeps without looking at the table, whatever it was told: a reminder due
/// later than this from now needs no wake-up to be fired on time.
pub const LOOKS_AT_LEAST_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Wakes the sleeping schedulers for a reminder due at `due_at`, on a connection of `pool`.
pub async fn wake_schedulers(pool: &PgPool, due_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT pg_notify($1, EXTRACT(EPOCH FROM ($2::timestamptz - now()))::text)",
        WAKE_CHANNEL,
        due_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// When a wake-up's reminder is due, counted from its arrival: `None` for "look now".
pub fn wake_due_in(payload: &str) -> Option<std::time::Duration> {
    let secs: f64 = payload.trim().parse().ok()?;
    (secs.is_finite() && secs > 0.0).then(|| std::time::Duration::from_secs_f64(secs))
}

/// A reminder as claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderRow {
    pub id: i64,
    pub incident_id: Option<String>,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub details: serde_json::Value,
}

/// Arms or cancels reminders for an incident (or, with `None`, the global ones).
pub async fn apply_arms(
    tx: &mut Transaction<'_, Postgres>,
    incident_id: Option<&str>,
    arms: &[Arm],
) -> Result<(), sqlx::Error> {
    let mut earliest: Option<DateTime<Utc>> = None;
    for arm in arms {
        match arm {
            Arm::Set {
                kind,
                due_at,
                details,
            } => {
                sqlx::query!(
                    "INSERT INTO reminders (incident_id, kind, due_at, details) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (COALESCE(incident_id, ''), kind) WHERE state = 'pending'
                     DO UPDATE SET due_at = EXCLUDED.due_at, details = EXCLUDED.details, updated_at = now()",
                    incident_id,
                    kind,
                    due_at,
                    details,
                )
                .execute(&mut **tx)
                .await?;
                earliest = Some(earliest.map_or(*due_at, |e| e.min(*due_at)));
            }
            Arm::Cancel { kind } => {
                sqlx::query!(
                    "UPDATE reminders SET state = 'cancelled', updated_at = now()
                     WHERE COALESCE(incident_id, '') = COALESCE($1, '') AND kind = $2 AND state = 'pending'",
                    incident_id,
                    kind,
                )
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    if let Some(due_at) = earliest {
        sqlx::query!(
            "SELECT pg_notify($1, EXTRACT(EPOCH FROM ($2::timestamptz - now()))::text)",
            WAKE_CHANNEL,
            due_at,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Claims up to `limit` due reminders, the most overdue first, for the rest of `tx`; other
/// replicas skip them. Locks are taken in the order every change takes them — the incident's
/// row first, then its reminders — and an incident that a change (or another replica) holds is
/// skipped and left for the next round, so the scheduler never holds a reminder while queueing
/// for its incident.
pub async fn claim_due_reminders(
    tx: &mut Transaction<'_, Postgres>,
    limit: i64,
) -> Result<Vec<ReminderRow>, sqlx::Error> {
    // The incidents of the most overdue reminders, skipping those another replica (or a change)
    // holds and going on to the next: replicas firing at once share the due reminders out
    // instead of all reaching for the same first few and all but one finding them taken.
    let incidents: Vec<String> = sqlx::query_scalar!(
        "SELECT i.id FROM reminders r JOIN incidents i ON i.id = r.incident_id
         WHERE r.state = 'pending' AND r.due_at <= now()
         ORDER BY r.due_at LIMIT $1
         FOR UPDATE OF i SKIP LOCKED",
        limit,
    )
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query_as!(
        ReminderRow,
        "SELECT id, incident_id, kind, due_at, details FROM reminders
         WHERE state = 'pending' AND due_at <= now()
           AND (incident_id IS NULL OR incident_id = ANY($2))
         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
        &incidents,
    )
    .fetch_all(&mut **tx)
    .await
}

/// Marks a claimed reminder fired.
pub async fn mark_fired(tx: &mut Transaction<'_, Postgres>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE reminders SET state = 'fired', fired_at = now(), updated_at = now() WHERE id = $1",
        id,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How long until the next pending reminder is due (zero if one is due already); `None` when
/// nothing is pending.
pub async fn find_next_due_in(pool: &PgPool) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT GREATEST(EXTRACT(EPOCH FROM (due_at - now())), 0)::float8 AS "due_in!" FROM reminders
         WHERE state = 'pending' ORDER BY due_at LIMIT 1"#
    )
    .fetch_optional(pool)
    .await
}

/// Arms the daily digest unless it is already pending.
pub async fn insert_digest_if_missing(
    pool: &PgPool,
    due_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO reminders (incident_id, kind, due_at) VALUES (NULL, 'digest', $1)
         ON CONFLICT (COALESCE(incident_id, ''), kind) WHERE state = 'pending' DO NOTHING",
        due_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wake_due_in;
    use std::time::Duration;

    #[test]
    fn a_wake_up_says_when_its_reminder_is_due_or_asks_for_a_look_now() {
        assert_eq!(
            wake_due_in("1800.25"),
            Some(Duration::from_secs_f64(1800.25))
        );
        assert_eq!(wake_due_in("-3.5"), None, "already due");
        assert_eq!(wake_due_in("0"), None);
        assert_eq!(wake_due_in(""), None, "an earlier version's wake-up");
        assert_eq!(wake_due_in("NaN"), None);
    }
}
