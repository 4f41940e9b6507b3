//! Paging on-call through PagerDuty's Events API v2, end to end: signed slash commands and card
//! clicks in, events at a fake PagerDuty out, with the timeline rows and the thread asserted.

use crate::fake_receiver::FakeReceiver;
use crate::fake_slack::{FakeSlack, Fault};
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const ROUTING_KEY: &str = "R0UT1NGKEY0123456789abcdef012345";
const SECURE: &str = "G0SECURE";

/// warroom paging `pagerduty`, with more `[pagerduty]` keys and other `tables`.
async fn spawn(
    slack: &FakeSlack,
    pagerduty: &FakeReceiver,
    keys: &str,
    tables: &str,
) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let toml = format!(
        "{TEST_CONFIG}\n[pagerduty]\nevents_url = \"{}\"\n{keys}\n{tables}",
        pagerduty.url()
    );
    let config = config_with(
        &db,
        &slack.api_url(),
        &toml,
        &[("PAGERDUTY_ROUTING_KEY", ROUTING_KEY)],
    );
    (TestApp::spawn_with_config(config).await, db)
}

/// The incident's timeline entries of `kind`, oldest first.
async fn entries(app: &TestApp, id: &str, kind: &str) -> Vec<(String, Value)> {
    sqlx::query_as(
        "SELECT actor, details FROM timeline_entries WHERE incident_id = $1 AND kind = $2 ORDER BY id",
    )
    .bind(id)
    .bind(kind)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_action"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sev1_pages_on_call_and_its_acknowledgement_and_resolution_follow_the_page() {
    let slack = FakeSlack::start().await;
    let pagerduty = FakeReceiver::pagerduty().await;
    let (app, _db) = spawn(&slack, &pagerduty, "", "").await;

    let (id, card) = declared(&app, &slack, "declare sev1 Checkout is down for everyone").await;
    let trigger = &pagerduty.wait_for(1, WAIT).await[0];
    assert_eq!(trigger["routing_key"], ROUTING_KEY);
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["dedup_key"], id.as_str());
    let payload = &trigger["payload"];
    assert_eq!(payload["severity"], "critical");
    assert_eq!(payload["source"], "warroom");
    assert!(
        payload["summary"]
            .as_str()
            .unwrap()
            .contains("[SEV-1] Checkout is down for everyone"),
        "{trigger}"
    );
    assert_eq!(payload["custom_details"]["incident"], id.as_str());
    assert_eq!(
        trigger["links"][0]["href"],
        format!("https://slack.com/app_redirect?channel={INCIDENT_CHANNEL}")
    );

    // What PagerDuty accepted is a fact on the timeline, by warroom, and the thread says so.
    let paged = eventually("the page on the timeline", WAIT, || async {
        let rows = entries(&app, &id, "paged").await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(paged[0].0, "warroom");
    assert_eq!(
        paged[0].1,
        json!({ "service": "PagerDuty", "action": "trigger", "dedup_key": id })
    );
    eventually(
        "the thread to say PagerDuty was triggered",
        WAIT,
        || async {
            replies(&slack, &card)
                .iter()
                .any(|r| r.contains("PagerDuty was triggered") && r.contains(id.as_str()))
                .then_some(())
        },
    )
    .await;

    app.acknowledge(&slack, &card, &id, DECLARER).await;
    let events = pagerduty.wait_for(2, WAIT).await;
    assert_eq!(
        events[1],
        json!({ "routing_key": ROUTING_KEY, "event_action": "acknowledge", "dedup_key": id })
    );
    app.resolve(&slack, &card, &id, DECLARER).await;
    let events = pagerduty.wait_for(3, WAIT).await;
    assert_eq!(actions(&events), ["trigger", "acknowledge", "resolve"]);
    assert_eq!(events[2]["dedup_key"], id.as_str());
    eventually("every page on the timeline", WAIT, || async {
        let rows = entries(&app, &id, "paged").await;
        let recorded: Vec<Value> = rows.iter().map(|(_, d)| d["action"].clone()).collect();
        (recorded == [json!("trigger"), json!("acknowledge"), json!("resolve")]).then_some(())
    })
    .await;
    // Only the trigger is announced in the thread.
    let told = replies(&slack, &card)
        .iter()
        .filter(|r| r.contains("PagerDuty"))
        .count();
    assert_eq!(told, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sev3_pages_nobody_until_it_is_raised_and_a_drill_never_pages() {
    let slack = FakeSlack::start().await;
    let pagerduty = FakeReceiver::pagerduty().await;
    let (app, _db) = spawn(&slack, &pagerduty, "", "").await;

    let (id, card) = declared(&app, &slack, "declare sev3 Slow search results").await;
    app.acknowledge(&slack, &card, &id, DECLARER).await;
    drained(&app.pool).await;
    assert!(pagerduty.bodies().is_empty(), "{:?}", pagerduty.bodies());

    let answer = app
        .fill_form(
            &slack,
            &card,
            &id,
            "incident_severity",
            Some("SEV-1"),
            DECLARER,
            &[
                ("level", "select", "SEV-1"),
                ("reason", "text", "Checkout fails too"),
            ],
        )
        .await;
    assert_eq!(answer, Value::Null, "{answer}");
    let events = pagerduty.wait_for(1, WAIT).await;
    assert_eq!(actions(&events), ["trigger"]);
    assert_eq!(events[0]["payload"]["severity"], "critical");
    let paged_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT paged_at FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(paged_at.is_some());

    let (drill, drill_card) = declared(&app, &slack, "drill sev1 Wallet ledger mismatch").await;
    app.acknowledge(&slack, &drill_card, &drill, DECLARER).await;
    drained(&app.pool).await;
    assert_eq!(pagerduty.bodies().len(), 1, "{:?}", pagerduty.bodies());
    assert!(entries(&app, &drill, "paged").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_retried_through_pagerdutys_failures_and_sent_while_slack_is_down() {
    let slack = FakeSlack::start().await;
    let pagerduty = FakeReceiver::pagerduty().await;
    let (app, _db) = spawn(&slack, &pagerduty, "", "").await;
    pagerduty.script(vec![
        (500, None, json!({ "status": "error" })),
        (429, Some(1), json!({ "status": "throttle event" })),
    ]);
    // Slack is failing: the card cannot be posted, and on-call is paged all the same.
    for _ in 0..1000 {
        slack.push_fault("chat.postMessage", Fault::ServerError(503));
    }
    let ack = app
        .slash(&slack, "declare sev2 Payments API erroring")
        .await;
    let id = ack["text"].as_str().unwrap().split('*').nth(1).unwrap();
    let id = id.trim_end_matches('…').to_owned();
    let events = pagerduty.wait_for(3, WAIT).await;
    assert_eq!(actions(&events), ["trigger", "trigger", "trigger"]);
    assert!(events.iter().all(|e| e["dedup_key"] == id.as_str()));
    assert_eq!(events[0]["payload"]["severity"], "error");
    let paged = eventually("one page on the timeline", WAIT, || async {
        let rows = entries(&app, &id, "paged").await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(paged.len(), 1);
    assert!(slack.messages().is_empty(), "the card is not posted yet");
    slack.clear_faults("chat.postMessage");
    drained(&app.pool).await;
    assert_eq!(pagerduty.bodies().len(), 3);
    assert_eq!(entries(&app, &id, "paged").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_pagerduty_does_not_answer_in_time_is_sent_again_under_its_dedup_key_and_recorded_once()
 {
    let slack = FakeSlack::start().await;
    let pagerduty = FakeReceiver::pagerduty().await;
    let timeout = "[integrations]\ntimeout = \"300ms\"";
    let (app, _db) = spawn(&slack, &pagerduty, "", timeout).await;
    // PagerDuty takes the first trigger in but answers after warroom stopped waiting.
    pagerduty.stall(Duration::from_secs(2));
    let (id, card) = declared(&app, &slack, "declare sev1 Checkout is down").await;
    let events = pagerduty.wait_for(2, WAIT).await;
    assert_eq!(actions(&events), ["trigger", "trigger"]);
    assert!(events.iter().all(|e| e["dedup_key"] == id.as_str()));
    drained(&app.pool).await;
    assert_eq!(pagerduty.bodies().len(), 2);
    assert_eq!(entries(&app, &id, "paged").await.len(), 1);
    let announced = replies(&slack, &card)
        .iter()
        .filter(|r| r.contains("PagerDuty"))
        .count();
    assert_eq!(announced, 1, "{:?}", replies(&slack, &card));
    let retried: (i32, bool) =
        sqlx::query_as("SELECT attempts, ambiguous FROM outbox WHERE kind = 'page'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(retried, (2, true), "retried as possibly received");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_pagerduty_refuses_is_shown_in_the_channel_so_people_page_by_hand() {
    let slack = FakeSlack::start().await;
    let pagerduty = FakeReceiver::pagerduty().await;
    let (app, _db) = spawn(&slack, &pagerduty, "", "").await;
    pagerduty.script(vec![(
        400,
        None,
        json!({ "status": "invalid event", "message": "Event object is invalid", "errors": ["Invalid routing key"] }),
    )]);
    let (id, card) = declared(&app, &slack, "declare sev1 Login broken").await;
    pagerduty.wait_for(1, WAIT).await;
    let failed = eventually("the refused page on the timeline", WAIT, || async {
        let rows = entries(&app, &id, "page_failed").await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(failed[0].0, "warroom");
    assert_eq!(failed[0].1["action"], "trigger");
    let reason = failed[0].1["reason"].as_str().unwrap();
    assert!(
        reason.contains("HTTP 400") && reason.contains("Invalid routing key"),
        "{reason}"
    );
    assert!(!reason.contains(ROUTING_KEY));
    let broadcast = eventually("the failure shown in the channel", WAIT, || async {
        slack
            .messages()
            .into_iter()
            .find(|m| {
                m.thread_ts.as_deref() == Some(card.as_str())
                    && m.text
                        .as_deref()
                        .unwrap_or("")
                        .contains("On-call was not paged")
            })
            .map(|m| m.reply_broadcast)
    })
    .await;
    assert!(broadcast, "a refused page is shown in the channel too");
    // Refused for good: not sent again, and nothing was recorded as paged.
    drained(&app.pool).await;
    assert_eq!(pagerduty.bodies().len(), 1);
    assert!(entries(&app, &id, "paged").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_incident_pages_without_its_title_unless_configured() {
    let slack = FakeSlack::start().await;
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    let pagerduty = FakeReceiver::pagerduty().await;
    let restricted = format!("[restricted]\nchannel = \"{SECURE}\"\n");
    let (app, _db) = spawn(&slack, &pagerduty, "", &restricted).await;
    let ack = app
        .slash(
            &slack,
            "declare restricted sev1 Customer records ZEBRA-5512 readable",
        )
        .await;
    let id = ack["text"].as_str().unwrap().split('*').nth(1).unwrap();
    let id = id.trim_end_matches('…').to_owned();
    let event = pagerduty.wait_for(1, WAIT).await.remove(0);
    let text = event.to_string();
    assert!(!text.contains("ZEBRA-5512"), "{text}");
    assert!(
        event["payload"]["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("Restricted SEV-1 incident {id}")),
        "{event}"
    );
    assert_eq!(
        event["links"][0]["href"],
        format!("https://slack.com/app_redirect?channel={SECURE}")
    );
    app.shut_down().await;

    let pagerduty = FakeReceiver::pagerduty().await;
    let detailed = "restricted_details = true";
    let (app, _db) = spawn(&slack, &pagerduty, detailed, &restricted).await;
    app.slash(
        &slack,
        "declare restricted sev1 Customer records ZEBRA-5512 readable",
    )
    .await;
    let event = pagerduty.wait_for(1, WAIT).await.remove(0);
    assert!(event.to_string().contains("ZEBRA-5512"), "{event}");
}
