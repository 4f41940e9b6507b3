//! The "Add to incident timeline" message shortcut.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

/// The message shortcut used on message `ts` in `channel` (in the thread of `thread_ts`).
pub(crate) fn shortcut(
    slack: &FakeSlack,
    channel: &str,
    ts: &str,
    thread_ts: Option<&str>,
) -> Value {
    let mut message = json!({ "type": "message", "text": "DB failover finished at 10:42", "user": "U0SRE", "ts": ts });
    if let Some(t) = thread_ts {
        message["thread_ts"] = json!(t);
    }
    json!({
        "type": "message_action",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "action_ts": "1700000100.000001",
        "team": { "id": "T0001", "domain": "acme" },
        "user": { "id": "U0ADDER", "name": "adder" },
        "channel": { "id": channel, "name": "somewhere" },
        "callback_id": "add_to_timeline",
        "trigger_id": "55.66.shortcut",
        "message_ts": ts,
        "message": message,
        "response_url": slack.response_url("shortcut"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_the_incidents_thread_is_added_with_author_time_and_link_once() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Database failover").await;
    let payload = shortcut(
        &slack,
        INCIDENT_CHANNEL,
        "1764000000.000100",
        Some(&card_ts),
    );
    for _ in 0..2 {
        assert_eq!(app.interaction(&payload).await.status(), 200);
    }
    let details: Vec<Value> = sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE kind = 'message_added' AND incident_id = $1",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(details.len(), 1, "added once");
    assert_eq!(details[0]["author"], "U0SRE");
    assert_eq!(details[0]["text"], "DB failover finished at 10:42");
    assert_eq!(
        details[0]["link"],
        format!("https://acme.slack.com/archives/{INCIDENT_CHANNEL}/p1764000000000100")
    );
    assert!(
        details[0]["posted_at"]
            .as_str()
            .unwrap()
            .starts_with("2025-11-24T16:00:00"),
        "the message's own time: {}",
        details[0]["posted_at"]
    );
    let answers = slack
        .wait_for_calls("response_url", 3, Duration::from_secs(10))
        .await;
    let texts: Vec<&str> = answers
        .iter()
        .filter(|c| c.response_name.as_deref() == Some("shortcut"))
        .map(|c| c.body["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("Added to"))
            && texts.iter().any(|t| t.contains("already on")),
        "{texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_elsewhere_asks_which_open_incident_it_belongs_to() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, _) = declared(&app, &slack, "declare sev3 Elsewhere").await;
    assert_eq!(
        app.interaction(&shortcut(&slack, "C0RANDOM", "1764000000.000200", None))
            .await
            .status(),
        200
    );
    let view = slack
        .wait_for_calls("views.open", 1, Duration::from_secs(10))
        .await[0]
        .body["view"]
        .clone();
    assert_eq!(view["callback_id"], "timeline_pick");
    assert!(view["blocks"].to_string().contains(&id));
    let submitted = app
        .interaction(&submission(
            &view,
            "U0ADDER",
            values(&[("incident", "select", &id)]),
        ))
        .await;
    assert_eq!(submitted.text().await.unwrap(), "");
    let (actor, details): (String, Value) =
        sqlx::query_as("SELECT actor, details FROM timeline_entries WHERE kind = 'message_added'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(actor, "U0ADDER");
    assert_eq!(details["author"], "U0SRE");
}
