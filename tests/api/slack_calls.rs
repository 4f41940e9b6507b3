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
