//! The incident metrics, computed by Postgres from the incidents' lifecycle columns: one
//! statement groups the incidents declared in a period by severity and aggregates each time
//! (`avg`, `percentile_cont`, `count(*) FILTER`), another counts the breach notifications, the
//! reviews and the corrective actions. No incident or timeline entry is read into memory. Both
//! run in one read-only snapshot, so the figures agree with each other.

use crate::incident::{
    Severities,
    stats::{Measured, Metric, Period, Targets},
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use std::time::Duration;

/// What to compute the figures over.
#[derive(Debug, Clone, Copy)]
pub struct StatsQuery<'a> {
    /// Incidents declared in this period (breaches discovered in it) are counted.
    pub period: &'a Period,
    /// What an incident not there yet is judged by: inside its target, or past it.
    pub now: DateTime<Utc>,
    /// The configured severities, in their order.
    pub severities: &'a Severities,
    pub targets: &'a Targets,
    /// How long after discovery the authority must be notified of a breach.
    pub breach_window: Duration,
    /// Today in the configured time zone: an open action due before it is overdue.
    pub today: NaiveDate,
}

/// The measured figures of one severity.
#[derive(Debug, Clone, PartialEq)]
pub struct SeverityRow {
    /// As stored on the incidents: a configured name, or one no longer configured.
    pub severity: String,
    pub incidents: u64,
    pub mttd: Measured,
    pub mtta: Measured,
    pub mttc: Measured,
    pub mttr: Measured,
}

/// How many deadlines were kept, missed, or are still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcomes {
    pub met: u64,
    pub missed: u64,
    pub pending: u64,
}

/// Everything the report is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsRows {
    /// The configured severities in order (with no incidents too), then any other severity an
    /// incident of the period carries, by name.
    pub severities: Vec<SeverityRow>,
    pub breach_notifications: Outcomes,
    pub reviews: Outcomes,
    pub actions_open: u64,
    pub actions_overdue: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn measured(
    reached: i64,
    mean: Option<f64>,
    percentiles: Option<Vec<f64>>,
    met: i64,
    missed: i64,
) -> Measured {
    let percentiles = percentiles.unwrap_or_default();
    Measured {
        reached: count(reached),
        mean,
        p50: percentiles.first().copied(),
        p90: percentiles.get(1).copied(),
        met: count(met),
        missed: count(missed),
    }
}

