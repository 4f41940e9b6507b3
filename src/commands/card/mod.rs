//! The incident card's controls and the forms they open.
//!
//! ```text
//! Acknowledge                  → "Acknowledged by @you" on the card and in the thread
//! Status ▾ Identified …        → the new status (moving back is recorded as a relapse)
//! Status ▾ Resolved            → a form asking for the resolution summary
//! Status ▾ Closed              → the closure checklist (refused until Resolved)
//! Severity ▾ SEV-1             → a form asking why
//! Assign roles / Post update   → their forms; the update lands in the thread with all seven fields
//! More ▾ Edit / Review triage / breach / Cancel → their forms
//! ```
//! Every click is answered at once. Refusals are answered (the edge tells the person privately); choosing what the
//! incident already is does nothing at all.

mod action_form;
mod submit;

pub use submit::on_submit;

use super::actions::ActionOutcome;
use super::{
    Reply,
    change::{self, ChangeOutcome},
    forms::{CardAction, CardForm, Click, FormRequest},
};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{
        Incident, Status,
        actions::{self, ActionChange, ActionsSummary},
        lifecycle::{Change, Refusal, refusal_for_state},
        schedule,
    },
    store,
};

/// Handles a click on the card: a change at once, or the form it needs.
pub async fn on_click(state: &Context, click: Click) -> Reply {
    let id = click.incident.clone();
    let key = click.key.as_deref();
    let change = match &click.action {
        CardAction::Acknowledge => Some(Change::Acknowledge),
        CardAction::SetStatus(to) if to.is_open() => Some(Change::SetStatus(*to)),
        CardAction::Snooze(by) => {
            let outcome = change::snooze(state, &id, *by, &click.user_id, key).await;
            return answer_outcome(state, &click, outcome);
        }
        CardAction::ActionDone(number) => {
            let done = ActionChange::Done { number: *number };
            return answer_action(state, &click, done).await;
        }
        CardAction::DraftSummary
        | CardAction::ApproveSummary(_)
        | CardAction::RequestChanges(_) => {
            return super::summaries::on_click(state, &click).await;
        }
        CardAction::ActionSnooze(number, by) => {
            let until = state.clock.now() + *by;
            let snooze = ActionChange::Snooze {
                number: *number,
                until,
            };
            return answer_action(state, &click, snooze).await;
        }
        _ => None,
    };
    if let Some(change) = change {
        let outcome = change::apply(state, &id, change, &click.user_id, key).await;
        return answer_outcome(state, &click, outcome);
    }
    // Everything else opens a form about the incident's current state.
    let incident = match state
        .deadline
        .run(store::incidents::find_incident(&state.pool, &id))
        .await
    {
        Ok(Some(incident)) => incident,
        Ok(None) => return Reply::Say(Answer::not_found(&id)),
        Err(e) => return Reply::Say(super::store_failure(state, e)),
    };
    if let Some(refusal) = refusal_for_form(&incident, &click.action) {
        return Reply::Say(Answer::refused(refusal));
    }
    let form = match &click.action {
        CardAction::SetStatus(Status::Resolved) => CardForm::Resolve,
        CardAction::SetStatus(Status::Closed) => {
            let found = state
                .deadline
                .run(store::actions::find_actions(&state.pool, &id))
                .await;
            match found {
                Ok(found) => CardForm::Close {
                    actions: ActionsSummary::of(&found),
                    owed: schedule::needs_review(
                        &incident.severity,
                        &state.config.process.schedule,
                    ),
                },
                Err(e) => return Reply::Say(super::store_failure(state, e)),
            }
        }
        CardAction::ChooseSeverity(level) if level == incident.severity.name().as_str() => {
            return Reply::Ack;
        }
        CardAction::ChooseSeverity(level) => CardForm::Severity {
            chosen: level.clone(),
        },
        CardAction::AssignRoles => CardForm::Roles,
        CardAction::PostUpdate => CardForm::Update {
            owner: incident
                .commander()
                .map_or_else(|| click.user_id.clone(), str::to_owned),
        },
        CardAction::Edit => CardForm::Edit,
        CardAction::Cancel => CardForm::Cancel,
        CardAction::FlagBreach => CardForm::FlagBreach,
        CardAction::RecordNotified => CardForm::RecordNotified,
        CardAction::ReviewTriage => CardForm::ReviewTriage,
        CardAction::RootCause => CardForm::RootCause,
        CardAction::FixDeployed => CardForm::FixDeployed,
        CardAction::AddAction => CardForm::AddAction {
            owner: incident
                .commander()
                .map_or_else(|| click.user_id.clone(), str::to_owned),
            // A week out is a common first guess; the person picks the real date.
            due: actions::today(state.clock.now(), &state.config.process.schedule)
                + chrono::Duration::days(7),
        },
        CardAction::Review => CardForm::Review,
        CardAction::ActionWontDo(number) => {
            let found = state
                .deadline
                .run(store::actions::find_actions(&state.pool, &id))
                .await;
            match found {
                Ok(actions) => match actions.into_iter().find(|a| a.number == *number) {
                    Some(action) => CardForm::WontDo {
                        number: *number,
                        text: action.text,
                    },
                    None => {
                        let action = super::actions::id_of(&id, *number).to_string();
                        return Reply::Say(Answer::refused(Refusal::NoSuchAction { action }));
                    }
                },
                Err(e) => return Reply::Say(super::store_failure(state, e)),
            }
        }
        CardAction::Acknowledge
        | CardAction::SetStatus(_)
        | CardAction::Snooze(_)
        | CardAction::ActionDone(_)
        | CardAction::ActionSnooze(..)
        | CardAction::DraftSummary
        | CardAction::ApproveSummary(_)
        | CardAction::RequestChanges(_) => {
            return Reply::Ack;
        }
    };
    Reply::Open(FormRequest::Card {
        incident: Box::new(incident),
        form,
    })
}

