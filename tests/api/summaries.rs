//! Client-safe summaries end to end: drafted from the card, linted (errors and warnings under
//! their fields, nothing recorded), posted in the thread pending approval, approved only by an
//! approver other than the author (the exact text and its SHA-256 recorded), sent back with a
//! reason, superseded by a later draft, delivered to the customer-facing channel, and listed in
//! the report. Nothing unapproved ever reaches that channel.

use crate::fake_slack::{FakeSlack, Fault, Message};
use crate::helpers::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
pub(crate) const AUTHOR: &str = "U0AUTHOR";
pub(crate) const COMMANDER: &str = "U0COMMANDER";
const BYSTANDER: &str = "U0BYSTANDER";
const CUSTOMERS: &str = "C0CUSTOMERS";

/// The test settings with `[comms]`; `top` goes before every table (`restrict_changes = true`).
pub(crate) fn config(top: &str) -> String {
    format!(
        "{top}\n{TEST_CONFIG}\n[comms]\ninternal_domains = [\"corp.example.com\", \"internal\"]\nexternal_channel = \"{CUSTOMERS}\"\n"
    )
}

async fn spawn(slack: &FakeSlack, top: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, slack, &config(top)).await;
    (app, db)
}

/// A summary's row: number, status, author, decided_by, reason, superseded_by, sha256, text.
type SummaryRow = (
    i32,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    String,
);

