//! The `stats` scenario: `--incidents N` (100,000 by default) incidents over two years, with the
//! lifecycle a real history would have, seeded into a scratch database in one statement; then
//! the report `/incident stats` and `warroom stats` compute (both of its statements, in their
//! read-only snapshot) for the last 30 and 90 days and for ten years (every incident), each
//! `--iterations` times. Two ceilings, measured in the same run on the same connection and rows:
//! `SELECT count(*)` of the incidents declared in the period (what reading them costs), and the
//! four times' percentiles per severity alone (the part of the report no index can spare: every
//! time of the period sorted).

use super::{Args, CHANNEL, SECRET, report::percentile};
use sqlx::{Connection, Executor, PgConnection, postgres::PgPoolOptions};
use std::time::{Duration, Instant};
use warroom::{
    commands,
    config::{Config, ProcessConfig},
    incident::stats::StatsRange,
};

/// The target: a report's p99 within this, at 100,000 incidents.
const TARGET_P99_MS: f64 = 200.0;

/// Two years of incidents: most SEV-3/SEV-4, a few SEV-1; nearly all acknowledged within the
/// hour, most contained and resolved within hours, the recent ones still open, 2 % cancelled,
/// 1 % personal-data breaches (most notified within days), reviews due for resolved SEV-1/SEV-2,
/// and a corrective action for one incident in five. `random()` is seeded first, so every run
/// seeds the same history relative to its start.
const SEED_SQL: &str = r#"
INSERT INTO incidents (id, title, severity, severity_rank, status, declared_by, channel_id,
    declared_at, impact_started_at, acknowledged_at, acknowledged_by, contained_at, resolved_at,
    closed_at, breach_discovered_at, authority_notified_at, review_due_at, review_completed_at)
SELECT id, 'Bench incident ' || g, 'SEV-' || (sev + 1), sev, status, 'UBENCH', $2, declared,
       CASE WHEN r_impact < 0.6 THEN declared - make_interval(secs => r_ttd * r_ttd * 7200) ELSE declared END,
       acked, CASE WHEN acked IS NULL THEN NULL ELSE 'UACK' END, contained, resolved,
       CASE WHEN status = 'closed' THEN resolved + interval '1 day' END,
       discovered,
       CASE WHEN discovered IS NOT NULL AND r_notify < 0.85 THEN discovered + make_interval(secs => r_notify * 100 * 3600) END,
       CASE WHEN sev <= 1 AND resolved IS NOT NULL THEN resolved + interval '7 days' END,
       CASE WHEN sev <= 1 AND resolved IS NOT NULL AND r_review < 0.8 THEN resolved + make_interval(secs => r_review * 10 * 86400) END
FROM (
    SELECT *,
           CASE WHEN status IN ('resolved', 'closed')
                THEN COALESCE(contained, declared) + make_interval(secs => r_resolve * r_resolve * 86400) END AS resolved
    FROM (
        SELECT g, id, declared, sev, r_impact, r_ttd, r_notify, r_review, r_resolve,
               CASE WHEN r_status < 0.02 THEN 'cancelled'
                    WHEN declared > now() - interval '2 days' AND r_status < 0.5 THEN 'investigating'
                    WHEN declared > now() - interval '14 days' THEN 'resolved'
                    ELSE 'closed' END AS status,
               CASE WHEN r_ack < 0.98 THEN declared + make_interval(secs => r_ack * r_ack * 5400) END AS acked,
               CASE WHEN r_contain < 0.9 THEN declared + make_interval(secs => 600 + r_contain * r_contain * 28800) END AS contained,
               CASE WHEN r_breach < 0.01 THEN declared + make_interval(secs => r_breach * 360000) END AS discovered
        FROM (
            SELECT g, 'INC-BENCH-' || lpad(g::text, 7, '0') AS id,
                   now() - make_interval(secs => random() * 730 * 86400) AS declared,
                   (ARRAY[0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3])[1 + floor(random() * 20)::int] AS sev,
                   random() AS r_status, random() AS r_ack, random() AS r_contain,
                   random() AS r_resolve, random() AS r_impact, random() AS r_ttd,
                   random() AS r_breach, random() AS r_notify, random() AS r_review
            FROM generate_series(1, $1) g
        ) draws
    ) lifecycle
) times;
"#;

const SEED_ACTIONS_SQL: &str = r#"
INSERT INTO incident_actions (incident_id, number, text, owner, due_on, status, created_by)
SELECT id, 1, 'Follow-up for ' || id, 'UOWNER', (declared_at + interval '14 days')::date,
       CASE WHEN random() < 0.3 THEN 'open' ELSE 'done' END, 'UBENCH'
FROM incidents WHERE random() < 0.2;
"#;

