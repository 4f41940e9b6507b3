//! The lifecycle facts the report and the metrics are built from, end to end: when the impact
//! started, how it was detected and where (declare form, quick declare, Edit), the milestones
//! recorded from the card (containment, root cause, fix deployed), and corrections of numbered
//! timeline entries.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";

async fn timeline_count(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM timeline_entries WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn last_entry(app: &TestApp, id: &str) -> (String, Value) {
    sqlx::query_as(
        "SELECT kind, details FROM timeline_entries WHERE incident_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

type ScopeRow = (
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    Option<String>,
    String,
    Option<String>,
);

type FindingsRow = (
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
);

async fn scope(app: &TestApp, id: &str) -> ScopeRow {
    sqlx::query_as(
        "SELECT impact_started_at, declared_at, detection, environment, affected_services FROM incidents WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declare_form_records_when_the_impact_started_how_it_was_detected_and_where() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare").await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    let started = (Utc::now() - chrono::Duration::minutes(40)).timestamp();
    let fields = |started: &'static str| {
        [
            ("title", "text", "Search returns nothing"),
            ("severity", "select", "SEV-2"),
            ("impact_started", "datetime", started),
            ("detection", "select", "customer_report"),
            ("environment", "select", "staging"),
            ("services", "text", "search-api, indexer"),
        ]
    };

    // A start in the future keeps the form open, with the error under that input.
    let future = (Utc::now() + chrono::Duration::hours(2))
        .timestamp()
        .to_string();
    let refused = app.submit(&view, DECLARER, &fields(future.leak())).await;
    assert_eq!(refused["response_action"], "errors");
    assert!(
        refused["errors"]["impact_started"]
            .as_str()
            .unwrap()
            .contains("future"),
        "{refused}"
    );
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(none, 0, "nothing is declared");

    let accepted = app
        .submit(&view, DECLARER, &fields(started.to_string().leak()))
        .await;
    assert_eq!(accepted, Value::Null);
    let id: String = sqlx::query_scalar("SELECT id FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (impact_started, _, detection, environment, services) = scope(&app, &id).await;
    assert_eq!(impact_started.map(|t| t.timestamp()), Some(started));
    assert_eq!(detection.as_deref(), Some("customer_report"));
    assert_eq!(environment, "staging");
    assert_eq!(services.as_deref(), Some("search-api, indexer"));
    let (kind, details) = last_entry(&app, &id).await;
    assert_eq!(kind, "declared");
    assert_eq!(details["environment"], "staging");
    assert_eq!(details["detection"], "customer_report");
    assert_eq!(details["affected_services"], "search-api, indexer");
    assert!(details["impact_started_at"].is_string(), "{details}");

    let posts = slack.wait_for_calls("chat.postMessage", 2, WAIT).await;
    let thread = posts[1].body["text"].as_str().unwrap();
    assert!(
        thread.contains("*Environment:* Staging")
            && thread.contains("*Detected by:* Customer report")
            && thread.contains("search-api, indexer")
            && thread.contains(&format!("<!date^{started}^")),
        "{thread}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_declare_takes_production_and_counts_the_impact_from_the_declaration() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, _) = declared(&app, &slack, "declare sev2 Checkout slow").await;
    let (impact_started, declared_at, detection, environment, services) = scope(&app, &id).await;
    assert_eq!(impact_started, Some(declared_at));
    assert_eq!(
        (detection, environment.as_str(), services),
        (None, "production", None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_changes_the_scope_and_records_each_old_and_new_value() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Reports fail").await;
    let view = app
        .open_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&format!("edit:{id}")),
            RESPONDER,
        )
        .await;
    assert_eq!(view["callback_id"], "incident_edit");
    let blocks = view["blocks"].to_string();
    assert!(
        blocks.contains("\"impact_started\"") && blocks.contains("\"initial_date_time\""),
        "the form shows the current start: {blocks}"
    );
    let (_, declared_at, ..) = scope(&app, &id).await;
    let earlier = (declared_at - chrono::Duration::hours(3)).timestamp();
    let answer = app
        .submit(
            &view,
            RESPONDER,
            &[
                ("title", "text", "Reports fail"),
                ("impact_started", "datetime", &earlier.to_string()),
                ("detection", "select", "monitoring_alert"),
                ("environment", "select", "production"),
                ("services", "text", "reporting"),
            ],
        )
        .await;
    assert_eq!(answer, Value::Null);
    let (impact_started, _, detection, _, services) = scope(&app, &id).await;
    assert_eq!(impact_started.map(|t| t.timestamp()), Some(earlier));
    assert_eq!(detection.as_deref(), Some("monitoring_alert"));
    assert_eq!(services.as_deref(), Some("reporting"));
    let (kind, details) = last_entry(&app, &id).await;
    assert_eq!(kind, "edited");
    assert_eq!(details["detection"]["from"], Value::Null);
    assert_eq!(details["detection"]["to"], "monitoring_alert");
    assert_eq!(details["affected_services"]["to"], "reporting");
    assert_eq!(
        details["impact_started_at"]["from"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        Some(declared_at)
    );
    assert!(
        details.get("environment").is_none(),
        "unchanged fields are not recorded: {details}"
    );
    drained(&app.pool).await;
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("edited the incident")
                && t.contains("detected by: Monitoring alert")),
        "{:?}",
        replies(&slack, &card_ts)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_cause_and_fix_are_recorded_from_the_card_with_who_and_when() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Queue backlog").await;

    let answer = app
        .fill_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&format!("root_cause:{id}")),
            RESPONDER,
            &[(
                "cause",
                "text",
                "Worker pool capped at 4 after the config change",
            )],
        )
        .await;
    assert_eq!(answer, Value::Null);

    // A link that is not a web address keeps the form open, the error under the link.
    let fix = app
        .open_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&format!("fix:{id}")),
            RESPONDER,
        )
        .await;
    assert_eq!(fix["callback_id"], "incident_fix_deployed");
    let refused = app
        .submit(
            &fix,
            RESPONDER,
            &[
                ("deployed", "text", "Pool raised to 16"),
                ("link", "text", "ftp://x"),
            ],
        )
        .await;
    assert_eq!(refused["response_action"], "errors");
    assert!(
        refused["errors"]["link"]
            .as_str()
            .unwrap()
            .contains("https://"),
        "{refused}"
    );
    let refused_count = timeline_count(&app, &id).await;
    let accepted = app
        .submit(
            &fix,
            RESPONDER,
            &[
                ("deployed", "text", "Pool raised to 16"),
                ("link", "text", "https://git.example.com/ops/pull/7"),
            ],
        )
        .await;
    assert_eq!(accepted, Value::Null);
    assert_eq!(timeline_count(&app, &id).await, refused_count + 1);

    let (cause, cause_at, fix_what, fix_link, fix_at): FindingsRow = sqlx::query_as(
        "SELECT root_cause, root_cause_at, fix_deployed, fix_link, fix_deployed_at FROM incidents WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        cause.as_deref(),
        Some("Worker pool capped at 4 after the config change")
    );
    assert_eq!(fix_what.as_deref(), Some("Pool raised to 16"));
    assert_eq!(
        fix_link.as_deref(),
        Some("https://git.example.com/ops/pull/7")
    );
    assert!(cause_at.is_some() && fix_at >= cause_at);
    let entries: Vec<(String, String, Value)> = sqlx::query_as(
        "SELECT kind, actor, details FROM timeline_entries WHERE incident_id = $1 AND kind IN ('root_cause_identified', 'fix_deployed') ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("root_cause_identified", RESPONDER)
    );
    assert_eq!(entries[1].2["link"], "https://git.example.com/ops/pull/7");

    drained(&app.pool).await;
    let thread = replies(&slack, &card_ts).join("\n");
    assert!(
        thread.contains("*root cause*: Worker pool capped at 4"),
        "{thread}"
    );
    assert!(
        thread.contains("*fix deployed*: Pool raised to 16"),
        "{thread}"
    );
    let card = slack
        .messages()
        .into_iter()
        .find(|m| m.ts == card_ts)
        .unwrap();
    let blocks = card.blocks.unwrap().to_string();
    assert!(
        blocks.contains("*Root cause:* Worker pool capped at 4")
            && blocks.contains("*Fix deployed:* Pool raised to 16"),
        "{blocks}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containment_is_stamped_the_first_time_the_incident_reaches_contained() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Login failures").await;
    let contained_at = || async {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "SELECT contained_at FROM incidents WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("identified"),
        RESPONDER,
    )
    .await;
    assert_eq!(contained_at().await, None);
    // Skipping past Contained counts as containment too.
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("recovering"),
        RESPONDER,
    )
    .await;
    let first = contained_at().await.expect("containment started");
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("investigating"),
        RESPONDER,
    )
    .await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("contained"),
        RESPONDER,
    )
    .await;
    assert_eq!(
        contained_at().await,
        Some(first),
        "a relapse keeps the first time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_refers_to_a_numbered_entry_and_the_timeline_shows_the_corrected_value() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Exports slow").await;
    app.slash(&slack, &format!("note {id} Paged the DBA at 10:01"))
        .await;

    let timeline = app.slash(&slack, &format!("timeline {id}")).await;
    let shown = timeline["blocks"].to_string();
    assert!(shown.contains("#1 ") && shown.contains("#2 "), "{shown}");

    let answer = app
        .slash(
            &slack,
            &format!("correct {id} #2 Paged the DBA at 10:05, not 10:01"),
        )
        .await;
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("Correction of entry #2"),
        "{answer}"
    );
    let (kind, details) = last_entry(&app, &id).await;
    assert_eq!(kind, "corrected");
    assert_eq!(details["entry"], 2);
    let timeline = app.slash(&slack, &format!("timeline {id}")).await;
    let shown = timeline["blocks"].to_string();
    assert!(
        shown.contains("#2 ")
            && shown.contains("Paged the DBA at 10:05, not 10:01 _(corrected in #3; originally: note: Paged the DBA at 10:01)_"),
        "{shown}"
    );

    // Bad input: each answered privately in words, nothing written.
    let before = timeline_count(&app, &id).await;
    for (text, expected) in [
        (
            format!("correct {id} #3 It was 10:06"),
            "itself a correction",
        ),
        (format!("correct {id} #99 Never happened"), "no entry #99"),
        (
            format!("correct {id} #2"),
            "Name the entry and the correction",
        ),
        (
            format!("correct {id} soon it was"),
            "Name the entry and the correction",
        ),
        ("correct INC-20000101-001 #1 Wrong".to_owned(), "can't find"),
    ] {
        let answer = app.slash(&slack, &text).await;
        assert!(
            answer["text"].as_str().unwrap().contains(expected),
            "{text}: {answer}"
        );
    }
    assert_eq!(timeline_count(&app, &id).await, before);
    drained(&app.pool).await;
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("corrected timeline entry #2")),
        "the thread hears of the correction"
    );
}
