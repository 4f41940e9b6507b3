//! Running an incident from its card: every control end to end, from a signed click or form to
//! the rows, the timeline, the card's `chat.update` and the thread reply.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";

async fn timeline_kinds(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM timeline_entries WHERE incident_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn status(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The last modal `views.open` carried.
async fn opened_view(slack: &FakeSlack, n: usize) -> Value {
    slack.wait_for_calls("views.open", n, WAIT).await[n - 1].body["view"].clone()
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledge_records_who_and_when_edits_the_card_and_tells_the_thread_once() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev1 Checkout down").await;

    let action_ts = app
        .click(
            &slack,
            &card_ts,
            &id,
            "incident_acknowledge",
            None,
            RESPONDER,
        )
        .await;
    // A Slack retry of the same click, and a second click on the stale card.
    app.click_at(
        &slack,
        &card_ts,
        &id,
        "incident_acknowledge",
        None,
        RESPONDER,
        &action_ts,
    )
    .await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_acknowledge",
        None,
        "U0SECOND",
    )
    .await;
    drained(&app.pool).await;

    let (by, at): (Option<String>, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT acknowledged_by, acknowledged_at FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(by.as_deref(), Some(RESPONDER));
    assert!(at.is_some());
    assert_eq!(
        timeline_kinds(&app, &id).await,
        ["declared", "acknowledged"]
    );
    let actor: String =
        sqlx::query_scalar("SELECT actor FROM timeline_entries WHERE kind = 'acknowledged'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(actor, RESPONDER);
    let updates = slack.calls_to("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], card_ts.as_str());
    let card = blocks_of(&slack, &card_ts);
    assert!(
        card.contains(&format!("Acknowledged by <@{RESPONDER}>"))
            && !card.contains("incident_acknowledge"),
        "{card}"
    );
    let thread = replies(&slack, &card_ts);
    assert_eq!(
        thread
            .iter()
            .filter(|t| t.contains("Acknowledged by"))
            .count(),
        1,
        "{thread:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_moves_forward_and_back_as_a_relapse_and_the_current_status_is_a_silent_no_op() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Search is slow").await;

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("investigating"),
        RESPONDER,
    )
    .await;
    drained(&app.pool).await;
    assert!(
        slack.calls_to("chat.update").is_empty(),
        "no card edit for a no-op"
    );
    assert_eq!(
        replies(&slack, &card_ts).len(),
        1,
        "no thread reply for a no-op"
    );
    assert!(
        slack
            .calls_to("response_url")
            .iter()
            .all(|c| c.response_name.as_deref() != Some(&format!("click-{RESPONDER}")[..])),
        "no error either"
    );

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("contained"),
        RESPONDER,
    )
    .await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("identified"),
        RESPONDER,
    )
    .await;
    drained(&app.pool).await;
    assert_eq!(status(&app, &id).await, "identified");
    let relapse: Value = sqlx::query_scalar("SELECT details FROM timeline_entries WHERE kind = 'status_changed' ORDER BY id DESC LIMIT 1").fetch_one(&app.pool).await.unwrap();
    assert_eq!(relapse["relapse"], true);
    let thread = replies(&slack, &card_ts);
    assert!(
        thread
            .iter()
            .any(|t| t.contains("Contained* → *Identified* (relapse)")),
        "{thread:?}"
    );
    assert!(blocks_of(&slack, &card_ts).contains("*Status*\\nIdentified"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_is_refused_until_resolved_then_the_checklist_refuses_and_finally_allows_it() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Reports fail").await;

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("closed"),
        RESPONDER,
    )
    .await;
    assert!(
        told(&slack, RESPONDER, 1)
            .await
            .contains("can be closed only once it is Resolved")
    );

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("resolved"),
        RESPONDER,
    )
    .await;
    let view = opened_view(&slack, 1).await;
    assert_eq!(view["callback_id"], "incident_resolve");
    let blank = app
        .interaction(&submission(
            &view,
            RESPONDER,
            values(&[("summary", "text", "  ")]),
        ))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(blank["response_action"], "errors");
    assert!(blank["errors"]["summary"].is_string());
    let ok = app
        .interaction(&submission(
            &view,
            RESPONDER,
            values(&[(
                "summary",
                "text",
                "Rolled back release 42; error rate normal for 30 min",
            )]),
        ))
        .await;
    assert_eq!(ok.text().await.unwrap(), "");
    assert_eq!(status(&app, &id).await, "resolved");
    let (summary, due): (Option<String>, Option<chrono::DateTime<chrono::Utc>>) = sqlx::query_as(
        "SELECT resolution_summary, next_update_due_at FROM incidents WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(summary.unwrap().starts_with("Rolled back"));
    assert_eq!(due, None, "a resolved incident owes no more updates");

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("closed"),
        RESPONDER,
    )
    .await;
    let checklist = opened_view(&slack, 2).await;
    assert_eq!(checklist["callback_id"], "incident_close");
    let criteria = [
        "service_restored",
        "root_cause_confirmed",
        "impact_assessed",
        "logs_preserved",
        "financial_reconciliation",
        "data_exposure_assessed",
    ];
    let mut answers: Vec<(&str, &str, &str)> = criteria
        .iter()
        .map(|c| (*c, "select", "confirmed"))
        .collect();
    answers[1].2 = "under_review";
    answers[4].2 = "not_applicable";
    answers.pop();
    let refused = app
        .interaction(&submission(&checklist, RESPONDER, values(&answers)))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(refused["response_action"], "errors");
    let errors = refused["errors"].as_object().unwrap();
    assert_eq!(
        errors.keys().collect::<Vec<_>>(),
        ["data_exposure_assessed", "root_cause_confirmed"],
        "{refused}"
    );
    assert_eq!(status(&app, &id).await, "resolved");

    // A SEV-2 closes only with a corrective action, or with a reason why none is needed.
    answers[1].2 = "confirmed";
    answers.push(("data_exposure_assessed", "select", "not_applicable"));
    let refused = app
        .interaction(&submission(&checklist, RESPONDER, values(&answers)))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        refused["errors"]["no_action"]
            .as_str()
            .unwrap()
            .contains("at least one corrective action"),
        "{refused}"
    );
    assert_eq!(status(&app, &id).await, "resolved");
    answers.push(("no_action", "multi", "none"));
    answers.push(("no_action_reason", "text", "A one-off report template typo"));
    let closed = app
        .interaction(&submission(&checklist, RESPONDER, values(&answers)))
        .await;
    assert_eq!(closed.text().await.unwrap(), "");
    assert_eq!(status(&app, &id).await, "closed");
    drained(&app.pool).await;
    let card = blocks_of(&slack, &card_ts);
    assert!(
        card.contains("*Status*\\nClosed")
            && !card.contains("incident_status")
            && !card.contains("incident_acknowledge"),
        "a closed card offers no controls that change it: {card}"
    );
    let entry: Value =
        sqlx::query_scalar("SELECT details FROM timeline_entries WHERE kind = 'closed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        entry["checklist"]["financial_reconciliation"],
        "not_applicable"
    );
    assert_eq!(
        entry["checklist"]["corrective_actions_documented"],
        "not_applicable"
    );
    assert_eq!(entry["no_action_reason"], "A one-off report template typo");

    // A click on the stale card of a closed incident is explained, and changes nothing.
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_acknowledge",
        None,
        RESPONDER,
    )
    .await;
    assert!(told(&slack, RESPONDER, 2).await.contains("is closed"));
    assert_eq!(
        timeline_kinds(&app, &id).await,
        ["declared", "resolved", "closed"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn severity_changes_take_a_reason_and_respect_the_triage_floor() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Queue backlog").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_severity",
        Some("SEV-1"),
        RESPONDER,
    )
    .await;
    let view = opened_view(&slack, 1).await;
    assert_eq!(view["callback_id"], "incident_severity");
    let no_reason = app
        .interaction(&submission(
            &view,
            RESPONDER,
            values(&[("level", "select", "SEV-1")]),
        ))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(no_reason["errors"]["reason"].is_string());
    app.interaction(&submission(
        &view,
        RESPONDER,
        values(&[
            ("level", "select", "SEV-1"),
            ("reason", "text", "Payments now failing too"),
        ]),
    ))
    .await;
    let (severity, due): (String, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT severity, next_update_due_at FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(severity, "SEV-1");
    let declared_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT declared_at FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        due - declared_at,
        chrono::Duration::minutes(30),
        "re-computed at the SEV-1 cadence"
    );
    drained(&app.pool).await;
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("SEV-3* → *SEV-1*") && t.contains("Payments now failing too"))
    );

    // Choosing the current severity opens nothing and says nothing.
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_severity",
        Some("SEV-1"),
        RESPONDER,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(slack.calls_to("views.open").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_assigned_with_a_picker_and_the_card_names_the_owners_still_missing() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare").await;
    let declare = opened_view(&slack, 1).await;
    app.interaction(&submission(
        &declare,
        DECLARER,
        values(&[
            ("title", "text", "Wallet credits missing"),
            ("severity", "select", "SEV-2"),
            ("incident_type", "select", "payment_wallet"),
        ]),
    ))
    .await;
    let id: String = sqlx::query_scalar("SELECT id FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    drained(&app.pool).await;
    let card_ts = slack.messages()[0].ts.clone();
    let card = blocks_of(&slack, &card_ts);
    assert!(
        card.contains("Still needed: Incident Commander, Technical Lead, Finance Owner"),
        "{card}"
    );
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("Runbook: Payment or wallet")
                && t.contains("Reconcile the gateway status")),
        "the type's runbook is in the thread"
    );

    app.click(&slack, &card_ts, &id, "incident_roles", None, RESPONDER)
        .await;
    let view = opened_view(&slack, 2).await;
    assert_eq!(view["callback_id"], "incident_roles");
    app.interaction(&submission(
        &view,
        RESPONDER,
        values(&[
            ("role", "select", "commander"),
            ("user", "user", "U0COMMANDER"),
        ]),
    ))
    .await;
    app.interaction(&submission(
        &view,
        RESPONDER,
        values(&[("role", "select", "finance"), ("user", "user", "U0FINANCE")]),
    ))
    .await;
    drained(&app.pool).await;
    let roles: Value = sqlx::query_scalar("SELECT roles FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(roles["commander"], "U0COMMANDER");
    assert_eq!(
        roles["finance"], "U0FINANCE",
        "a second submission of the same form counts as one request only if it is the same view"
    );
    let card = blocks_of(&slack, &card_ts);
    assert!(
        card.contains("Incident Commander: <@U0COMMANDER>")
            && card.contains("Still needed: Technical Lead"),
        "{card}"
    );
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("<@U0COMMANDER> is now *Incident Commander*"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_structured_update_lands_in_the_thread_with_all_seven_fields_and_on_the_card() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Login failures").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_post_update",
        None,
        RESPONDER,
    )
    .await;
    let view = opened_view(&slack, 1).await;
    assert_eq!(view["callback_id"], "incident_update");
    let default_next = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "next_update")
        .unwrap()["element"]["initial_option"]["value"]
        .clone();
    assert_eq!(default_next, "3600", "defaults to the SEV-2 cadence");

    let form = values(&[
        ("impact", "text", "10% of logins fail"),
        ("current_action", "text", "Rolling back auth change"),
        ("owner", "user", "U0OWNER"),
        ("next_update", "select", "1800"),
        ("status", "select", "identified"),
    ]);
    assert_eq!(
        app.interaction(&submission(&view, RESPONDER, form))
            .await
            .text()
            .await
            .unwrap(),
        ""
    );
    drained(&app.pool).await;
    let (status, due, latest): (String, chrono::DateTime<chrono::Utc>, Value) = sqlx::query_as(
        "SELECT status, next_update_due_at, latest_update FROM incidents WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(status, "identified");
    assert_eq!(latest["owner"], "U0OWNER");
    let posted: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(latest["posted_at"].clone()).unwrap();
    assert_eq!(due - posted, chrono::Duration::minutes(30));
    let update = replies(&slack, &card_ts)
        .into_iter()
        .find(|t| t.contains("*Update*"))
        .expect("the update in the thread");
    for field in [
        format!("*Incident ID:* {id}"),
        "*Severity:* SEV-2".into(),
        "*Status:* Identified".into(),
        "*Impact:* 10% of logins fail".into(),
        "*Current action:* Rolling back auth change".into(),
        "*Owner:* <@U0OWNER>".into(),
        "*Next update:* <!date^".into(),
    ] {
        assert!(update.contains(&field), "{field} missing: {update}");
    }
    let card = blocks_of(&slack, &card_ts);
    assert!(
        card.contains("*Latest update*") && card.contains("Rolling back auth change"),
        "{card}"
    );

    let missing = values(&[
        ("impact", "text", "x"),
        ("owner", "user", "U0OWNER"),
        ("next_update", "select", "1800"),
    ]);
    let errors = app
        .interaction(&submission(&view, RESPONDER, missing))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(errors["errors"]["current_action"].is_string(), "{errors}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_and_edit_are_recorded_and_a_cancelled_incident_leaves_the_open_list() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Typo in alert").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&format!("edit:{id}")),
        RESPONDER,
    )
    .await;
    let edit = opened_view(&slack, 1).await;
    assert_eq!(edit["callback_id"], "incident_edit");
    app.interaction(&submission(
        &edit,
        RESPONDER,
        values(&[
            ("title", "text", "Alert misfired"),
            ("impact", "text", "None"),
        ]),
    ))
    .await;
    let title: String = sqlx::query_scalar("SELECT title FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, "Alert misfired");

    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&format!("cancel:{id}")),
        RESPONDER,
    )
    .await;
    let cancel = opened_view(&slack, 2).await;
    app.interaction(&submission(
        &cancel,
        RESPONDER,
        values(&[("reason", "text", "Test alert, no impact")]),
    ))
    .await;
    assert_eq!(status(&app, &id).await, "cancelled");
    assert_eq!(
        timeline_kinds(&app, &id).await,
        ["declared", "edited", "cancelled"]
    );
    let list = app.slash(&slack, "list").await;
    assert!(
        list["text"].as_str().unwrap().contains("No open incidents"),
        "{list}"
    );
    drained(&app.pool).await;
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("Cancelled") && t.contains("Test alert, no impact"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_mode_refuses_a_non_holder_and_changes_nothing() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(
        &db,
        &slack,
        &format!("restrict_changes = true\n{TEST_CONFIG}"),
    )
    .await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Restricted").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("identified"),
        "U0STRANGER",
    )
    .await;
    assert!(
        told(&slack, "U0STRANGER", 1)
            .await
            .contains("Only the incident's role holders")
    );
    assert_eq!(status(&app, &id).await, "investigating");
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_acknowledge",
        None,
        "U0STRANGER",
    )
    .await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("identified"),
        DECLARER,
    )
    .await;
    drained(&app.pool).await;
    assert_eq!(
        status(&app, &id).await,
        "identified",
        "the declarer steers until a commander exists"
    );
    assert_eq!(
        timeline_kinds(&app, &id).await,
        ["declared", "acknowledged", "status_changed"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_renders_the_card_once() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Bursty").await;
    // Thread replies are slow, so the card edit waits behind them while the burst lands.
    slack.set_delay("chat.postMessage", Duration::from_secs(1));
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_acknowledge",
        None,
        RESPONDER,
    )
    .await;
    for status in ["identified", "contained", "recovering"] {
        app.click(
            &slack,
            &card_ts,
            &id,
            "incident_status",
            Some(status),
            RESPONDER,
        )
        .await;
    }
    drained(&app.pool).await;
    assert_eq!(
        slack.calls_to("chat.update").len(),
        1,
        "one edit for four changes"
    );
    assert!(
        blocks_of(&slack, &card_ts).contains("*Status*\\nRecovering"),
        "showing the latest state"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_on_a_card_rendered_before_a_restart_still_works() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let first = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    let (id, card_ts) = declared(&first, &slack, "declare sev1 Before restart").await;
    first.kill();
    let second = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    second
        .click(
            &slack,
            &card_ts,
            &id,
            "incident_acknowledge",
            None,
            RESPONDER,
        )
        .await;
    drained(&second.pool).await;
    assert_eq!(
        timeline_kinds(&second, &id).await,
        ["declared", "acknowledged"]
    );
    assert_eq!(slack.calls_to("chat.update").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_timeline_and_note_answer_from_the_command_line() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Cache misses").await;
    let noted = app
        .slash(&slack, &format!("note {id} Paged the DBA <!channel>"))
        .await;
    assert!(noted["text"].as_str().unwrap().contains("Noted"));
    let shown = app
        .slash(&slack, &format!("show {}", id.to_lowercase()))
        .await;
    let blocks = shown["blocks"].to_string();
    assert!(
        blocks.contains("Cache misses") && !blocks.contains("incident_acknowledge"),
        "{blocks}"
    );
    let timeline = app.slash(&slack, &format!("timeline {id}")).await;
    let text = timeline["blocks"].to_string();
    assert!(
        text.contains("declared SEV-2") && text.contains("note: Paged the DBA &lt;!channel&gt;"),
        "{text}"
    );
    drained(&app.pool).await;
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("Note from") && t.contains("&lt;!channel&gt;")),
        "escaped in the thread too"
    );
    let unknown = app.slash(&slack, "show INC-20000101-001").await;
    assert!(unknown["text"].as_str().unwrap().contains("can't find"));
    let bad = app.slash(&slack, "timeline yesterday").await;
    assert!(bad["text"].as_str().unwrap().contains("Name the incident"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_timeline_answers_with_its_newest_entries_within_slacks_limits() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, _card) = declared(&app, &slack, "declare sev3 A long night").await;
    // Six hundred notes, a little after one another.
    sqlx::query(
        "INSERT INTO timeline_entries (incident_id, at, actor, kind, details)
         SELECT $1, now() + make_interval(secs => n), 'U0NOTER', 'note',
                jsonb_build_object('text', 'note ' || n || ': ' || repeat('checked the dashboards again ', 8))
         FROM generate_series(1, 600) AS n",
    )
    .bind(&id)
    .execute(&app.pool)
    .await
    .unwrap();
    let answer = app.slash(&slack, &format!("timeline {id}")).await;
    let texts: Vec<String> = answer["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_owned())
        .collect();
    let characters: usize = texts.iter().map(|t| t.chars().count()).sum();
    assert!(
        characters <= 12_000,
        "{characters} characters of block text"
    );
    let all = texts.join("\n");
    assert!(all.contains("note 600:"), "the newest entry is shown");
    assert!(!all.contains("declared SEV-3"), "the oldest are left out");
    assert!(texts[0].contains("(601 entries)"), "{}", texts[0]);
    assert!(all.contains("oldest entries are left out"));
}
