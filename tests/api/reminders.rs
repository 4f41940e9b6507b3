//! Reminders, escalations, the breach clock, review reminders and the digest, end to end with
//! durations of a few seconds in the config.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::Value;
use std::{collections::HashSet, sync::Arc, time::Duration};

const WAIT: Duration = Duration::from_secs(20);
const RESPONDER: &str = "U0RESPONDER";

/// Severities with second-scale windows: SEV-1/2 must be acknowledged within 2 s; updates are due
/// every 3 s except for SEV-4 (an hour, for re-computation tests).
fn fast(extra: &str) -> String {
    format!(
        r#"{extra}
[[severity]]
name = "SEV-1"
aliases = ["sev1", "p1"]
ack_within = "2s"
update_every = "3s"
[[severity]]
name = "SEV-2"
aliases = ["sev2", "p2"]
ack_within = "2s"
update_every = "3s"
[[severity]]
name = "SEV-3"
aliases = ["sev3", "p3"]
ack_within = "1h"
update_every = "3s"
[[severity]]
name = "SEV-4"
aliases = ["sev4", "p4"]
ack_within = "1h"
update_every = "1h"
[reminders]
heads_up = "1s"
[escalation]
group = "S0MANAGERS"
[breach]
window = "6s"
reminders_at = ["2s", "4s"]
[review]
due_after = "2s"
{TEST_CONFIG}"#
    )
}

async fn spawn(slack: &FakeSlack, extra: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, slack, &fast(extra)).await;
    (app, db)
}

fn thread(slack: &FakeSlack, card_ts: &str) -> Vec<(String, bool)> {
    slack
        .messages()
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card_ts))
        .map(|m| (m.text.clone().unwrap_or_default(), m.reply_broadcast))
        .collect()
}