/// Refusals known before a form is even opened. Follow-up actions and the review outlive the
/// incident: their forms open on a closed incident too.
fn refusal_for_form(incident: &Incident, action: &CardAction) -> Option<Refusal> {
    let about_actions = matches!(
        action,
        CardAction::AddAction | CardAction::ActionWontDo(_) | CardAction::Review
    );
    if let Some(refusal) = refusal_for_state(incident)
        && !(about_actions && incident.status == Status::Closed)
    {
        return Some(refusal);
    }
    let id = incident.id.to_string();
    match action {
        CardAction::SetStatus(Status::Closed) if incident.status != Status::Resolved => {
            Some(Refusal::NotResolved { id })
        }
        CardAction::SetStatus(Status::Resolved) if incident.status == Status::Resolved => {
            Some(Refusal::AlreadyResolved { id })
        }
        CardAction::Review if !matches!(incident.status, Status::Resolved | Status::Closed) => {
            Some(Refusal::ReviewBeforeResolved { id })
        }
        CardAction::Review if incident.review.is_complete() => {
            Some(Refusal::ReviewAlreadyComplete { id })
        }
        _ => None,
    }
}

/// Applies a change to a follow-up action from its reminder's buttons; the person is told only
/// when it was refused.
async fn answer_action(state: &Context, click: &Click, change: ActionChange) -> Reply {
    let key = click.key.as_deref();
    let outcome = super::actions::apply(state, &click.incident, change, &click.user_id, key).await;
    match outcome {
        Ok(
            ActionOutcome::Applied(_)
            | ActionOutcome::Not(ChangeOutcome::NoOp | ChangeOutcome::Duplicate),
        ) => Reply::Ack,
        other => Reply::Say(super::actions::answer(state, &click.incident, other)),
    }
}

/// What the person who clicked is told about the change's outcome, if anything.
fn answer_outcome(
    state: &Context,
    click: &Click,
    outcome: Result<ChangeOutcome, store::StoreError>,
) -> Reply {
    Reply::Say(match outcome {
        Ok(ChangeOutcome::Refused(refusal)) => Answer::refused(refusal),
        Ok(ChangeOutcome::NotFound) => Answer::not_found(&click.incident),
        Ok(_) => return Reply::Ack,
        Err(e) => super::store_failure(state, e),
    })
}
