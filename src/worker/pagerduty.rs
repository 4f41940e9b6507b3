//! Paging on-call through PagerDuty's Events API v2: one event per page row, rendered from the
//! incident as it is when sent, with the incident ID as the `dedup_key`, so a retried or repeated
//! event changes nothing at PagerDuty. What PagerDuty accepted goes on the incident's timeline;
//! a trigger is announced in the thread, and a page PagerDuty never took is announced in the
//! channel, so people page by hand.
//!
//! The request follows <https://developer.pagerduty.com/docs/events-api-v2/trigger-events/>
//! (and the acknowledge and resolve events on the same API): `202 Accepted` is success, `400` a
//! malformed event or bad routing key (never retried), `429` too many events (retried later),
//! `5xx` a PagerDuty failure (retried).

use super::deliver::{Outcome, incident_of};
use crate::{
    delivery::{Delivery, Post},
    incident::{
        Event, Incident,
        event::{Page, PageAction, PageFailure},
    },
    outward::{self, truncate},
    state::AppState,
    store::{self, outbox::NewOutbox, outbox::OutboxRow},
};
use serde_json::{Value, json};
use std::time::Duration;

/// The name the timeline and the thread give the service.
const SERVICE: &str = "PagerDuty";

/// Sends the page of `row` and records what PagerDuty accepted.
pub(super) async fn page(state: &AppState, row: &OutboxRow, action: PageAction) -> Outcome {
    let Some(routing_key) = &state.config.pagerduty_routing_key else {
        return Outcome::Dropped("paging is off: PAGERDUTY_ROUTING_KEY is not set");
    };
    let incident = match incident_of(state, row).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return Outcome::Dropped("a page that names no incident"),
        Err(outcome) => return outcome,
    };
    // Trigger, acknowledge and resolve reach PagerDuty in the order they happened.
    let id = incident.id.as_str();
    match store::outbox::earlier_pending(&state.worker_pool, row.id, id, "page").await {
        Ok(false) => {}
        Ok(true) => return Outcome::HeldBack(Duration::from_secs(1)),
        Err(e) => return Outcome::Internal(e.into()),
    }
    let settings = &state.config.process.pagerduty;
    let body = event_body(
        &incident,
        action,
        routing_key.expose(),
        settings.restricted_details,
    );
    let call = outward::Call {
        service: SERVICE,
        timeout: state.config.process.integrations_timeout,
    };
    let sent = outward::post_json(call, &settings.events_url, &[], body.to_string()).await;
    if let Err(failure) = sent {
        return Outcome::Failed(failure);
    }
    let event = Event::Paged(Page {
        service: SERVICE.to_owned(),
        action,
        dedup_key: incident.id.to_string(),
    });
    let now = state.clock.now();
    let mut rows = crate::webhooks::rows(&state.config, &incident, &event, "warroom", now);
    if action == PageAction::Trigger {
        rows.push(announce(&incident, &event, |post| Delivery::ThreadReply {
            post,
        }));
    }
    match store::paging::record_page(&state.worker_pool, incident.id.as_str(), now, &event, &rows)
        .await
    {
        Ok(()) => Outcome::Delivered { ts: None },
        Err(e) => Outcome::Internal(e.into()),
    }
}

/// A page PagerDuty never took: on the timeline, and shown in the channel too.
pub(super) async fn page_failed(state: &AppState, row: &OutboxRow, why: &str) {
    let Ok(Delivery::Page { action }) = serde_json::from_value::<Delivery>(row.payload.clone())
    else {
        return;
    };
    let Ok(Some(incident)) = incident_of(state, row).await else {
        return;
    };
    let event = Event::PageFailed(PageFailure {
        service: SERVICE.to_owned(),
        action,
        reason: why.to_owned(),
    });
    let now = state.clock.now();
    let mut rows = crate::webhooks::rows(&state.config, &incident, &event, "warroom", now);
    rows.push(announce(&incident, &event, |post| Delivery::Broadcast {
        post,
    }));
    let recorded =
        store::paging::record_page(&state.worker_pool, incident.id.as_str(), now, &event, &rows);
    if let Err(e) = recorded.await {
        tracing::error!(error = %e, "could not record a page PagerDuty never took");
    }
}

fn announce(incident: &Incident, event: &Event, how: impl FnOnce(Post) -> Delivery) -> NewOutbox {
    let post = Post::Event {
        event: event.clone(),
        actor: "warroom".to_owned(),
    };
    NewOutbox::about(
        &incident.channel_id,
        incident.severity.rank().index(),
        how(post),
    )
}

/// The Events API v2 body for `action`. A trigger describes the incident (a restricted one only
/// by its ID and severity unless `restricted_details`); acknowledge and resolve need only the
/// dedup key.
fn event_body(
    incident: &Incident,
    action: PageAction,
    routing_key: &str,
    restricted_details: bool,
) -> Value {
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": action.label(),
        "dedup_key": incident.id.to_string(),
    });
    if action != PageAction::Trigger {
        return body;
    }
    let severity = incident.severity.name().as_str();
    let described = !incident.restricted || restricted_details;
    let summary = if described {
        format!("[{severity}] {} ({})", incident.title.as_str(), incident.id)
    } else {
        format!(
            "Restricted {severity} incident {}: details in its restricted Slack channel",
            incident.id
        )
    };
    let mut details = json!({
        "incident": incident.id.to_string(),
        "severity": severity,
        "status": incident.status.as_str(),
        "declared_by": incident.declared_by,
        "declared_at": incident.declared_at.to_rfc3339(),
    });
    if described {
        details["title"] = json!(incident.title.as_str());
        if let Some(impact) = &incident.impact {
            details["impact"] = json!(impact);
        }
        if let Some(kind) = &incident.incident_type {
            details["type"] = json!(kind);
        }
    }
    body["payload"] = json!({
        "summary": truncate(&summary, 1024),
        "source": "warroom",
        "severity": pagerduty_severity(incident.severity.rank().index()),
        "timestamp": incident.declared_at.to_rfc3339(),
        "class": if described { incident.incident_type.as_deref() } else { None },
        "custom_details": details,
    });
    body["client"] = json!("warroom");
    body["links"] = json!([{
        "href": format!("https://slack.com/app_redirect?channel={}", incident.channel_id),
        "text": "The incident's channel in Slack",
    }]);
    body
}

/// SEV-1 critical, SEV-2 error, SEV-3 warning, anything less severe info.
fn pagerduty_severity(rank: usize) -> &'static str {
    match rank {
        0 => "critical",
        1 => "error",
        2 => "warning",
        _ => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_pagerdutys_four() {
        let mapped: Vec<&str> = (0..5).map(pagerduty_severity).collect();
        assert_eq!(mapped, ["critical", "error", "warning", "info", "info"]);
    }
}
