//! Signed webhooks (Standard Webhooks), end to end: signed Slack requests in, signed JSON bodies
//! at a fake receiver out — each checked against `docs/webhooks.schema.json` and its signature
//! verified here from the secret — with retries, a refusal told in the thread, restricted
//! incidents only to restricted webhooks, and `warroom webhook test`.

use crate::fake_receiver::{FakeReceiver, Received};
use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
/// A Standard Webhooks secret: `whsec_` and the base64 of the key.
const AUDIT_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STATUS_SECRET: &str = "a-plain-secret-of-thirty-two-chars";
const SECURE: &str = "G0SECURE";

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/webhooks.schema.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Checks the request's Standard Webhooks signature with `secret`, and its body against the
/// schema; its `webhook-id`.
fn verified(request: &Received, secret: &str) -> String {
    let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
        None => secret.as_bytes().to_vec(),
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", request.raw).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(header("webhook-signature"), format!("v1,{expected}"));
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..120).contains(&age), "a fresh timestamp: {age} s old");
    let schema = schema();
    let errors: Vec<String> = schema
        .iter_errors(&request.body)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{}", request.body);
    id
}

fn toml(audit: &FakeReceiver, status: &FakeReceiver, extra: &str) -> String {
    format!(
        r#"{TEST_CONFIG}
{extra}
[[webhook]]
name = "audit"
url = "{}"
secret = "AUDIT_WEBHOOK_SECRET"
restricted = true
[[webhook]]
name = "status"
url = "{}"
secret = "STATUS_WEBHOOK_SECRET"
events = ["incident.declared", "incident.resolved"]
"#,
        audit.url(),
        status.url()
    )
}

async fn spawn(slack: &FakeSlack, toml: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let secrets = [
        ("AUDIT_WEBHOOK_SECRET", AUDIT_SECRET),
        ("STATUS_WEBHOOK_SECRET", STATUS_SECRET),
    ];
    let config = config_with(&db, &slack.api_url(), toml, &secrets);
    (TestApp::spawn_with_config(config).await, db)
}

