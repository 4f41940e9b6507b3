//! Capture by reaction: 📌 on a message in an incident's thread puts it on the timeline once,
//! however many people react; taking the last 📌 off adds a correction, never a deletion.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const MESSAGE_TS: &str = "1764000000.000200";

/// A signed reaction event: `user` put `emoji` on (or took it off) the message `ts`.
fn reaction(event_id: &str, user: &str, emoji: &str, ts: &str, added: bool) -> Value {
    json!({
        "type": "event_callback", "team_id": "T0001", "api_app_id": "A0001",
        "event_id": event_id, "event_time": 1764000300,
        "event": {
            "type": if added { "reaction_added" } else { "reaction_removed" },
            "user": user, "reaction": emoji, "item_user": "U0SRE", "event_ts": "1764000300.000100",
            "item": { "type": "message", "channel": INCIDENT_CHANNEL, "ts": ts },
        },
    })
}

/// What `reactions.get` answers for the message, with `pins` 📌 left on it.
fn answer(thread_ts: &str, pins: u64) -> Value {
    let reactions = if pins == 0 {
        json!([])
    } else {
        json!([{ "name": "pushpin", "count": pins, "users": ["U0ONE"] }])
    };
    json!({
        "ok": true, "type": "message", "channel": INCIDENT_CHANNEL,
        "message": {
            "type": "message", "user": "U0SRE", "text": "Rolled back the release at 10:42",
            "ts": MESSAGE_TS, "thread_ts": thread_ts, "reactions": reactions,
            "permalink": format!("https://acme.slack.com/archives/{INCIDENT_CHANNEL}/p1764000000000200?thread_ts={thread_ts}"),
        },
    })
}

async fn entries(app: &TestApp, id: &str, kind: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE incident_id = $1 AND kind = $2 ORDER BY id",
    )
    .bind(id)
    .bind(kind)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_message_joins_the_timeline_once_and_unpinning_it_adds_a_correction() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Database failover").await;
    slack.set_answer("reactions.get", answer(&card_ts, 1));

    // Two people pin it, Slack delivers one event twice, and someone adds 👀: one entry.
    for (event, user, emoji) in [
        ("Ev1", "U0ONE", "pushpin"),
        ("Ev2", "U0TWO", "pushpin"),
        ("Ev1", "U0ONE", "pushpin"),
        ("Ev3", "U0ONE", "eyes"),
    ] {
        let sent = app
            .event(&reaction(event, user, emoji, MESSAGE_TS, true))
            .await;
        assert_eq!(sent.status(), 200);
    }
    drained(&app.pool).await;
    assert_eq!(
        slack.arrived("reactions.get"),
        2,
        "one read per new 📌 event"
    );
    let added = entries(&app, &id, "message_added").await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["author"], "U0SRE");
    assert_eq!(added[0]["text"], "Rolled back the release at 10:42");
    assert!(
        added[0]["link"]
            .as_str()
            .unwrap()
            .contains("/p1764000000000200")
    );

    // One 📌 taken off while another stays: nothing changes.
    app.event(&reaction("Ev4", "U0TWO", "pushpin", MESSAGE_TS, false))
        .await;
    drained(&app.pool).await;
    assert!(entries(&app, &id, "corrected").await.is_empty());
    // The last one taken off: a correction of that entry, and the entry itself stays.
    slack.set_answer("reactions.get", answer(&card_ts, 0));
    app.event(&reaction("Ev5", "U0ONE", "pushpin", MESSAGE_TS, false))
        .await;
    let corrected = eventually("the correction", WAIT, || async {
        let rows = entries(&app, &id, "corrected").await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert!(
        corrected[0]["text"]
            .as_str()
            .unwrap()
            .contains("taken off the timeline"),
        "{corrected:?}"
    );
    assert_eq!(entries(&app, &id, "message_added").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_outside_every_incidents_thread_records_nothing() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, _) = declared(&app, &slack, "declare sev3 Slow exports").await;
    slack.set_answer("reactions.get", answer("1700000000.000001", 1));
    app.event(&reaction("Ev9", "U0ONE", "pushpin", MESSAGE_TS, true))
        .await;
    drained(&app.pool).await;
    assert_eq!(slack.arrived("reactions.get"), 1);
    assert!(entries(&app, &id, "message_added").await.is_empty());
}