async fn summaries(app: &TestApp, id: &str) -> Vec<SummaryRow> {
    sqlx::query_as(
        "SELECT number, status, author, decided_by, reason, superseded_by, sha256, text
         FROM incident_summaries WHERE incident_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The incident's summary timeline entries: kind, actor, details.
async fn entries(app: &TestApp, id: &str) -> Vec<(String, String, Value)> {
    sqlx::query_as(
        "SELECT kind, actor, details FROM timeline_entries
         WHERE incident_id = $1 AND kind LIKE 'summary%' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Opens **Draft client-safe summary** as `user` and submits it; Slack's answer body and the view
/// (to submit again).
pub(crate) async fn draft(
    app: &TestApp,
    slack: &FakeSlack,
    (id, card_ts): (&str, &str),
    user: &str,
    text: &str,
    acknowledged: bool,
) -> (Value, Value) {
    let view = app
        .open_form(
            slack,
            card_ts,
            id,
            "incident_more",
            Some(&format!("summary:{id}")),
            user,
        )
        .await;
    assert_eq!(view["callback_id"], "incident_summary");
    let answer = submit_draft(app, &view, user, text, acknowledged).await;
    (answer, view)
}

pub(crate) async fn submit_draft(
    app: &TestApp,
    view: &Value,
    user: &str,
    text: &str,
    acknowledged: bool,
) -> Value {
    let ack = if acknowledged { "acknowledged" } else { "" };
    app.submit(
        view,
        user,
        &[
            ("summary_title", "text", "Card payments delayed"),
            ("public_status", "select", "investigating"),
            ("audience", "select", "customers"),
            ("summary_text", "text", text),
            ("acknowledge_warnings", "multi", ack),
        ],
    )
    .await
}

/// The thread's post of draft `number`, once it is there.
pub(crate) async fn pending_post(slack: &FakeSlack, id: &str, number: u32) -> Message {
    let wanted = format!("{id}-S{number} pending approval");
    eventually("the draft in the thread", WAIT, || async {
        slack
            .messages()
            .into_iter()
            .find(|m| m.text.as_deref().is_some_and(|t| t.contains(&wanted)))
    })
    .await
}

/// What `user` was told privately after their `n`th click.
async fn told(slack: &FakeSlack, user: &str, n: usize) -> String {
    let calls = eventually("a private answer", WAIT, || async {
        let calls: Vec<_> = slack
            .calls_to("response_url")
            .into_iter()
            .filter(|c| c.response_name.as_deref() == Some(&format!("click-{user}")))
            .collect();
        (calls.len() >= n).then_some(calls)
    })
    .await;
    calls[n - 1].body["text"].as_str().unwrap().to_owned()
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn posted_to_customers(slack: &FakeSlack) -> Vec<Message> {
    slack
        .messages()
        .into_iter()
        .filter(|m| m.channel == CUSTOMERS)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_naming_an_ip_a_token_and_an_email_stays_open_with_the_findings_under_the_text_and_nothing_is_recorded()
 {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Card payments delayed").await;
    let token = "xoxb-1234567890-abcdefghijklmnop";
    let text = format!(
        "Payments through 10.20.30.40 failed.\nThe bot token {token} was rotated.\nWrite to alice@corp.example.com."
    );
    let (answer, _) = draft(&app, &slack, (&id, &card_ts), AUTHOR, &text, true).await;
    assert_eq!(answer["response_action"], "errors", "{answer}");
    let under_text = answer["errors"]["summary_text"].as_str().unwrap();
    for said in [
        "IP address “10.20…” on line 1",
        "secret or token “xoxb…” on line 2",
        "e-mail address “alice@corp.…” on line 3",
    ] {
        assert!(under_text.contains(said), "{said} in {under_text}");
    }
    for secret in [token, "10.20.30.40", "alice@corp.example.com"] {
        assert!(
            !answer.to_string().contains(secret),
            "the form never echoes {secret} back"
        );
    }
    // Checking the warnings box changes nothing: errors are never acknowledged away.
    assert!(answer["errors"]["acknowledge_warnings"].is_null());
    assert!(summaries(&app, &id).await.is_empty());
    assert!(entries(&app, &id).await.is_empty());
    drained(&app.pool).await;
    assert!(
        !slack
            .messages()
            .iter()
            .any(|m| m.text.as_deref().is_some_and(|t| t.contains("Client-safe"))),
        "nothing was posted"
    );
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(!logs.contains(token), "the draft's words are never logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_with_only_warnings_needs_the_checkbox_and_then_waits_in_the_thread_with_its_buttons()
 {
    let slack = FakeSlack::start().await;
    // Drafting is harmless: with changes restricted, someone who holds no role still drafts.
    let (app, _db) = spawn(&slack, "restrict_changes = true").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Card payments delayed").await;
    let text = "We think a configuration change probably caused the delays.";
    let (answer, view) = draft(&app, &slack, (&id, &card_ts), AUTHOR, text, false).await;
    assert_eq!(answer["response_action"], "errors", "{answer}");
    let under_text = answer["errors"]["summary_text"].as_str().unwrap();
    assert!(
        under_text.starts_with("Warning: unconfirmed claim “We think” on line 1; unconfirmed claim “probably” on line 1."),
        "{under_text}"
    );
    assert!(
        answer["errors"]["acknowledge_warnings"].is_string(),
        "{answer}"
    );
    assert!(
        summaries(&app, &id).await.is_empty(),
        "nothing recorded yet"
    );

    let accepted = submit_draft(&app, &view, AUTHOR, text, true).await;
    assert_eq!(accepted, Value::Null, "the form closes");
    let rows = summaries(&app, &id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0, rows[0].1.as_str(), rows[0].2.as_str()),
        (1, "pending", AUTHOR)
    );
    let acknowledged: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(acknowledged) FROM incident_summaries WHERE incident_id = $1",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(acknowledged, ["unconfirmed_claim"]);
    let logged = entries(&app, &id).await;
    assert_eq!(logged.len(), 1);
    assert_eq!(
        (logged[0].0.as_str(), logged[0].1.as_str()),
        ("summary_drafted", AUTHOR)
    );
    assert_eq!(logged[0].2["text"], text);
    assert_eq!(logged[0].2["acknowledged"][0], "unconfirmed_claim");

    let post = pending_post(&slack, &id, 1).await;
    assert_eq!(post.thread_ts.as_deref(), Some(card_ts.as_str()));
    let blocks = post.blocks.unwrap().to_string();
    for shown in [
        "Card payments delayed",
        "*Public status:* Investigating",
        "*Audience:* Customers",
        &format!("<@{AUTHOR}>"),
        "probably caused the delays",
        "\"action_id\":\"summary_approve\"",
        "\"action_id\":\"summary_request_changes\"",
        &format!("\"value\":\"{id}-S1\""),
    ] {
        assert!(blocks.contains(shown), "{shown} in {blocks}");
    }
}

/// Declares an incident with `COMMANDER` as its commander and the author as its Communications
/// Owner, so the author holds an approver role too.
/// A SEV-2 with a commander and a communications owner (the author of its drafts).
pub(crate) async fn led_incident(app: &TestApp, slack: &FakeSlack) -> (String, String) {
    let (id, card_ts) = declared(app, slack, "declare sev2 Card payments delayed").await;
    for (role, user) in [("commander", COMMANDER), ("communications", AUTHOR)] {
        let assigned = app
            .fill_form(
                slack,
                &card_ts,
                &id,
                "incident_roles",
                None,
                DECLARER,
                &[("role", "select", role), ("user", "user", user)],
            )
            .await;
        assert_eq!(assigned, Value::Null);
    }
    (id, card_ts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_approver_other_than_the_author_approves_and_only_the_approved_text_reaches_the_customers()
 {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = led_incident(&app, &slack).await;
    let first = "Some card payments were delayed between 10:00 and 10:40 UTC.";
    let (answer, _) = draft(&app, &slack, (&id, &card_ts), AUTHOR, first, false).await;
    assert_eq!(answer, Value::Null);
    let post = pending_post(&slack, &id, 1).await;
    let s1 = format!("{id}-S1");

    // The author holds an approver role, and is still refused: four eyes. So is a bystander.
    app.click(&slack, &post.ts, &s1, "summary_approve", None, AUTHOR)
        .await;
    let own = told(&slack, AUTHOR, 1).await;
    assert!(
        own.contains(&format!(
            "You drafted {s1}, so someone else must approve it"
        )),
        "{own}"
    );
    app.click(&slack, &post.ts, &s1, "summary_approve", None, BYSTANDER)
        .await;
    let bystander = told(&slack, BYSTANDER, 1).await;
    assert!(
        bystander
            .contains("Only the incident's Incident Commander or Communications Owner may approve"),
        "{bystander}"
    );
    app.click(
        &slack,
        &post.ts,
        &s1,
        "summary_request_changes",
        None,
        BYSTANDER,
    )
    .await;
    let not_a_reviewer = told(&slack, BYSTANDER, 2).await;
    assert!(
        not_a_reviewer.contains("or the draft's author, may ask for changes"),
        "{not_a_reviewer}"
    );
    assert_eq!(
        summaries(&app, &id).await[0].1,
        "pending",
        "nothing changed"
    );

    // The commander sends it back with a reason.
    let form = app
        .open_form(
            &slack,
            &post.ts,
            &s1,
            "summary_request_changes",
            None,
            COMMANDER,
        )
        .await;
    assert_eq!(
        (
            form["callback_id"].as_str(),
            form["private_metadata"].as_str()
        ),
        (Some("incident_summary_changes"), Some(s1.as_str()))
    );
    let blank = app
        .submit(&form, COMMANDER, &[("reason", "text", " ")])
        .await;
    assert!(blank["errors"]["reason"].is_string(), "{blank}");
    let sent_back = app
        .submit(
            &form,
            COMMANDER,
            &[("reason", "text", "Name the affected regions")],
        )
        .await;
    assert_eq!(sent_back, Value::Null);
    let rows = summaries(&app, &id).await;
    assert_eq!(
        (
            rows[0].1.as_str(),
            rows[0].3.as_deref(),
            rows[0].4.as_deref()
        ),
        (
            "changes_requested",
            Some(COMMANDER),
            Some("Name the affected regions")
        )
    );
    let logged = entries(&app, &id).await;
    assert_eq!(logged[1].0, "summary_changes_requested");
    assert_eq!(
        (logged[1].1.as_str(), &logged[1].2["reason"]),
        (COMMANDER, &Value::from("Name the affected regions"))
    );

    // The next draft opens on the one sent back; a third supersedes the second.
    let (_, again) = draft(
        &app,
        &slack,
        (&id, &card_ts),
        AUTHOR,
        "Payments in the EU were delayed.",
        false,
    )
    .await;
    assert!(
        again.to_string().contains("Name the affected regions"),
        "the form says what to change"
    );
    assert!(
        again.to_string().contains(first),
        "and opens on the text sent back"
    );
    let third = "Some card payments in the EU and the UK were delayed between 10:00 and 10:40 UTC.\nThey work again; we are monitoring.";
    let (answer, _) = draft(&app, &slack, (&id, &card_ts), AUTHOR, third, false).await;
    assert_eq!(answer, Value::Null);
    let rows = summaries(&app, &id).await;
    let states: Vec<(i32, &str, Option<i32>)> =
        rows.iter().map(|r| (r.0, r.1.as_str(), r.5)).collect();
    assert_eq!(
        states,
        [
            (1, "changes_requested", None),
            (2, "superseded", Some(3)),
            (3, "pending", None)
        ]
    );

    // Approving the superseded draft is refused in words; the latest one is approved.
    let post2 = pending_post(&slack, &id, 2).await;
    app.click(
        &slack,
        &post2.ts,
        &format!("{id}-S2"),
        "summary_approve",
        None,
        COMMANDER,
    )
    .await;
    let superseded = told(&slack, COMMANDER, 1).await;
    assert!(
        superseded.contains(&format!("{id}-S2 was superseded by {id}-S3")),
        "{superseded}"
    );
    let post3 = pending_post(&slack, &id, 3).await;
    let s3 = format!("{id}-S3");
    app.click(&slack, &post3.ts, &s3, "summary_approve", None, COMMANDER)
        .await;
    // A double click is one approval, one post.
    app.click(&slack, &post3.ts, &s3, "summary_approve", None, COMMANDER)
        .await;
    drained(&app.pool).await;
    let rows = summaries(&app, &id).await;
    let hash = sha256(third);
    assert_eq!(
        (
            rows[2].1.as_str(),
            rows[2].3.as_deref(),
            rows[2].6.as_deref()
        ),
        ("approved", Some(COMMANDER), Some(hash.as_str()))
    );
    let approvals: Vec<_> = entries(&app, &id)
        .await
        .into_iter()
        .filter(|e| e.0 == "summary_approved")
        .collect();
    assert_eq!(approvals.len(), 1);
    let (_, approver, details) = &approvals[0];
    assert_eq!(approver, COMMANDER);
    assert_eq!(details["text"], third);
    assert_eq!(details["sha256"], hash);
    assert_eq!(details["author"], AUTHOR);

    // The customer-facing channel got the approved words and nothing else, ever.
    let external = posted_to_customers(&slack);
    assert_eq!(external.len(), 1, "{external:?}");
    let shown = format!(
        "{:?} {}",
        external[0].text,
        external[0].blocks.clone().unwrap()
    );
    assert!(
        shown.contains("Card payments delayed") && shown.contains("*Status:* Investigating"),
        "{shown}"
    );
    assert!(
        shown.contains("They work again; we are monitoring."),
        "{shown}"
    );
    for internal in [
        "INC-",
        "<@",
        AUTHOR,
        COMMANDER,
        "Payments in the EU were delayed",
        first,
    ] {
        assert!(
            !shown.contains(internal),
            "{internal} reached the customers: {shown}"
        );
    }
    let metadata = external[0].metadata.clone().unwrap().to_string();
    assert!(!metadata.contains("INC-"), "{metadata}");
    assert!(external[0].thread_ts.is_none());
    let thread = slack
        .messages()
        .into_iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card_ts.as_str()))
        .filter_map(|m| m.text)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        thread.contains(&format!("approved client-safe summary *{s3}*")) && thread.contains(&hash),
        "{thread}"
    );

    // The report lists the approved summary, and no other.
    app.slash(&slack, &format!("report {id}")).await;
    let upload = eventually("the report", WAIT, || async {
        slack.uploads().into_iter().find(|u| u.shared_in.is_some())
    })
    .await;
    let report = String::from_utf8(upload.bytes).unwrap();
    let section = report
        .split("## Client-Safe Summaries")
        .nth(1)
        .and_then(|s| s.split("## Full Timeline").next())
        .unwrap();
    for expected in [
        format!("### {s3} — Customers · Investigating"),
        "**Card payments delayed**".to_owned(),
        "> They work again; we are monitoring.".to_owned(),
        format!("Approved by {COMMANDER} at "),
        format!("SHA-256 `{hash}`"),
    ] {
        assert!(section.contains(&expected), "{expected} in {section}");
    }
    assert!(
        !section.contains(&format!("{id}-S2")) && !section.contains(first),
        "{section}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_summary_that_slack_refuses_for_good_is_explained_to_whoever_approved_it() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = led_incident(&app, &slack).await;
    let text = "Some card payments were delayed between 10:00 and 10:40 UTC.";
    let (answer, _) = draft(&app, &slack, (&id, &card_ts), AUTHOR, text, false).await;
    assert_eq!(answer, Value::Null);
    let post = pending_post(&slack, &id, 1).await;
    drained(&app.pool).await;
    // The bot is in neither channel any more: the approval's thread post, then the summary.
    for _ in 0..2 {
        slack.push_fault(
            "chat.postMessage",
            Fault::SlackError("not_in_channel".to_owned()),
        );
    }
    let s1 = format!("{id}-S1");
    app.click(&slack, &post.ts, &s1, "summary_approve", None, COMMANDER)
        .await;
    let told = eventually("the approver to be told", WAIT, || async {
        slack.calls_to("chat.postEphemeral").into_iter().find(|c| {
            c.body["user"] == COMMANDER
                && c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("client-safe summary"))
        })
    })
    .await;
    let said = told.body["text"].as_str().unwrap();
    assert!(
        said.contains("the approved client-safe summary to the customer-facing channel")
            && said.contains("not_in_channel"),
        "{said}"
    );
    assert_eq!(
        summaries(&app, &id).await[0].1,
        "approved",
        "the approval stands"
    );
    assert!(posted_to_customers(&slack).is_empty());
}
