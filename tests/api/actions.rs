//! Corrective (follow-up) actions end to end: added from the card and from the command line,
//! numbered per incident, listed, reminded to their owner with buttons that close or put them
//! off, kept going after the incident closes, and required before a severe incident closes.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use chrono::{Duration as Days, NaiveDate, Utc};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";
const OWNER: &str = "U0OWNER";

type ActionRow = (
    i32,
    String,
    String,
    NaiveDate,
    Option<String>,
    String,
    Option<String>,
);

async fn actions(app: &TestApp, id: &str) -> Vec<ActionRow> {
    sqlx::query_as(
        "SELECT number, text, owner, due_on, link, status, reason FROM incident_actions WHERE incident_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn kinds(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM timeline_entries WHERE incident_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

fn text(answer: &Value) -> String {
    answer["text"].as_str().unwrap_or_default().to_owned()
}

fn in_days(n: i64) -> NaiveDate {
    (Utc::now() + Days::days(n)).date_naive()
}

/// Adds an action from the card's form; Slack's answer body.
async fn add_from_card(
    app: &TestApp,
    slack: &FakeSlack,
    id: &str,
    card_ts: &str,
    what: &str,
    due: NaiveDate,
) -> Value {
    app.fill_form(
        slack,
        card_ts,
        id,
        "incident_more",
        Some(&format!("action:{id}")),
        RESPONDER,
        &[
            ("action_text", "text", what),
            ("action_owner", "user", OWNER),
            ("due", "date", &due.to_string()),
            ("link", "text", "https://tickets.example.com/OPS-7"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_are_added_from_the_card_and_the_command_line_numbered_per_incident() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Pool exhausted").await;

    // A due date in the past keeps the form open, the error under the date; nothing is written.
    let refused = add_from_card(
        &app,
        &slack,
        &id,
        &card_ts,
        "Alert on saturation",
        in_days(-2),
    )
    .await;
    assert!(
        refused["errors"]["due"].as_str().unwrap().contains("past"),
        "{refused}"
    );
    assert!(actions(&app, &id).await.is_empty());

    let due = in_days(7);
    let added = add_from_card(&app, &slack, &id, &card_ts, "Alert on saturation", due).await;
    assert_eq!(added, Value::Null);
    let answer = app
        .slash(
            &slack,
            &format!("action {id} <@{OWNER}|ana> in 5d Load-test the pool"),
        )
        .await;
    assert!(text(&answer).contains(&format!("{id}-A2")), "{answer}");
    let rows = actions(&app, &id).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        (
            1,
            "Alert on saturation".to_owned(),
            OWNER.to_owned(),
            due,
            Some("https://tickets.example.com/OPS-7".to_owned()),
            "open".to_owned(),
            None
        )
    );
    assert_eq!((rows[1].0, rows[1].3), (2, in_days(5)));
    let added: Vec<Value> = sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE incident_id = $1 AND kind = 'action_added' ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(added.len(), 2);
    assert_eq!(added[0]["owner"], OWNER);
    assert_eq!(added[1]["due_on"], in_days(5).to_string());
    // Each action's reminder is armed, one per action.
    let armed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reminders WHERE incident_id = $1 AND kind LIKE 'action_due:%' AND state = 'pending'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(armed, 2);

    // Bad input: each answered in words, nothing written.
    for (typed, expected) in [
        (
            format!("action {id} ana in 5d x"),
            "Mention the action's owner",
        ),
        (
            format!("action {id} <@{OWNER}> someday x"),
            "Give a due date",
        ),
        (
            format!("action {id} <@{OWNER}> 2020-01-01 Old"),
            "can't be in the past",
        ),
        (
            "action INC-20000101-001 <@U1> in 5d x".to_owned(),
            "can't find",
        ),
        (format!("action done {id}-A9"), "no follow-up action"),
        (format!("action wontdo {id}-A1"), "Say why"),
        (
            "actions banana".to_owned(),
            "lists your open follow-up actions",
        ),
    ] {
        let answer = app.slash(&slack, &typed).await;
        assert!(text(&answer).contains(expected), "{typed}: {answer}");
    }
    assert_eq!(actions(&app, &id).await.len(), 2);
    drained(&app.pool).await;
    let thread = replies(&slack, &card_ts).join("\n");
    assert!(
        thread.contains(&format!("added follow-up action *{id}-A1*"))
            && thread.contains(&format!("*{id}-A2*: Load-test the pool")),
        "{thread}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lists_show_my_open_actions_an_incidents_actions_and_everyones_overdue_ones() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (first, _) = declared(&app, &slack, "declare sev2 Pool exhausted").await;
    let (second, _) = declared(&app, &slack, "declare sev3 Exports slow").await;
    for (id, owner, what) in [
        (&first, DECLARER, "Mine, on the first"),
        (&first, OWNER, "Someone else's"),
        (&second, DECLARER, "Mine, on the second"),
    ] {
        let answer = app
            .slash(&slack, &format!("action {id} <@{owner}> in 3d {what}"))
            .await;
        assert!(
            text(&answer).contains("is on the incident's timeline"),
            "{answer}"
        );
    }
    // Time passes for one of them: a week later it is overdue (its due date moved back, as the
    // clock moving on would make it).
    sqlx::query("UPDATE incident_actions SET due_on = due_on - 7 WHERE text = $1")
        .bind("Someone else's")
        .execute(&app.pool)
        .await
        .unwrap();

    let mine = app.slash(&slack, "actions").await.to_string();
    assert!(
        mine.contains("Mine, on the first")
            && mine.contains("Mine, on the second")
            && !mine.contains("Someone else"),
        "{mine}"
    );
    let of_first = app
        .slash(&slack, &format!("actions {first}"))
        .await
        .to_string();
    assert!(
        of_first.contains(&format!("{first}-A1"))
            && of_first.contains(&format!("{first}-A2"))
            && of_first.contains("*overdue* since")
            && !of_first.contains("Mine, on the second"),
        "{of_first}"
    );
    let overdue = app.slash(&slack, "actions overdue").await.to_string();
    assert!(
        overdue.contains("Someone else") && !overdue.contains("Mine, on"),
        "{overdue}"
    );
    let none = app.slash(&slack, &format!("actions {second}")).await;
    assert!(!text(&none).contains("no follow-up actions yet"));
}

/// Brings an action's reminder due now, as the morning of its due date arriving would.
async fn morning_comes(app: &TestApp, id: &str, number: u32) {
    sqlx::query(
        "UPDATE reminders SET due_at = now() WHERE incident_id = $1 AND kind = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(format!("action_due:{number}"))
    .execute(&app.pool)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_action_is_reminded_to_its_owner_whose_buttons_put_it_off_close_it_or_say_why_not() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Pool exhausted").await;
    for what in ["Alert on saturation", "Rewrite the pool"] {
        app.slash(&slack, &format!("action {id} <@{OWNER}> today {what}"))
            .await;
    }
    morning_comes(&app, &id, 1).await;
    let reminder = eventually("the action's reminder", WAIT, || async {
        slack.messages().into_iter().find(|m| {
            m.thread_ts.as_deref() == Some(&card_ts)
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.contains(":alarm_clock:"))
        })
    })
    .await;
    let said = reminder.text.clone().unwrap();
    assert!(
        said.contains(&format!("<@{OWNER}>")) && said.contains(&format!("*{id}-A1* is due today")),
        "{said}"
    );
    let blocks = reminder.blocks.unwrap().to_string();
    assert!(
        blocks.contains("action_done")
            && blocks.contains("action_wont_do")
            && blocks.contains("action_snooze"),
        "{blocks}"
    );
    assert!(kinds(&app, &id).await.contains(&"reminder_sent".to_owned()));
    // Fired once, and armed again for the next morning.
    let next: chrono::DateTime<Utc> = sqlx::query_scalar(
        "SELECT due_at FROM reminders WHERE incident_id = $1 AND kind = 'action_due:1' AND state = 'pending'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(next > Utc::now() + Days::hours(1), "{next}");

    // Snooze for three days: the reminder moves, the timeline says so.
    let action = format!("{id}-A1");
    app.click(
        &slack,
        &reminder.ts,
        &action,
        "action_snooze",
        Some(&format!("259200:{action}")),
        OWNER,
    )
    .await;
    let snoozed: chrono::DateTime<Utc> = eventually("the reminder to move", WAIT, || async {
        let due: chrono::DateTime<Utc> = sqlx::query_scalar(
            "SELECT due_at FROM reminders WHERE incident_id = $1 AND kind = 'action_due:1' AND state = 'pending'",
        )
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        (due > Utc::now() + Days::days(2)).then_some(due)
    })
    .await;
    assert!(snoozed < Utc::now() + Days::days(4));

    // Mark done: the action closes and its reminder is cancelled; a second click changes nothing.
    app.click(&slack, &reminder.ts, &action, "action_done", None, OWNER)
        .await;
    app.click(&slack, &reminder.ts, &action, "action_done", None, OWNER)
        .await;
    let rows = actions(&app, &id).await;
    assert_eq!(rows[0].5, "done");
    let pending: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reminders WHERE incident_id = $1 AND kind = 'action_due:1' AND state = 'pending'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(pending, 0);
    let done: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM timeline_entries WHERE incident_id = $1 AND kind = 'action_done'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(done, 1, "the double click is one fact");

    // Won't do… asks why, then closes the action with the reason.
    let second = format!("{id}-A2");
    let form = app
        .open_form(&slack, &reminder.ts, &second, "action_wont_do", None, OWNER)
        .await;
    assert_eq!(form["callback_id"], "incident_action_wont_do");
    assert_eq!(form["private_metadata"], second);
    let blank = app.submit(&form, OWNER, &[("reason", "text", " ")]).await;
    assert!(blank["errors"]["reason"].is_string(), "{blank}");
    let closed = app
        .submit(
            &form,
            OWNER,
            &[("reason", "text", "Superseded by the new driver")],
        )
        .await;
    assert_eq!(closed, Value::Null);
    let rows = actions(&app, &id).await;
    assert_eq!(
        (rows[1].5.as_str(), rows[1].6.as_deref()),
        ("wont_do", Some("Superseded by the new driver"))
    );
    drained(&app.pool).await;
    let thread = replies(&slack, &card_ts).join("\n");
    assert!(
        thread.contains(&format!("marked follow-up action *{action}* done"))
            && thread.contains(&format!("closed follow-up action *{second}* as won't do"))
            && thread.contains("put off the reminder"),
        "{thread}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_severe_incident_closes_once_it_has_an_action_which_goes_on_after_the_close() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev1 Checkout down").await;
    app.resolve(&slack, &card_ts, &id, RESPONDER).await;
    let checklist = confirmed_checklist();
    let close = || {
        app.fill_form(
            &slack,
            &card_ts,
            &id,
            "incident_status",
            Some("closed"),
            RESPONDER,
            &checklist,
        )
    };
    let refused = close().await;
    assert!(refused["errors"]["no_action"].is_string(), "{refused}");

    add_from_card(
        &app,
        &slack,
        &id,
        &card_ts,
        "Canary the checkout deploy",
        in_days(10),
    )
    .await;
    let view_count = slack.views().len();
    assert_eq!(close().await, Value::Null);
    let form = &slack.views()[view_count];
    assert!(
        form["blocks"]
            .to_string()
            .contains("Corrective actions documented:* 1 follow-up action"),
        "the form says how the actions stand: {form}"
    );
    let closed: Value = sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE incident_id = $1 AND kind = 'closed'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        closed["checklist"]["corrective_actions_documented"],
        "confirmed"
    );
    assert_eq!(closed["checklist"]["follow_up_owners"], "confirmed");

    // The closed card still offers follow-up work, and the action can be added and closed.
    drained(&app.pool).await;
    let added = add_from_card(&app, &slack, &id, &card_ts, "Write the runbook", in_days(3)).await;
    assert_eq!(added, Value::Null);
    let done = app.slash(&slack, &format!("action done {id}-A1")).await;
    assert!(text(&done).contains(&format!("{id}-A1")), "{done}");
    let rows = actions(&app, &id).await;
    assert_eq!(
        rows.iter().map(|r| r.5.as_str()).collect::<Vec<_>>(),
        ["done", "open"]
    );
    let status: String = sqlx::query_scalar("SELECT status FROM incidents WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "closed");
}
