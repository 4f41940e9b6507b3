//! The database's own ceilings, measured with pgbench on a scratch database of their own: the
//! statements warroom runs for a declaration, and a minimal declaration (one incident row, one
//! timeline row, two outbox rows in one transaction).

use super::{ADMIN_URL, Args, CHANNEL, SECRET};
use sqlx::{Connection, PgConnection};
use std::{process::Command, time::Duration};

/// What pgbench runs for each declaration.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Script {
    /// What `store::declarations::insert_declared` runs, with literal values.
    Warroom,
    /// One incident, one timeline entry and two outbox rows in one transaction.
    Minimal,
}

impl Script {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Script::Warroom => "warroom's declare statements",
            Script::Minimal => "minimal declare",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Script::Warroom => WARROOM_DECLARE_SQL,
            Script::Minimal => MINIMAL_DECLARE_SQL,
        }
    }
}

/// `--db-ceiling`: both ceilings at 16 clients.
pub(crate) async fn db_ceiling(db_url: &str, args: &Args) -> anyhow::Result<()> {
    let length = args
        .duration
        .clamp(Duration::from_secs(5), Duration::from_secs(60));
    for script in [Script::Warroom, Script::Minimal] {
        let tps = pgbench(db_url, script, 16, length).await?;
        println!(
            "pgbench {} at 16 clients: {tps:.0} declares/s",
            script.label()
        );
    }
    Ok(())
}

