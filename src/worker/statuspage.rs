//! Publishing an approved client-safe summary for the status page to Atlassian Statuspage
//! (<https://developer.statuspage.io/#operation/postPagesPageIdIncidents> and
//! `patchPagesPageIdIncidentsIncidentId`): the first creates the page's incident — named with the
//! approved public title, in the approved public status, with the approved text as its update,
//! marking the components the incident type affects — and later ones update that incident. Only
//! approved words are sent: never the internal title, never a status change by itself.

use super::deliver::{Outcome, incident_of};
use crate::{
    delivery::{Delivery, Post},
    incident::{Incident, summaries::PublicSummary},
    outward,
    state::AppState,
    store::{self, outbox::OutboxRow},
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::Duration;

const SERVICE: &str = "Statuspage";

/// Publishes `summary` for the incident of `row`.
pub(super) async fn publish(state: &AppState, row: &OutboxRow, summary: &PublicSummary) -> Outcome {
    let (Some(page), Some(key)) = (
        &state.config.process.statuspage,
        &state.config.statuspage_api_key,
    ) else {
        return Outcome::Dropped("no status page is configured");
    };
    let incident = match incident_of(state, row).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return Outcome::Dropped("a status-page update that names no incident"),
        Err(outcome) => return outcome,
    };
    let pool = &state.worker_pool;
    let id = incident.id.as_str();
    // Created before updated: the incident's summaries reach the page in the order approved.
    match store::outbox::earlier_pending(pool, row.id, id, "status_page").await {
        Ok(false) => {}
        Ok(true) => return Outcome::HeldBack(Duration::from_secs(1)),
        Err(e) => return Outcome::Internal(e.into()),
    }
    let mut existing = match store::statuspage::find_statuspage_incident(pool, id).await {
        Ok(existing) => existing,
        Err(e) => return Outcome::Internal(e.into()),
    };
    let call = outward::Call {
        service: SERVICE,
        timeout: state.config.process.integrations_timeout,
    };
    let headers = [("authorization", format!("OAuth {}", key.expose()))];
    let base = format!("{}/pages/{}/incidents", page.api_url, page.page_id);
    if existing.is_none() && row.ambiguous {
        // An earlier attempt may have created the page's incident before its answer was lost:
        // found, it is updated rather than created twice.
        let url = reqwest::Url::parse_with_params(&base, [("q", summary.title.as_str())]);
        let Ok(url) = url else {
            return Outcome::Dropped("the status page's API URL is not a URL");
        };
        let listed = outward::send_json(call, reqwest::Method::GET, url.as_str(), &headers, None);
        let found = match listed.await {
            Ok(answer) => created_earlier(&answer.body, &summary.title, row.created_at),
            Err(failure) => return Outcome::Failed(failure),
        };
        if let Some(found) = found {
            if let Err(e) = store::statuspage::set_statuspage_incident(pool, id, &found).await {
                return Outcome::Internal(e.into());
            }
            existing = Some(found);
        }
    }
    let components = components(&incident, &page.components);
    let body = json!({ "incident": incident_body(summary, &components, existing.is_none()) });
    let (method, url) = match &existing {
        Some(existing) => (reqwest::Method::PATCH, format!("{base}/{existing}")),
        None => (reqwest::Method::POST, base),
    };
    let answer = outward::send_json(call, method, &url, &headers, body.to_string()).await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(failure) => return Outcome::Failed(failure),
    };
    if existing.is_none() {
        let created = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned));
        let Some(created) = created else {
            return Outcome::Dropped("Statuspage created an incident but did not say its ID");
        };
        if let Err(e) = store::statuspage::set_statuspage_incident(pool, id, &created).await {
            return Outcome::Internal(e.into());
        }
    }
    Outcome::Delivered { ts: None }
}

