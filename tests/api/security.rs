//! Security properties end to end: replays have no second effect, secrets and incident text stay
//! out of the logs, and a separate runtime role cannot rewrite the timeline or the schema.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use sqlx::Connection;
use std::time::Duration;
use warroom::{config::Secret, slack::verify::Verifier};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_request_has_no_second_effect() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let body = serde_urlencoded::to_string([
        ("team_id", "T0001"),
        ("team_domain", "acme"),
        ("channel_id", COMMAND_CHANNEL),
        ("user_id", DECLARER),
        ("command", "/incident"),
        ("text", "declare sev2 Replayed"),
        ("response_url", &slack.response_url("replay")),
        ("trigger_id", "9.9.replay"),
    ])
    .unwrap();
    let ts = chrono::Utc::now().timestamp();
    let signature = Verifier::new(Secret::new(SIGNING_SECRET)).sign(ts, body.as_bytes());
    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    // The same bytes and headers, as an attacker who captured them (or a proxy retrying) would send.
    for _ in 0..3 {
        let response = client
            .post(app.url("/slack/commands"))
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", &signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        answers.push(
            response.json::<serde_json::Value>().await.unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    for again in &answers[1..] {
        assert!(
            again.contains("INC-")
                && (again.contains("already") || again.contains("didn't open a second")),
            "{answers:?}"
        );
    }
    drained(&app.pool).await;
    assert_eq!(
        slack
            .messages()
            .iter()
            .filter(|m| m.thread_ts.is_none())
            .count(),
        1,
        "one card"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_tokens_signatures_or_incident_text() {
    const CANARY_TITLE: &str = "Canary-title-7f3a-do-not-log";
    const CANARY_IMPACT: &str = "Canary-impact-91bc-do-not-log";
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, &format!("declare sev1 {CANARY_TITLE}")).await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_post_update",
        None,
        "U0LOGS",
    )
    .await;
    let view = slack
        .wait_for_calls("views.open", 1, Duration::from_secs(10))
        .await[0]
        .body["view"]
        .clone();
    let form = values(&[
        ("impact", "text", CANARY_IMPACT),
        ("current_action", "text", CANARY_IMPACT),
        ("owner", "user", "U0LOGS"),
        ("next_update", "select", "900"),
    ]);
    app.interaction(&submission(&view, "U0LOGS", form)).await;
    // A forged request: its would-be signature must not appear anywhere either.
    let forged =
        format!("text=declare+sev1+{CANARY_TITLE}&user_id=U1&channel_id=C1&command=%2Fincident");
    let now = chrono::Utc::now().timestamp();
    let computed = Verifier::new(Secret::new(SIGNING_SECRET)).sign(now, forged.as_bytes());
    let refused = reqwest::Client::new()
        .post(app.url("/slack/commands"))
        .header("x-slack-request-timestamp", now.to_string())
        .header("x-slack-signature", format!("v0={}", "ab".repeat(32)))
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(!refused.text().await.unwrap().contains(&computed[3..]));
    // A failing Slack call logs its error code, not its request.
    slack.push_fault(
        "chat.postMessage",
        crate::fake_slack::Fault::SlackError("invalid_blocks".into()),
    );
    app.slash(&slack, &format!("note {id} {CANARY_TITLE}"))
        .await;
    drained(&app.pool).await;

    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(
        logs.contains("incident declared")
            && logs.contains("refused a request with a bad signature"),
        "the scan saw the logs"
    );
    for (what, needle) in [
        ("bot token", BOT_TOKEN),
        ("bot token prefix", "xoxb-"),
        ("signing secret", SIGNING_SECRET),
        ("computed signature", &computed[3..]),
        ("received signature", &"ab".repeat(32)),
        ("incident title", CANARY_TITLE),
        ("impact text", CANARY_IMPACT),
    ] {
        assert!(!logs.contains(needle), "the logs contain the {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_runtime_role_works_but_cannot_rewrite_the_timeline_or_the_schema() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let role = format!("{}_runtime", db.name);
    let admin_url = std::env::var("WARROOM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE ROLE \"{role}\" LOGIN")))
        .execute(&mut admin)
        .await
        .unwrap();

    let mut config = config(&db, &slack.api_url(), TEST_CONFIG);
    let base = admin_url.rsplit_once('/').unwrap().0.to_owned();
    let runtime_url = format!(
        "{}/{}",
        base.replace("postgres@", &format!("{role}@")),
        db.name
    );
    config.migrate_database_url = Some(config.database_url.clone());
    config.database_url = Secret::new(runtime_url.clone());
    let app = TestApp::spawn_with_config(config).await;
    // Every table warroom keeps is granted to the runtime role: a table a migration adds and the
    // grants forget fails here, not in production on the first request that touches it.
    let ungranted: Vec<String> = sqlx::query_scalar(
        "WITH ours AS MATERIALIZED (
             SELECT tablename::text FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations')
         SELECT tablename FROM ours
         WHERE NOT (has_table_privilege($1, format('public.%I', tablename), 'SELECT, INSERT')
                    AND (tablename = 'timeline_entries'
                         OR has_table_privilege($1, format('public.%I', tablename), 'UPDATE, DELETE')))
         ORDER BY 1",
    )
    .bind(&role)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        ungranted.is_empty(),
        "not granted to the runtime role: {ungranted:?}"
    );
    let (id, _) = declared(&app, &slack, "declare sev2 Runs as the runtime role").await;

    assert_eq!(
        warroom::store::find_timeline_exposure(&app.pool)
            .await
            .unwrap(),
        None,
        "a runtime role that owns nothing cannot switch the append-only trigger off"
    );
    let mut runtime = sqlx::PgConnection::connect(&runtime_url).await.unwrap();
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut runtime)
        .await
        .unwrap();
    assert_eq!(user, role);
    for sql in [
        "UPDATE timeline_entries SET actor = 'someone else'",
        "DELETE FROM timeline_entries",
        "TRUNCATE timeline_entries",
        "CREATE TABLE sneaky (id int)",
        "DROP TABLE incidents",
        "ALTER TABLE incidents ADD COLUMN sneaky int",
    ] {
        let err = sqlx::query(sql)
            .execute(&mut runtime)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{sql}: {err}"
        );
    }
    let entries: i64 =
        sqlx::query_scalar("SELECT count(*) FROM timeline_entries WHERE incident_id = $1")
            .bind(&id)
            .fetch_one(&mut runtime)
            .await
            .unwrap();
    assert_eq!(entries, 1);
    runtime.close().await.unwrap();
    drop(app);
    drop(db);
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP ROLE IF EXISTS \"{role}\""
    )))
    .execute(&mut admin)
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_role_that_could_switch_the_timeline_trigger_off_is_warned_about_at_start() {
    let slack = FakeSlack::start().await;
    // The default test setup runs as `postgres`, a superuser that also owns the tables.
    let (app, _db) = TestApp::spawn(&slack).await;
    assert_eq!(
        warroom::store::find_timeline_exposure(&app.pool)
            .await
            .unwrap(),
        Some("is a superuser")
    );
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(
        logs.contains("runtime role is a superuser, so it could switch the trigger off"),
        "no start-up warning in the logs"
    );
}
