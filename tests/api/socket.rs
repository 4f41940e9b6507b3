//! Socket Mode: the same commands, clicks, forms and events over a WebSocket, each acknowledged
//! with its envelope ID and producing the same rows and Slack calls as over HTTP.

use crate::fake_slack::{FakeSlack, Fault};
use crate::fake_socket::{Behaviour, FakeSocket};
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use warroom::config::{Secret, SocketTimings};

const WAIT: Duration = Duration::from_secs(15);

async fn spawn_socket_mode(slack: &FakeSlack, socket: &FakeSocket) -> (TestApp, TestDb) {
    let (app, db) = spawn_socket_mode_with(slack, socket, SocketTimings::default()).await;
    socket.wait_live(2, WAIT).await;
    (app, db)
}

/// Socket Mode with these clocks; returns without waiting for any connection.
async fn spawn_socket_mode_with(
    slack: &FakeSlack,
    socket: &FakeSocket,
    timings: SocketTimings,
) -> (TestApp, TestDb) {
    slack.set_answer(
        "apps.connections.open",
        json!({ "ok": true, "url": socket.url() }),
    );
    let db = TestDb::fresh();
    let mut config = config(&db, &slack.api_url(), TEST_CONFIG);
    config.slack_signing_secret = None;
    config.slack_app_token = Some(Secret::new("xapp-1-test-app-token"));
    config.process.socket = timings;
    let app = TestApp::spawn_with_config(config).await;
    (app, db)
}

/// Clocks in tens of milliseconds, so a test sees many reconnects in a few seconds.
const QUICK: SocketTimings = SocketTimings {
    connect_timeout: Duration::from_millis(300),
    ping_every: Duration::from_millis(100),
    silence: Duration::from_millis(400),
    backoff_initial: Duration::from_millis(50),
    backoff_max: Duration::from_millis(800),
    stable_after: Duration::from_secs(60),
};

