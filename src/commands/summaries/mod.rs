//! Client-safe summaries, from the card and the thread.
//!
//! ```text
//! More ▾ Draft client-safe summary   → the form (a draft sent back for changes fills it in)
//!   submitted with internal details  → the lint's findings under their fields; nothing recorded
//!   with warnings, not acknowledged  → the warnings, and the checkbox that stands by them
//!   clean, or warnings acknowledged  → S1 on the timeline and in the thread, pending approval
//! Approve (an approver, not author)  → approved: text and SHA-256 recorded, posted to [comms] external_channel
//! Approve (anyone else)              → told privately why; nothing changes
//! Request changes…                   → a form asking why; the draft is sent back
//! ```

mod apply;
mod form;

pub use apply::{SummaryOutcome, apply};
pub use form::on_submit;

use super::{
    Reply,
    change::ChangeOutcome,
    forms::{CardAction, CardForm, Click, FormRequest},
    read_failure, store_failure,
};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{
        Incident, IncidentId,
        lifecycle::Refusal,
        summaries::{self, Summary, SummaryChange, SummaryState},
    },
    store::{self, StoreError},
};

/// A click on **Draft client-safe summary**, or on a draft's **Approve** or **Request changes…**.
pub async fn on_click(state: &Context, click: &Click) -> Reply {
    let number = match click.action {
        CardAction::ApproveSummary(number) => {
            let approve = SummaryChange::Approve { number };
            let key = click.key.as_deref();
            let outcome = apply(state, &click.incident, approve, &click.user_id, key).await;
            return answer(state, &click.incident, outcome);
        }
        CardAction::RequestChanges(number) => Some(number),
        _ => None,
    };
    let (incident, drafts) = match state.deadline.run(find(state, &click.incident)).await {
        Ok(Some(found)) => found,
        Ok(None) => return Reply::Say(Answer::not_found(&click.incident)),
        Err(e) => return Reply::Say(read_failure(state, e)),
    };
    let process = &state.config.process;
    let form = match number {
        // Sending back is decided by the same rule as at submission, so a bystander is told
        // before writing a reason.
        Some(number) => {
            let asked = summaries::may_decide(
                &incident,
                &drafts,
                number,
                false,
                &click.user_id,
                &process.catalog,
                &process.comms,
            );
            match asked {
                Ok(Some(summary)) => CardForm::RequestChanges {
                    summary: Box::new(summary.clone()),
                },
                Ok(None) => return Reply::Ack,
                Err(refusal) => return Reply::Say(Answer::refused(refusal)),
            }
        }
        None if incident.status == crate::incident::Status::Cancelled => {
            let id = incident.id.to_string();
            return Reply::Say(Answer::refused(Refusal::Cancelled { id }));
        }
        None => CardForm::DraftSummary {
            status: summaries::suggested_status(&incident),
            previous: drafts
                .last()
                .filter(|d| d.state == SummaryState::ChangesRequested)
                .cloned()
                .map(Box::new),
        },
    };
    Reply::Open(FormRequest::Card {
        incident: Box::new(incident),
        form,
    })
}

/// The incident and its summaries, or `None` when there is no such incident.
async fn find(
    state: &Context,
    id: &IncidentId,
) -> Result<Option<(Incident, Vec<Summary>)>, sqlx::Error> {
    let Some(incident) = store::incidents::find_incident(&state.pool, id).await? else {
        return Ok(None);
    };
    let drafts = store::summaries::find_summaries(&state.pool, id).await?;
    Ok(Some((incident, drafts)))
}

/// What the person who clicked is told: nothing when it went through (the thread shows it).
fn answer(state: &Context, id: &IncidentId, outcome: Result<SummaryOutcome, StoreError>) -> Reply {
    Reply::Say(match outcome {
        Ok(SummaryOutcome::Not(ChangeOutcome::Refused(refusal))) => Answer::refused(refusal),
        Ok(SummaryOutcome::Not(ChangeOutcome::NotFound)) => Answer::not_found(id),
        Ok(_) => return Reply::Ack,
        Err(e) => store_failure(state, e),
    })
}