/// The figures of `query`, each computed by Postgres.
#[tracing::instrument(skip_all, fields(stats.period = %query.period.asked))]
pub async fn find_stats(pool: &PgPool, query: StatsQuery<'_>) -> Result<StatsRows, sqlx::Error> {
    let names: Vec<String> = query
        .severities
        .iter()
        .map(|(_, l)| l.name.clone())
        .collect();
    let targets = |metric| -> Vec<Option<f64>> {
        names
            .iter()
            .map(|name| query.targets.get(metric, name).map(|t| t.as_secs_f64()))
            .collect()
    };
    let (from, to, now) = (query.period.from, query.period.to, query.now);
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    // A time not reached yet counts as missed once its target has passed (`age` is how long ago
    // the incident was declared); a detection time is always reached, at the declaration. An
    // impact said to start after the declaration counts as detected at once.
    let rows = sqlx::query!(
        r#"WITH levels AS (
               SELECT l.name, l.ord, l.mttd, l.mtta, l.mttc, l.mttr
               FROM UNNEST($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[])
                    WITH ORDINALITY AS l(name, mttd, mtta, mttc, mttr, ord)
           ), times AS (
               SELECT severity,
                      GREATEST(EXTRACT(EPOCH FROM declared_at - COALESCE(impact_started_at, declared_at)), 0)::float8 AS ttd,
                      EXTRACT(EPOCH FROM acknowledged_at - declared_at)::float8 AS tta,
                      EXTRACT(EPOCH FROM contained_at - declared_at)::float8 AS ttc,
                      EXTRACT(EPOCH FROM resolved_at - declared_at)::float8 AS ttr,
                      EXTRACT(EPOCH FROM $8::timestamptz - declared_at)::float8 AS age
               FROM incidents
               WHERE declared_at >= $6 AND declared_at < $7 AND status <> 'cancelled'
           )
           SELECT COALESCE(l.name, t.severity) AS "severity!",
                  count(t.severity) AS "incidents!",
                  count(t.ttd) AS "ttd_reached!", avg(t.ttd) AS ttd_mean,
                  percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY t.ttd) AS ttd_percentiles,
                  count(*) FILTER (WHERE t.ttd <= l.mttd) AS "ttd_met!",
                  count(*) FILTER (WHERE t.ttd > l.mttd) AS "ttd_missed!",
                  count(t.tta) AS "tta_reached!", avg(t.tta) AS tta_mean,
                  percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY t.tta) AS tta_percentiles,
                  count(*) FILTER (WHERE t.tta <= l.mtta) AS "tta_met!",
                  count(*) FILTER (WHERE t.tta > l.mtta OR (t.tta IS NULL AND t.age > l.mtta)) AS "tta_missed!",
                  count(t.ttc) AS "ttc_reached!", avg(t.ttc) AS ttc_mean,
                  percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY t.ttc) AS ttc_percentiles,
                  count(*) FILTER (WHERE t.ttc <= l.mttc) AS "ttc_met!",
                  count(*) FILTER (WHERE t.ttc > l.mttc OR (t.ttc IS NULL AND t.age > l.mttc)) AS "ttc_missed!",
                  count(t.ttr) AS "ttr_reached!", avg(t.ttr) AS ttr_mean,
                  percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY t.ttr) AS ttr_percentiles,
                  count(*) FILTER (WHERE t.ttr <= l.mttr) AS "ttr_met!",
                  count(*) FILTER (WHERE t.ttr > l.mttr OR (t.ttr IS NULL AND t.age > l.mttr)) AS "ttr_missed!"
           FROM levels l FULL JOIN times t ON t.severity = l.name
           GROUP BY COALESCE(l.name, t.severity), l.ord
           ORDER BY l.ord NULLS LAST, 1"#,
        &names,
        &targets(Metric::Mttd) as &[Option<f64>],
        &targets(Metric::Mtta) as &[Option<f64>],
        &targets(Metric::Mttc) as &[Option<f64>],
        &targets(Metric::Mttr) as &[Option<f64>],
        from,
        to,
        now,
    )
    .fetch_all(&mut *tx)
    .await?;
    let severities = rows
        .into_iter()
        .map(|r| SeverityRow {
            severity: r.severity,
            incidents: count(r.incidents),
            mttd: measured(
                r.ttd_reached,
                r.ttd_mean,
                r.ttd_percentiles,
                r.ttd_met,
                r.ttd_missed,
            ),
            mtta: measured(
                r.tta_reached,
                r.tta_mean,
                r.tta_percentiles,
                r.tta_met,
                r.tta_missed,
            ),
            mttc: measured(
                r.ttc_reached,
                r.ttc_mean,
                r.ttc_percentiles,
                r.ttc_met,
                r.ttc_missed,
            ),
            mttr: measured(
                r.ttr_reached,
                r.ttr_mean,
                r.ttr_percentiles,
                r.ttr_met,
                r.ttr_missed,
            ),
        })
        .collect();
    // Not notified (or not reviewed) yet and still inside the window (before the due date) is
    // pending; everything else not met has missed.
    let totals = sqlx::query!(
        r#"WITH breach AS (
               SELECT count(*) AS total,
                      count(*) FILTER (WHERE authority_notified_at <= breach_discovered_at + make_interval(secs => $3)) AS met,
                      count(*) FILTER (WHERE authority_notified_at IS NULL AND $4 <= breach_discovered_at + make_interval(secs => $3)) AS pending
               FROM incidents
               WHERE breach_discovered_at >= $1 AND breach_discovered_at < $2 AND status <> 'cancelled'
           ), review AS (
               SELECT count(*) AS total,
                      count(*) FILTER (WHERE review_completed_at <= review_due_at) AS met,
                      count(*) FILTER (WHERE review_completed_at IS NULL AND $4 <= review_due_at) AS pending
               FROM incidents
               WHERE declared_at >= $1 AND declared_at < $2 AND status <> 'cancelled'
                 AND review_due_at IS NOT NULL
           ), actions AS (
               SELECT count(*) AS open, count(*) FILTER (WHERE a.due_on < $5) AS overdue
               FROM incident_actions a JOIN incidents i ON i.id = a.incident_id
               WHERE a.status = 'open' AND i.declared_at >= $1 AND i.declared_at < $2
                 AND i.status <> 'cancelled'
           )
           SELECT breach.total AS "breach_total!", breach.met AS "breach_met!",
                  breach.pending AS "breach_pending!",
                  review.total AS "review_total!", review.met AS "review_met!",
                  review.pending AS "review_pending!",
                  actions.open AS "actions_open!", actions.overdue AS "actions_overdue!"
           FROM breach, review, actions"#,
        from,
        to,
        query.breach_window.as_secs_f64(),
        now,
        query.today,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let outcomes = |total: i64, met: i64, pending: i64| Outcomes {
        met: count(met),
        missed: count(total - met - pending),
        pending: count(pending),
    };
    Ok(StatsRows {
        severities,
        breach_notifications: outcomes(
            totals.breach_total,
            totals.breach_met,
            totals.breach_pending,
        ),
        reviews: outcomes(
            totals.review_total,
            totals.review_met,
            totals.review_pending,
        ),
        actions_open: count(totals.actions_open),
        actions_overdue: count(totals.actions_overdue),
    })
}
