//! Approved client-safe summaries for the status page, published to Atlassian Statuspage: the
//! first creates the page's incident, later ones update it, with exactly the approved words; a
//! summary for another audience, or a drill's, never goes there; a refusal is said in the thread.

use crate::fake_receiver::FakeReceiver;
use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use crate::summaries::{AUTHOR, COMMANDER, config as comms_config, led_incident, pending_post};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const KEY: &str = "sp-api-key-0123456789";

/// warroom publishing to `page`, with `extra` tables in its config file.
async fn spawn(slack: &FakeSlack, page: &FakeReceiver, extra: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let toml = format!(
        "{}\n{extra}\n[statuspage]\npage_id = \"pg1\"\napi_key_env = \"STATUSPAGE_API_KEY\"\napi_url = \"{}\"\n",
        comms_config(""),
        page.url()
    );
    let config = config_with(&db, &slack.api_url(), &toml, &[("STATUSPAGE_API_KEY", KEY)]);
    (TestApp::spawn_with_config(config).await, db)
}

/// A led incident whose first summary, `text` for the status page, is approved; its ID.
async fn first_summary_approved(app: &TestApp, slack: &FakeSlack, text: &str) -> String {
    let (id, card_ts) = led_incident(app, slack).await;
    let summary = ("status_page", "investigating", text);
    approved(app, slack, (&id, &card_ts), 1, summary).await;
    id
}

