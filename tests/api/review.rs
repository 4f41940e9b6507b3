//! The post-incident review end to end: owed from the resolution of a severe incident, written
//! over several sittings from the card, completed once every agenda item is answered — which
//! records who and when and stops its reminder — and still writable after the incident closes.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";
const AGENDA: [&str; 8] = [
    "timeline",
    "root_cause",
    "detection",
    "response",
    "customer_impact",
    "preventive_measures",
    "action_items",
    "evidence",
];

async fn review_row(
    app: &TestApp,
    id: &str,
) -> (
    Option<DateTime<Utc>>,
    Option<Value>,
    Option<DateTime<Utc>>,
    Option<String>,
) {
    sqlx::query_as(
        "SELECT review_due_at, review, review_completed_at, review_completed_by FROM incidents WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn review_reminders(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM reminders WHERE incident_id = $1 AND kind = 'review_due' AND state = 'pending'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_is_drafted_then_completed_with_every_item_answered_and_its_reminder_stops() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Reports fail").await;
    let review = format!("review:{id}");

    // Before resolution the review is not open yet.
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&review),
        RESPONDER,
    )
    .await;
    let told = eventually("a private answer", WAIT, || async {
        slack
            .calls_to("response_url")
            .into_iter()
            .find(|c| c.response_name.as_deref() == Some(&format!("click-{RESPONDER}")))
    })
    .await;
    assert!(
        told.body["text"]
            .as_str()
            .unwrap()
            .contains("starts once it is resolved"),
        "{}",
        told.body
    );
    assert!(slack.views().is_empty());

    app.resolve(&slack, &card_ts, &id, RESPONDER).await;
    let (due, notes, ..) = review_row(&app, &id).await;
    let due = due.expect("a SEV-2 owes a review");
    assert!(
        due > Utc::now() + chrono::Duration::days(4),
        "five business days on: {due}"
    );
    assert!(notes.is_none());
    assert_eq!(review_reminders(&app, &id).await, 1);

    // A first sitting: two items and the follow-up deadline, saved as a draft.
    let form = app
        .open_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&review),
            RESPONDER,
        )
        .await;
    assert_eq!(form["callback_id"], "incident_review");
    let saved = app
        .submit(
            &form,
            RESPONDER,
            &[
                ("timeline", "text", "Declared 10:00; rolled back 10:40"),
                ("root_cause", "text", "A report template typo"),
                ("follow_up_deadline", "date", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(saved, Value::Null);
    let (_, notes, completed, _) = review_row(&app, &id).await;
    let notes = notes.unwrap();
    assert_eq!(notes["answers"]["root_cause"], "A report template typo");
    assert_eq!(notes["follow_up_deadline"], "2026-12-31");
    assert!(completed.is_none());

    // Completing with blank items keeps the form open, saying which.
    let form = app
        .open_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&review),
            RESPONDER,
        )
        .await;
    assert!(
        form["blocks"]
            .to_string()
            .contains("A report template typo"),
        "the form opens on the draft"
    );
    let refused = app
        .submit(
            &form,
            RESPONDER,
            &[
                ("timeline", "text", "Declared 10:00; rolled back 10:40"),
                ("root_cause", "text", "A report template typo"),
                ("review_complete", "multi", "complete"),
            ],
        )
        .await;
    let error = refused["errors"]["review_complete"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("Detection effectiveness") && error.contains("Evidence collected"),
        "{error}"
    );
    assert!(review_row(&app, &id).await.2.is_none());

    let mut all: Vec<(&str, &str, &str)> = AGENDA
        .iter()
        .map(|item| (*item, "text", "Answered"))
        .collect();
    all.push(("review_complete", "multi", "complete"));
    assert_eq!(app.submit(&form, RESPONDER, &all).await, Value::Null);
    let (_, notes, completed, by) = review_row(&app, &id).await;
    assert!(completed.is_some());
    assert_eq!(by.as_deref(), Some(RESPONDER));
    assert_eq!(notes.unwrap()["answers"]["evidence"], "Answered");
    assert_eq!(review_reminders(&app, &id).await, 0, "the reminder stops");
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM timeline_entries WHERE incident_id = $1 AND kind LIKE 'review%' ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["review_saved", "review_saved", "review_completed"]);

    drained(&app.pool).await;
    let shown = blocks_of(&slack, &card_ts);
    assert!(
        shown.contains(&format!(
            "*Post-incident review:* completed by <@{RESPONDER}>"
        )) && !shown.contains(&review),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_goes_on_after_the_incident_is_closed() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev1 Checkout down").await;
    app.resolve(&slack, &card_ts, &id, RESPONDER).await;
    let closed = app.close(&slack, &card_ts, &id, RESPONDER).await;
    assert_eq!(closed, Value::Null);
    assert_eq!(
        review_reminders(&app, &id).await,
        1,
        "closing leaves the review owed"
    );

    drained(&app.pool).await;
    assert!(
        blocks_of(&slack, &card_ts).contains(&format!("review:{id}")),
        "the closed card offers the review"
    );
    let mut all: Vec<(&str, &str, &str)> = AGENDA
        .iter()
        .map(|item| (*item, "text", "Answered"))
        .collect();
    all.push(("review_complete", "multi", "complete"));
    let answer = app
        .fill_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&format!("review:{id}")),
            RESPONDER,
            &all,
        )
        .await;
    assert_eq!(answer, Value::Null);
    assert!(review_row(&app, &id).await.2.is_some());
    assert_eq!(review_reminders(&app, &id).await, 0);
}
