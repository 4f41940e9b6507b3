//! Applying one change to an incident, for every control: lock the incident row, record the
//! request's idempotency key, decide with the pure lifecycle rules against the current state, and
//! write the new state, its timeline entry and the Slack messages it causes in one transaction.
//! A stale card, a double click or a Slack retry therefore never produces a second entry or a
//! wrong transition.

use crate::{
    app::AppState,
    incident::{
        IncidentId,
        lifecycle::{Change, Decision, Rules, decide},
        schedule,
    },
    slack::blocks,
    store::{
        self, StoreError,
        outbox::{NewOutbox, OutboxKind},
    },
};
use serde_json::json;

/// What came of a change.
#[derive(Debug)]
pub enum ChangeOutcome {
    Applied,
    /// It was already so: nothing written, posted or edited.
    NoOp,
    /// Refused, with the explanation for the person who asked.
    Refused(String),
    NotFound,
    /// This very request was handled before.
    Duplicate,
}

/// Applies `change` by `actor`; `key` makes a retried request a no-op.
pub async fn apply(
    state: &AppState,
    id: &IncidentId,
    change: Change,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, StoreError> {
    store::within(
        state.config.process.request_deadline,
        apply_in_transaction(state, id, change, actor, key),
    )
    .await
}

async fn apply_in_transaction(
    state: &AppState,
    id: &IncidentId,
    change: Change,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, sqlx::Error> {
    let process = &state.config.process;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(outcome),
    };
    let rules = Rules {
        severities: &process.severities,
        catalog: &process.catalog,
        restrict_changes: process.restrict_changes,
    };
    let applied = match decide(&incident, change, actor, now, rules) {
        Decision::NoOp => {
            tx.commit().await?;
            return Ok(ChangeOutcome::NoOp);
        }
        Decision::Refused(refusal) => {
            tracing::info!(incident.id = %id, reason = %refusal, "change refused");
            return Ok(ChangeOutcome::Refused(refusal.to_string()));
        }
        Decision::Apply(applied) => applied,
    };
    let mut next = applied.incident.clone();
    // Escalation triggers announce themselves once, when they first hold.
    let fresh: Vec<String> =
        schedule::escalation_triggers(next.incident_type.as_deref(), &next.triage)
            .into_iter()
            .map(str::to_owned)
            .filter(|t| !next.escalations.contains(t))
            .collect();
    next.escalations.extend(fresh.iter().cloned());
    store::incidents::update_incident_state(&mut tx, &next).await?;
    let details = applied.details.clone();
    store::incidents::insert_timeline_entry(
        &mut tx,
        id.as_str(),
        now,
        actor,
        applied.entry_kind,
        details,
    )
    .await?;
    let arms = schedule::plan(
        Some(&incident),
        &next,
        &process.severities,
        &process.schedule,
        now,
    );
    store::reminders::apply_arms(&mut tx, Some(id.as_str()), &arms).await?;
    let rank = next.severity_rank as i32;
    let mut rows = Vec::new();
    if let Some(text) = &applied.announcement {
        rows.push(thread_reply(&next.channel_id, rank, blocks::notice(text)));
    }
    if let Some(runbook) = applied
        .runbook_for
        .as_deref()
        .and_then(|t| blocks::runbook(&process.catalog, t))
    {
        rows.push(thread_reply(&next.channel_id, rank, runbook));
    }
    if !fresh.is_empty() {
        let mention = process
            .schedule
            .escalation_group
            .as_ref()
            .map_or_else(|| schedule::owner(&next), |g| g.mention());
        rows.push(escalation(
            &next.channel_id,
            rank,
            &blocks::escalation(&next, &mention, &fresh),
        ));
        let entry = json!({ "triggers": fresh });
        store::incidents::insert_timeline_entry(
            &mut tx,
            id.as_str(),
            now,
            "warroom",
            "escalated",
            entry,
        )
        .await?;
    }
    if !rows.is_empty() {
        store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    }
    if applied.card_changed {
        store::outbox::insert_card_update(&mut tx, id.as_str(), 50 + rank).await?;
    }
    tx.commit().await?;
    tracing::info!(incident.id = %id, change = applied.entry_kind, "incident changed");
    Ok(ChangeOutcome::Applied)
}

/// An escalation: a thread reply also shown in the channel.
pub(crate) fn escalation(channel: &str, rank: i32, message: &blocks::Message) -> NewOutbox {
    let mut payload = message.to_json();
    payload["reply_broadcast"] = json!(true);
    NewOutbox {
        kind: OutboxKind::ThreadReply,
        method: "chat.postMessage",
        pace_key: Some(channel.to_owned()),
        priority: 100 + rank,
        payload,
    }
}

/// Locks the incident's row and records the request's idempotency key, both for the rest of
/// `tx`: the incident as it is now, or why there is nothing to do.
async fn lock_for_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: &IncidentId,
    key: Option<&str>,
) -> Result<Result<crate::incident::Incident, ChangeOutcome>, sqlx::Error> {
    let Some(incident) = store::incidents::find_incident_for_update(tx, id).await? else {
        return Ok(Err(ChangeOutcome::NotFound));
    };
    if let Some(key) = key
        && !store::incidents::insert_request_key_in(tx, key, id.as_str()).await?
    {
        return Ok(Err(ChangeOutcome::Duplicate));
    }
    Ok(Ok(incident))
}

