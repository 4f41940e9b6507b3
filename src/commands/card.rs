//! The incident card's controls and the forms they open.
//!
//! ```text
//! Acknowledge                  → "Acknowledged by @you" on the card and in the thread
//! Status ▾ Identified …        → the new status (moving back is recorded as a relapse)
//! Status ▾ Resolved            → a form asking for the resolution summary
//! Status ▾ Closed              → the closure checklist (refused until Resolved)
//! Severity ▾ SEV-1             → a form asking why
//! Assign roles / Post update   → their forms; the update lands in the thread with all seven fields
//! ⋯ Edit / Cancel              → their forms
//! ```
//! Every click is answered at once. Refusals reach the person privately; choosing what the
//! incident already is does nothing at all.

use super::{
    Click, Reply, Submission,
    change::{self, ChangeOutcome},
};
use crate::{
    app::AppState,
    delivery::{Answer, Recipient},
    incident::{
        Incident, IncidentId, Status,
        event::BreachNotification,
        lifecycle::{Change, Refusal, refusal_for_state},
        update::{CLOSURE_CRITERIA, ClosureAnswer},
    },
    slack::{blocks::actions, modals, modals::ids, reminders},
    store,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A modal must open within the trigger's three seconds, counted from when the click arrived.
const TRIGGER_BUDGET: Duration = Duration::from_millis(2700);

/// Handles a click on the card.
pub async fn on_click(state: &AppState, click: Click) -> Reply {
    let started = Instant::now();
    // The "More" menu's options carry `form:INC-…`; every other control names its incident.
    let (incident_id, form) = match (
        click.action_id.as_str(),
        click.selected.as_deref().and_then(|s| s.split_once(':')),
    ) {
        (actions::MORE, Some((form, id))) => (Some(id.to_owned()), Some(form.to_owned())),
        _ => (click.incident_id.clone(), None),
    };
    let Some(id) = incident_id.as_deref().and_then(IncidentId::parse) else {
        tracing::warn!(action = %click.action_id, "a card control without an incident");
        return Reply::Ack;
    };
    let key = click
        .action_ts
        .as_ref()
        .map(|ts| format!("action:{}:{}:{ts}", click.user_id, click.action_id));
    if click.action_id == reminders::SNOOZE_ACTION {
        let secs: i64 = click
            .selected
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if secs > 0 {
            let outcome = change::snooze(
                state,
                &id,
                chrono::Duration::seconds(secs),
                &click.user_id,
                key.as_deref(),
            )
            .await;
            answer_outcome(state, &click, &id, outcome).await;
        }
        return Reply::Ack;
    }
    let change = match (click.action_id.as_str(), form.as_deref()) {
        (actions::ACKNOWLEDGE, _) => Some(Change::Acknowledge),
        (actions::STATUS, _) => match click.selected.as_deref().and_then(Status::parse) {
            Some(to) if to.is_open() => Some(Change::SetStatus(to)),
            Some(_) => None,
            None => return Reply::Ack,
        },
        _ => None,
    };
    if let Some(change) = change {
        let outcome = change::apply(state, &id, change, &click.user_id, key.as_deref()).await;
        answer_outcome(state, &click, &id, outcome).await;
        return Reply::Ack;
    }
    // Everything else opens a form about the incident's current state.
    let incident = match store::within(
        state.config.process.request_deadline,
        store::incidents::find_incident(&state.pool, &id),
    )
    .await
    {
        Ok(Some(incident)) => incident,
        Ok(None) => {
            private(state, &click, Answer::not_found(&id)).await;
            return Reply::Ack;
        }
        Err(e) => {
            let answer = super::store_failure(state, e);
            private(state, &click, answer).await;
            return Reply::Ack;
        }
    };
    if let Some(refusal) = refusal_for_form(&incident, &click) {
        private(state, &click, Answer::refused(refusal)).await;
        return Reply::Ack;
    }
    let process = &state.config.process;
    let view = match (
        click.action_id.as_str(),
        form.as_deref(),
        click.selected.as_deref(),
    ) {
        (actions::STATUS, _, Some("resolved")) => modals::resolve(&incident),
        (actions::STATUS, _, Some("closed")) => modals::close(&incident),
        (actions::SEVERITY, _, Some(level)) => {
            if level == incident.severity {
                return Reply::Ack;
            }
            modals::severity(&incident, &process.severities, level)
        }
        (actions::ROLES, _, _) => modals::roles(&incident, &process.catalog),
        (actions::POST_UPDATE, _, _) => {
            let rank = process.severities.rank_at(incident.severity_rank);
            let owner = incident
                .commander()
                .map_or_else(|| click.user_id.clone(), str::to_owned);
            modals::update(&incident, process.severities.get(rank).update_every, &owner)
        }
        (actions::MORE, Some("edit"), _) => modals::edit(&incident, &process.catalog),
        (actions::MORE, Some("cancel"), _) => modals::cancel(&incident),
        (actions::MORE, Some("breach"), _) => modals::flag_breach(&incident),
        (actions::MORE, Some("notified"), _) => modals::authority_notified(&incident),
        _ => return Reply::Ack,
    };
    open_modal(state, &click, view, started).await;
    Reply::Ack
}

/// Refusals known before a form is even opened.
fn refusal_for_form(incident: &Incident, click: &Click) -> Option<Refusal> {
    if let Some(refusal) = refusal_for_state(incident) {
        return Some(refusal);
    }
    let id = incident.id.to_string();
    let wants_close =
        click.action_id == actions::STATUS && click.selected.as_deref() == Some("closed");
    if wants_close && incident.status != Status::Resolved {
        return Some(Refusal::NotResolved { id });
    }
    let resolving =
        click.action_id == actions::STATUS && click.selected.as_deref() == Some("resolved");
    if resolving && incident.status == Status::Resolved {
        return Some(Refusal::AlreadyResolved { id });
    }
    None
}

async fn open_modal(state: &AppState, click: &Click, view: Value, started: Instant) {
    let Some(trigger_id) = &click.trigger_id else {
        return;
    };
    let budget = TRIGGER_BUDGET
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(300));
    let body = json!({ "trigger_id": trigger_id, "view": view });
    match tokio::time::timeout(budget, state.slack.call("views.open", &body)).await {
        Ok(Ok(_)) => {}
        outcome => {
            tracing::warn!(failed = ?outcome.err().map(|_| "timed out"), "could not open a form from the card");
            private(state, click, Answer::FormDidNotOpen).await;
        }
    }
}

