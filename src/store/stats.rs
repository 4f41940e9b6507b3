//! The incident metrics, computed by Postgres from the incidents' lifecycle columns: one
//! statement groups the incidents declared in a period by severity and aggregates each time
//! (`avg`, `percentile_cont`, `count(*) FILTER`) with the reviews and open corrective actions of
//! those incidents; another counts the breaches discovered in the period, and a third how often
//! customers were told in time. No incident or timeline entry is read into memory: what comes back
//! is a row per severity and two more. All run in one read-only snapshot, so the figures agree
//! with each other, and all leave drills out: an exercise's response times are not the team's.

use crate::incident::{
    Severities,
    schedule::NoticeConfig,
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
    /// The customer-notification clocks, with the severities the outage clock applies to.
    pub notice: &'a NoticeConfig,
    pub outage_severities: &'a [String],
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
    /// Customers told in time of a long outage, and of a breach.
    pub customers_outage: Outcomes,
    pub customers_breach: Outcomes,
    pub reviews: Outcomes,
    pub actions_open: u64,
    pub actions_overdue: u64,
}

impl Outcomes {
    /// Adds a group's `total` deadlines, of which `met` were kept and `pending` still run.
    fn add(&mut self, total: Option<i64>, met: Option<i64>, pending: Option<i64>) {
        let (total, met, pending) = (count(total), count(met), count(pending));
        self.met += met;
        self.pending += pending;
        self.missed += total.saturating_sub(met + pending);
    }
}

/// A count from a row, where a severity without incidents has none.
fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

