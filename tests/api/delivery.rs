//! Delivering to a slow, rate-limiting, failing or refusing Slack: every post arrives once, and
//! what cannot be posted is recorded and explained to the declarer.

use crate::fake_slack::{FakeSlack, Fault};
use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn cards(slack: &FakeSlack) -> usize {
    slack
        .messages()
        .iter()
        .filter(|m| m.thread_ts.is_none())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slack_five_seconds_late_does_not_delay_the_answer_and_the_card_is_posted_once() {
    let slack = FakeSlack::start().await;
    slack.set_delay("chat.postMessage", Duration::from_secs(5));
    let (app, _db) = TestApp::spawn(&slack).await;
    let ack = app.slash(&slack, "declare sev2 Slow Slack").await;
    assert!(ack["text"].as_str().unwrap().contains("Declaring"));
    // The answer came back while Slack was still sitting on the card.
    let card_ts: Option<String> = sqlx::query_scalar("SELECT card_ts FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(card_ts, None);
    drained(&app.pool).await;
    assert_eq!(cards(&slack), 1);
    assert_eq!(
        slack.messages().len(),
        2,
        "the card and its thread reply, once each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_only_after_retry_after_and_posts_once() {
    let slack = FakeSlack::start().await;
    slack.push_fault(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev2 Rate limited").await;
    let calls = slack.wait_for_calls("chat.postMessage", 3, WAIT).await;
    assert_eq!(calls[0].status, 429);
    assert!(
        calls[1].received_at - calls[0].received_at >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(slack.retry_after_violations(), 0);
    drained(&app.pool).await;
    assert_eq!(cards(&slack), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_and_the_card_is_still_posted_once() {
    let slack = FakeSlack::start().await;
    slack.push_fault("chat.postMessage", Fault::ServerError(500));
    slack.push_fault("chat.postMessage", Fault::ServerError(503));
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev1 Flaky Slack").await;
    drained(&app.pool).await;
    assert_eq!(cards(&slack), 1);
    assert_eq!(slack.messages().len(), 2);
    // A 5xx may hide a post that happened, so warroom looked before posting again.
    assert!(!slack.calls_to("conversations.history").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_slack_accepted_but_whose_answer_was_lost_is_not_posted_again() {
    let slack = FakeSlack::start().await;
    // Slack posts the card but answers after warroom has given up waiting (timeout = 2 s here).
    slack.push_fault(
        "chat.postMessage",
        Fault::SlowAccept(Duration::from_secs(4)),
    );
    let db = TestDb::fresh();
    let toml = TEST_CONFIG.replace("timeout = \"10s\"", "timeout = \"2s\"");
    let app = TestApp::spawn_on(&db, &slack, &toml).await;
    app.slash(&slack, "declare sev1 Lost answer").await;
    drained(&app.pool).await;
    assert_eq!(
        cards(&slack),
        1,
        "found by its metadata instead of posted twice"
    );
    assert_eq!(slack.messages().len(), 2);
    let ts: Option<String> = sqlx::query_scalar("SELECT card_ts FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(ts.as_deref(), Some(slack.messages()[0].ts.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_error_is_not_retried_is_recorded_and_the_declarer_is_told() {
    let slack = FakeSlack::start().await;
    slack.push_fault(
        "chat.postMessage",
        Fault::SlackError("channel_not_found".into()),
    );
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev1 Nowhere to post").await;
    let rows = drained(&app.pool).await;
    assert_eq!(rows[0], ("post_card".to_owned(), "failed".to_owned()));
    assert_eq!(rows[1], ("thread_reply".to_owned(), "failed".to_owned()));
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE kind = 'post_card'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(error.as_deref(), Some("channel_not_found"));
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1, "never retried");
    let told = slack.wait_for_calls("response_url", 1, WAIT).await;
    let text = told[0].body["text"].as_str().unwrap();
    assert!(
        text.contains("could not post its card") && text.contains("channel_not_found"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_left_by_a_stopped_process_are_delivered_by_the_next_one() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    // The first instance cannot reach Slack at all, then dies with its work undelivered.
    let unreachable = config(&db, "http://127.0.0.1:9/api", TEST_CONFIG);
    let first = TestApp::spawn_with_config(unreachable).await;
    let ack = first.slash(&slack, "declare sev2 Survives a crash").await;
    assert!(ack["text"].as_str().unwrap().contains("Declaring"));
    first.kill();
    assert!(slack.calls_to("chat.postMessage").is_empty());

    let second = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    drained(&second.pool).await;
    assert_eq!(cards(&slack), 1);
    assert_eq!(slack.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_post_is_taken_over_without_a_duplicate() {
    let slack = FakeSlack::start().await;
    // Slack posts the card at once but holds its answer; the process dies while waiting.
    slack.push_fault(
        "chat.postMessage",
        Fault::SlowAccept(Duration::from_secs(3)),
    );
    let db = TestDb::fresh();
    let first = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    first.slash(&slack, "declare sev1 Killed mid-post").await;
    slack.wait_for_calls("chat.postMessage", 1, WAIT).await;
    first.kill();

    let second = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    drained(&second.pool).await;
    assert_eq!(
        cards(&slack),
        1,
        "the lease ran out, the new process found the post and did not repeat it"
    );
    assert_eq!(slack.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stalls_while_slack_is_still_posting_its_card_is_not_doubled() {
    let slack = FakeSlack::start().await;
    // Slack takes six seconds to post what it received; the replica that sent the card stops
    // (killed here, as it would be stalled by a paused VM) while Slack is still at work, so it
    // never renews its claim.
    slack.set_delay("chat.postMessage", Duration::from_secs(6));
    let config = TEST_CONFIG.replace("timeout = \"10s\"", "timeout = \"8s\"");
    let db = TestDb::fresh();
    let first = TestApp::spawn_on(&db, &slack, &config).await;
    first.slash(&slack, "declare sev1 Stalled mid-post").await;
    eventually("the card's post to reach Slack", WAIT, || async {
        (slack.arrived("chat.postMessage") == 1).then_some(())
    })
    .await;
    first.kill();

    let second = TestApp::spawn_on(&db, &slack, &config).await;
    eventually("the card and its runbook", WAIT, || async {
        (slack.messages().len() >= 2).then_some(())
    })
    .await;
    drained(&second.pool).await;
    assert_eq!(
        cards(&slack),
        1,
        "the row was taken over while Slack was still posting the first card"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_shut_down_with_a_post_in_flight_finishes_it_before_it_exits() {
    let slack = FakeSlack::start().await;
    // Slack takes two seconds to post the card; the replica is told to stop meanwhile.
    slack.set_delay("chat.postMessage", Duration::from_secs(2));
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    app.slash(&slack, "declare sev2 Shut down mid-post").await;
    eventually("the card's post to reach Slack", WAIT, || async {
        (slack.arrived("chat.postMessage") == 1).then_some(())
    })
    .await;
    app.shut_down().await;
    // The instance's own pool went with it.
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let card: (String, Option<String>) =
        sqlx::query_as("SELECT state, slack_ts FROM outbox WHERE kind = 'post_card'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        card.0, "delivered",
        "the post under way was finished and recorded before the process exited"
    );
    assert!(card.1.is_some(), "its ts was recorded");
    assert_eq!(cards(&slack), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_pacing_on_posts_keep_slacks_pace_and_a_backlog_posts_severe_cards_first() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let paced = TEST_CONFIG.replace("channel_pace = \"0s\"", "channel_pace = \"1s\"");
    let app = TestApp::spawn_on(&db, &slack, &paced).await;
    for text in [
        "declare sev3 First but mild",
        "declare sev1 Second and critical",
        "declare sev2 Third and high",
    ] {
        app.slash(&slack, text).await;
    }
    drained(&app.pool).await;
    let posts = slack.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 6);
    // Each post takes a slot at least a second after the previous one (in the database), so any
    // three consecutive posts span two seconds of slots; a second of margin absorbs the time
    // between taking a slot and the request arriving on a loaded machine.
    for three in posts.windows(3) {
        assert!(
            three[2].received_at - three[0].received_at >= Duration::from_secs(1),
            "never more than two posts a second into one channel"
        );
    }
    let span = posts[5].received_at - posts[0].received_at;
    assert!(
        span >= Duration::from_secs(4),
        "six posts at one a second take five seconds, not {span:?}"
    );
    let kinds: Vec<String> = posts
        .iter()
        .map(|p| {
            let text = p.body["text"].as_str().unwrap();
            let kind = if p.body.get("thread_ts").is_some() {
                "reply"
            } else {
                "card"
            };
            let which = ["First", "Second", "Third"]
                .into_iter()
                .find(|w| text.contains(w))
                .unwrap_or("");
            format!("{kind} {which}")
        })
        .collect();
    // The first card may go out before the others are declared; after that the backlog is
    // ordered: cards before replies, the SEV-1 card before the SEV-2 card.
    let second = kinds.iter().position(|k| k == "card Second").unwrap();
    let third = kinds.iter().position(|k| k == "card Third").unwrap();
    let first_reply = kinds.iter().position(|k| k.starts_with("reply")).unwrap();
    assert!(second < third && third < first_reply, "{kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_queued_by_an_earlier_version_are_still_delivered_after_an_upgrade() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Upgraded mid-incident").await;
    drained(&app.pool).await;
    let before = slack.messages().len();
    // What the previous release wrote: ready-made Slack calls, the reminder's deadline condition
    // inside the payload.
    let due: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT next_update_due_at FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let rows = [
        (
            Some(id.as_str()),
            "thread_reply",
            "chat.postMessage",
            Some(INCIDENT_CHANNEL),
            json!({ "text": "Legacy reply", "blocks": [] }),
        ),
        (
            Some(id.as_str()),
            "thread_reply",
            "chat.postMessage",
            Some(INCIDENT_CHANNEL),
            json!({ "text": "Legacy reminder still due", "blocks": [], "only_if_next_update_due_at": due }),
        ),
        (
            Some(id.as_str()),
            "thread_reply",
            "chat.postMessage",
            Some(INCIDENT_CHANNEL),
            json!({ "text": "Legacy reminder moot", "blocks": [], "only_if_next_update_due_at": "2001-01-01T00:00:00Z" }),
        ),
        (
            None,
            "respond",
            "response_url",
            None,
            json!({ "response_url": slack.response_url("legacy"), "body": { "text": "Legacy answer" } }),
        ),
        (
            None,
            "ephemeral",
            "chat.postEphemeral",
            None,
            json!({ "channel": COMMAND_CHANNEL, "user": DECLARER, "text": "Legacy ephemeral" }),
        ),
        (
            None,
            "post",
            "chat.postMessage",
            Some(COMMAND_CHANNEL),
            json!({ "channel": COMMAND_CHANNEL, "text": "Legacy post" }),
        ),
    ];
    for (incident, kind, method, pace, payload) in rows {
        sqlx::query("INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload) VALUES ($1, $2, $3, $4, 100, $5)")
            .bind(incident)
            .bind(kind)
            .bind(method)
            .bind(pace)
            .bind(payload)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    sqlx::query("SELECT pg_notify('warroom_outbox', '')")
        .execute(&app.pool)
        .await
        .unwrap();
    let states = drained(&app.pool).await;
    let texts: Vec<(Option<String>, Option<String>)> = slack
        .messages_after(before)
        .into_iter()
        .map(|m| (m.text, m.thread_ts))
        .collect();
    assert!(
        texts.contains(&(Some("Legacy reply".into()), Some(card_ts.clone()))),
        "{texts:?}"
    );
    assert!(texts.contains(&(
        Some("Legacy reminder still due".into()),
        Some(card_ts.clone())
    )));
    assert!(texts.contains(&(Some("Legacy post".into()), None)));
    assert!(
        texts
            .iter()
            .all(|(t, _)| t.as_deref() != Some("Legacy reminder moot")),
        "a reminder whose deadline moved is not sent"
    );
    assert!(
        states
            .iter()
            .any(|(k, s)| k == "thread_reply" && s == "superseded")
    );
    let answers = slack.calls_to("response_url");
    assert!(answers.iter().any(|c| c.body["text"] == "Legacy answer"));
    let ephemerals = slack.calls_to("chat.postEphemeral");
    assert!(
        ephemerals
            .iter()
            .any(|c| c.body["text"] == "Legacy ephemeral")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smallest_accepted_connection_pools_still_deliver_every_card() {
    for max_connections in [2, 8] {
        let slack = FakeSlack::start().await;
        let db = TestDb::fresh();
        let config = format!("{TEST_CONFIG}[database]\nmax_connections = {max_connections}\n");
        let app = TestApp::spawn_on(&db, &slack, &config).await;
        for n in 0..3 {
            app.slash(&slack, &format!("declare sev2 Small pool {n}"))
                .await;
        }
        let posted = eventually("three cards and their first replies", WAIT, || async {
            let messages = slack.messages();
            (messages.len() >= 6).then_some(messages)
        })
        .await;
        assert_eq!(cards(&slack), 3, "max_connections = {max_connections}");
        assert_eq!(posted.len(), 6);
        let metrics = app.metrics().await;
        assert!(
            metrics.contains("warroom_outbox_seconds_since_last_claim"),
            "{metrics}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_outbox_claims_keep_failing_and_returns_once_they_succeed() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let ready = || async {
        reqwest::get(app.url("/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);
    // Every claim now errors at once (the outbox is not where warroom looks for it).
    sqlx::query("ALTER TABLE outbox RENAME TO outbox_elsewhere")
        .execute(&app.pool)
        .await
        .unwrap();
    eventually("readiness to fail", WAIT, || async {
        (ready().await == 503).then_some(())
    })
    .await;
    let body = reqwest::get(app.url("/readyz"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("outbox claims"), "{body}");
    sqlx::query("ALTER TABLE outbox_elsewhere RENAME TO outbox")
        .execute(&app.pool)
        .await
        .unwrap();
    eventually("readiness to return", WAIT, || async {
        (ready().await == 200).then_some(())
    })
    .await;
    // And deliveries flow again.
    declared(&app, &slack, "declare sev3 After the outage").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_held_back_by_a_retry_after_does_not_make_a_replica_unready() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    declared(&app, &slack, "declare sev3 Before the pause").await;
    // Slack asks warroom to hold every post for ten seconds; claims succeed and find nothing due.
    sqlx::query("INSERT INTO slack_pacing (pace_key, next_allowed_at) VALUES ($1, now() + interval '10 seconds')")
        .bind(INCIDENT_CHANNEL)
        .execute(&app.pool)
        .await
        .unwrap();
    app.slash(&slack, "declare sev3 Held back").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let status = reqwest::get(app.url("/readyz")).await.unwrap().status();
    assert_eq!(status, 200);
    assert_eq!(cards(&slack), 1, "the second card waits for the pause");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_to_one_person_that_keeps_failing_holds_back_no_post_and_is_given_up() {
    let slack = FakeSlack::start().await;
    // The declarer's response URL answers 503, again and again.
    for _ in 0..100 {
        slack.push_fault("response_url", Fault::ServerError(503));
    }
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev2 Unreachable declarer").await;
    let card_ts: String = eventually("the card", WAIT, || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    })
    .await;
    let id: String = sqlx::query_scalar("SELECT id FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.acknowledge(&slack, &card_ts, &id, DECLARER).await;
    eventually("the acknowledgement in the thread", WAIT, || async {
        slack
            .messages()
            .iter()
            .any(|m| {
                m.thread_ts.as_deref() == Some(card_ts.as_str())
                    && m.text
                        .as_deref()
                        .is_some_and(|t| t.contains("Acknowledged by"))
            })
            .then_some(())
    })
    .await;
    // The link for the declarer is retried a bounded number of times, then given up on.
    let (state, error): (String, Option<String>) =
        eventually("the link to be given up", WAIT, || async {
            let row: (String, Option<String>) =
                sqlx::query_as("SELECT state, last_error FROM outbox WHERE kind = 'declare_link'")
                    .fetch_one(&app.pool)
                    .await
                    .unwrap();
            (row.0 == "failed").then_some(row)
        })
        .await;
    assert_eq!(state, "failed");
    assert!(error.unwrap_or_default().contains("gave up after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_post_slack_refuses_for_good_is_explained_to_the_declarer_and_later_posts_still_go()
 {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Refused post").await;
    slack.push_fault("chat.postMessage", Fault::SlackError("msg_too_long".into()));
    app.acknowledge(&slack, &card_ts, &id, DECLARER).await;
    let told = eventually("the declarer to be told", WAIT, || async {
        slack
            .calls_to("chat.postEphemeral")
            .into_iter()
            .find(|c| c.body["user"] == DECLARER)
    })
    .await;
    let text = told.body["text"].as_str().unwrap();
    assert!(
        text.contains("could not deliver a post in the incident's thread") && text.contains(&id),
        "{text}"
    );
    assert!(text.contains("msg_too_long"), "{text}");
    // The thread goes on.
    app.slash(&slack, &format!("note {id} Still here")).await;
    eventually("the next post", WAIT, || async {
        slack
            .messages()
            .iter()
            .any(|m| m.text.as_deref().is_some_and(|t| t.contains("Still here")))
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_rendered_while_the_incident_moved_on_is_rendered_again() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Racing edits").await;
    slack.set_delay("chat.update", Duration::from_millis(1500));
    app.acknowledge(&slack, &card_ts, &id, DECLARER).await;
    // While that edit is on its way to Slack, rendered from the incident as it was, a change
    // commits that queued no edit of its own: it saw the pending edit and counted on it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    sqlx::query(
        "UPDATE incidents SET title = 'Renamed while the card was in flight', version = version + 1 WHERE id = $1",
    )
    .bind(&id)
    .execute(&app.pool)
    .await
    .unwrap();
    eventually("the card to show the latest state", WAIT, || async {
        slack
            .calls_to("chat.update")
            .last()
            .is_some_and(|c| {
                c.body
                    .to_string()
                    .contains("Renamed while the card was in flight")
            })
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_found_past_two_hundred_newer_messages_is_not_posted_again() {
    let slack = FakeSlack::start().await;
    // The card reaches Slack, but the connection breaks before warroom hears so.
    slack.push_fault("chat.postMessage", Fault::Reset);
    let (app, _db) = TestApp::spawn(&slack).await;
    app.slash(&slack, "declare sev2 Busy channel").await;
    eventually("the card to land", WAIT, || async {
        (!slack.messages().is_empty()).then_some(())
    })
    .await;
    // Hold the retry while the channel fills with 250 newer messages.
    sqlx::query("INSERT INTO slack_pacing (pace_key, next_allowed_at) VALUES ($1, now() + interval '3 seconds')")
        .bind(INCIDENT_CHANNEL)
        .execute(&app.pool)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for n in 0..250 {
        let posted = http
            .post(format!("{}/chat.postMessage", slack.api_url()))
            .bearer_auth(BOT_TOKEN)
            .json(&json!({ "channel": INCIDENT_CHANNEL, "text": format!("chatter {n}") }))
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_success());
    }
    drained(&app.pool).await;
    assert_eq!(
        cards_titled(&slack, "Busy channel"),
        1,
        "the card is posted once"
    );
}

/// Cards (top-level posts) whose text names `title`.
fn cards_titled(slack: &FakeSlack, title: &str) -> usize {
    slack
        .messages()
        .iter()
        .filter(|m| m.thread_ts.is_none() && m.text.as_deref().is_some_and(|t| t.contains(title)))
        .count()
}

/// Declares with `text`, and returns once the card's first post has failed ambiguously: its retry
/// first looks for it in the channel, and that look takes two seconds — long enough for the
/// retry's claim to be stale by the time it would post.
async fn card_retried_after_a_slow_look(slack: &FakeSlack, text: &str) -> (TestApp, TestDb) {
    slack.push_fault("chat.postMessage", Fault::ServerError(503));
    slack.set_delay("conversations.history", Duration::from_secs(2));
    let (app, db) = TestApp::spawn(slack).await;
    app.slash(slack, text).await;
    eventually("the failed first post", WAIT, || async {
        slack
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| c.status == 503)
            .then_some(())
    })
    .await;
    (app, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_held_up_past_a_retry_after_given_meanwhile_waits_for_it_to_pass() {
    let slack = FakeSlack::start().await;
    let (app, _db) = card_retried_after_a_slow_look(&slack, "declare sev2 Paused meanwhile").await;
    // While the retry is looking, Slack tells another replica to hold the channel for 3 s.
    eventually("the retry to look for the post", WAIT, || async {
        (slack.arrived("conversations.history") >= 1).then_some(())
    })
    .await;
    sqlx::query(
        "INSERT INTO slack_pacing (pace_key, next_allowed_at) VALUES ($1, now() + interval '3 seconds')
         ON CONFLICT (pace_key) DO UPDATE SET next_allowed_at = EXCLUDED.next_allowed_at",
    )
    .bind(INCIDENT_CHANNEL)
    .execute(&app.pool)
    .await
    .unwrap();
    let paused_until = std::time::Instant::now() + Duration::from_secs(3);
    eventually("the card", WAIT, || async {
        (cards(&slack) == 1).then_some(())
    })
    .await;
    let posted = slack
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.status == 200)
        .unwrap();
    assert!(
        posted.received_at + Duration::from_millis(100) >= paused_until,
        "the card was posted inside the channel's Retry-After"
    );
    drained(&app.pool).await;
    assert_eq!(cards(&slack), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_lost_its_claim_does_not_post() {
    let slack = FakeSlack::start().await;
    let (app, _db) = card_retried_after_a_slow_look(&slack, "declare sev2 Lost claim").await;
    // While the retry is looking, another replica takes the row over (as after a stall that
    // outlived the lease): the attempt count moves on and the lease is theirs.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, lease_until = now() + interval '30 seconds' WHERE kind = 'post_card'")
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        cards(&slack),
        0,
        "the replica that lost the row posted anyway"
    );
    // The other replica never finishes; once its lease runs out the row is delivered, once.
    sqlx::query(
        "UPDATE outbox SET lease_until = now() - interval '1 second' WHERE kind = 'post_card'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    slack.set_delay("conversations.history", Duration::ZERO);
    eventually("the card", WAIT, || async {
        (cards(&slack) == 1).then_some(())
    })
    .await;
    drained(&app.pool).await;
    assert_eq!(cards(&slack), 1);
}
