//! `/incident stats` (and `warroom stats` on the command line) → the incident metrics of a
//! period, per severity, beside their targets; then breach notifications, reviews and
//! corrective actions.
//!
//! ```text
//! /incident stats                          → the last 30 days
//! /incident stats 7d | 90d | 365d          → the last N days (up to 3650d)
//! /incident stats 2026-11-01..2026-11-30   → those whole UTC days, both included
//! /incident stats banana                   → why that is not a period, and how to write one
//! ```

use super::{Reply, View, read_failure};
use crate::{
    config::ProcessConfig,
    context::Context,
    delivery::Answer,
    incident::stats::{
        ActionCounts, BreachCompliance, Compliance, CustomerNotification, Figure, Metric,
        SeverityStats, StatsRange, StatsReport,
    },
    store::stats::{Outcomes, SeverityRow, StatsQuery, StatsRows, find_stats},
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Answers `/incident stats <period>` privately: the report, or why the period was refused.
pub async fn run(state: &Context, text: &str) -> Reply {
    let range = match StatsRange::parse(text) {
        Ok(range) => range,
        Err(problem) => {
            return Reply::Say(Answer::BadStatsPeriod {
                problem: problem.to_string(),
            });
        }
    };
    let now = state.clock.now();
    let made = (state.deadline)
        .run(report(&state.pool, &state.config.process, range, now))
        .await;
    match made {
        Ok(report) => Reply::Show(View::Stats(Box::new(report))),
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}

/// The report of `range` as of `now`, computed by the database from the incidents' lifecycle.
pub async fn report(
    pool: &PgPool,
    process: &ProcessConfig,
    range: StatsRange,
    now: DateTime<Utc>,
) -> Result<StatsReport, sqlx::Error> {
    let period = range.period(now);
    let timezone = process.schedule.timezone;
    let today = now.with_timezone(&timezone).date_naive();
    let notice = &process.schedule.notice;
    // The outage clock's severities, by default the most severe level.
    let outage_severities = notice.outage_severities.clone().unwrap_or_else(|| {
        let first = process.severities.rank_at(0);
        vec![process.severities.get(first).name.clone()]
    });
    let query = StatsQuery {
        period: &period,
        now,
        severities: &process.severities,
        targets: &process.metric_targets,
        breach_window: process.schedule.breach_window,
        today,
        notice,
        outage_severities: &outage_severities,
    };
    let rows = find_stats(pool, query).await?;
    let StatsRows {
        severities,
        breach_notifications,
        customers_outage,
        customers_breach,
        reviews,
        actions_open,
        actions_overdue,
    } = rows;
    Ok(StatsReport {
        period,
        generated_at: now,
        severities: severities
            .into_iter()
            .map(|row| severity(row, process))
            .collect(),
        breach_notification: BreachCompliance {
            window_seconds: process.schedule.breach_window.as_secs(),
            compliance: compliance(breach_notifications),
        },
        customer_notification: CustomerNotification {
            outage_after_seconds: notice.outage_after.as_secs(),
            outage_within_seconds: notice.outage_within.as_secs(),
            outage: compliance(customers_outage),
            breach_within_seconds: notice.breach_within.as_secs(),
            breach: compliance(customers_breach),
        },
        review_completion: compliance(reviews),
        corrective_actions: ActionCounts {
            open: actions_open,
            overdue: actions_overdue,
            today,
            timezone: timezone.name().to_owned(),
        },
    })
}

/// One severity's figures beside its configured targets.
fn severity(row: SeverityRow, process: &ProcessConfig) -> SeverityStats {
    let figure =
        |metric, measured| Figure::new(measured, process.metric_targets.get(metric, &row.severity));
    SeverityStats {
        incidents: row.incidents,
        mttd: figure(Metric::Mttd, row.mttd),
        mtta: figure(Metric::Mtta, row.mtta),
        mttc: figure(Metric::Mttc, row.mttc),
        mttr: figure(Metric::Mttr, row.mttr),
        severity: row.severity,
    }
}

fn compliance(o: Outcomes) -> Compliance {
    Compliance::new(o.met, o.missed, o.pending)
}