fn slash_envelope(id: &str, text: &str, trigger: &str, slack: &FakeSlack) -> Value {
    json!({
        "envelope_id": id,
        "type": "slash_commands",
        "accepts_response_payload": true,
        "payload": {
            "token": "x", "team_id": "T0001", "team_domain": "acme", "channel_id": COMMAND_CHANNEL, "channel_name": "general",
            "user_id": DECLARER, "user_name": "someone", "command": "/incident", "text": text, "api_app_id": "A0001",
            "response_url": slack.response_url("socket"), "trigger_id": trigger,
        },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_over_the_socket_declares_like_over_http() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let (app, _db) = spawn_socket_mode(&slack, &socket).await;
    let opened = slack.calls_to("apps.connections.open");
    assert_eq!(opened.len(), 2, "two connections for redundancy");
    assert_eq!(
        opened[0].authorization.as_deref(),
        Some("Bearer xapp-1-test-app-token"),
        "the app-level token, not the bot token"
    );

    socket.send(&slash_envelope(
        "env-1",
        "declare sev1 Socket declared",
        "1.socket",
        &slack,
    ));
    let ack = socket.wait_for_ack("env-1", WAIT).await;
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("Declaring"),
        "{ack}"
    );
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    let posts = slack.wait_for_calls("chat.postMessage", 2, WAIT).await;
    assert!(
        posts[0].body["text"]
            .as_str()
            .unwrap()
            .contains("Socket declared")
    );
    let title: String = sqlx::query_scalar("SELECT title FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, "Socket declared");
    // HTTP requests are refused in Socket Mode: there is no signing secret to check them with.
    let refused = app
        .slash_as(DECLARER, "list", &slack.response_url("x"), "2.x")
        .await;
    assert_eq!(refused.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_clicks_and_events_over_the_socket_are_acknowledged_with_their_effects() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let (app, _db) = spawn_socket_mode(&slack, &socket).await;

    // /incident declare without a title opens the form; an invalid submission is answered in the ack.
    socket.send(&slash_envelope("env-form", "declare", "3.socket", &slack));
    let ack = socket.wait_for_ack("env-form", WAIT).await;
    assert!(
        ack.get("payload").is_none(),
        "the form opens; nothing else is said: {ack}"
    );
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    let blank = submission(
        &view,
        DECLARER,
        values(&[("title", "text", " "), ("severity", "select", "SEV-2")]),
    );
    socket.send(&json!({ "envelope_id": "env-submit", "type": "interactive", "accepts_response_payload": true, "payload": blank }));
    let errors = socket.wait_for_ack("env-submit", WAIT).await;
    assert_eq!(errors["payload"]["response_action"], "errors", "{errors}");
    let good = submission(
        &view,
        DECLARER,
        values(&[
            ("title", "text", "Declared in a form over the socket"),
            ("severity", "select", "SEV-2"),
        ]),
    );
    socket.send(&json!({ "envelope_id": "env-submit-2", "type": "interactive", "accepts_response_payload": true, "payload": good }));
    socket.wait_for_ack("env-submit-2", WAIT).await;
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

    // A click on the card.
    let click = json!({
        "type": "block_actions", "user": { "id": "U0SOCKET" }, "api_app_id": "A0001", "team": { "id": "T0001", "domain": "acme" },
        "container": { "type": "message", "message_ts": card_ts, "channel_id": INCIDENT_CHANNEL }, "trigger_id": "4.socket",
        "channel": { "id": INCIDENT_CHANNEL }, "response_url": slack.response_url("socket-click"),
        "actions": [{ "type": "button", "action_id": "incident_acknowledge", "block_id": format!("card:{id}"), "value": id, "action_ts": "1700000001.000001" }],
    });
    socket.send(&json!({ "envelope_id": "env-click", "type": "interactive", "accepts_response_payload": false, "payload": click }));
    socket.wait_for_ack("env-click", WAIT).await;
    let by: Option<String> = sqlx::query_scalar("SELECT acknowledged_by FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(by.as_deref(), Some("U0SOCKET"));

    // An event, then Slack's redelivery of it: one effect.
    let mention = |attempt: u64| {
        json!({
            "envelope_id": format!("env-event-{attempt}"), "type": "events_api", "accepts_response_payload": false,
            "retry_attempt": attempt, "retry_reason": if attempt > 0 { "timeout" } else { "" },
            "payload": { "type": "event_callback", "event_id": "EvSocket1", "team_id": "T0001", "api_app_id": "A0001", "event_time": 1,
                "event": { "type": "app_mention", "text": "<@UBOT> hi", "user": "U2", "ts": "1610241741.000200", "channel": "C0OTHER", "event_ts": "1610241741.000200" } },
        })
    };
    socket.send(&mention(0));
    socket.send(&mention(1));
    socket.wait_for_ack("env-event-0", WAIT).await;
    socket.wait_for_ack("env-event-1", WAIT).await;
    drained(&app.pool).await;
    let replies: Vec<_> = slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.body["channel"] == "C0OTHER")
        .collect();
    assert_eq!(replies.len(), 1, "a redelivered event has one effect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_request_and_a_dropped_socket_reconnect_and_lose_nothing() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let (app, _db) = spawn_socket_mode(&slack, &socket).await;
    socket.broadcast(&json!({ "type": "disconnect", "reason": "refresh_requested", "debug_info": { "host": "wss-111" } }));
    eventually("new connections after the refresh", WAIT, || async {
        (socket.connections() >= 4).then_some(())
    })
    .await;
    socket.wait_live(2, WAIT).await;
    assert!(
        slack.calls_to("apps.connections.open").len() >= 4,
        "a fresh URL per connection"
    );
    socket.send(&slash_envelope(
        "env-after-refresh",
        "declare sev2 After the refresh",
        "5.socket",
        &slack,
    ));
    socket.wait_for_ack("env-after-refresh", WAIT).await;

    socket.drop_all();
    eventually("reconnected after a drop", WAIT, || async {
        (socket.connections() >= 6).then_some(())
    })
    .await;
    socket.wait_live(2, WAIT).await;
    socket.send(&slash_envelope(
        "env-after-drop",
        "declare sev2 After the drop",
        "6.socket",
        &slack,
    ));
    socket.wait_for_ack("env-after-drop", WAIT).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_socket_connection() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let (app, _db) = spawn_socket_mode(&slack, &socket).await;
    let ready = || async {
        reqwest::get(app.url("/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);
    // Slack refuses new connections for a while: no socket, not ready.
    for _ in 0..50 {
        slack.push_fault("apps.connections.open", Fault::ServerError(503));
    }
    socket.drop_all();
    eventually("not ready without a socket", WAIT, || async {
        (ready().await == 503).then_some(())
    })
    .await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200,
        "alive all the same"
    );
    // Slack lets it back in.
    slack.clear_faults("apps.connections.open");
    eventually("ready again", Duration::from_secs(40), || async {
        (ready().await == 200).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_in_socket_mode_handle_each_envelope_once() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let (first, db) = spawn_socket_mode(&slack, &socket).await;
    let mut config = config(&db, &slack.api_url(), TEST_CONFIG);
    config.slack_signing_secret = None;
    config.slack_app_token = Some(Secret::new("xapp-1-test-app-token"));
    let _second = TestApp::spawn_with_config(config).await;
    socket.wait_live(4, WAIT).await;
    // The same envelopes reach every connection of both replicas, as redeliveries would.
    socket.broadcast(&slash_envelope(
        "env-dup",
        "declare sev2 Delivered four times",
        "7.socket",
        &slack,
    ));
    let event = json!({
        "envelope_id": "env-dup-event", "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0,
        "payload": { "type": "event_callback", "event_id": "EvDup", "event": { "type": "app_mention", "ts": "1.000001", "channel": "C0DUP" } },
    });
    socket.broadcast(&event);
    eventually("every copy acknowledged", WAIT, || async {
        (socket
            .acks()
            .iter()
            .filter(|a| a["envelope_id"] == "env-dup" || a["envelope_id"] == "env-dup-event")
            .count()
            >= 8)
            .then_some(())
    })
    .await;
    drained(&first.pool).await;
    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&first.pool)
        .await
        .unwrap();
    assert_eq!(incidents, 1);
    assert_eq!(
        slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == "C0DUP")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_with_too_many_websockets_each_reconnect_waits_longer_than_the_last() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    socket.set_behaviour(Behaviour::DisconnectAfterHello("too_many_websockets"));
    let (_app, _db) = spawn_socket_mode_with(&slack, &socket, QUICK).await;
    let first = slack.wait_for_calls("apps.connections.open", 1, WAIT).await[0].received_at;
    let window = Duration::from_secs(3);
    tokio::time::sleep_until((first + window + Duration::from_millis(100)).into()).await;
    let opens: Vec<Duration> = slack
        .calls_to("apps.connections.open")
        .iter()
        .map(|c| c.received_at.duration_since(first))
        .filter(|at| *at <= window)
        .collect();
    // Each connection waits at least half its back-off (50 ms doubling, 800 ms at most) before
    // each attempt: within 3 s that is at most 11 attempts per connection, 22 for both (30 leaves
    // room for uneven latency). Reconnecting at once makes well over a thousand.
    assert!(
        opens.len() <= 30,
        "{} calls to apps.connections.open within {window:?}; the first: {:?}",
        opens.len(),
        &opens[..opens.len().min(30)]
    );
    assert!(opens.len() >= 6, "it kept trying: {opens:?}");
    // By the last second the waits have grown to at least 400 ms: three attempts per connection
    // in it at most (8 with room for latency), where a fixed 50 ms back-off would make forty.
    let last_second = opens
        .iter()
        .filter(|at| **at > window - Duration::from_secs(1))
        .count();
    assert!(
        last_second <= 8,
        "{last_second} attempts in the last second: {opens:?}"
    );

    // Slack takes the connections again: both come back, within the longest back-off.
    socket.set_behaviour(Behaviour::Normal);
    socket.wait_live(2, WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_socket_is_declared_dead_counted_down_for_readiness_and_replaced() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    let timings = SocketTimings {
        backoff_initial: Duration::from_millis(300),
        backoff_max: Duration::from_secs(2),
        ..QUICK
    };
    let (app, _db) = spawn_socket_mode_with(&slack, &socket, timings).await;
    socket.wait_live(2, WAIT).await;
    let ready = || async {
        reqwest::get(app.url("/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    eventually("ready with two connections", WAIT, || async {
        (ready().await == 200).then_some(())
    })
    .await;
    // Pings are answered on a healthy connection: it outlives its silence limit many times over.
    tokio::time::sleep(timings.silence * 3).await;
    assert_eq!(socket.connections(), 2, "healthy connections are kept");

    // The network drops both connections without a word, and every new one after its hello.
    socket.set_behaviour(Behaviour::Silent);
    eventually(
        "not ready once the silent connections are found dead",
        WAIT,
        || async { (ready().await == 503).then_some(()) },
    )
    .await;
    eventually(
        "new connections in place of the dead ones",
        WAIT,
        || async {
            (socket.connections() >= 4 && slack.calls_to("apps.connections.open").len() >= 4)
                .then_some(())
        },
    )
    .await;
    // The network heals: the next connection stays up and the replica is ready again.
    socket.set_behaviour(Behaviour::Normal);
    socket.wait_live(2, WAIT).await;
    eventually("ready again", WAIT, || async {
        (ready().await == 200).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_that_never_completes_is_given_up_after_the_connect_timeout() {
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    socket.set_behaviour(Behaviour::HangHandshake);
    let started = Instant::now();
    let (_app, _db) = spawn_socket_mode_with(&slack, &socket, QUICK).await;
    eventually("fresh attempts after the handshakes hung", WAIT, || async {
        (socket.accepted() >= 4).then_some(())
    })
    .await;
    assert!(
        started.elapsed() >= QUICK.connect_timeout,
        "no attempt is abandoned before its timeout"
    );
    socket.set_behaviour(Behaviour::Normal);
    socket.wait_live(2, WAIT).await;
}
