//! Recording what came of a delivery, and telling the declarer about what could not be
//! delivered.

use super::deliver::incident_of;
use crate::{
    delivery::{Answer, Delivery, Recipient},
    state::AppState,
    store::{self, outbox::OutboxRow},
};

/// Records a delivery; a posted card's `ts` is stored on its incident in the same statement.
/// Whether the incident has other rows pending, which may have become due.
pub async fn record_delivered(
    state: &AppState,
    row: &OutboxRow,
    ts: Option<&str>,
    rendered: Option<store::outbox::Rendered>,
) -> Result<bool, sqlx::Error> {
    let pool = &state.worker_pool;
    if rendered.is_none() && row.kind != crate::delivery::Delivery::PostCard.kind() {
        return store::outbox::mark_sent(pool, row.id, row.attempts, ts).await;
    }
    store::outbox::mark_delivered(pool, row.id, row.attempts, ts, rendered).await
}

/// Records that a row is no longer wanted.
pub async fn record_superseded(state: &AppState, row: &OutboxRow) -> Result<(), sqlx::Error> {
    store::outbox::mark_superseded(&state.worker_pool, row.id, row.attempts).await
}

/// Records that a row will never be delivered, and why.
pub async fn record_failed(
    state: &AppState,
    row: &OutboxRow,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = state.worker_pool.begin().await?;
    store::outbox::mark_failed(&mut tx, row.id, row.attempts, reason).await?;
    tx.commit().await
}

/// Tells the incident's declarer, privately, that a thread post or card edit could not be
/// delivered and why; a page PagerDuty never took is told to the whole channel instead. (A card that could not be posted is explained by the declare link; an
/// answer to one person that failed has nobody else to go to.)
pub async fn report_undelivered(state: &AppState, row: &OutboxRow, why: &str) {
    match row.kind.as_str() {
        "page" => return super::pagerduty::page_failed(state, row, why).await,
        "webhook" => return super::webhook::undelivered(state, row, why).await,
        "status_page" => return super::statuspage::undelivered(state, row, why).await,
        _ => {}
    }
    let what = match row.kind.as_str() {
        "update_card" => "an edit of the incident card",
        "thread_reply" | "broadcast_reply" => "a post in the incident's thread",
        "thread_file" => "the incident report",
        "client_summary" => "the approved client-safe summary to the customer-facing channel",
        _ => return,
    };
    let Ok(Some(incident)) = incident_of(state, row).await else {
        return;
    };
    // A file goes to whoever asked for it, a client-safe summary to whoever approved it;
    // everything else concerns the declarer.
    let asked = match serde_json::from_value::<Delivery>(row.payload.clone()) {
        Ok(Delivery::ThreadFile { requested_by, .. }) => Some(requested_by),
        Ok(Delivery::ClientSummary { approved_by, .. }) => Some(approved_by),
        _ => None,
    };
    let to = Recipient {
        user: asked.unwrap_or_else(|| incident.declared_by.clone()),
        channel: Some(incident.channel_id.clone()),
        response_url: None,
    };
    let answer = Answer::NotDelivered {
        id: incident.id.to_string(),
        what: what.to_owned(),
        why: why.to_owned(),
    };
    let rows = [store::outbox::NewOutbox::standalone(Delivery::Tell {
        to,
        answer,
    })];
    if let Err(e) = store::outbox::insert_outbox_now(&state.worker_pool, &rows).await {
        tracing::warn!(error = %e, "could not queue the news of an undelivered post");
    }
}
