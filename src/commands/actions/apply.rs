//! Applying one change to an incident's corrective actions, like every change: lock the
//! incident's row, record the request's key, decide with the pure rules, and write the action,
//! its timeline event, its thread announcement and its reminder in one transaction.

use super::super::change::{ChangeOutcome, announce, lock_for_change};
use crate::{
    context::Context,
    incident::{
        IncidentId,
        actions::{ActionChange, ActionDecision, ActionId, decide_action},
    },
    store::{self, StoreError},
};

/// What came of an action change.
#[derive(Debug)]
pub enum ActionOutcome {
    /// Applied to this action.
    Applied(ActionId),
    /// Refused, not found, already so, or a repeat of this very request.
    Not(ChangeOutcome),
}

/// Applies `change` to the actions of incident `id` by `actor`; `key` makes a retry a no-op.
pub async fn apply(
    state: &Context,
    id: &IncidentId,
    change: ActionChange,
    actor: &str,
    key: Option<&str>,
) -> Result<ActionOutcome, StoreError> {
    state
        .deadline
        .run(apply_in_transaction(state, id, change, actor, key))
        .await
}

async fn apply_in_transaction(
    state: &Context,
    id: &IncidentId,
    change: ActionChange,
    actor: &str,
    key: Option<&str>,
) -> Result<ActionOutcome, sqlx::Error> {
    let process = &state.config.process;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(ActionOutcome::Not(outcome)),
    };
    let (existing, next_number) = match change.number() {
        Some(number) => (
            store::actions::find_action_for_update(&mut tx, id, number).await?,
            number,
        ),
        None => (None, store::actions::find_next_number(&mut tx, id).await?),
    };
    let decision = decide_action(
        &incident,
        existing.as_ref(),
        next_number,
        change,
        actor,
        now,
        &process.schedule,
        process.restrict_changes,
    );
    let applied = match decision {
        ActionDecision::Apply(applied) => applied,
        ActionDecision::NoOp => {
            tx.commit().await?;
            return Ok(ActionOutcome::Not(ChangeOutcome::NoOp));
        }
        ActionDecision::Refused(refusal) => {
            tracing::info!(incident.id = %id, reason = %refusal, "action change refused");
            return Ok(ActionOutcome::Not(ChangeOutcome::Refused(refusal)));
        }
    };
    store::actions::upsert_action(&mut tx, id, &applied.action).await?;
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
    store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    store::reminders::apply_arms(&mut tx, Some(id.as_str()), &[applied.arm]).await?;
    store::homes::queue_publish(&mut tx, std::slice::from_ref(&applied.action.owner)).await?;
    tx.commit().await?;
    let action = ActionId {
        incident: id.clone(),
        number: applied.action.number,
    };
    tracing::info!(incident.id = %id, action.number = action.number, change = applied.event.kind(), "action changed");
    Ok(ActionOutcome::Applied(action))
}
