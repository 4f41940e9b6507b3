//! One delivery attempt, and what is recorded of it: delivered, retried later (after Slack's
//! `Retry-After`, or a jittered back-off), or given up on with the humans told.

use super::{
    capture, channel,
    deliver::{self, Outcome},
    home, legacy, pagerduty, public, record, statuspage, upload, webhook,
};
use crate::{
    delivery::{Delivery, lanes},
    metrics::Metrics,
    slack::outbound::SlackFailure,
    state::AppState,
    store::outbox::{self as queue, OutboxRow},
};
use rand::Rng;
use std::time::Duration;

#[tracing::instrument(skip_all, fields(outbox.id = row.id, outbox.kind = %row.kind, outbox.attempt = row.attempts, incident.id = row.incident_id.as_deref().unwrap_or("-")))]
/// Delivers `row` and records the outcome; whether that may have made another row of its incident
/// due (the thread reply waiting for its card, the post after a failed one).
pub(super) async fn deliver_one(state: &AppState, row: OutboxRow) -> bool {
    let metrics = &state.metrics;
    // Rows queued by an earlier version carry a ready-made Slack call instead of a delivery.
    let outcome = match serde_json::from_value::<Delivery>(row.payload.clone()) {
        Ok(Delivery::ThreadFile { file, requested_by }) => {
            upload::thread_file(state, &row, file, &requested_by).await
        }
        Ok(Delivery::ChannelPost {
            channel,
            thread_ts,
            post,
        }) => channel::channel_post(state, &row, &channel, thread_ts.as_deref(), &post)
            .await
            .unwrap_or_else(|outcome| outcome),
        Ok(Delivery::ClientSummary {
            channel, summary, ..
        }) => public::client_summary(state, &row, &channel, &summary).await,
        Ok(Delivery::Page { action }) => pagerduty::page(state, &row, action).await,
        Ok(Delivery::StatusPage { summary }) => statuspage::publish(state, &row, &summary).await,
        Ok(Delivery::PublishHome { user }) => home::publish(state, &user).await,
        Ok(Delivery::Capture {
            channel,
            ts,
            by,
            added,
        }) => capture::capture(state, &channel, &ts, &by, added).await,
        Ok(Delivery::Webhook {
            webhook: name,
            event,
            actor,
            at,
        }) => webhook::send(state, &row, &name, (&event, &actor, at)).await,
        Ok(delivery) => deliver::deliver(state, &row, delivery).await,
        Err(_) => legacy::deliver(state, &row).await,
    };
    let recorded = match outcome {
        Outcome::Delivered { ts } => {
            Metrics::inc(&metrics.outbox_delivered);
            record::record_delivered(state, &row, ts.as_deref(), None).await
        }
        Outcome::CardShown { ts, rendered } => {
            Metrics::inc(&metrics.outbox_delivered);
            record::record_delivered(state, &row, Some(&ts), Some(rendered)).await
        }
        Outcome::Failed(SlackFailure::RateLimited(wait)) => {
            Metrics::inc(&metrics.slack_rate_limited);
            let key = match (&row.pace_key, row.method.as_str()) {
                // Posts (of this version or an earlier one) pause their channel.
                (Some(channel), lanes::POST | "chat.postMessage") => channel.clone(),
                (_, method) => format!("method:{method}"),
            };
            tracing::info!(retry_after = ?wait, "Slack asked warroom to slow down");
            let paused = queue::pause_pace_key(&state.worker_pool, &key, wait).await;
            let retry = queue::mark_retry(
                &state.worker_pool,
                row.id,
                row.attempts,
                wait,
                "rate limited",
                false,
            )
            .await;
            paused.and(retry).map(|()| false)
        }
        Outcome::Failed(SlackFailure::Transient { reason, .. })
            if row.attempts >= attempt_cap(&row) =>
        {
            Metrics::inc(&metrics.slack_transient_failures);
            Metrics::inc(&metrics.outbox_failed);
            let why = format!("gave up after {} attempts: {reason}", row.attempts);
            tracing::error!(reason = %reason, attempts = row.attempts, "a Slack delivery kept failing; giving up on it so the incident's queue moves on");
            let failed = record::record_failed(state, &row, &why).await;
            record::report_undelivered(state, &row, &why).await;
            failed.map(|()| true)
        }
        Outcome::Failed(SlackFailure::Transient { reason, ambiguous }) => {
            Metrics::inc(&metrics.slack_transient_failures);
            let wait = backoff(row.attempts, state.config.process.outbox_max_backoff);
            tracing::warn!(reason = %reason, ambiguous, retry_in = ?wait, "Slack call failed; will retry");
            queue::mark_retry(
                &state.worker_pool,
                row.id,
                row.attempts,
                wait,
                &reason,
                ambiguous,
            )
            .await
            .map(|()| false)
        }
        Outcome::Failed(SlackFailure::Permanent(code)) => {
            Metrics::inc(&metrics.slack_permanent_failures);
            Metrics::inc(&metrics.outbox_failed);
            tracing::error!(slack.error = %code, "Slack refused the call for good; not retrying");
            let failed = record::record_failed(state, &row, &code).await;
            record::report_undelivered(state, &row, &code).await;
            failed.map(|()| true)
        }
        Outcome::HeldBack(wait) => {
            tracing::info!(retry_in = ?wait, "a post that waited too long to be sent gives its channel's turn back");
            queue::mark_retry(
                &state.worker_pool,
                row.id,
                row.attempts,
                wait,
                "waited for its channel's turn",
                false,
            )
            .await
            .map(|()| false)
        }
        Outcome::Superseded => {
            tracing::info!("reminder no longer due; not sent");
            record::record_superseded(state, &row).await.map(|()| true)
        }
        Outcome::Dropped(reason) => {
            Metrics::inc(&metrics.outbox_failed);
            tracing::warn!(reason, "outbox row cannot be delivered");
            record::record_failed(state, &row, reason)
                .await
                .map(|()| true)
        }
        Outcome::ClaimLost => {
            Metrics::inc(&metrics.outbox_claims_lost);
            tracing::warn!(
                "another replica took this row over while it was being delivered; leaving it to them"
            );
            Ok(false)
        }
        Outcome::Internal(e) => {
            // The lease runs out and the row is retried (as ambiguous, so nothing is posted twice).
            tracing::error!(error = %e, "could not deliver an outbox row");
            Ok(false)
        }
    };
    recorded.unwrap_or_else(|e| {
        tracing::error!(error = %e, "could not record a delivery outcome; the row will be retried when its lease runs out");
        false
    })
}

