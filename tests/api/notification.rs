//! The customer-notification clocks end to end: a severe incident still unresolved after the
//! configured time owes its customers a notification; the thread is reminded, the escalation
//! group called in once the clock runs out, and an approved client-safe summary for customers
//! stops the clock.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use crate::summaries::{AUTHOR, COMMANDER, config, draft, led_incident, pending_post};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

/// SEV-2 incidents owe a notification once unresolved for `after`, within `within`.
async fn spawn(slack: &FakeSlack, after: &str, within: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let toml = format!(
        "{}\n[escalation]\ngroup = \"S0MGMT\"\n[customer_notification]\noutage_severities = [\"sev2\"]\noutage_after = \"{after}\"\noutage_within = \"{within}\"\n",
        config("")
    );
    (TestApp::spawn_on(&db, slack, &toml).await, db)
}

async fn notices(app: &TestApp, id: &str) -> Vec<(String, Value)> {
    sqlx::query_as(
        "SELECT state, details FROM reminders WHERE incident_id = $1 AND kind = 'customer_notice_outage' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unresolved_incident_owes_customers_a_notice_is_reminded_then_escalated() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "1s", "3s").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Checkout slow").await;
    let (minor, _) = declared(&app, &slack, "declare sev4 A typo").await;
    let reminded = eventually("the reminder", WAIT, || async {
        replies(&slack, &card_ts)
            .into_iter()
            .find(|t| t.contains(":loudspeaker:"))
    })
    .await;
    assert!(
        reminded.contains("customers must be notified"),
        "{reminded}"
    );
    let escalated = eventually("the escalation", WAIT, || async {
        slack.messages().into_iter().find(|m| {
            m.thread_ts.as_deref() == Some(&card_ts)
                && m.reply_broadcast
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.contains("customers were to be notified"))
        })
    })
    .await;
    assert!(escalated.text.unwrap().contains("<!subteam^S0MGMT>"));
    let sent: Vec<Value> = sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE incident_id = $1 AND kind = 'reminder_sent' ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let notices: Vec<&Value> = sent
        .iter()
        .filter(|d| d["reminder"] == "customer_notice")
        .collect();
    assert_eq!(
        notices.len(),
        2,
        "a reminder, then the escalation: {sent:?}"
    );
    assert_eq!(
        (
            notices[0]["overdue"].as_bool(),
            notices[1]["overdue"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(notices[0]["rule"], "outage");
    // The stats count it as a notification missed.
    let stats = app.slash(&slack, "stats").await.to_string();
    assert!(
        stats.contains("Customers told of a long outage (unresolved after 1s, told within 3s of the declaration):* 0 of 1 told in time (0 %)"),
        "{stats}"
    );
    // A SEV-4 owes nothing under this rule.
    let none: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reminders WHERE incident_id = $1 AND kind LIKE 'customer_notice%'",
    )
    .bind(&minor)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(none, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_summary_for_customers_stops_the_clock() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "1h", "4h").await;
    let (id, card_ts) = led_incident(&app, &slack).await;
    assert_eq!(
        notices(&app, &id).await[0].0,
        "pending",
        "the clock is armed"
    );
    let text = "Some card payments were delayed between 10:00 and 10:40 UTC.";
    draft(&app, &slack, (&id, &card_ts), AUTHOR, text, false).await;
    let post = pending_post(&slack, &id, 1).await;
    app.click(
        &slack,
        &post.ts,
        &format!("{id}-S1"),
        "summary_approve",
        None,
        COMMANDER,
    )
    .await;
    let told: Option<chrono::DateTime<chrono::Utc>> = eventually("the approval", WAIT, || async {
        sqlx::query_scalar::<_, Option<chrono::DateTime<chrono::Utc>>>(
            "SELECT customers_notified_at FROM incidents WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .map(Some)
    })
    .await;
    assert!(told.is_some());
    let clocks = notices(&app, &id).await;
    assert!(
        clocks.iter().all(|(state, _)| state == "cancelled"),
        "{clocks:?}"
    );
}