async fn wait_for_thread(
    slack: &FakeSlack,
    card_ts: &str,
    what: &str,
    needle: &str,
    n: usize,
) -> Vec<(String, bool)> {
    eventually(what, WAIT, || async {
        let hits: Vec<_> = thread(slack, card_ts)
            .into_iter()
            .filter(|(t, _)| t.contains(needle))
            .collect();
        (hits.len() >= n).then_some(hits)
    })
    .await
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

/// The `reminder_sent` entries of one reminder kind (`update_due`, `update_heads_up`, …).
async fn reminders_sent(app: &TestApp, id: &str, which: &str) -> Vec<Value> {
    let all = entries(app, id, "reminder_sent").await;
    all.into_iter().filter(|e| e["reminder"] == which).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_update_is_reminded_with_the_state_repeated_and_escalated_past_a_cadence() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Slow reports").await;

    let heads_up = wait_for_thread(&slack, &card_ts, "the heads-up", "Heads-up", 1).await;
    assert!(
        heads_up[0].0.contains(&format!("<@{DECLARER}>")),
        "{heads_up:?}"
    );
    let first = wait_for_thread(&slack, &card_ts, "the overdue reminder", "was due", 1).await;
    let text = &first[0].0;
    for field in [
        format!("*Incident ID:* {id}"),
        "*Severity:* SEV-3".into(),
        "*Status:* Investigating".into(),
        "*Impact:*".into(),
        "*Current action:*".into(),
        format!("*Owner:* <@{DECLARER}>"),
        "*Next update:* overdue".into(),
    ] {
        assert!(text.contains(&field), "{field} missing from {text}");
    }
    let reminder = slack
        .messages()
        .into_iter()
        .find(|m| m.text.as_deref().is_some_and(|t| t.contains("was due")))
        .unwrap();
    let controls = reminder.blocks.unwrap().to_string();
    assert!(
        controls.contains("incident_post_update") && controls.contains("reminder_snooze"),
        "{controls}"
    );

    // A cadence later it repeats, now escalated to the group and shown in the channel.
    let repeats = wait_for_thread(&slack, &card_ts, "the repeated reminder", "was due", 2).await;
    assert!(
        repeats[1].0.contains("<!subteam^S0MANAGERS>") && repeats[1].1,
        "escalated and broadcast: {repeats:?}"
    );
    let sent = reminders_sent(&app, &id, "update_due").await;
    assert!(sent.len() >= 2);
    assert_eq!(sent[0]["repeat"], 0);
    assert_eq!(sent[1]["escalated"], true);
    let heads_ups = reminders_sent(&app, &id, "update_heads_up").await;
    assert_eq!(heads_ups.len(), 1, "the heads-up is on the timeline too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posting_an_update_re_arms_the_reminder_and_snooze_postpones_it() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Queue backlog").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_post_update",
        None,
        RESPONDER,
    )
    .await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    let form = values(&[
        ("impact", "text", "Reports late"),
        ("current_action", "text", "Draining"),
        ("owner", "user", RESPONDER),
        ("next_update", "select", "900"),
    ]);
    app.interaction(&submission(&view, RESPONDER, form)).await;
    let (due, reminder_due): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT i.next_update_due_at, r.due_at FROM incidents i JOIN reminders r ON r.incident_id = i.id AND r.kind = 'update_due' AND r.state = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(due, reminder_due, "re-armed at the update's promise");
    // The original 3-second deadline passes without a reminder.
    tokio::time::sleep(Duration::from_secs(4)).await;
    drained(&app.pool).await;
    assert!(
        thread(&slack, &card_ts)
            .iter()
            .all(|(t, _)| !t.contains("was due")),
        "{:?}",
        thread(&slack, &card_ts)
    );
    assert!(entries(&app, &id, "reminder_sent").await.is_empty());

    // Snooze moves a pending reminder and says so.
    app.click(
        &slack,
        &card_ts,
        &id,
        "reminder_snooze",
        Some("1800"),
        RESPONDER,
    )
    .await;
    let snoozed = entries(&app, &id, "reminder_snoozed").await;
    assert_eq!(snoozed[0]["seconds"], 1800);
    let moved: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT due_at FROM reminders WHERE kind = 'update_due' AND state = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(moved > reminder_due);
    wait_for_thread(
        &slack,
        &card_ts,
        "the snooze note",
        "snoozed the update reminder",
        1,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_severity_change_re_computes_the_deadline_and_resolve_stops_reminders() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev4 Minor glitch").await;
    let hour_away: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT due_at FROM reminders WHERE kind = 'update_due' AND state = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(hour_away - chrono::Utc::now() > chrono::Duration::minutes(50));
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_severity",
        Some("SEV-3"),
        RESPONDER,
    )
    .await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    app.interaction(&submission(
        &view,
        RESPONDER,
        values(&[
            ("level", "select", "SEV-3"),
            ("reason", "text", "More users affected"),
        ]),
    ))
    .await;
    wait_for_thread(
        &slack,
        &card_ts,
        "the reminder at the new cadence",
        "was due",
        1,
    )
    .await;

    // Resolving stops the repetition.
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("resolved"),
        RESPONDER,
    )
    .await;
    let resolve = slack.wait_for_calls("views.open", 2, WAIT).await[1].body["view"].clone();
    app.interaction(&submission(
        &resolve,
        RESPONDER,
        values(&[("summary", "text", "Config reverted")]),
    ))
    .await;
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM reminders WHERE incident_id = $1 AND state = 'pending' AND kind IN ('update_due', 'update_heads_up')").bind(&id).fetch_one(&app.pool).await.unwrap();
    assert_eq!(pending, 0);
    drained(&app.pool).await;
    let before = entries(&app, &id, "reminder_sent").await.len();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        entries(&app, &id, "reminder_sent").await.len(),
        before,
        "no reminders after Resolve"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_sev1_is_escalated_to_the_group_and_an_acknowledged_one_is_not() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (quiet_id, quiet_ts) = declared(&app, &slack, "declare sev1 Acknowledged quickly").await;
    app.click(
        &slack,
        &quiet_ts,
        &quiet_id,
        "incident_acknowledge",
        None,
        RESPONDER,
    )
    .await;
    let (id, card_ts) = declared(&app, &slack, "declare sev1 Nobody is looking").await;
    let escalation = wait_for_thread(
        &slack,
        &card_ts,
        "the acknowledgement escalation",
        "has not been acknowledged",
        1,
    )
    .await;
    assert!(
        escalation[0].0.contains("<!subteam^S0MANAGERS>") && escalation[0].1,
        "{escalation:?}"
    );
    let entry = entries(&app, &id, "escalated").await;
    assert_eq!(entry[0]["reminder"], "ack_overdue");
    tokio::time::sleep(Duration::from_millis(500)).await;
    drained(&app.pool).await;
    assert!(
        thread(&slack, &quiet_ts)
            .iter()
            .all(|(t, _)| !t.contains("has not been acknowledged"))
    );
    assert!(entries(&app, &quiet_id, "escalated").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_escalates_once_and_its_clock_reminds_until_the_authority_is_notified() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    app.slash(&slack, "declare").await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    let form = values(&[
        ("title", "text", "Customer export leaked"),
        ("severity", "select", "SEV-3"),
        ("triage", "multi", "personal_data_exposed"),
    ]);
    app.interaction(&submission(&view, DECLARER, form)).await;
    let id: String = sqlx::query_scalar("SELECT id FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let card_ts = eventually("the card", WAIT, || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    })
    .await;
    let escalated = wait_for_thread(
        &slack,
        &card_ts,
        "the trigger escalation",
        "personal data may be exposed",
        1,
    )
    .await;
    assert!(escalated[0].0.contains("<!subteam^S0MANAGERS>") && escalated[0].1);
    let card = slack
        .messages()
        .into_iter()
        .find(|m| m.ts == card_ts)
        .unwrap()
        .blocks
        .unwrap()
        .to_string();
    assert!(
        card.contains("Personal-data breach") && card.contains("authority notification due"),
        "{card}"
    );

    wait_for_thread(
        &slack,
        &card_ts,
        "the first breach reminder",
        "Breach clock",
        1,
    )
    .await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&format!("notified:{id}")),
        RESPONDER,
    )
    .await;
    let notified = slack.wait_for_calls("views.open", 2, WAIT).await[1].body["view"].clone();
    assert_eq!(notified["callback_id"], "incident_authority_notified");
    let record = [
        ("nature", "Export job wrote to a public bucket"),
        ("data_subjects", "About 1,200 customers"),
        ("data_categories", "Names, emails"),
        ("likely_consequences", "Phishing risk"),
        ("measures", "Bucket closed, keys rotated"),
        ("contact_point", "dpo@example.com"),
    ];
    let partial: Vec<(&str, &str, &str)> =
        record[..5].iter().map(|(k, v)| (*k, "text", *v)).collect();
    let refused = app
        .interaction(&submission(&notified, RESPONDER, values(&partial)))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(refused["errors"]["contact_point"].is_string(), "{refused}");
    let full: Vec<(&str, &str, &str)> = record.iter().map(|(k, v)| (*k, "text", *v)).collect();
    app.interaction(&submission(&notified, RESPONDER, values(&full)))
        .await;
    let record_entry = entries(&app, &id, "authority_notified").await;
    assert_eq!(record_entry[0]["data_subjects"], "About 1,200 customers");
    let pending: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reminders WHERE kind = 'breach_clock' AND state = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(pending, 0, "the clock stops");
    assert_eq!(
        entries(&app, &id, "escalated").await.len(),
        1,
        "the trigger escalated once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_severe_incident_gets_its_review_reminder() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Login outage").await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("resolved"),
        RESPONDER,
    )
    .await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    app.interaction(&submission(
        &view,
        RESPONDER,
        values(&[("summary", "text", "Certificate renewed")]),
    ))
    .await;
    wait_for_thread(
        &slack,
        &card_ts,
        "the review reminder",
        "post-incident review",
        1,
    )
    .await;
    assert_eq!(
        entries(&app, &id, "reminder_sent").await.last().unwrap()["reminder"],
        "review_due"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_digest_lists_open_incidents_in_the_channel() {
    let slack = FakeSlack::start().await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .format("%H:%M:%S")
        .to_string();
    let (app, _db) = spawn(&slack, &format!("[digest]\nat = \"{at}\"")).await;
    let (id, _) = declared(&app, &slack, "declare sev4 In the digest").await;
    let digest = eventually("the digest", WAIT, || async {
        slack.messages().into_iter().find(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("Daily incident digest"))
        })
    })
    .await;
    assert_eq!(digest.channel, INCIDENT_CHANNEL);
    assert!(digest.thread_ts.is_none());
    let text = digest.text.unwrap();
    assert!(
        text.contains(&id) && text.contains("[SEV-4]") && text.contains("next update"),
        "{text}"
    );
    let next: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT due_at FROM reminders WHERE kind = 'digest' AND state = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        next - chrono::Utc::now() > chrono::Duration::hours(23),
        "armed for tomorrow"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_fire_each_reminder_exactly_once_even_when_one_is_killed() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let config = fast("");
    let a = Arc::new(TestApp::spawn_on(&db, &slack, &config).await);
    let b = TestApp::spawn_on(&db, &slack, &config).await;
    let c = TestApp::spawn_on(&db, &slack, &config).await;
    let mut cards = Vec::new();
    for n in 0..6 {
        cards.push(declared(&a, &slack, &format!("declare sev3 Shared incident {n}")).await);
    }
    // One instance dies while reminders are coming due.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    c.kill();
    for (_, card_ts) in &cards {
        wait_for_thread(
            &slack,
            card_ts,
            "an overdue reminder per incident",
            "was due",
            1,
        )
        .await;
    }
    // Stop the repetition so the count is stable, then compare Slack with the timeline.
    for (id, _) in &cards {
        sqlx::query(
            "UPDATE reminders SET state = 'cancelled' WHERE incident_id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&a.pool)
        .await
        .unwrap();
    }
    drained(&a.pool).await;
    for (id, card_ts) in &cards {
        let sent = reminders_sent(&a, id, "update_due").await;
        let repeats: HashSet<u64> = sent.iter().map(|e| e["repeat"].as_u64().unwrap()).collect();
        assert_eq!(
            repeats.len(),
            sent.len(),
            "no reminder fired twice for {id}"
        );
        let posted = thread(&slack, card_ts)
            .iter()
            .filter(|(t, _)| t.contains("was due"))
            .count();
        assert_eq!(posted, sent.len(), "one post per fired reminder for {id}");
        let heads_ups = thread(&slack, card_ts)
            .iter()
            .filter(|(t, _)| t.contains("Heads-up"))
            .count();
        assert_eq!(heads_ups, 1, "one heads-up for {id}");
        assert_eq!(
            reminders_sent(&a, id, "update_heads_up").await.len(),
            1,
            "one heads-up on the timeline of {id}"
        );
    }
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_while_its_instance_is_dead_is_sent_once_by_the_next() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let first = TestApp::spawn_on(&db, &slack, &fast("")).await;
    let (id, card_ts) = declared(&first, &slack, "declare sev3 Orphaned reminder").await;
    first.kill();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let second = TestApp::spawn_on(&db, &slack, &fast("")).await;
    wait_for_thread(&slack, &card_ts, "the overdue reminder", "was due", 1).await;
    drained(&second.pool).await;
    let sent = entries(&second, &id, "reminder_sent").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        thread(&slack, &card_ts)
            .iter()
            .all(|(t, _)| !t.contains("Heads-up")),
        "a heads-up whose moment passed is not sent late"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_sleeps_when_nothing_is_pending_and_wakes_for_the_next_deadline() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    // Nothing pending means no deadline at all, not one that is due now: the scheduler must
    // sleep, not spin on the table.
    assert_eq!(
        warroom::store::reminders::find_next_due_in(&app.pool)
            .await
            .unwrap(),
        None
    );
    declared(&app, &slack, "declare sev2 Search is slow").await;
    let next = warroom::store::reminders::find_next_due_in(&app.pool)
        .await
        .unwrap()
        .expect("the declare armed its reminders");
    assert!(next > 0.0, "the first reminder is in the future: {next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_coming_due_during_a_change_waits_for_it_instead_of_locking_against_it() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Busy incident").await;
    // A change is under way: it holds the incident's row, as every change does first.
    let mut change = app.pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM incidents WHERE id = $1 FOR UPDATE")
        .bind(&id)
        .execute(&mut *change)
        .await
        .unwrap();
    // Meanwhile the overdue-update reminder comes due, and the scheduler is woken.
    sqlx::query(
        "UPDATE reminders SET due_at = now() WHERE incident_id = $1 AND kind = 'update_due'",
    )
    .bind(&id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("SELECT pg_notify('warroom_reminders', '')")
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Nobody waits on the change: the scheduler left the busy incident for later instead of
    // holding its reminder while queueing for the incident (the other half of a deadlock).
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 0, "a replica is queued behind the change");
    // The change goes on to move the incident's reminders, as a change does, and commits.
    let moved = tokio::time::timeout(
        Duration::from_secs(3),
        sqlx::query(
            "UPDATE reminders SET updated_at = now() WHERE incident_id = $1 AND state = 'pending'",
        )
        .bind(&id)
        .execute(&mut *change),
    )
    .await;
    assert!(
        matches!(moved, Ok(Ok(_))),
        "the change was blocked: {moved:?}"
    );
    change.commit().await.unwrap();
    // Then the reminder fires, once.
    wait_for_thread(&slack, &card_ts, "the overdue reminder", "was due", 1).await;
}
