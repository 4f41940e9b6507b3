//! The public routes cost little: readiness checks the database at most about once a second
//! however often it is asked, a client that sends its headers or its body too slowly is cut off,
//! and `/healthz`, `/readyz` and `/metrics` can be served on a second, private address too.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short read timeouts, so a slow client is cut off within a test's patience.
fn quick_timeouts() -> String {
    format!("{TEST_CONFIG}\n[http]\nheader_timeout = \"300ms\"\nbody_timeout = \"300ms\"\n")
}

fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} is not in /metrics:\n{metrics}"))
}

/// Whether the server has closed `tcp`, waiting up to `wait` for it to say so.
async fn closed(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    matches!(
        tokio::time::timeout(wait, tcp.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_checks_the_database_at_most_about_once_a_second_however_often_it_is_asked() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let before = counter(&app.metrics().await, "warroom_readiness_probes_total");
    let started = Instant::now();
    let client = reqwest::Client::new();
    let mut hits = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url) = (client.clone(), app.url("/readyz"));
        hits.spawn(async move {
            for _ in 0..40 {
                let status = client.get(&url).send().await.unwrap().status();
                assert_eq!(status, 200);
            }
        });
    }
    while let Some(done) = hits.join_next().await {
        done.unwrap();
    }
    let elapsed = started.elapsed();
    let probes = counter(&app.metrics().await, "warroom_readiness_probes_total") - before;
    // 320 hits; one probe per second at most (plus the one a hit may start at each end).
    assert!(probes >= 1, "readiness did check the database");
    assert!(
        probes <= elapsed.as_secs() + 2,
        "{probes} database checks for 320 hits in {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_its_headers_byte_by_byte_is_cut_off_after_the_header_timeout() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, &slack, &quick_timeouts()).await;
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "POST /slack/commands HTTP/1.1\r\nHost: warroom\r\nX-Padding: {}\r\n",
        "a".repeat(500)
    );
    let started = Instant::now();
    let mut sent = 0;
    let mut cut_off = false;
    for byte in request.bytes() {
        if tcp.write_all(&[byte]).await.is_err()
            || closed(&mut tcp, Duration::from_millis(50)).await
        {
            cut_off = true;
            break;
        }
        sent += 1;
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    assert!(
        cut_off,
        "still connected after {sent} header bytes over {:?}",
        started.elapsed()
    );
    assert!(sent > 0, "the connection was accepted first");
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200, "a prompt client is still served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_in_is_cut_off_after_the_body_timeout() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, &slack, &quick_timeouts()).await;
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    // Fresh, well-formed signature headers, so the request gets as far as reading its body.
    let now = chrono::Utc::now().timestamp();
    let head = format!(
        "POST /slack/commands HTTP/1.1\r\nHost: warroom\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: {now}\r\nX-Slack-Signature: v0={}\r\nContent-Length: 1000\r\n\r\n",
        "0".repeat(64)
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // One byte of the promised thousand every 50 ms, until warroom answers or hangs up.
    while started.elapsed() < Duration::from_secs(10) {
        if tcp.write_all(b"a").await.is_err() {
            break;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(50), tcp.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {:?}: {answer:?}",
        started.elapsed()
    );
    assert!(
        closed(&mut tcp, Duration::from_secs(5)).await,
        "the connection is closed after the 408"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_listener_serves_health_readiness_and_metrics_and_nothing_else() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let mut config = config(&db, &slack.api_url(), TEST_CONFIG);
    config.admin_listen = Some("127.0.0.1:0".parse().unwrap());
    let app = TestApp::spawn_with_config(config).await;
    let admin = app.admin_addr.expect("an admin listener");
    assert_ne!(admin, app.addr);
    let get = |path: &str| reqwest::get(format!("http://{admin}{path}"));
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("warroom_requests_accepted_total"),
        "{metrics}"
    );
    let slack_route = reqwest::Client::new()
        .post(format!("http://{admin}/slack/commands"))
        .body("text=hi")
        .send()
        .await
        .unwrap();
    assert_eq!(
        slack_route.status(),
        404,
        "Slack's routes are not on the admin address"
    );
    // The three routes stay where they were, too.
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            reqwest::get(app.url(path)).await.unwrap().status(),
            200,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_fresh_signature_is_refused_before_its_body_is_read() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let stale = (chrono::Utc::now().timestamp() - 3600).to_string();
    let cases = [
        ("no signature headers", String::new()),
        (
            "a stale timestamp",
            format!(
                "X-Slack-Request-Timestamp: {stale}\r\nX-Slack-Signature: v0={}\r\n",
                "0".repeat(64)
            ),
        ),
    ];
    for (what, headers) in cases {
        let mut tcp = TcpStream::connect(app.addr).await.unwrap();
        // A large body is promised and never sent: reading it would hold the connection until
        // the body timeout (10 s by default).
        let head = format!(
            "POST /slack/commands HTTP/1.1\r\nHost: warroom\r\nContent-Type: application/x-www-form-urlencoded\r\n{headers}Content-Length: 200000\r\n\r\ntoken=x"
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer while the body was still owed"))
            .unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 401"), "{what}: {answer:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_warroom_does_not_serve_is_not_found_rather_than_unauthorised() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let client = reqwest::Client::new();
    for path in ["/nonexistent", "/favicon.ico", "/slack/unknown"] {
        let got = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(got.status(), 404, "GET {path}");
        let posted = client.post(app.url(path)).body("x").send().await.unwrap();
        assert_eq!(posted.status(), 404, "POST {path}");
    }
    // Slack's routes still refuse what is not signed.
    let unsigned = client
        .post(app.url("/slack/commands"))
        .body("text=hi")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
}

/// Standard output carries only what a command prints (`warroom sandbox`'s one URL, a report);
/// the logs go to standard error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_go_to_standard_error_leaving_standard_output_to_what_a_command_prints() {
    let db = TestDb::fresh();
    let url = db.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
            .arg("migrate")
            .env("DATABASE_URL", url)
            .env("SLACK_BOT_TOKEN", BOT_TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("WARROOM_INCIDENT_CHANNEL", INCIDENT_CHANNEL)
            .env("RUST_LOG", "info")
            .env_remove("WARROOM_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(out.is_empty(), "standard output: {out}");
    assert!(err.contains("migrations are up to date"), "{err}");
    drop(db);
}
