//! The HTTP edge: signatures, malformed and oversized requests, events, health, and a database
//! that does not answer.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn incidents(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn declare_form() -> String {
    serde_urlencoded::to_string([
        ("team_id", "T0001"),
        ("channel_id", COMMAND_CHANNEL),
        ("user_id", DECLARER),
        ("command", "/incident"),
        ("text", "declare sev1 Forged"),
        ("response_url", "http://127.0.0.1:9/r"),
        ("trigger_id", "1.2.3"),
    ])
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_missing_or_stale_signatures_get_401_and_nothing_runs() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let client = reqwest::Client::new();
    let body = declare_form();
    let now = chrono::Utc::now().timestamp();
    let signer =
        warroom::slack::verify::Verifier::new(warroom::config::Secret::new(SIGNING_SECRET));
    let wrong =
        warroom::slack::verify::Verifier::new(warroom::config::Secret::new("not-the-secret"));
    let cases: Vec<(&str, Option<(String, String)>)> = vec![
        ("no headers", None),
        (
            "wrong secret",
            Some((now.to_string(), wrong.sign(now, body.as_bytes()))),
        ),
        (
            "stale",
            Some((
                (now - 301).to_string(),
                signer.sign(now - 301, body.as_bytes()),
            )),
        ),
        (
            "from the future",
            Some((
                (now + 301).to_string(),
                signer.sign(now + 301, body.as_bytes()),
            )),
        ),
        ("garbage", Some((now.to_string(), "v0=nothex".to_owned()))),
    ];
    for (case, headers) in cases {
        for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
            let mut request = client
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone());
            if let Some((ts, sig)) = &headers {
                request = request
                    .header("x-slack-request-timestamp", ts)
                    .header("x-slack-signature", sig);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{case} on {path}");
            let text = response.text().await.unwrap();
            assert!(
                !text.contains(&signer.sign(now, body.as_bytes())[3..]),
                "no signature is echoed"
            );
        }
    }
    // One byte changed after signing.
    let sig = signer.sign(now, body.as_bytes());
    let tampered = body.replace("Forged", "Forgex");
    let response = client
        .post(app.url("/slack/commands"))
        .header("x-slack-request-timestamp", now.to_string())
        .header("x-slack-signature", sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(incidents(&app).await, 0);
    assert!(slack.calls().is_empty());
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("warroom_requests_bad_signature_total 16"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_payloads_get_400_and_never_a_panic() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let form = "application/x-www-form-urlencoded";
    let cases = [
        ("/slack/commands", form, "text=declare".to_owned()),
        ("/slack/commands", form, "%%%".to_owned()),
        ("/slack/interactions", form, "nopayload=1".to_owned()),
        (
            "/slack/interactions",
            form,
            "payload=%7Bnot-json".to_owned(),
        ),
        (
            "/slack/interactions",
            form,
            format!(
                "payload={}",
                urlencode(&json!({"type": "view_submission", "view": 7}).to_string())
            ),
        ),
        ("/slack/events", "application/json", "{\"type\":".to_owned()),
        (
            "/slack/events",
            "application/json",
            json!({"type": "event_callback"}).to_string(),
        ),
    ];
    for (path, content_type, body) in cases {
        let response = app.post_signed(path, content_type, body.clone()).await;
        assert_eq!(response.status(), 400, "{path} {body}");
    }
    // Unknown interaction types and closed views are acknowledged and ignored.
    for kind in ["view_closed", "something_new"] {
        let response = app.interaction(&json!({ "type": kind })).await;
        assert_eq!(response.status(), 200, "{kind}");
    }
    assert_eq!(incidents(&app).await, 0);
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200, "still alive");
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_256_kb_is_refused_before_any_signature_work() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let huge = format!("text={}", "a".repeat(300 * 1024));
    let response = reqwest::Client::new()
        .post(app.url("/slack/commands"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("warroom_requests_bad_signature_total 0"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_url_check_is_answered_and_a_retried_event_has_one_effect() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let check = app.event(&json!({ "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" })).await;
    assert_eq!(check.status(), 200);
    let body: Value = check.json().await.unwrap();
    assert_eq!(
        body["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );

    let mention = json!({
        "token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback", "event_id": "Ev111", "event_time": 1595926230,
        "event": { "type": "app_mention", "text": "<@W111> Hi there!", "user": "W222", "ts": "1595926230.009600", "channel": "C111", "event_ts": "1595926230.009600" },
    });
    for _ in 0..3 {
        assert_eq!(app.event(&mention).await.status(), 200);
    }
    let posted = slack
        .wait_for_calls("chat.postMessage", 1, Duration::from_secs(10))
        .await;
    assert_eq!(posted[0].body["thread_ts"], "1595926230.009600");
    drained(&app.pool).await;
    assert_eq!(
        slack.calls_to("chat.postMessage").len(),
        1,
        "one reply however often Slack delivers the event"
    );
    let other = json!({ "type": "event_callback", "event_id": "Ev222", "event": { "type": "reaction_added" } });
    assert_eq!(app.event(&other).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_database_still_gets_a_clear_answer_and_warroom_recovers() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    // Another session holds the incidents table: every declare and list would wait forever.
    let mut blocker = app.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let answer = app
        .slash(&slack, "declare sev1 While the database hangs")
        .await;
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("cannot reach its database"),
        "{answer}"
    );
    // A read says so, without claiming something may not have been saved.
    for read in ["list".to_owned(), "show INC-20261124-001".to_owned()] {
        let answer = app.slash(&slack, &read).await;
        let text = answer["text"].as_str().unwrap();
        assert!(text.contains("cannot reach its database"), "{answer}");
        assert!(!text.contains("saved"), "{read} saves nothing: {text}");
    }
    blocker.rollback().await.unwrap();

    let ok = app
        .slash(&slack, "declare sev1 After the database is back")
        .await;
    assert!(ok["text"].as_str().unwrap().contains("Declaring"), "{ok}");
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM incidents")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(titles, vec!["After the database is back".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_hung_a_click_is_answered_in_one_deadline_and_told_why() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(
        &app,
        &slack,
        "declare sev2 Clicked while the database hangs",
    )
    .await;
    // Another session holds the incidents and the outbox: the click's change would wait forever,
    // and so would queueing the answer that says so.
    let mut blocker = app.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE incidents, outbox IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let started = Instant::now();
    app.acknowledge(&slack, &card_ts, &id, "U0BYSTANDER").await;
    let took = started.elapsed();
    // The request's database work shares one deadline (1.5 s): once it has run out nothing more
    // waits on the database, so the click is acknowledged well inside Slack's three seconds.
    assert!(
        took < Duration::from_millis(2500),
        "the click took {took:?}: more than one deadline"
    );
    // The outbox cannot hold the answer, so it goes straight to the click's response_url.
    let told = eventually("the person to be told", Duration::from_secs(10), || async {
        slack
            .calls_to("response_url")
            .into_iter()
            .find(|c| c.path.contains("click-U0BYSTANDER"))
    })
    .await;
    assert!(
        told.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot reach its database"),
        "{:?}",
        told.body
    );
    blocker.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_on_the_request_path_is_cancelled_at_the_request_deadline() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let show = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, String>("SHOW statement_timeout")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    // Work cancelled at the deadline must not keep running (and holding locks) in Postgres.
    assert_eq!(show(app.pool.clone()).await, "1500ms");
    // The workers' claims and records are not on a Slack request's clock.
    assert_eq!(show(app.state.worker_pool.clone()).await, "5s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_answer() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
    app.slash(&slack, "declare sev3 Counted").await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("# TYPE warroom_incidents_declared_total counter")
            && metrics.contains("warroom_incidents_declared_total 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_refuses_updates_and_deletes_even_from_a_superuser() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev3 Evidence").await;
    for sql in [
        "UPDATE timeline_entries SET actor = 'someone else'",
        "DELETE FROM timeline_entries",
        "TRUNCATE timeline_entries CASCADE",
    ] {
        let err = sqlx::query(sql).execute(&app.pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM timeline_entries")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_request_limit_warroom_turns_commands_and_events_away_at_once_and_saves_nothing() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(
        &db,
        &slack,
        &format!("{TEST_CONFIG}\n[database]\nmax_requests_in_flight = 0\n"),
    )
    .await;
    let answer = app.slash(&slack, "declare sev1 Checkout is down").await;
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("did nothing with this one"),
        "{answer}"
    );
    let mention = json!({
        "type": "event_callback", "event_id": "EvBusy",
        "event": { "type": "app_mention", "text": "<@W111> status?", "user": "W222", "ts": "1595926230.009600", "channel": "C111" },
    });
    assert_eq!(
        app.event(&mention).await.status(),
        503,
        "not acknowledged, so Slack delivers it again"
    );
    assert_eq!(incidents(&app).await, 0);
    assert!(slack.calls_to("chat.postMessage").is_empty());
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("warroom_requests_shed_total 2"),
        "{metrics}"
    );
}
