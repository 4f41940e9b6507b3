//! Declaring incidents: the quick form, the modal, and what lands in Postgres and Slack.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_declare_stores_the_incident_and_posts_its_card_and_thread() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;

    let ack = app.slash(&slack, "declare sev1 Payments API down").await;
    let today = chrono::Utc::now().format("%Y%m%d");
    let id = format!("INC-{today}-001");
    assert_eq!(ack["response_type"], "ephemeral");
    assert!(
        ack["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Declaring *{id}*")),
        "{ack}"
    );

    // The rows: the incident, its first timeline entry.
    let (title, severity, status, declared_by): (String, String, String, String) =
        sqlx::query_as("SELECT title, severity, status, declared_by FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (
            title.as_str(),
            severity.as_str(),
            status.as_str(),
            declared_by.as_str()
        ),
        ("Payments API down", "SEV-1", "investigating", DECLARER)
    );
    let (kind, actor, details): (String, String, Value) =
        sqlx::query_as("SELECT kind, actor, details FROM timeline_entries WHERE incident_id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), actor.as_str()), ("declared", DECLARER));
    assert_eq!(details["severity"], "SEV-1");

    // The card, then the thread reply under it, then the link for the declarer.
    let posts = slack.wait_for_calls("chat.postMessage", 2, WAIT).await;
    let card = &posts[0].body;
    assert_eq!(card["channel"], INCIDENT_CHANNEL);
    assert!(
        card["text"].as_str().unwrap().contains(&id),
        "card has a fallback text"
    );
    let blocks = card["blocks"].to_string();
    for needle in [
        &id,
        "Payments API down",
        "SEV-1",
        "Investigating",
        DECLARER,
        "<!date^",
        "incident_acknowledge",
        "incident_post_update",
    ] {
        assert!(blocks.contains(needle), "card lacks {needle}: {blocks}");
    }
    assert_eq!(card["metadata"]["event_type"], "warroom_outbox");
    assert!(posts[0].authorization.as_deref() == Some(&format!("Bearer {BOT_TOKEN}")[..]));
    assert!(
        posts[0]
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/json")
    );

    let ledger = slack.messages();
    let card_ts = ledger[0].ts.clone();
    let reply = &posts[1].body;
    assert_eq!(reply["thread_ts"], card_ts.as_str());
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Declared by <@{DECLARER}>")),
        "{reply}"
    );

    let link = slack.wait_for_calls("response_url", 1, WAIT).await;
    assert!(link[0].body["text"].as_str().unwrap().contains(&id));
    assert_eq!(link[0].body["response_type"], "ephemeral");

    let stored_ts: Option<String> =
        sqlx::query_scalar("SELECT card_ts FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored_ts.as_deref(), Some(card_ts.as_str()));
    assert_eq!(
        drained(&app.pool)
            .await
            .iter()
            .filter(|(_, s)| s == "delivered")
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_severity_spelling_is_accepted_and_the_default_is_sev3() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    for (text, expected) in [
        ("declare P1 one", "SEV-1"),
        ("declare SEV-2 two", "SEV-2"),
        ("declare sev4 four", "SEV-4"),
        ("declare Database is slow", "SEV-3"),
    ] {
        app.slash(&slack, text).await;
        let severity: String = sqlx::query_scalar(
            "SELECT severity FROM incidents ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(severity, expected, "{text}");
    }
    let title: String = sqlx::query_scalar("SELECT title FROM incidents WHERE severity = 'SEV-3'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        title, "Database is slow",
        "a title that is not a severity stays whole"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declare_without_a_title_opens_the_form_and_its_submission_declares_with_triage_floors() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;

    let ack = app.slash(&slack, "declare").await;
    assert_eq!(ack, Value::Null, "the form opens; nothing else is said");
    let open = slack.wait_for_calls("views.open", 1, WAIT).await;
    assert!(
        open[0].body["trigger_id"]
            .as_str()
            .unwrap()
            .ends_with(".trigger")
    );
    let view = &open[0].body["view"];
    assert_eq!(view["callback_id"], "declare_incident");

    // A blank title keeps the form open with an error under the title.
    let values = |title: &str| {
        json!({
            "title": { "value": { "type": "plain_text_input", "value": title } },
            "severity": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "SEV-4" }, "value": "SEV-4" } } },
            "incident_type": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "Payment or wallet" }, "value": "payment_wallet" } } },
            "impact": { "value": { "type": "plain_text_input", "value": "Card payments fail for EU customers" } },
            "triage": { "value": { "type": "checkboxes", "selected_options": [ { "text": { "type": "plain_text", "text": "Money" }, "value": "money_affected" } ] } },
        })
    };
    let refused = app
        .interaction(&submission(view, DECLARER, values("   ")))
        .await;
    assert_eq!(refused.status(), 200);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["response_action"], "errors");
    assert!(body["errors"]["title"].as_str().unwrap().contains("title"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    let accepted = app
        .interaction(&submission(view, DECLARER, values("Card payments failing")))
        .await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        accepted.text().await.unwrap(),
        "",
        "an empty answer closes the form"
    );
    let (severity, kind, impact, triage): (String, Option<String>, Option<String>, Value) =
        sqlx::query_as("SELECT severity, incident_type, impact, triage FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        severity, "SEV-2",
        "money affected raises SEV-4 to the SEV-2 floor"
    );
    assert_eq!(kind.as_deref(), Some("payment_wallet"));
    assert_eq!(
        impact.as_deref(),
        Some("Card payments fail for EU customers")
    );
    assert_eq!(triage["money_affected"], true);
    assert_eq!(triage["production_down"], false);

    let posts = slack.wait_for_calls("chat.postMessage", 2, WAIT).await;
    let thread = posts[1].body["text"].as_str().unwrap();
    assert!(
        thread.contains("Card payments fail for EU customers")
            && thread.contains("raised by the triage answers"),
        "{thread}"
    );
    // The declarer hears where the card is through the slash command's response_url.
    slack.wait_for_calls("response_url", 1, WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_form_submitted_twice_declares_once() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare").await;
    let open = slack.wait_for_calls("views.open", 1, WAIT).await;
    let values = json!({
        "title": { "value": { "type": "plain_text_input", "value": "Search is down" } },
        "severity": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "SEV-3" }, "value": "SEV-3" } } },
    });
    let payload = submission(&open[0].body["view"], DECLARER, values);
    for _ in 0..3 {
        assert_eq!(app.interaction(&payload).await.status(), 200);
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_enter_twice_returns_the_first_incident() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev2 Login fails").await;
    let again = app.slash(&slack, "declare sev2 Login fails").await;
    assert!(
        again["text"]
            .as_str()
            .unwrap()
            .contains("less than a minute ago"),
        "{again}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_open_incidents_newest_first_and_help_and_unknown_words_show_usage() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let empty = app.slash(&slack, "list").await;
    assert!(
        empty["text"]
            .as_str()
            .unwrap()
            .contains("No open incidents")
    );
    app.slash(&slack, "declare sev3 First thing").await;
    app.slash(&slack, "declare sev1 Second thing").await;
    drained(&app.pool).await;
    let list = app.slash(&slack, "list").await;
    let text = list["blocks"].to_string();
    let (first, second) = (
        text.find("Second thing").unwrap(),
        text.find("First thing").unwrap(),
    );
    assert!(first < second, "newest first: {text}");
    assert!(
        text.contains("https://acme.slack.com/archives/C0INCIDENTS/p"),
        "links to the cards: {text}"
    );

    let help = app.slash(&slack, "help").await;
    assert!(help["text"].as_str().unwrap().contains("/incident declare"));
    let unknown = app.slash(&slack, "frobnicate").await;
    assert_eq!(unknown["response_type"], "ephemeral");
    assert!(
        unknown["text"]
            .as_str()
            .unwrap()
            .contains("I don't know `frobnicate`")
    );
    assert!(
        slack.calls_to("chat.postMessage").len() <= 4,
        "help and list post nothing to channels"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_very_long_title_is_cut_to_fit_the_card_not_rejected() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let long = "Everything is on fire ".repeat(100);
    app.slash(&slack, &format!("declare sev2 {long}")).await;
    let posts = slack.wait_for_calls("chat.postMessage", 1, WAIT).await;
    let header = posts[0].body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(header.chars().count() <= 150, "{header}");
    assert!(header.ends_with('…'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_999_in_a_day_the_number_simply_grows() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    sqlx::query("INSERT INTO incident_day_counters (day, last_number) VALUES ((now() AT TIME ZONE 'UTC')::date, 999)").execute(&app.pool).await.unwrap();
    let ack = app.slash(&slack, "declare sev3 The thousandth").await;
    let today = chrono::Utc::now().format("%Y%m%d");
    assert!(
        ack["text"]
            .as_str()
            .unwrap()
            .contains(&format!("INC-{today}-1000")),
        "{ack}"
    );
}

/// A declaration wakes its own replica's delivery loop in the process, not every replica with a
/// `NOTIFY` (each notifying transaction queues on one lock of the whole server at commit): its
/// card and thread are posted all the same, and nothing is heard on the wake-up channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_is_delivered_without_waking_every_replica() {
    let slack = FakeSlack::start().await;
    let (app, db) = TestApp::spawn(&slack).await;
    let mut listener = sqlx::postgres::PgListener::connect(&db.url).await.unwrap();
    listener.listen("warroom_outbox").await.unwrap();
    let (_, card_ts) = declared(&app, &slack, "declare sev2 Checkout slow").await;
    assert!(
        !replies(&slack, &card_ts).is_empty(),
        "the thread is posted"
    );
    let heard = tokio::time::timeout(Duration::from_millis(500), listener.recv()).await;
    assert!(heard.is_err(), "a declaration sent a NOTIFY: {heard:?}");
}