fn measured(
    reached: Option<i64>,
    mean: Option<f64>,
    percentiles: Option<Vec<f64>>,
    met: Option<i64>,
    missed: Option<i64>,
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
    // One pass over the period's incidents. `times` holds each incident's four times in seconds
    // (`date_part` keeps them floating point: `EXTRACT` would make them numeric, several times
    // slower to aggregate), how long ago it was declared (`age`), its review and its open
    // corrective actions; `OFFSET 0` keeps Postgres from folding it into the aggregate, which
    // would compute each time once per aggregate that reads it instead of once per incident.
    // A severity's target is looked up by its position in the configured list (`pos`).
    //
    // A time not reached yet counts as missed once its target has passed — `COALESCE(tta, age)`
    // is the time it took or, for one not there yet, how long it has been —; a detection time
    // is always reached, at the declaration, and an impact said to start after the declaration
    // counts as detected at once. A review not completed and not due yet is pending. The
    // configured severities are joined in last, for their order and for those without incidents.
    let rows = sqlx::query!(
        r#"WITH times AS (
               SELECT i.severity, array_position($1::text[], i.severity) AS pos,
                      GREATEST(date_part('epoch', i.declared_at - COALESCE(i.impact_started_at, i.declared_at)), 0) AS ttd,
                      date_part('epoch', i.acknowledged_at - i.declared_at) AS tta,
                      date_part('epoch', i.contained_at - i.declared_at) AS ttc,
                      date_part('epoch', i.resolved_at - i.declared_at) AS ttr,
                      date_part('epoch', $8::timestamptz - i.declared_at) AS age,
                      i.review_due_at, i.review_completed_at, a.open, a.overdue
               FROM incidents i
               LEFT JOIN (
                   SELECT incident_id, count(*) AS open, count(*) FILTER (WHERE due_on < $9) AS overdue
                   FROM incident_actions WHERE status = 'open' GROUP BY incident_id
               ) a ON a.incident_id = i.id
               WHERE i.declared_at >= $6 AND i.declared_at < $7 AND i.status <> 'cancelled' AND NOT i.drill
               OFFSET 0
           ), figures AS (
               SELECT severity, count(*) AS incidents,
                      count(ttd) AS ttd_reached, avg(ttd) AS ttd_mean,
                      percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttd) AS ttd_percentiles,
                      count(*) FILTER (WHERE ttd <= ($2::float8[])[pos]) AS ttd_met,
                      count(*) FILTER (WHERE ttd > ($2::float8[])[pos]) AS ttd_missed,
                      count(tta) AS tta_reached, avg(tta) AS tta_mean,
                      percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY tta) AS tta_percentiles,
                      count(*) FILTER (WHERE tta <= ($3::float8[])[pos]) AS tta_met,
                      count(*) FILTER (WHERE COALESCE(tta, age) > ($3::float8[])[pos]) AS tta_missed,
                      count(ttc) AS ttc_reached, avg(ttc) AS ttc_mean,
                      percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttc) AS ttc_percentiles,
                      count(*) FILTER (WHERE ttc <= ($4::float8[])[pos]) AS ttc_met,
                      count(*) FILTER (WHERE COALESCE(ttc, age) > ($4::float8[])[pos]) AS ttc_missed,
                      count(ttr) AS ttr_reached, avg(ttr) AS ttr_mean,
                      percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttr) AS ttr_percentiles,
                      count(*) FILTER (WHERE ttr <= ($5::float8[])[pos]) AS ttr_met,
                      count(*) FILTER (WHERE COALESCE(ttr, age) > ($5::float8[])[pos]) AS ttr_missed,
                      count(review_due_at) AS reviews,
                      count(*) FILTER (WHERE review_completed_at <= review_due_at) AS reviews_met,
                      count(*) FILTER (WHERE review_completed_at IS NULL AND $8 <= review_due_at) AS reviews_pending,
                      sum(open)::bigint AS actions_open, sum(overdue)::bigint AS actions_overdue
               FROM times GROUP BY severity
           )
           SELECT COALESCE(l.name, f.severity) AS "severity!", f.incidents AS "incidents?",
                  f.ttd_reached AS "ttd_reached?", f.ttd_mean, f.ttd_percentiles,
                  f.ttd_met AS "ttd_met?", f.ttd_missed AS "ttd_missed?",
                  f.tta_reached AS "tta_reached?", f.tta_mean, f.tta_percentiles,
                  f.tta_met AS "tta_met?", f.tta_missed AS "tta_missed?",
                  f.ttc_reached AS "ttc_reached?", f.ttc_mean, f.ttc_percentiles,
                  f.ttc_met AS "ttc_met?", f.ttc_missed AS "ttc_missed?",
                  f.ttr_reached AS "ttr_reached?", f.ttr_mean, f.ttr_percentiles,
                  f.ttr_met AS "ttr_met?", f.ttr_missed AS "ttr_missed?",
                  f.reviews AS "reviews?", f.reviews_met AS "reviews_met?",
                  f.reviews_pending AS "reviews_pending?",
                  f.actions_open AS "actions_open?", f.actions_overdue AS "actions_overdue?"
           FROM UNNEST($1::text[]) WITH ORDINALITY AS l(name, ord)
           FULL JOIN figures f ON f.severity = l.name
           ORDER BY l.ord NULLS LAST, 1"#,
        &names,
        &targets(Metric::Mttd) as &[Option<f64>],
        &targets(Metric::Mtta) as &[Option<f64>],
        &targets(Metric::Mttc) as &[Option<f64>],
        &targets(Metric::Mttr) as &[Option<f64>],
        from,
        to,
        now,
        query.today,
    )
    .fetch_all(&mut *tx)
    .await?;
    // Breaches are counted by when they were discovered, through the partial index over them.
    // Not notified yet and still inside the window is pending; anything else not met missed.
    let breach = sqlx::query!(
        r#"SELECT count(*) AS "total!",
                  count(*) FILTER (WHERE authority_notified_at <= breach_discovered_at + make_interval(secs => $3)) AS "met!",
                  count(*) FILTER (WHERE authority_notified_at IS NULL AND $4 <= breach_discovered_at + make_interval(secs => $3)) AS "pending!"
           FROM incidents
           WHERE breach_discovered_at >= $1 AND breach_discovered_at < $2 AND status <> 'cancelled' AND NOT drill"#,
        from,
        to,
        query.breach_window.as_secs_f64(),
        now,
    )
    .fetch_one(&mut *tx)
    .await?;
    // Customers told: of a severe incident unresolved past `outage_after` (by its declaration),
    // and of a breach (by its discovery), through an approved summary for them.
    let told = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE outage) AS "outage!",
                  count(*) FILTER (WHERE outage AND customers_notified_at <= declared_at + make_interval(secs => $5)) AS "outage_met!",
                  count(*) FILTER (WHERE outage AND customers_notified_at IS NULL AND $3 <= declared_at + make_interval(secs => $5)) AS "outage_pending!",
                  count(*) FILTER (WHERE breach) AS "breach!",
                  count(*) FILTER (WHERE breach AND customers_notified_at <= breach_discovered_at + make_interval(secs => $6)) AS "breach_met!",
                  count(*) FILTER (WHERE breach AND customers_notified_at IS NULL AND $3 <= breach_discovered_at + make_interval(secs => $6)) AS "breach_pending!"
           FROM (SELECT customers_notified_at, declared_at, breach_discovered_at,
                        declared_at >= $1 AND declared_at < $2 AND severity = ANY($7)
                          AND COALESCE(resolved_at, $3) > declared_at + make_interval(secs => $4) AS outage,
                        breach_discovered_at >= $1 AND breach_discovered_at < $2 AS breach
                 FROM incidents
                 WHERE status <> 'cancelled' AND NOT drill
                   AND ((declared_at >= $1 AND declared_at < $2) OR (breach_discovered_at >= $1 AND breach_discovered_at < $2))
                ) AS owed"#,
        from,
        to,
        now,
        query.notice.outage_after.as_secs_f64(),
        query.notice.outage_within.as_secs_f64(),
        query.notice.breach_within.as_secs_f64(),
        query.outage_severities,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let (mut reviews, mut actions_open, mut actions_overdue) = (Outcomes::default(), 0, 0);
    let mut severities = Vec::with_capacity(rows.len());
    for r in rows {
        reviews.add(r.reviews, r.reviews_met, r.reviews_pending);
        actions_open += count(r.actions_open);
        actions_overdue += count(r.actions_overdue);
        severities.push(SeverityRow {
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
        });
    }
    let mut breach_notifications = Outcomes::default();
    breach_notifications.add(Some(breach.total), Some(breach.met), Some(breach.pending));
    let (mut customers_outage, mut customers_breach) = (Outcomes::default(), Outcomes::default());
    customers_outage.add(
        Some(told.outage),
        Some(told.outage_met),
        Some(told.outage_pending),
    );
    customers_breach.add(
        Some(told.breach),
        Some(told.breach_met),
        Some(told.breach_pending),
    );
    Ok(StatsRows {
        severities,
        breach_notifications,
        customers_outage,
        customers_breach,
        reviews,
        actions_open,
        actions_overdue,
    })
}