/// The Statuspage incident warroom stored for incident `id`.
async fn page_incident(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT statuspage_incident_id FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Drafts summary `number` (by AUTHOR) for `audience` and has COMMANDER approve it.
async fn approved(
    app: &TestApp,
    slack: &FakeSlack,
    (id, card_ts): (&str, &str),
    number: u32,
    (audience, status, text): (&str, &str, &str),
) {
    let view = app
        .open_form(
            slack,
            card_ts,
            id,
            "incident_more",
            Some(&format!("summary:{id}")),
            AUTHOR,
        )
        .await;
    let fields = [
        ("summary_title", "text", "Card payments delayed"),
        ("public_status", "select", status),
        ("audience", "select", audience),
        ("summary_text", "text", text),
        ("acknowledge_warnings", "multi", ""),
    ];
    assert_eq!(app.submit(&view, AUTHOR, &fields).await, Value::Null);
    let post = pending_post(slack, id, number).await;
    let summary = format!("{id}-S{number}");
    app.click(
        slack,
        &post.ts,
        &summary,
        "summary_approve",
        None,
        COMMANDER,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_status_page_summaries_create_then_update_the_pages_incident_with_their_exact_words()
 {
    let slack = FakeSlack::start().await;
    let page = FakeReceiver::statuspage().await;
    let (app, _db) = spawn(&slack, &page, "").await;
    let (id, card_ts) = led_incident(&app, &slack).await;

    let first = "Some card payments are delayed. We are investigating.";
    approved(
        &app,
        &slack,
        (&id, &card_ts),
        1,
        ("status_page", "investigating", first),
    )
    .await;
    page.wait_for(1, WAIT).await;
    let created = &page.received()[0];
    assert_eq!(
        (created.method.as_str(), created.path.as_str()),
        ("POST", "/v1/pages/pg1/incidents")
    );
    assert_eq!(created.headers["authorization"], format!("OAuth {KEY}"));
    assert_eq!(
        created.body,
        json!({ "incident": { "name": "Card payments delayed", "status": "investigating", "body": first } })
    );
    let stored: Option<String> = eventually("the page's incident ID", WAIT, || async {
        page_incident(&app, &id).await.map(Some)
    })
    .await;
    assert_eq!(stored.as_deref(), Some("sp-incident-1"));

    // A summary for customers is not for the status page.
    approved(
        &app,
        &slack,
        (&id, &card_ts),
        2,
        (
            "customers",
            "investigating",
            "Card payments are delayed for some of you.",
        ),
    )
    .await;
    let second = "A fix is deployed and we are watching card payments recover.";
    approved(
        &app,
        &slack,
        (&id, &card_ts),
        3,
        ("status_page", "monitoring", second),
    )
    .await;
    page.wait_for(2, WAIT).await;
    drained(&app.pool).await;
    let calls = page.received();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        (calls[1].method.as_str(), calls[1].path.as_str()),
        ("PATCH", "/v1/pages/pg1/incidents/sp-incident-1")
    );
    assert_eq!(calls[1].body["incident"]["status"], "monitoring");
    assert_eq!(calls[1].body["incident"]["body"], second);
    // Nothing but approved words: never the internal title.
    for call in &calls {
        assert!(!call.raw.contains(&id), "{}", call.raw);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_page_update_statuspage_refuses_is_said_in_the_thread() {
    let slack = FakeSlack::start().await;
    let page = FakeReceiver::statuspage().await;
    page.script(vec![(
        401,
        None,
        json!({ "error": "Could not authenticate" }),
    )]);
    let (app, _db) = spawn(&slack, &page, "").await;
    let (id, card_ts) = led_incident(&app, &slack).await;
    approved(
        &app,
        &slack,
        (&id, &card_ts),
        1,
        (
            "status_page",
            "investigating",
            "Some card payments are delayed.",
        ),
    )
    .await;
    eventually("the thread to hear of it", WAIT, || async {
        replies(&slack, &card_ts)
            .into_iter()
            .find(|r| r.contains("could not be published to the status page"))
    })
    .await;
    drained(&app.pool).await;
    assert_eq!(page.received().len(), 1, "refused for good: not sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_page_update_is_retried_through_statuspages_failures_and_sent_once() {
    let slack = FakeSlack::start().await;
    let page = FakeReceiver::statuspage().await;
    page.script(vec![
        (503, None, json!({ "error": "Service Unavailable" })),
        (429, Some(1), json!({ "error": "Rate limit exceeded" })),
    ]);
    let (app, _db) = spawn(&slack, &page, "").await;
    let text = "Some card payments are delayed.";
    let id = first_summary_approved(&app, &slack, text).await;
    page.wait_for(5, WAIT).await;
    drained(&app.pool).await;
    // After the 503 (which Statuspage may have acted on) each retry first looks for the
    // incident by its name, finds none, and creates it.
    let calls = page.received();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "POST", "GET", "POST"], "{calls:?}");
    for call in calls.iter().filter(|c| c.method == "POST") {
        assert_eq!(call.body["incident"]["body"], text);
    }
    for call in calls.iter().filter(|c| c.method == "GET") {
        assert_eq!(call.path, "/v1/pages/pg1/incidents");
        assert_eq!(
            call.query,
            [("q".to_owned(), "Card payments delayed".to_owned())]
        );
        assert_eq!(call.headers["authorization"], format!("OAuth {KEY}"));
    }
    assert_eq!(
        page_incident(&app, &id).await.as_deref(),
        Some("sp-incident-1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creation_statuspage_answered_too_late_is_found_and_updated_not_created_twice() {
    let slack = FakeSlack::start().await;
    let page = FakeReceiver::statuspage().await;
    // The creation reaches Statuspage, which answers after warroom stopped waiting.
    page.stall(Duration::from_secs(2));
    let now = chrono::Utc::now().to_rfc3339();
    page.script_reads(vec![(
        200,
        None,
        json!([
            { "id": "sp-older", "name": "Card payments delayed", "created_at": "2025-01-01T00:00:00Z" },
            { "id": "sp-incident-1", "name": "Card payments delayed", "created_at": now },
        ]),
    )]);
    let timeout = "[integrations]\ntimeout = \"300ms\"";
    let (app, _db) = spawn(&slack, &page, timeout).await;
    let text = "Some card payments are delayed.";
    let id = first_summary_approved(&app, &slack, text).await;
    page.wait_for(3, WAIT).await;
    drained(&app.pool).await;
    let calls = page.received();
    let sent: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.method.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST", "/v1/pages/pg1/incidents"),
            ("GET", "/v1/pages/pg1/incidents"),
            ("PATCH", "/v1/pages/pg1/incidents/sp-incident-1"),
        ],
        "{calls:?}"
    );
    assert_eq!(calls[2].body["incident"]["body"], text);
    assert_eq!(
        page_incident(&app, &id).await.as_deref(),
        Some("sp-incident-1")
    );
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'failed'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(failed, 0);
}
