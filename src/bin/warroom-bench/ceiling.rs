//! `--db-ceiling`: the database's own rate for the declare statements, without warroom.

use super::{ADMIN_URL, Args, CHANNEL, SECRET};
use sqlx::{Connection, PgConnection};
use std::process::Command;

/// The database's own ceiling for the declare statement: pgbench with the same single statement.
pub(crate) async fn db_ceiling(db_url: &str, args: &Args) -> anyhow::Result<()> {
    let config = warroom::config::Config::from_lookup(|k| match k {
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
    let script = std::env::temp_dir().join("warroom-declare.sql");
    std::fs::write(&script, DECLARE_SQL)?;
    let seconds = args.duration.as_secs().clamp(5, 60).to_string();
    let db_name = db_url.rsplit('/').next().unwrap_or("warroom");
    let out = Command::new("pgbench")
        .args([
            "-n",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",
            "16",
            "-j",
            "2",
            "-T",
            &seconds,
            "-f",
        ])
        .arg(&script)
        .arg(db_name)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text
        .lines()
        .filter(|l| l.contains("tps") || l.contains("latency") || l.contains("transactions"))
    {
        println!("pgbench declare statement: {line}");
    }
    if !out.status.success() {
        println!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut admin = PgConnection::connect(ADMIN_URL).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    Ok(())
}

/// The two statements `store::declarations::insert_declared` runs (the day's number, then the
/// declaration), with literal values (a card, a thread reply, a declarer link, two reminders, the
/// request key).
const DECLARE_SQL: &str = r#"\set n random(1, 2000000000)
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO incident_day_counters AS c (day, last_number) SELECT current_date, 1 FROM relaxed
ON CONFLICT (day) DO UPDATE SET last_number = c.last_number + 1, updated_at = now()
RETURNING last_number \gset
WITH counter AS (
    SELECT :last_number::int AS last_number
), inc AS (
    INSERT INTO incidents (id, title, severity, severity_rank, incident_type, impact, triage, declared_by, declared_from, team_domain, channel_id, declared_at, next_update_due_at, breach_discovered_at, escalations)
    SELECT 'INC-' || to_char(current_date, 'YYYYMMDD') || '-' || CASE WHEN last_number < 1000 THEN lpad(last_number::text, 3, '0') ELSE last_number::text END,
           'Bench incident', 'SEV-2', 1, NULL, NULL, '{}'::jsonb, 'U0BENCH', 'C0GENERAL', 'bench', 'C0BENCH', now(), now() + interval '1 hour', NULL, '[]'::jsonb
    FROM counter RETURNING id
), entry AS (
    INSERT INTO timeline_entries (incident_id, at, actor, kind, details) SELECT id, now(), 'U0BENCH', 'declared', '{"title":"Bench incident"}'::jsonb FROM inc
), queued AS (
    INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload)
    SELECT inc.id, u.kind, u.method, u.pace_key, u.priority, u.payload
    FROM inc, UNNEST(ARRAY['post_card','thread_reply','declare_link'], ARRAY['chat.postMessage','chat.postMessage','response_url'],
                     ARRAY['C0BENCH','C0BENCH',NULL], ARRAY[1,101,201], ARRAY['{}','{"text":"Declared by <@U0BENCH>"}','{"response_url":"http://127.0.0.1:9/r"}']::jsonb[])
         WITH ORDINALITY AS u(kind, method, pace_key, priority, payload, ord)
    ORDER BY u.ord
), request AS (
    INSERT INTO slack_requests (key, incident_id) SELECT 'slash:' || :n || '.' || random(), id FROM inc
), armed AS (
    INSERT INTO reminders (incident_id, kind, due_at, details)
    SELECT inc.id, r.kind, r.due_at, '{}'::jsonb FROM inc, UNNEST(ARRAY['update_due','ack_overdue'], ARRAY[now() + interval '1 hour', now() + interval '30 minutes']) AS r(kind, due_at)
)
SELECT id FROM inc, LATERAL (SELECT pg_notify('warroom_outbox', ''), pg_notify('warroom_reminders', '')) AS wake;
"#;