fn types(bodies: &[Value]) -> Vec<String> {
    bodies
        .iter()
        .map(|b| b["type"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_event_reaches_the_webhooks_that_want_it_signed_and_as_the_schema_says() {
    let slack = FakeSlack::start().await;
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    let (app, _db) = spawn(&slack, &toml(&audit, &status, "")).await;

    let (id, card) = declared(&app, &slack, "declare sev2 Card payments declined").await;
    app.acknowledge(&slack, &card, &id, DECLARER).await;
    app.resolve(&slack, &card, &id, DECLARER).await;
    eventually("the resolution at both webhooks", WAIT, || async {
        let both = [&audit, &status]
            .iter()
            .all(|r| types(&r.bodies()).contains(&"incident.resolved".to_owned()));
        both.then_some(())
    })
    .await;
    drained(&app.pool).await;

    let at_audit = types(&audit.bodies());
    let position = |kind: &str| at_audit.iter().position(|t| t == kind).unwrap();
    assert!(position("incident.declared") < position("incident.acknowledged"));
    assert!(position("incident.acknowledged") < position("incident.resolved"));
    assert_eq!(
        types(&status.bodies()),
        ["incident.declared", "incident.resolved"]
    );

    let mut ids = Vec::new();
    for request in audit.received() {
        ids.push(verified(&request, AUDIT_SECRET));
    }
    for request in status.received() {
        ids.push(verified(&request, STATUS_SECRET));
    }
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "one webhook-id per message");

    let declared = &status.bodies()[0];
    assert_eq!(declared["incident"]["id"], id.as_str());
    assert_eq!(declared["incident"]["severity"], "SEV-2");
    assert_eq!(declared["incident"]["title"], "Card payments declined");
    assert_eq!(declared["actor"], DECLARER);
    assert_eq!(declared["drill"], false);
    assert_eq!(declared["data"]["title"], "Card payments declined");
    let resolved = &status.bodies()[1];
    assert_eq!(resolved["data"]["summary"], "Rolled back the release");
    assert_eq!(resolved["incident"]["status"], "resolved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_incidents_reach_only_restricted_webhooks_and_drills_say_so() {
    let slack = FakeSlack::start().await;
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    let restricted = format!("[restricted]\nchannel = \"{SECURE}\"");
    let (app, _db) = spawn(&slack, &toml(&audit, &status, &restricted)).await;

    let ack = app
        .slash(
            &slack,
            "declare restricted sev1 Tenant data ZEBRA-4410 crossed",
        )
        .await;
    let secret = ack["text"].as_str().unwrap().split('*').nth(1).unwrap();
    let secret = secret.trim_end_matches('…').to_owned();
    let (drill, _) = declared(&app, &slack, "drill sev2 Ledger mismatch").await;
    eventually("the drill at both webhooks", WAIT, || async {
        let both = [&audit, &status].iter().all(|r| {
            r.bodies()
                .iter()
                .any(|b| b["incident"]["id"] == drill.as_str())
        });
        both.then_some(())
    })
    .await;
    drained(&app.pool).await;

    let restricted_at_audit: Vec<Value> = audit
        .bodies()
        .into_iter()
        .filter(|b| b["incident"]["id"] == secret.as_str())
        .collect();
    assert_eq!(restricted_at_audit[0]["incident"]["restricted"], true);
    assert_eq!(restricted_at_audit[0]["incident"]["channel"], SECURE);
    let at_status = status.received();
    assert!(
        at_status
            .iter()
            .all(|r| !r.raw.contains("ZEBRA-4410") && r.body["incident"]["id"] != secret.as_str()),
        "a restricted incident reached a webhook not marked restricted"
    );
    for body in [&audit.bodies(), &status.bodies()] {
        let of_drill = body
            .iter()
            .find(|b| b["incident"]["id"] == drill.as_str())
            .unwrap();
        assert_eq!(of_drill["drill"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_retried_under_one_id_and_one_refused_for_good_is_told_in_the_thread() {
    let slack = FakeSlack::start().await;
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    let (app, _db) = spawn(&slack, &toml(&audit, &status, "")).await;
    status.script(vec![
        (503, None, json!({ "message": "down for maintenance" })),
        (429, Some(1), Value::Null),
    ]);
    let (id, card) = declared(&app, &slack, "declare sev3 Exports slow").await;
    let tries = status.wait_for(3, WAIT).await;
    assert_eq!(types(&tries), ["incident.declared"; 3]);
    let ids: Vec<String> = status
        .received()
        .iter()
        .map(|r| verified(r, STATUS_SECRET))
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");

    // Refused for good (a 410): not sent again, and the thread hears of it.
    status.script(vec![(410, None, json!({ "message": "endpoint removed" }))]);
    let summary = [("summary", "text", "Rolled back the release")];
    app.fill_form(
        &slack,
        &card,
        &id,
        "incident_status",
        Some("resolved"),
        DECLARER,
        &summary,
    )
    .await;
    eventually("the thread to hear of the lost webhook", WAIT, || async {
        replies(&slack, &card)
            .into_iter()
            .find(|r| r.contains("Webhook `status` could not be sent `incident.resolved`"))
    })
    .await;
    drained(&app.pool).await;
    assert_eq!(status.received().len(), 4);
    let failed: String = sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE kind = 'webhook' AND state = 'failed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        failed.contains("HTTP 410") && failed.contains("endpoint removed"),
        "{failed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_does_not_answer_in_time_is_sent_again_under_the_same_id() {
    let slack = FakeSlack::start().await;
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    let timeout = "[integrations]\ntimeout = \"300ms\"";
    let (app, _db) = spawn(&slack, &toml(&audit, &status, timeout)).await;
    status.stall(Duration::from_secs(2));
    declared(&app, &slack, "declare sev3 Exports slow").await;
    status.wait_for(2, WAIT).await;
    drained(&app.pool).await;
    let received = status.received();
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(types(&status.bodies()), ["incident.declared"; 2]);
    let ids: Vec<String> = received
        .iter()
        .map(|r| verified(r, STATUS_SECRET))
        .collect();
    assert_eq!(
        ids[0], ids[1],
        "a retry keeps its webhook-id, so receivers drop the copy"
    );
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'failed'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_keeps_failing_is_given_up_after_its_attempts_and_told_in_the_thread() {
    let slack = FakeSlack::start().await;
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    // Short back-offs, so forty attempts take seconds.
    let config =
        toml(&audit, &status, "").replace("max_backoff = \"1s\"", "max_backoff = \"10ms\"");
    let (app, _db) = spawn(&slack, &config).await;
    status.script(vec![(503, None, json!({ "message": "down" })); 40]);
    let (_, card) = declared(&app, &slack, "declare sev3 Exports slow").await;
    eventually(
        "the thread to hear of the lost webhook",
        Duration::from_secs(60),
        || async {
            replies(&slack, &card)
                .into_iter()
                .find(|r| r.contains("Webhook `status` could not be sent `incident.declared`"))
        },
    )
    .await;
    drained(&app.pool).await;
    assert_eq!(status.received().len(), 40, "not sent again once given up");
    let (attempts, error): (i32, String) = sqlx::query_as(
        "SELECT attempts, last_error FROM outbox WHERE kind = 'webhook' AND state = 'failed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(attempts, 40);
    assert!(
        error.contains("gave up after 40 attempts") && error.contains("HTTP 503"),
        "{error}"
    );
}

/// `warroom webhook test NAME` with the config file at `path` and only the audit webhook's
/// secret set: its exit code, standard output and standard error.
fn webhook_test(path: std::path::PathBuf, name: &'static str) -> (Option<i32>, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["webhook", "test", name])
        .env("WARROOM_CONFIG", &path)
        .env("AUDIT_WEBHOOK_SECRET", AUDIT_SECRET)
        .env_remove("STATUS_WEBHOOK_SECRET")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warroom_webhook_test_sends_a_signed_ping_and_prints_the_answer() {
    let (audit, status) = (FakeReceiver::webhook().await, FakeReceiver::webhook().await);
    let name = format!("warroom-webhook-test-{}.toml", std::process::id());
    let path = std::env::temp_dir().join(name);
    std::fs::write(&path, toml(&audit, &status, "")).unwrap();
    let run = |name: &'static str| {
        tokio::task::spawn_blocking({
            let path = path.clone();
            move || webhook_test(path, name)
        })
    };

    let (code, out, _) = run("audit").await.unwrap();
    assert_eq!(code, Some(0));
    assert!(
        out.contains("webhook `audit`") && out.contains("answered HTTP 204"),
        "{out}"
    );
    let ping = &audit.received()[0];
    verified(ping, AUDIT_SECRET);
    assert_eq!(ping.body["type"], "webhook.test");
    assert_eq!(ping.body["webhook"], "audit");

    // A webhook whose secret variable is not set, and one that is not configured: said in words.
    let (code, _, err) = run("status").await.unwrap();
    assert_ne!(code, Some(0));
    assert!(err.contains("STATUS_WEBHOOK_SECRET"), "{err}");
    let (code, _, err) = run("pager").await.unwrap();
    assert_ne!(code, Some(0));
    assert!(
        err.contains("no webhook `pager`") && err.contains("audit, status"),
        "{err}"
    );
    assert!(status.received().is_empty());
    let _ = std::fs::remove_file(&path);
}
