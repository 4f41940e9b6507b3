//! The "Declare incident from message" shortcut: the declare form filled in from an alert (or a
//! person's report), and the message kept with the declaration as how it was detected.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const ALERTS: &str = "C0ALERTS";
const TS: &str = "1764680000.000100";

/// The shortcut used by DECLARER on `message` in the alerts channel.
fn declare_from(slack: &FakeSlack, message: Value) -> Value {
    json!({
        "type": "message_action",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "action_ts": "1764680100.000001",
        "team": { "id": "T0001", "domain": "acme" },
        "user": { "id": DECLARER, "name": "declarer" },
        "channel": { "id": ALERTS, "name": "alerts" },
        "callback_id": "declare_from_message",
        "trigger_id": "77.88.declare",
        "message_ts": TS,
        "message": message,
        "response_url": slack.response_url("declare-from-message"),
    })
}

/// The input block `id` of a view.
fn block<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == id)
        .unwrap_or_else(|| panic!("no block {id} in {view}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_opens_the_declare_form_filled_in_and_the_incident_keeps_it_as_its_detection() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    // Alertmanager's message: no text, everything in its attachment.
    let alert = json!({
        "type": "message", "subtype": "bot_message", "bot_id": "B0ALERTS", "text": "", "ts": TS,
        "attachments": [{
            "title": "[FIRING:1] Payments API 5xx above 5%",
            "text": "Service: payments-api\nSince 14:02 UTC",
            "fallback": "[FIRING:1] Payments API 5xx above 5%",
        }],
    });
    let response = app.interaction(&declare_from(&slack, alert)).await;
    assert_eq!(response.status(), 200);
    let view = slack
        .wait_for_calls("views.open", 1, Duration::from_secs(10))
        .await[0]
        .body["view"]
        .clone();
    assert_eq!(view["callback_id"], "declare_incident");
    assert_eq!(
        block(&view, "title")["element"]["initial_value"],
        "[FIRING:1] Payments API 5xx above 5%"
    );
    assert_eq!(
        block(&view, "detection")["element"]["initial_option"]["value"],
        "monitoring_alert"
    );

    let fields = values(&[
        ("title", "text", "[FIRING:1] Payments API 5xx above 5%"),
        ("severity", "select", "SEV-2"),
        ("impact", "text", "Card payments fail for one in twenty"),
        ("detection", "select", "monitoring_alert"),
    ]);
    let answer = app.interaction(&submission(&view, DECLARER, fields)).await;
    assert_eq!(answer.status(), 200);
    let declared: Value = eventually("the declaration", Duration::from_secs(10), || async {
        sqlx::query_scalar("SELECT details FROM timeline_entries WHERE kind = 'declared'")
            .fetch_optional(&app.pool)
            .await
            .unwrap()
    })
    .await;
    assert_eq!(declared["detection"], "monitoring_alert");
    assert_eq!(
        declared["source_message"],
        json!({
            "channel": ALERTS, "ts": TS, "from_bot": true,
            "link": format!("https://acme.slack.com/archives/{ALERTS}/p1764680000000100"),
        })
    );
    let card_ts: String = eventually("the card", Duration::from_secs(15), || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    })
    .await;
    eventually(
        "the thread to link the alert",
        Duration::from_secs(15),
        || async {
            replies(&slack, &card_ts).into_iter().find(|r| {
                r.contains("Declared from:")
                    && r.contains(&format!("/archives/{ALERTS}/p1764680000000100"))
            })
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_report_is_titled_from_its_first_line_and_not_taken_for_an_alert() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let report = json!({
        "type": "message", "user": "U0SUPPORT", "ts": TS,
        "text": "Customers report checkout spinning forever\nSeveral tickets since 10:00, see <https://support.example.com/t/1|ticket 1>",
    });
    app.interaction(&declare_from(&slack, report)).await;
    let view = slack
        .wait_for_calls("views.open", 1, Duration::from_secs(10))
        .await[0]
        .body["view"]
        .clone();
    assert_eq!(
        block(&view, "title")["element"]["initial_value"],
        "Customers report checkout spinning forever"
    );
    assert!(
        block(&view, "impact")["element"]["initial_value"]
            .as_str()
            .unwrap()
            .ends_with("see ticket 1"),
        "{view}"
    );
    assert!(block(&view, "detection")["element"]["initial_option"].is_null());
}
