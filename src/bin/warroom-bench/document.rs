//! The `report` scenario: one incident with `--entries` timeline entries (5,000 by default) —
//! notes, structured updates, status moves, corrections — and a few follow-up actions, seeded
//! into a scratch database; then the report as `/incident report` and `warroom report` build it
//! (the incident, its whole timeline and its actions read, the report derived, the Markdown
//! written), `--iterations` times. The ceiling, measured in the same run on the same connection:
//! reading the same timeline rows and nothing else.

use super::{Args, CHANNEL, SECRET, report::percentile};
use sqlx::{Connection, PgConnection, postgres::PgPoolOptions};
use std::time::{Duration, Instant};
use warroom::{
    config::Config,
    incident::{Catalog, IncidentId},
    markdown, store,
};

/// The target: a report's p99 within this, at 5,000 timeline entries.
const TARGET_P99_MS: f64 = 100.0;

const ID: &str = "INC-20261124-001";

/// The incident, then its entries: one in ten a status move, one in five a structured update, one
/// in a hundred a correction of an earlier note, the rest notes; three actions.
const SEED_SQL: &str = r#"
WITH inc AS (
    INSERT INTO incidents (id, title, severity, severity_rank, status, declared_by, channel_id, declared_at,
                           impact_started_at, acknowledged_at, acknowledged_by, contained_at, resolved_at,
                           resolution_summary, root_cause, root_cause_at, review_due_at)
    VALUES ($1, 'Checkout down for EU customers', 'SEV-1', 0, 'resolved', 'UDECL', $2,
            now() - interval '3 days', now() - interval '3 days 20 minutes', now() - interval '2 days 23 hours',
            'UACK', now() - interval '2 days', now() - interval '1 day', 'Rolled back release 42',
            'A connection-pool limit of 10', now() - interval '1 day 2 hours', now() + interval '5 days')
    RETURNING id, declared_at
)
INSERT INTO timeline_entries (incident_id, at, actor, kind, details)
SELECT inc.id, inc.declared_at + make_interval(secs => g * 40), 'U' || (g % 7),
       CASE WHEN g = 1 THEN 'declared'
            WHEN g % 100 = 0 THEN 'corrected'
            WHEN g % 10 = 0 THEN 'status_changed'
            WHEN g % 5 = 0 THEN 'update_posted'
            ELSE 'note' END,
       CASE WHEN g = 1 THEN jsonb_build_object('title', 'Checkout down for EU customers', 'severity', 'SEV-1')
            WHEN g % 100 = 0 THEN jsonb_build_object('entry', g - 1, 'text', 'Corrected note ' || g)
            WHEN g % 10 = 0 THEN jsonb_build_object('from', 'investigating', 'to', 'identified', 'relapse', false)
            WHEN g % 5 = 0 THEN jsonb_build_object('update', jsonb_build_object(
                'impact', 'EU card payments fail', 'current_action', 'Rolling back, step ' || g,
                'owner', 'UOWNER', 'next_update_at', inc.declared_at + make_interval(secs => g * 40 + 1800),
                'posted_by', 'UOWNER', 'posted_at', inc.declared_at + make_interval(secs => g * 40)))
            ELSE jsonb_build_object('text', 'Note ' || g || ': checked the gateway logs again, nothing new') END
FROM inc, generate_series(1, $3) g;
"#;

const ACTIONS_SQL: &str = r#"
INSERT INTO incident_actions (incident_id, number, text, owner, due_on, status, created_by)
SELECT $1, n, 'Follow-up ' || n, 'UOWNER', current_date + n, 'open', 'UCMD' FROM generate_series(1, 3) n;
"#;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `--scenario report`.
pub(crate) async fn report(db_url: &str, args: &Args) -> anyhow::Result<()> {
    let entries = args.entries;
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(db_url.to_owned()),
        "SLACK_BOT_TOKEN" => Some("xoxb-bench".to_owned()),
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_owned()),
        "WARROOM_INCIDENT_CHANNEL" => Some(CHANNEL.to_owned()),
        _ => None,
    })?;
    store::connect_and_migrate(&config).await?.close().await;
    let mut db = PgConnection::connect(db_url).await?;
    sqlx::query(SEED_SQL)
        .bind(ID)
        .bind(CHANNEL)
        .bind(i64::try_from(entries)?)
        .execute(&mut db)
        .await?;
    sqlx::query(ACTIONS_SQL).bind(ID).execute(&mut db).await?;
    // The server runs with autovacuum off; a production database is vacuumed and analysed.
    sqlx::raw_sql("VACUUM ANALYZE incidents, timeline_entries, incident_actions")
        .execute(&mut db)
        .await?;
    drop(db);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(db_url)
        .await?;
    let id = IncidentId::parse(ID).expect("a valid incident ID");
    let catalog = Catalog::builtin();
    let (mut built, mut read) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    // Ten rounds of warm-up, not counted; the report and the ceiling alternate.
    for round in 0..args.iterations + 10 {
        let t = Instant::now();
        let report = store::report::find_report(&pool, &id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the seeded incident is missing"))?;
        let document = markdown::report(&report, &catalog);
        let report_took = ms(t.elapsed());
        anyhow::ensure!(report.timeline.len() == entries, "not every entry read");
        bytes = document.len();
        let t = Instant::now();
        let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
            "SELECT kind, details FROM timeline_entries WHERE incident_id = $1 ORDER BY at, id",
        )
        .bind(ID)
        .fetch_all(&pool)
        .await?;
        let rows_took = ms(t.elapsed());
        anyhow::ensure!(rows.len() == entries, "not every row read");
        if round >= 10 {
            built.push(report_took);
            read.push(rows_took);
        }
    }
    let [(p50, p99), (r50, r99)] = [built, read].map(|mut v| {
        v.sort_by(f64::total_cmp);
        (percentile(&v, 0.5), percentile(&v, 0.99))
    });
    println!(
        "report of {entries} entries ({} KB of Markdown), {} runs: p50 {p50:.1} ms, p99 {p99:.1} ms",
        bytes / 1024,
        args.iterations
    );
    println!(
        "  reading the timeline rows alone: p50 {r50:.1} ms, p99 {r99:.1} ms (report ÷ it: p50 {:.2}, p99 {:.2})",
        p50 / r50,
        p99 / r99
    );
    println!(
        "target p99 ≤ {TARGET_P99_MS:.0} ms: {}",
        if p99 <= TARGET_P99_MS {
            "met"
        } else {
            "not met"
        }
    );
    Ok(())
}