async fn private(state: &AppState, click: &Click, answer: Answer) {
    let to = Recipient {
        user: click.user_id.clone(),
        channel: click.channel_id.clone(),
        response_url: click.response_url.clone(),
    };
    change::tell(state, to, answer).await;
}

async fn answer_outcome(
    state: &AppState,
    click: &Click,
    id: &IncidentId,
    outcome: Result<ChangeOutcome, store::StoreError>,
) {
    let answer = match outcome {
        Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
        Ok(ChangeOutcome::NotFound) => Answer::not_found(id),
        Ok(_) => return,
        Err(e) => super::store_failure(state, e),
    };
    private(state, click, answer).await;
}

/// Handles a submitted card form; invalid fields keep it open with their errors.
pub async fn on_submit(state: &AppState, form: &Submission) -> Reply {
    let Some(id) = form.private_metadata.as_deref().and_then(IncidentId::parse) else {
        return Reply::Ack;
    };
    let (change, first_block) = match parse_form(state, form) {
        Ok(parsed) => parsed,
        Err(errors) => return Reply::ViewErrors(errors),
    };
    let key = format!("view:{}", form.view_id);
    match change::apply(state, &id, change, &form.user_id, Some(&key)).await {
        Ok(ChangeOutcome::Applied | ChangeOutcome::NoOp | ChangeOutcome::Duplicate) => Reply::Ack,
        Ok(ChangeOutcome::Refused(refusal)) => Reply::ViewErrors(vec![(
            refusal_block(form, &refusal, first_block),
            refusal.to_string(),
        )]),
        Ok(ChangeOutcome::NotFound) => Reply::ViewErrors(vec![(
            first_block.to_owned(),
            format!("{id} no longer exists."),
        )]),
        Err(e) => {
            let message = match super::store_failure(state, e) {
                Answer::DatabaseUnavailable => {
                    "warroom cannot reach its database right now, so this may not have been saved. Submit again in a moment."
                }
                _ => {
                    "Something went wrong inside warroom and nothing was changed. Please try again."
                }
            };
            Reply::ViewErrors(vec![(first_block.to_owned(), message.to_owned())])
        }
    }
}

/// Puts a refusal under the input it is about.
fn refusal_block(form: &Submission, refusal: &Refusal, first: &str) -> String {
    match refusal {
        Refusal::BelowTriageFloor { .. } if form.callback_id == ids::SEVERITY => {
            ids::LEVEL.to_owned()
        }
        _ => first.to_owned(),
    }
}

type Errors = Vec<(String, String)>;

fn required(form: &Submission, block: &str, errors: &mut Errors, message: &str) -> String {
    form.text(block)
        .or_else(|| form.selected(block))
        .or_else(|| form.user(block))
        .unwrap_or_else(|| {
            errors.push((block.to_owned(), message.to_owned()));
            String::new()
        })
}

