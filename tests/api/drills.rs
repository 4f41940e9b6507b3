//! Drills end to end: declared by `/incident drill`, by the declare form's "This is a drill" box
//! and by a scenario; marked DRILL on the card, in the thread and in the report; escalated only to
//! the declarer; an approved summary kept from the customer-facing channel; left out of stats,
//! the digest, search, the default lists and the response-time histograms, and listed by
//! `list drills`; a scenario's injects posted into the thread in order, each once, with two
//! replicas on one database.

use crate::fake_slack::{FakeSlack, Message};
use crate::helpers::*;
use serde_json::Value;
use std::{sync::Arc, time::Duration};

const WAIT: Duration = Duration::from_secs(20);
const RESPONDER: &str = "U0RESPONDER";
const AUTHOR: &str = "U0AUTHOR";
const COMMANDER: &str = "U0COMMANDER";
const CUSTOMERS: &str = "C0CUSTOMERS";
const MANAGERS: &str = "<!subteam^S0MANAGERS>";

/// Two severities (SEV-1 must be acknowledged within a second), an escalation group, `[comms]`
/// with a customer-facing channel, and `extra` tables.
fn config(extra: &str) -> String {
    format!(
        r#"{TEST_CONFIG}
[[severity]]
name = "SEV-1"
aliases = ["sev1"]
ack_within = "1s"
update_every = "1h"
[[severity]]
name = "SEV-2"
aliases = ["sev2"]
ack_within = "1h"
update_every = "1h"
[escalation]
group = "S0MANAGERS"
[comms]
external_channel = "{CUSTOMERS}"
{extra}"#
    )
}

async fn spawn(slack: &FakeSlack, extra: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, slack, &config(extra)).await;
    (app, db)
}