/// Attempts after which an answer to one person that keeps failing is given up on: a
/// `response_url` is good for thirty minutes, and a stale answer helps nobody.
const ANSWER_ATTEMPTS: i32 = 8;
/// Attempts after which a post, a card edit, a page or a webhook that keeps failing is given up on (about
/// twenty minutes at the default back-off cap), so the incident's later posts are not held
/// forever.
const POST_ATTEMPTS: i32 = 40;

fn attempt_cap(row: &OutboxRow) -> i32 {
    match row.method.as_str() {
        lanes::POST
        | lanes::UPDATE
        | lanes::PAGE
        | lanes::WEBHOOK
        | lanes::STATUS_PAGE
        | "chat.postMessage"
        | "chat.update" => POST_ATTEMPTS,
        _ => ANSWER_ATTEMPTS,
    }
}

/// Exponential back-off from one second, capped, with full jitter so replicas do not retry in
/// lock-step.
fn backoff(attempt: i32, cap: Duration) -> Duration {
    let exp = Duration::from_secs(1u64 << attempt.clamp(1, 16).saturating_sub(1) as u32).min(cap);
    let jitter = rand::rng().random_range(0.5..=1.0);
    exp.mul_f64(jitter).max(Duration::from_millis(200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_its_cap() {
        let cap = Duration::from_secs(30);
        assert!(backoff(1, cap) <= Duration::from_secs(1));
        assert!(
            backoff(3, cap) >= Duration::from_secs(2) && backoff(3, cap) <= Duration::from_secs(4)
        );
        for attempt in 1..100 {
            assert!(backoff(attempt, cap) <= cap);
        }
    }
}