/// Declarations per second pgbench reaches with `script` at `clients`, on a freshly migrated
/// scratch database named after `db_url`'s.
pub(crate) async fn pgbench(
    db_url: &str,
    script: Script,
    clients: usize,
    length: Duration,
) -> anyhow::Result<f64> {
    let (base, query) = db_url.split_once('?').unwrap_or((db_url, ""));
    let scratch = format!("{}_ceiling", base.rsplit('/').next().unwrap_or("warroom"));
    let scratch_url = format!("postgres://postgres@127.0.0.1:5432/{scratch}?{query}");
    let sslmode = query.strip_prefix("sslmode=").unwrap_or("prefer");
    drop_database(&scratch).await?;
    let config = warroom::config::Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(scratch_url.clone()),
        "SLACK_BOT_TOKEN" => Some("xoxb-bench".to_owned()),
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_owned()),
        "WARROOM_INCIDENT_CHANNEL" => Some(CHANNEL.to_owned()),
        _ => None,
    })?;
    warroom::store::connect_and_migrate(&config)
        .await?
        .close()
        .await;
    let mut db = PgConnection::connect(&scratch_url).await?;
    sqlx::query("CREATE SEQUENCE bench_ids")
        .execute(&mut db)
        .await?;
    drop(db);
    let file = std::env::temp_dir().join(format!("warroom-{script:?}-{}.sql", std::process::id()));
    std::fs::write(&file, script.sql())?;
    let out = Command::new("pgbench")
        .env("PGSSLMODE", sslmode)
        .args(["-n", "-h", "127.0.0.1", "-U", "postgres", "-j", "2", "-c"])
        .arg(clients.to_string())
        .arg("-T")
        .arg(length.as_secs().max(1).to_string())
        .arg("-f")
        .arg(&file)
        .arg(&scratch)
        .output()?;
    let _ = std::fs::remove_file(&file);
    drop_database(&scratch).await?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok());
    match tps {
        Some(tps) if out.status.success() => Ok(tps),
        _ => anyhow::bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Drops the database `name` on the local server, if it exists.
pub(crate) async fn drop_database(name: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect(ADMIN_URL).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    Ok(())
}

/// What `store::declarations::insert_declared` runs, with literal values: the day's number (its
/// own statement, committed without waiting for the flush), then one transaction holding the
/// per-(person, title) lock and the declaration — unless the same person declared the same title
/// moments ago — with its card, thread reply, declarer link, two reminders and the request key.
const WARROOM_DECLARE_SQL: &str = r#"\set n random(1, 2000000000)
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO incident_day_counters AS c (day, last_number) SELECT current_date, 1 FROM relaxed
ON CONFLICT (day) DO UPDATE SET last_number = c.last_number + 1, updated_at = now()
RETURNING last_number \gset
BEGIN;
SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended('U' || :n || E'\nBench incident ' || :n, 0))) AS l;
WITH earlier AS (
    SELECT id, card_ts, team_domain FROM incidents
    WHERE declared_by = 'U' || :n AND declared_at >= now() - interval '10 seconds' AND title = 'Bench incident ' || :n AND status <> 'cancelled'
    ORDER BY declared_at DESC LIMIT 1
), counter AS (
    SELECT :last_number::int AS last_number WHERE NOT EXISTS (SELECT 1 FROM earlier)
), inc AS (
    INSERT INTO incidents (id, title, severity, severity_rank, incident_type, impact, triage, declared_by, declared_from, team_domain, channel_id, declared_at, next_update_due_at, breach_discovered_at, escalations, impact_started_at, detection, environment, affected_services)
    SELECT 'INC-' || to_char(current_date, 'YYYYMMDD') || '-' || CASE WHEN last_number < 1000 THEN lpad(last_number::text, 3, '0') ELSE last_number::text END,
           'Bench incident ' || :n, 'SEV-2', 1, NULL, NULL, '{}'::jsonb, 'U' || :n, 'C0GENERAL', 'bench', 'C0BENCH', now(), now() + interval '1 hour', NULL, '[]'::jsonb, now(), NULL, 'production', NULL
    FROM counter RETURNING id
), entry AS (
    INSERT INTO timeline_entries (incident_id, at, actor, kind, details) SELECT id, now(), 'U' || :n, 'declared', '{"title":"Bench incident","severity":"SEV-2"}'::jsonb FROM inc
), queued AS (
    INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload)
    SELECT inc.id, u.kind, u.method, u.pace_key, u.priority, u.payload
    FROM inc, UNNEST(ARRAY['post_card','thread_reply','response_url'], ARRAY['post','post','response_url'],
                     ARRAY['C0BENCH','C0BENCH',NULL], ARRAY[1,101,201],
                     ARRAY['{"delivery":"post_card"}','{"delivery":"thread_reply","text":"Declared by <@U0BENCH>"}','{"delivery":"response_url","response_url":"http://127.0.0.1:9/r"}']::jsonb[])
         WITH ORDINALITY AS u(kind, method, pace_key, priority, payload, ord)
    ORDER BY u.ord
), request AS (
    INSERT INTO slack_requests (key, incident_id) SELECT 'slash:' || :n || '.' || nextval('bench_ids'), id FROM inc
), armed AS (
    INSERT INTO reminders (incident_id, kind, due_at, details)
    SELECT inc.id, r.kind, r.due_at, '{}'::jsonb FROM inc, UNNEST(ARRAY['update_due','ack_overdue'], ARRAY[now() + interval '1 hour', now() + interval '30 minutes']) AS r(kind, due_at)
), home AS (
    INSERT INTO outbox (incident_id, kind, method, priority, payload)
    SELECT NULL, 'publish_home', 'home', 260, jsonb_build_object('deliver', 'publish_home', 'user', h.user_id)
    FROM inc, app_homes h
    WHERE h.user_id = ANY(ARRAY['U' || :n])
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'publish_home' AND o.state = 'pending'
                      AND o.lease_until IS NULL AND o.payload->>'user' = h.user_id)
)
SELECT id, NULL::text, NULL::text, true FROM inc
UNION ALL SELECT id, card_ts, team_domain, false FROM earlier;
COMMIT;
"#;

/// The least a declaration can be: the incident, its first timeline entry, and its card and
/// first thread reply queued, in one transaction.
const MINIMAL_DECLARE_SQL: &str = r#"BEGIN;
SELECT nextval('bench_ids') AS n \gset
INSERT INTO incidents (id, title, severity, severity_rank, declared_by, channel_id, declared_at)
VALUES ('MIN-' || :n, 'Bench incident', 'SEV-2', 1, 'U0BENCH', 'C0BENCH', now());
INSERT INTO timeline_entries (incident_id, at, actor, kind, details) VALUES ('MIN-' || :n, now(), 'U0BENCH', 'declared', '{}');
INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload)
VALUES ('MIN-' || :n, 'post_card', 'post', 'C0BENCH', 1, '{}'), ('MIN-' || :n, 'thread_reply', 'post', 'C0BENCH', 101, '{}');
COMMIT;
"#;