/// Among the page's incidents Statuspage listed (`body`), the one named `title` created since the
/// publication was queued (`queued`, less a margin for the two clocks), newest first.
fn created_earlier(body: &str, title: &str, queued: DateTime<Utc>) -> Option<String> {
    let listed: Vec<Value> = serde_json::from_str(body).ok()?;
    let since = queued - chrono::Duration::minutes(10);
    listed
        .iter()
        .filter(|i| i["name"].as_str() == Some(title))
        .filter_map(|i| {
            let created = i["created_at"].as_str()?.parse::<DateTime<Utc>>().ok()?;
            Some((created, i["id"].as_str()?))
        })
        .filter(|(created, _)| *created >= since)
        .max_by_key(|(created, _)| *created)
        .map(|(_, id)| id.to_owned())
}

/// The component IDs the incident's type affects.
fn components(
    incident: &Incident,
    by_type: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    incident
        .incident_type
        .as_ref()
        .and_then(|kind| by_type.get(kind))
        .cloned()
        .unwrap_or_default()
}

/// The `incident` object Statuspage takes: the approved title, status and text; on creation the
/// affected components too (degraded until the summary says resolved, then operational).
fn incident_body(summary: &PublicSummary, components: &[String], create: bool) -> Value {
    let status = summary.status.key();
    let mut body = json!({
        "name": summary.title,
        "status": status,
        "body": summary.text,
    });
    if !components.is_empty() {
        let state = if status == "resolved" {
            "operational"
        } else {
            "degraded_performance"
        };
        body["components"] = components
            .iter()
            .map(|c| (c.clone(), json!(state)))
            .collect::<serde_json::Map<String, Value>>()
            .into();
        if create {
            body["component_ids"] = json!(components);
        }
    }
    body
}

/// A status-page update given up on: said in the incident's thread.
pub(super) async fn undelivered(state: &AppState, row: &OutboxRow, why: &str) {
    let Ok(Delivery::StatusPage { .. }) = serde_json::from_value::<Delivery>(row.payload.clone())
    else {
        return;
    };
    let post = Post::StatusPageUndelivered {
        why: why.to_owned(),
    };
    super::deliver::tell_thread(state, row, post).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::summaries::kinds::PublicStatus;

    fn summary(status: PublicStatus) -> PublicSummary {
        PublicSummary {
            title: "Card payments delayed".into(),
            status,
            text: "Some card payments are delayed.".into(),
        }
    }

    #[test]
    fn an_incident_an_earlier_attempt_created_is_found_by_its_name_since_it_was_queued() {
        let queued: DateTime<Utc> = "2026-12-02T10:00:00Z".parse().unwrap();
        let listed = json!([
            { "id": "old", "name": "Card payments delayed", "created_at": "2026-11-02T10:00:00Z" },
            { "id": "other", "name": "Logins slow", "created_at": "2026-12-02T10:00:02Z" },
            { "id": "ours", "name": "Card payments delayed", "created_at": "2026-12-02T10:00:01.250Z" },
        ])
        .to_string();
        let found = created_earlier(&listed, "Card payments delayed", queued);
        assert_eq!(found.as_deref(), Some("ours"));
        assert_eq!(created_earlier(&listed, "Exports slow", queued), None);
        assert_eq!(created_earlier("not json", "Logins slow", queued), None);
    }

    #[test]
    fn the_affected_components_are_degraded_until_the_summary_says_resolved() {
        let components = ["cmp1".to_owned()];
        let created = incident_body(&summary(PublicStatus::Identified), &components, true);
        assert_eq!(
            created,
            json!({
                "name": "Card payments delayed", "status": "identified",
                "body": "Some card payments are delayed.",
                "components": { "cmp1": "degraded_performance" }, "component_ids": ["cmp1"],
            })
        );
        let resolved = incident_body(&summary(PublicStatus::Resolved), &components, false);
        assert_eq!(resolved["components"], json!({ "cmp1": "operational" }));
        assert!(resolved.get("component_ids").is_none());
        let none = incident_body(&summary(PublicStatus::Monitoring), &[], true);
        assert!(none.get("components").is_none() && none.get("component_ids").is_none());
    }
}