/// Reads a card form into a change, or the errors for each invalid field.
fn parse_form(state: &AppState, form: &Submission) -> Result<(Change, &'static str), Errors> {
    let mut errors = Errors::new();
    let process = &state.config.process;
    let parsed = match form.callback_id.as_str() {
        ids::RESOLVE => (
            Change::Resolve {
                summary: required(form, ids::SUMMARY, &mut errors, "Say what fixed it."),
            },
            ids::SUMMARY,
        ),
        ids::CANCEL => (
            Change::Cancel {
                reason: required(
                    form,
                    ids::REASON,
                    &mut errors,
                    "Say why it was declared in error.",
                ),
            },
            ids::REASON,
        ),
        ids::CLOSE => {
            let mut checklist = Vec::new();
            for (key, _) in CLOSURE_CRITERIA {
                match form.selected(key).as_deref().and_then(ClosureAnswer::parse) {
                    Some(ClosureAnswer::UnderReview) => errors.push((key.to_owned(), "Still Under Review: confirm it, or mark it not applicable, before closing.".to_owned())),
                    Some(answer) => checklist.push((key.to_owned(), answer)),
                    None => errors.push((key.to_owned(), "Answer this before closing.".to_owned())),
                }
            }
            (Change::Close { checklist }, CLOSURE_CRITERIA[0].0)
        }
        ids::SEVERITY => {
            let level = required(form, ids::LEVEL, &mut errors, "Choose a severity.");
            let to = process.severities.parse(&level);
            if to.is_none() && !level.is_empty() {
                errors.push((
                    ids::LEVEL.to_owned(),
                    "Choose one of the listed severities.".to_owned(),
                ));
            }
            let reason = required(
                form,
                ids::REASON,
                &mut errors,
                "Say why the severity changes.",
            );
            (
                Change::SetSeverity {
                    to: to.unwrap_or(process.default_severity),
                    reason,
                },
                ids::LEVEL,
            )
        }
        ids::ROLES => {
            let role = required(form, ids::ROLE, &mut errors, "Choose a role.");
            if !role.is_empty() && process.catalog.role(&role).is_none() {
                errors.push((
                    ids::ROLE.to_owned(),
                    "Choose one of the listed roles.".to_owned(),
                ));
            }
            let user = required(form, ids::USER, &mut errors, "Choose a person.");
            (Change::AssignRole { role, user }, ids::ROLE)
        }
        ids::UPDATE => {
            let impact = required(form, ids::IMPACT, &mut errors, "Describe the impact.");
            let current_action = required(
                form,
                ids::ACTION,
                &mut errors,
                "Say what is being done now.",
            );
            let owner = required(form, ids::OWNER, &mut errors, "Choose the owner.");
            let secs: Option<i64> = form
                .selected(ids::NEXT_UPDATE)
                .and_then(|s| s.parse().ok())
                .filter(|s| *s > 0);
            if secs.is_none() {
                errors.push((
                    ids::NEXT_UPDATE.to_owned(),
                    "Choose when the next update is due.".to_owned(),
                ));
            }
            let status = match form.selected(ids::STATUS) {
                Some(s) => match Status::parse(&s).filter(|s| s.is_open()) {
                    Some(status) => Some(status),
                    None => {
                        errors.push((
                            ids::STATUS.to_owned(),
                            "Choose an active status (resolve from the card).".to_owned(),
                        ));
                        None
                    }
                },
                None => None,
            };
            let next_update_in = chrono::Duration::seconds(secs.unwrap_or(1800));
            (
                Change::PostUpdate {
                    impact,
                    current_action,
                    owner,
                    next_update_in,
                    status,
                },
                ids::IMPACT,
            )
        }
        ids::BREACH => {
            let ago: i64 = form
                .selected(ids::DISCOVERED)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let discovered_at = state.clock.now() - chrono::Duration::seconds(ago.max(0));
            (Change::FlagBreach { discovered_at }, ids::DISCOVERED)
        }
        ids::NOTIFIED => {
            let mut field = |key: &str| {
                required(
                    form,
                    key,
                    &mut errors,
                    "Fill this in: it is part of the notification record.",
                )
            };
            let record = BreachNotification {
                nature: field("nature"),
                data_subjects: field("data_subjects"),
                data_categories: field("data_categories"),
                likely_consequences: field("likely_consequences"),
                measures: field("measures"),
                contact_point: field("contact_point"),
            };
            (Change::AuthorityNotified { record }, "nature")
        }
        ids::EDIT => {
            let title = required(form, ids::TITLE, &mut errors, "The incident needs a title.");
            let incident_type = form.selected(ids::TYPE);
            if let Some(t) = &incident_type
                && process.catalog.incident_type(t).is_none()
            {
                errors.push((
                    ids::TYPE.to_owned(),
                    "Choose one of the listed types.".to_owned(),
                ));
            }
            (
                Change::Edit {
                    title,
                    impact: form.text(ids::IMPACT),
                    incident_type,
                },
                ids::TITLE,
            )
        }
        _ => return Err(Errors::new()),
    };
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}