/// The second ceiling: the four times' 50th and 90th percentiles per severity, over the same
/// incidents as the report, and nothing else.
const PERCENTILES_SQL: &str = r#"
SELECT severity,
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', declared_at - impact_started_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', acknowledged_at - declared_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', contained_at - declared_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', resolved_at - declared_at))
FROM incidents
WHERE declared_at >= $1 AND declared_at < $2 AND status <> 'cancelled'
GROUP BY severity
"#;

/// `--scenario stats`.
pub(crate) async fn stats(db_url: &str, args: &Args) -> anyhow::Result<()> {
    let n = args.incidents.unwrap_or(100_000);
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(db_url.to_owned()),
        "SLACK_BOT_TOKEN" => Some("xoxb-bench".to_owned()),
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_owned()),
        "WARROOM_INCIDENT_CHANNEL" => Some(CHANNEL.to_owned()),
        _ => None,
    })?;
    warroom::store::connect_and_migrate(&config)
        .await?
        .close()
        .await;
    let mut db = PgConnection::connect(db_url).await?;
    let started = Instant::now();
    db.execute("SELECT setseed(0.42)").await?;
    sqlx::query(SEED_SQL)
        .bind(i64::try_from(n)?)
        .bind(CHANNEL)
        .execute(&mut db)
        .await?;
    sqlx::query(SEED_ACTIONS_SQL).execute(&mut db).await?;
    // The server runs with autovacuum off; a production database is vacuumed and analysed.
    sqlx::raw_sql("VACUUM ANALYZE incidents, incident_actions")
        .execute(&mut db)
        .await?;
    println!(
        "seeded {n} incidents in {:.1} s (one INSERT … SELECT FROM generate_series, then VACUUM ANALYZE)",
        started.elapsed().as_secs_f64()
    );
    drop(db);
    // One connection, as one `/incident stats` request uses, without the request deadline.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(db_url)
        .await?;
    let process = ProcessConfig::default();
    let mut worst_p99: f64 = 0.0;
    for days in [30, 90, 3650] {
        let range = StatsRange::LastDays(days);
        let period = range.period(chrono::Utc::now());
        let counted: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM incidents WHERE declared_at >= $1 AND declared_at < $2",
        )
        .bind(period.from)
        .bind(period.to)
        .fetch_one(&pool)
        .await?;
        // [report, count(*), percentiles alone], in milliseconds.
        let mut samples: [Vec<f64>; 3] = Default::default();
        // Ten rounds of warm-up, not counted; then the report and the ceilings alternate, so
        // whatever else the machine does falls on each alike.
        for round in 0..args.iterations + 10 {
            let now = chrono::Utc::now();
            let period = range.period(now);
            let t = Instant::now();
            let report = commands::stats::report(&pool, &process, range, now).await?;
            let report_took = ms(t.elapsed());
            let t = Instant::now();
            let ceiling: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM incidents WHERE declared_at >= $1 AND declared_at < $2",
            )
            .bind(period.from)
            .bind(period.to)
            .fetch_one(&pool)
            .await?;
            let ceiling_took = ms(t.elapsed());
            let t = Instant::now();
            sqlx::query(PERCENTILES_SQL)
                .bind(period.from)
                .bind(period.to)
                .fetch_all(&pool)
                .await?;
            let sorts_took = ms(t.elapsed());
            anyhow::ensure!(
                ceiling > 0 && !report.severities.is_empty(),
                "the seeded period is empty"
            );
            if round >= 10 {
                for (v, took) in samples
                    .iter_mut()
                    .zip([report_took, ceiling_took, sorts_took])
                {
                    v.push(took);
                }
            }
        }
        let [(p50, p99), (c50, c99), (s50, s99)] = samples.map(|mut v| {
            v.sort_by(f64::total_cmp);
            (percentile(&v, 0.5), percentile(&v, 0.99))
        });
        worst_p99 = worst_p99.max(p99);
        println!(
            "{days}d, {counted} incidents, {} runs: report p50 {p50:.1} ms, p99 {p99:.1} ms",
            args.iterations
        );
        println!(
            "  count(*): p50 {c50:.1} ms, p99 {c99:.1} ms (report ÷ it: p50 {:.1}, p99 {:.1})",
            p50 / c50,
            p99 / c99
        );
        println!(
            "  percentiles alone: p50 {s50:.1} ms, p99 {s99:.1} ms (report ÷ them: p50 {:.2}, p99 {:.2})",
            p50 / s50,
            p99 / s99
        );
    }
    println!(
        "target p99 ≤ {TARGET_P99_MS:.0} ms: {} (worst p99 {worst_p99:.1} ms)",
        if worst_p99 <= TARGET_P99_MS {
            "met"
        } else {
            "not met"
        }
    );
    pool.close().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