async fn is_drill(app: &TestApp, id: &str) -> bool {
    sqlx::query_scalar("SELECT drill FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The incident's timeline: kind and details, oldest first.
async fn timeline(app: &TestApp, id: &str) -> Vec<(String, Value)> {
    sqlx::query_as("SELECT kind, details FROM timeline_entries WHERE incident_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Submits the declare form `view` as the declarer; the new incident's ID and card ts.
async fn submit_declare(
    app: &TestApp,
    view: &Value,
    title: &str,
    fields: &[(&str, &str, &str)],
) -> (String, String) {
    let mut all = vec![("title", "text", title), ("severity", "select", "SEV-2")];
    all.extend_from_slice(fields);
    assert_eq!(app.submit(view, DECLARER, &all).await, Value::Null);
    let id: String = sqlx::query_scalar("SELECT id FROM incidents WHERE title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let card_ts = eventually("the card", WAIT, || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    })
    .await;
    drained(&app.pool).await;
    (id, card_ts)
}

/// The declare form opened by `/incident <text>`.
async fn open_declare(app: &TestApp, slack: &FakeSlack, text: &str) -> Value {
    let before = slack.calls_to("views.open").len();
    app.slash(slack, text).await;
    slack.wait_for_calls("views.open", before + 1, WAIT).await[before].body["view"].clone()
}

fn header(slack: &FakeSlack, card_ts: &str) -> String {
    let blocks: Value = serde_json::from_str(&blocks_of(slack, card_ts)).unwrap();
    blocks[0]["text"]["text"].as_str().unwrap().to_owned()
}

/// The private answer's text.
fn said(answer: &Value) -> String {
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    answer["text"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_declared_by_slash_or_by_form_says_drill_on_its_card_in_its_thread_and_in_its_report()
 {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;

    let ack = app.slash(&slack, "drill sev2 Checkout fire drill").await;
    assert!(said(&ack).contains("Declaring drill *INC-"), "{ack}");
    let (slashed, slashed_ts) = declared(&app, &slack, "drill sev2 Login fire drill").await;
    assert!(is_drill(&app, &slashed).await);
    let declared_event = &timeline(&app, &slashed).await[0];
    assert_eq!(declared_event.0, "declared");
    assert_eq!(declared_event.1["drill"], true);

    // `/incident drill` alone opens the declare form with the box checked.
    let view = open_declare(&app, &slack, "drill").await;
    assert_eq!(view["title"]["text"], "Declare a drill");
    assert!(
        view.to_string().contains("\"initial_options\""),
        "the drill box is checked: {view}"
    );
    let drill_box = [("drill", "multi", "drill")];
    let (formed, formed_ts) = submit_declare(&app, &view, "Queue backlog drill", &drill_box).await;
    assert!(is_drill(&app, &formed).await);
    // The same form with the box left empty declares a real incident.
    let view = open_declare(&app, &slack, "declare").await;
    let (real, real_ts) = submit_declare(&app, &view, "Queue backlog for real", &[]).await;
    assert!(!is_drill(&app, &real).await);
    assert_eq!(timeline(&app, &real).await[0].1.get("drill"), None);

    for (id, card_ts) in [(&slashed, &slashed_ts), (&formed, &formed_ts)] {
        let header = header(&slack, card_ts);
        assert!(header.starts_with(":test_tube: DRILL · INC-"), "{header}");
        assert!(
            blocks_of(&slack, card_ts).contains("This is a drill"),
            "{id}"
        );
        let thread = replies(&slack, card_ts);
        assert!(!thread.is_empty());
        for post in &thread {
            assert!(post.starts_with(":test_tube: DRILL · "), "{post}");
        }
    }
    assert!(!header(&slack, &real_ts).contains("DRILL"));
    assert!(
        replies(&slack, &real_ts)
            .iter()
            .all(|post| !post.contains("DRILL"))
    );

    // Later posts are marked too, and so is the report.
    app.acknowledge(&slack, &slashed_ts, &slashed, RESPONDER)
        .await;
    app.slash(&slack, &format!("report {slashed}")).await;
    let upload = eventually("the report", WAIT, || async {
        slack.uploads().into_iter().find(|u| u.shared_in.is_some())
    })
    .await;
    let report = String::from_utf8(upload.bytes).unwrap();
    assert!(
        report.starts_with(&format!("# DRILL — Incident Report: {slashed}")),
        "{report}"
    );
    drained(&app.pool).await;
    let thread = replies(&slack, &slashed_ts);
    assert!(thread.iter().any(|p| p.contains("Acknowledged by")));
    assert!(
        thread.iter().all(|p| p.starts_with(":test_tube: DRILL")),
        "{thread:#?}"
    );
}

/// The thread posts of the card `card_ts` that mention an escalation.
fn escalations(slack: &FakeSlack, card_ts: &str) -> Vec<Message> {
    slack
        .messages()
        .into_iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card_ts))
        .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("Escalation")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drills_escalations_mention_only_its_declarer_and_a_real_incidents_the_group() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;

    // A payment-type declaration escalates at once (money or wallet integrity).
    let view = open_declare(&app, &slack, "drill").await;
    let payment = [
        ("incident_type", "select", "payment_wallet"),
        ("drill", "multi", "drill"),
    ];
    let (_, drill_ts) = submit_declare(&app, &view, "Wallet drill", &payment).await;
    let view = open_declare(&app, &slack, "declare").await;
    let (_, real_ts) = submit_declare(&app, &view, "Wallet mismatch", &payment[..1]).await;
    let drilled = escalations(&slack, &drill_ts);
    assert_eq!(drilled.len(), 1);
    let text = drilled[0].text.clone().unwrap();
    assert!(text.contains(&format!("<@{DECLARER}>")), "{text}");
    assert!(!text.contains("subteam"), "{text}");
    let real = escalations(&slack, &real_ts);
    assert!(real[0].text.as_deref().unwrap().contains(MANAGERS));

    // Not acknowledged within SEV-1's second: the drill's escalation still calls only its
    // declarer.
    let (drill, drill_ts) = declared(&app, &slack, "drill sev1 Nobody answers").await;
    let (_, real_ts) = declared(&app, &slack, "declare sev1 Nobody answers for real").await;
    let overdue = |ts: String| {
        let slack = slack.clone();
        async move {
            eventually("the acknowledgement escalation", WAIT, || async {
                escalations(&slack, &ts).into_iter().find(|m| {
                    m.text
                        .as_deref()
                        .is_some_and(|t| t.contains("has not been acknowledged"))
                })
            })
            .await
        }
    };
    let drilled = overdue(drill_ts.clone()).await;
    let text = drilled.text.unwrap();
    assert!(text.starts_with(":test_tube: DRILL"), "{text}");
    assert!(text.contains(&format!("<@{DECLARER}>")) && !text.contains("subteam"));
    assert!(drilled.reply_broadcast, "shown in the channel, as for real");
    let real = overdue(real_ts).await;
    assert!(real.text.unwrap().contains(MANAGERS));
    let kinds: Vec<String> = timeline(&app, &drill)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kinds, ["declared", "escalated"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_summary_of_a_drill_is_recorded_and_never_reaches_the_customer_facing_channel()
{
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "drill sev2 Card payments delayed").await;
    for (role, user) in [("commander", COMMANDER), ("communications", AUTHOR)] {
        let fields = [("role", "select", role), ("user", "user", user)];
        let assigned = app
            .fill_form(
                &slack,
                &card_ts,
                &id,
                "incident_roles",
                None,
                DECLARER,
                &fields,
            )
            .await;
        assert_eq!(assigned, Value::Null);
    }
    let text = "Some card payments were delayed between 10:00 and 10:40 UTC.";
    let drafted = app
        .fill_form(
            &slack,
            &card_ts,
            &id,
            "incident_more",
            Some(&format!("summary:{id}")),
            AUTHOR,
            &[
                ("summary_title", "text", "Card payments delayed"),
                ("public_status", "select", "investigating"),
                ("audience", "select", "customers"),
                ("summary_text", "text", text),
                ("acknowledge_warnings", "multi", ""),
            ],
        )
        .await;
    assert_eq!(drafted, Value::Null);
    let pending = eventually("the draft in the thread", WAIT, || async {
        slack.messages().into_iter().find(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("pending approval"))
        })
    })
    .await;
    assert!(
        pending
            .text
            .as_deref()
            .unwrap()
            .starts_with(":test_tube: DRILL")
    );
    let s1 = format!("{id}-S1");
    app.click(&slack, &pending.ts, &s1, "summary_approve", None, COMMANDER)
        .await;
    let approved = eventually("the approval in the thread", WAIT, || async {
        replies(&slack, &card_ts)
            .into_iter()
            .find(|t| t.contains("approved client-safe summary"))
    })
    .await;
    assert!(
        approved.contains("this is a drill")
            && approved.contains("never sent to the customer-facing channel"),
        "{approved}"
    );
    let status: String = sqlx::query_scalar(
        "SELECT status FROM incident_summaries WHERE incident_id = $1 AND number = 1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(status, "approved");
    assert_eq!(
        timeline(&app, &id).await.last().unwrap().0,
        "summary_approved"
    );
    drained(&app.pool).await;
    let outward: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'client_summary'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(outward, 0, "nothing queued for the customers");
    assert!(slack.messages().iter().all(|m| m.channel != CUSTOMERS));
}

/// The incident IDs an answer lists, in order.
fn listed(answer: &Value) -> Vec<String> {
    let blocks = answer["blocks"].to_string();
    blocks
        .match_indices("INC-")
        .map(|(at, _)| {
            blocks[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drills_are_left_out_of_stats_the_digest_search_and_the_default_lists_and_list_drills_shows_them()
 {
    let slack = FakeSlack::start().await;
    // A digest at a time of day that is not now; the test brings it due.
    let (app, _db) = spawn(&slack, "[digest]\nat = \"03:00\"").await;
    let (real, real_ts) = declared(&app, &slack, "declare sev2 Checkout timeout").await;
    let (drill, drill_ts) = declared(&app, &slack, "drill sev2 Checkout timeout drill").await;
    let (older_drill, _) = declared(&app, &slack, "drill sev2 Another checkout timeout").await;
    // A drill whose triage says personal data is exposed: its breach clock runs, uncounted.
    let view = open_declare(&app, &slack, "drill").await;
    let breach = [
        ("triage", "multi", "personal_data_exposed"),
        ("drill", "multi", "drill"),
    ];
    let (breached, _) = submit_declare(&app, &view, "Leaked export drill", &breach).await;
    let discovered: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT breach_discovered_at FROM incidents WHERE id = $1")
            .bind(&breached)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(discovered.is_some(), "the drill's breach clock runs");
    app.acknowledge(&slack, &drill_ts, &drill, RESPONDER).await;
    app.acknowledge(&slack, &real_ts, &real, RESPONDER).await;
    // The newer drill is declared after the older one, whatever the clock's resolution.
    sqlx::query(
        "UPDATE incidents SET declared_at = declared_at - interval '1 minute' WHERE id = $1",
    )
    .bind(&older_drill)
    .execute(&app.pool)
    .await
    .unwrap();

    // Stats: one SEV-2 incident, the real one, and no breach (both statements).
    let answer = app.slash(&slack, "stats").await;
    assert_eq!(answer["response_type"], "ephemeral");
    let text = answer["blocks"].to_string();
    assert!(text.contains("*SEV-2* · 1 incident"), "{text}");
    assert!(text.contains("*SEV-1* · no incidents"), "{text}");
    // Neither the authority's clock nor the customers' counts the drill's breach.
    assert_eq!(
        text.matches("no personal-data breach was discovered in the period")
            .count(),
        2,
        "{text}"
    );

    // The response-time histograms observed the real acknowledgement alone.
    let metrics = app.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "warroom_time_to_acknowledge_seconds_count{severity=\"SEV-2\"} 1"),
        "{metrics}"
    );

    // Search and the default lists.
    let found = app.slash(&slack, "search checkout timeout").await;
    assert_eq!(listed(&found), [real.as_str()]);
    for list in ["list", "list open", "list all"] {
        assert_eq!(
            listed(&app.slash(&slack, list).await),
            [real.as_str()],
            "{list}"
        );
    }
    let drills = app.slash(&slack, "list drills").await;
    assert_eq!(
        listed(&drills),
        [breached.as_str(), drill.as_str(), older_drill.as_str()],
        "newest first"
    );
    assert!(drills["blocks"].to_string().contains("*Drills (3)*"));
    // Resolved, a drill stays out of `list resolved` too.
    app.resolve(&slack, &drill_ts, &drill, RESPONDER).await;
    app.resolve(&slack, &real_ts, &real, RESPONDER).await;
    assert_eq!(
        listed(&app.slash(&slack, "list resolved").await),
        [real.as_str()]
    );
    let open = app.slash(&slack, "list open").await;
    assert!(listed(&open).is_empty(), "{open}");

    // The digest: brought due now, it lists the open real incidents only — none are left, so
    // a second real one is declared — and no drill.
    let (open_real, _) = declared(&app, &slack, "declare sev2 Search slow").await;
    eventually("the digest armed", WAIT, || async {
        let armed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM reminders WHERE kind = 'digest' AND state = 'pending'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        (armed == 1).then_some(())
    })
    .await;
    sqlx::query("UPDATE reminders SET due_at = now() WHERE kind = 'digest' AND state = 'pending'")
        .execute(&app.pool)
        .await
        .unwrap();
    let digest = eventually("the digest", WAIT, || async {
        slack.messages().into_iter().find(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("Daily incident digest"))
        })
    })
    .await;
    let text = digest.text.unwrap();
    assert!(
        text.contains(&open_real) && text.contains("1 open"),
        "{text}"
    );
    for id in [&drill, &older_drill, &breached] {
        assert!(!text.contains(id.as_str()), "{id} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scenarios_injects_are_posted_into_its_thread_in_order_each_once_across_two_replicas() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let scenario = r#"
[[drills.scenario]]
name = "double-charge"
incident_type = "payment_wallet"
severity = "sev2"
title = "Customers charged twice"
injects = [
  { at = "2s", text = "Finance asks for the amount" },
  { at = "1s", text = "customers report double charges" },
  { at = "3s", text = "The retry job is paused" },
]
"#;
    let a = Arc::new(TestApp::spawn_on(&db, &slack, &config(scenario)).await);
    let _b = Arc::new(TestApp::spawn_on(&db, &slack, &config(scenario)).await);

    let listing = said(&a.slash(&slack, "drill scenarios").await);
    assert!(
        listing.contains("double-charge")
            && listing.contains("T+1s: customers report double charges"),
        "{listing}"
    );
    let ack = said(&a.slash(&slack, "drill scenario Double-Charge").await);
    assert!(
        ack.contains("Declaring drill *INC-") && ack.contains("Its 3 injects"),
        "{ack}"
    );
    let id = ack
        .split('*')
        .nth(1)
        .unwrap()
        .trim_end_matches('…')
        .to_owned();
    let card_ts = eventually("the card", WAIT, || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&a.pool)
            .await
            .unwrap()
    })
    .await;
    let (title, kind, drill): (String, Option<String>, bool) =
        sqlx::query_as("SELECT title, incident_type, drill FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&a.pool)
            .await
            .unwrap();
    assert_eq!(
        (title.as_str(), kind.as_deref(), drill),
        ("Customers charged twice", Some("payment_wallet"), true)
    );

    let injects = || {
        replies(&slack, &card_ts)
            .into_iter()
            .filter(|t| t.contains("*Inject "))
            .collect::<Vec<_>>()
    };
    eventually("three injects", WAIT, || async {
        (injects().len() >= 3).then_some(())
    })
    .await;
    // Longer than the last inject's second: nothing comes twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    drained(&a.pool).await;
    let posted = injects();
    assert_eq!(posted.len(), 3, "{posted:?}");
    for (post, expected) in posted.iter().zip([
        "*Inject 1* · T+1s: customers report double charges",
        "*Inject 2* · T+2s: Finance asks for the amount",
        "*Inject 3* · T+3s: The retry job is paused",
    ]) {
        assert!(post.starts_with(":test_tube: DRILL"), "{post}");
        assert!(post.contains(expected), "{post} should say {expected}");
    }
    let entries = timeline(&a, &id).await;
    assert_eq!(entries[0].1["scenario"], "double-charge");
    let injected: Vec<(u64, String)> = entries
        .iter()
        .filter(|(kind, _)| kind == "drill_injected")
        .map(|(_, d)| {
            (
                d["after_seconds"].as_u64().unwrap(),
                d["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        injected,
        [
            (1, "customers report double charges".to_owned()),
            (2, "Finance asks for the amount".to_owned()),
            (3, "The retry job is paused".to_owned()),
        ]
    );
    let reminders: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, state FROM reminders WHERE incident_id = $1 AND kind LIKE 'drill_inject:%' ORDER BY kind",
    )
    .bind(&id)
    .fetch_all(&a.pool)
    .await
    .unwrap();
    assert_eq!(
        reminders,
        [1, 2, 3].map(|n| (format!("drill_inject:{n}"), "fired".to_owned()))
    );
    let timeline_answer = a.slash(&slack, &format!("timeline {id}")).await["blocks"].to_string();
    assert!(
        timeline_answer.contains("drill inject 1 at T+1s: customers report double charges"),
        "{timeline_answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_scenario_is_explained_privately_naming_the_scenarios_there_are() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let unknown = said(&app.slash(&slack, "drill scenario volcano").await);
    assert!(
        unknown.contains("There is no scenario `volcano`"),
        "{unknown}"
    );
    for name in [
        "wallet-mismatch",
        "credential-compromise",
        "database-outage",
    ] {
        assert!(
            unknown.contains(&format!("`/incident drill scenario {name}`")),
            "{unknown}"
        );
    }
    let nameless = said(&app.slash(&slack, "drill scenario").await);
    assert!(
        nameless.contains("Name the scenario") && nameless.contains("wallet-mismatch"),
        "{nameless}"
    );
    let listing = said(&app.slash(&slack, "drill scenarios").await);
    assert!(
        listing.contains("database-outage") && listing.contains("T+1m"),
        "{listing}"
    );
    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(incidents, 0, "nothing was declared");
    assert!(slack.messages().is_empty(), "nothing was posted");
}
