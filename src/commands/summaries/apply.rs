//! Applying one change to an incident's client-safe summaries, like every change: lock the
//! incident's row and its drafts, record the request's key, decide with the pure rules, and
//! write the drafts, the timeline event, the thread's announcement and — for an approval with a
//! customer-facing channel configured, of anything but a drill — the post to that channel, in one
//! transaction. A draft
//! the lint rejects writes nothing at all.

use super::super::change::{ChangeOutcome, about, announce, lock_for_change};
use crate::{
    context::Context,
    delivery::Delivery,
    incident::{
        Event, IncidentId,
        schedule::{Arm, NoticeRule},
        summaries::{
            SummaryChange, SummaryDecision, SummaryId, decide_summary, kinds::Audience,
            lint::Report,
        },
    },
    store::{self, StoreError, outbox::NewOutbox},
};

/// What came of a summary change.
#[derive(Debug)]
pub enum SummaryOutcome {
    /// Applied to this draft.
    Applied(SummaryId),
    /// The draft holds what must not leave, or warnings not acknowledged: nothing recorded.
    Rejected(Report),
    /// Refused, not found, already so, or a repeat of this very request.
    Not(ChangeOutcome),
}

/// Applies `change` to the summaries of incident `id` by `actor`; `key` makes a retry a no-op.
pub async fn apply(
    state: &Context,
    id: &IncidentId,
    change: SummaryChange,
    actor: &str,
    key: Option<&str>,
) -> Result<SummaryOutcome, StoreError> {
    state
        .deadline
        .run(apply_in_transaction(state, id, change, actor, key))
        .await
}

async fn apply_in_transaction(
    state: &Context,
    id: &IncidentId,
    change: SummaryChange,
    actor: &str,
    key: Option<&str>,
) -> Result<SummaryOutcome, sqlx::Error> {
    let process = &state.config.process;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(SummaryOutcome::Not(outcome)),
    };
    let drafts = store::summaries::find_summaries_for_update(&mut tx, id).await?;
    let decision = decide_summary(
        &incident,
        &drafts,
        change,
        actor,
        now,
        &process.catalog,
        &process.comms,
    );
    // Nothing is written unless the change applies: the transaction (and the request's key
    // with it) is rolled back, so the same form can be submitted again once mended.
    let applied = match decision {
        SummaryDecision::Apply(applied) => applied,
        SummaryDecision::NoOp => {
            tx.commit().await?;
            return Ok(SummaryOutcome::Not(ChangeOutcome::NoOp));
        }
        SummaryDecision::Refused(refusal) => {
            tracing::info!(incident.id = %id, reason = %refusal, "summary change refused");
            return Ok(SummaryOutcome::Not(ChangeOutcome::Refused(refusal)));
        }
        SummaryDecision::Rejected(report) => {
            // Which rules, never the words: the draft may hold exactly what must not be logged.
            let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.key()).collect();
            tracing::info!(incident.id = %id, rules = ?rules, "summary draft kept open by the lint");
            return Ok(SummaryOutcome::Rejected(report));
        }
    };
    for summary in &applied.changed {
        store::summaries::upsert_summary(&mut tx, id, summary).await?;
    }
    store::timeline::insert_timeline_entry(&mut tx, id.as_str(), now, actor, &applied.event)
        .await?;
    let mut rows: Vec<_> = announce(&incident, &applied.event, actor)
        .into_iter()
        .collect();
    rows.extend(crate::webhooks::rows(
        &state.config,
        &incident,
        &applied.event,
        actor,
        now,
    ));
    // A drill's approved summary is recorded (and in its report) but never leaves the company:
    // the thread's announcement says so.
    if let (Some(summary), Some(channel), false) = (
        &applied.public,
        &process.comms.external_channel,
        incident.drill,
    ) {
        let post = Delivery::ClientSummary {
            channel: channel.clone(),
            summary: summary.clone(),
            approved_by: actor.to_owned(),
        };
        rows.push(about(&incident, post));
    }
    // The status page gets exactly the approved words of a summary meant for it; a drill's never.
    if let (Some(summary), Event::SummaryApproved(approved), Some(_), false) = (
        &applied.public,
        &applied.event,
        &process.statuspage,
        incident.drill,
    ) && approved.audience == Audience::StatusPage
    {
        let summary = summary.clone();
        rows.push(NewOutbox::standalone(Delivery::StatusPage { summary }));
    }
    store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    // Customers told: the customer-notification clocks are satisfied and stop.
    if let Event::SummaryApproved(approved) = &applied.event
        && approved.audience.is_customer_facing()
        && incident.customers_notified_at.is_none()
    {
        store::incidents::update_customers_notified(&mut tx, id, now).await?;
        let stop = [NoticeRule::Outage, NoticeRule::Breach].map(|r| Arm::Cancel {
            kind: r.kind().into(),
        });
        store::reminders::apply_arms(&mut tx, Some(id.as_str()), &stop).await?;
    }
    tx.commit().await?;
    // The draft this change is about: the newest of those it wrote.
    let number = applied.changed.last().map_or(0, |s| s.number);
    tracing::info!(incident.id = %id, summary.number = number, change = applied.event.kind(), "summary changed");
    Ok(SummaryOutcome::Applied(SummaryId {
        incident: id.clone(),
        number,
    }))
}