/// A post in the incident's thread.
pub(crate) fn thread_reply(channel: &str, rank: i32, message: blocks::Message) -> NewOutbox {
    NewOutbox {
        kind: OutboxKind::ThreadReply,
        method: "chat.postMessage",
        pace_key: Some(channel.to_owned()),
        priority: 100 + rank,
        payload: message.to_json(),
    }
}

/// Tells one person something privately, through the outbox: via the interaction's
/// `response_url` when there is one, else `chat.postEphemeral` in `channel`.
pub async fn tell(
    state: &AppState,
    response_url: Option<&str>,
    channel: Option<&str>,
    user: &str,
    text: &str,
) {
    let message = blocks::notice(text);
    let row = match (response_url, channel) {
        (Some(url), _) => {
            let mut body = message.to_json();
            body["response_type"] = json!("ephemeral");
            body["replace_original"] = json!(false);
            NewOutbox {
                kind: OutboxKind::Respond,
                method: "response_url",
                pace_key: None,
                priority: 0,
                payload: json!({ "response_url": url, "body": body }),
            }
        }
        (None, Some(channel)) => {
            let mut body = message.to_json();
            body["channel"] = json!(channel);
            body["user"] = json!(user);
            NewOutbox {
                kind: OutboxKind::Ephemeral,
                method: "chat.postEphemeral",
                pace_key: None,
                priority: 0,
                payload: body,
            }
        }
        (None, None) => return,
    };
    let rows = [row];
    let enqueue = store::outbox::insert_outbox_now(&state.pool, &rows);
    if let Err(e) = store::within(state.config.process.request_deadline, enqueue).await {
        tracing::warn!(error = %e, "could not queue a private answer");
    }
}

/// Snoozes the overdue-update reminder for `by`, recorded on the timeline and in the thread.
pub async fn snooze(
    state: &AppState,
    id: &IncidentId,
    by: chrono::Duration,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, StoreError> {
    store::within(
        state.config.process.request_deadline,
        snooze_in_transaction(state, id, by, actor, key),
    )
    .await
}

async fn snooze_in_transaction(
    state: &AppState,
    id: &IncidentId,
    by: chrono::Duration,
    actor: &str,
    key: Option<&str>,
) -> Result<ChangeOutcome, sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let incident = match lock_for_change(&mut tx, id, key).await? {
        Ok(incident) => incident,
        Err(outcome) => return Ok(outcome),
    };
    if !incident.status.is_open() {
        return Ok(ChangeOutcome::Refused(format!(
            "{id} is {} and owes no more updates.",
            incident.status
        )));
    }
    let until = now + by;
    if !store::incidents::update_reminder_snooze(&mut tx, id.as_str(), until).await? {
        return Ok(ChangeOutcome::Refused(
            "There is no overdue-update reminder to snooze.".to_owned(),
        ));
    }
    store::incidents::insert_timeline_entry(
        &mut tx,
        id.as_str(),
        now,
        actor,
        "reminder_snoozed",
        json!({ "until": until, "seconds": by.num_seconds() }),
    )
    .await?;
    let text = format!(
        ":zzz: <@{actor}> snoozed the update reminder until {}.",
        blocks::slack_date(until)
    );
    let rows = [thread_reply(
        &incident.channel_id,
        incident.severity_rank as i32,
        blocks::notice(&text),
    )];
    store::outbox::insert_outbox(&mut tx, Some(id.as_str()), &rows).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}
