//! What warroom sends to Slack's Web API and response URLs, and how it counts what Slack accepted.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// A counter's value in `/metrics`' Prometheus text; panics when the counter is not there.
fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} is not in /metrics:\n{metrics}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_slack_accepted_is_counted_in_slack_calls_ok() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (_, card_ts) = declared(&app, &slack, "declare sev2 Counted calls").await;
    let messages = slack.messages();
    assert!(
        messages
            .iter()
            .any(|m| m.ts == card_ts && m.thread_ts.is_none())
            && messages
                .iter()
                .any(|m| m.thread_ts.as_deref() == Some(card_ts.as_str())),
        "the card and its thread reply were posted: {messages:?}"
    );

    // No faults were injected, so every call the fake answered with 200 succeeded.
    let accepted = slack.calls().iter().filter(|c| c.status == 200).count() as u64;
    assert!(accepted >= 2, "the card and the thread reply at least");
    // The fake records a call just before warroom reads the answer, so the count may trail.
    let counted = eventually("slack_calls_ok to catch up", WAIT, || async {
        let counted = counter(&app.metrics().await, "warroom_slack_calls_ok_total");
        (counted >= accepted).then_some(counted)
    })
    .await;
    assert!(
        counted >= accepted,
        "{counted} counted, {accepted} accepted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_web_api_call_carries_one_content_type() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    // A declaration posts the card and its thread reply; one without a title opens the form.
    // Neither makes a GET, the only kind of call that carries no body and no Content-Type.
    app.slash(&slack, "declare sev2 One content type").await;
    app.slash(&slack, "declare").await;
    slack.wait_for_calls("views.open", 1, WAIT).await;
    drained(&app.pool).await;

    let calls = slack.calls();
    for call in &calls {
        assert_eq!(
            call.content_types, 1,
            "{} carried {} Content-Type headers",
            call.method, call.content_types
        );
        assert_eq!(call.status, 200, "{} was refused", call.method);
    }
    let web_api: Vec<_> = calls
        .iter()
        .filter(|c| c.method != "response_url")
        .collect();
    assert!(
        web_api.len() >= 3,
        "the card, its reply and the form: {web_api:?}"
    );
    for call in web_api {
        assert_eq!(
            call.content_type.as_deref(),
            Some("application/json; charset=utf-8"),
            "{}",
            call.method
        );
    }
}
