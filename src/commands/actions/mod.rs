//! Corrective (follow-up) actions from the command line; the card's **Add follow-up action**
//! form and the reminder's buttons reach the same [`apply`].
//!
//! ```text
//! /incident action INC-… @owner 2026-12-20 Alert on pool saturation   → INC-…-A1 added
//! /incident action INC-… @owner in 5d <text>                            (due in five days)
//! /incident action done INC-…-A1                                        → marked done
//! /incident action wontdo INC-…-A1 <reason>                             → closed as won't do
//! /incident actions                                                     → my open actions
//! /incident actions INC-…                                               → the incident's actions
//! /incident actions overdue                                             → everyone's overdue ones
//! ```

mod apply;
mod parse;

pub use apply::{ActionOutcome, apply};

use super::{Invocation, Reply, View, change::ChangeOutcome, read_failure, store_failure};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{
        IncidentId,
        actions::{self, ActionChange, ActionId, ListedAction},
    },
    store,
};
use parse::{ActionCommand, Due};

/// How many actions one answer lists.
const LIMIT: i64 = 50;

/// Which actions a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionsHeading {
    /// The asker's open ones.
    Mine,
    /// One incident's, in every status.
    Incident(IncidentId),
    /// Everyone's overdue ones.
    Overdue,
}

/// `/incident action …`: add one, or mark one done or won't do.
pub async fn run(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let command = match parse::action(rest) {
        Ok(command) => command,
        Err(answer) => return Reply::Say(answer),
    };
    let now = state.clock.now();
    let (id, change, key_part) = match command {
        ActionCommand::Add {
            incident,
            owner,
            due,
            text,
        } => {
            let due_on = match due {
                Due::On(day) => day,
                Due::InDays(days) => {
                    actions::today(now, &state.config.process.schedule)
                        + chrono::Duration::days(days)
                }
            };
            let change = ActionChange::Add {
                text: text.to_owned(),
                owner,
                due_on,
                link: None,
            };
            (incident, change, "add")
        }
        ActionCommand::Done(action) => (
            action.incident,
            ActionChange::Done {
                number: action.number,
            },
            "done",
        ),
        ActionCommand::WontDo(action, reason) => (
            action.incident,
            ActionChange::WontDo {
                number: action.number,
                reason: reason.to_owned(),
            },
            "wont_do",
        ),
    };
    if let Some(reply) = super::hidden_from(state, inv, &id).await {
        return reply;
    }
    let key = inv
        .trigger_id
        .as_ref()
        .map(|t| format!("slash:{t}:{key_part}"));
    Reply::Say(answer(
        state,
        &id,
        apply(state, &id, change, &inv.user_id, key.as_deref()).await,
    ))
}

/// What the person is told about an action change.
pub(crate) fn answer(
    state: &Context,
    id: &IncidentId,
    outcome: Result<ActionOutcome, store::StoreError>,
) -> Answer {
    match outcome {
        Ok(ActionOutcome::Applied(action)) => Answer::ActionChanged {
            action: action.to_string(),
        },
        Ok(ActionOutcome::Not(ChangeOutcome::Refused(refusal))) => Answer::refused(refusal),
        Ok(ActionOutcome::Not(ChangeOutcome::NotFound)) => Answer::not_found(id),
        Ok(ActionOutcome::Not(_)) => Answer::ActionUnchanged,
        Err(e) => store_failure(state, e),
    }
}

/// `/incident actions [INC-… | overdue]`.
pub async fn list(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let rest = rest.trim();
    let today = actions::today(state.clock.now(), &state.config.process.schedule);
    let (heading, found) = if rest.is_empty() || rest.eq_ignore_ascii_case("mine") {
        let find = store::actions::find_open_for_owner(&state.pool, &inv.user_id, LIMIT);
        (ActionsHeading::Mine, state.deadline.run(find).await)
    } else if rest.eq_ignore_ascii_case("overdue") {
        let find = store::actions::find_overdue(&state.pool, today, LIMIT);
        (ActionsHeading::Overdue, state.deadline.run(find).await)
    } else if let Some(id) = IncidentId::parse(rest) {
        if let Some(reply) = super::hidden_from(state, inv, &id).await {
            return reply;
        }
        let found = state.deadline.run(of_incident(state, &id)).await;
        match found {
            Ok(None) => return Reply::Say(Answer::not_found(&id)),
            Ok(Some(listed)) => (ActionsHeading::Incident(id), Ok(listed)),
            Err(e) => (ActionsHeading::Incident(id), Err(e)),
        }
    } else {
        return Reply::Say(Answer::HowToListActions);
    };
    match found {
        Ok(mut actions) => {
            // Restricted incidents' actions are counted here, never described.
            let before = actions.len();
            actions.retain(|a| inv.sees_restricted || !a.incident_restricted);
            Reply::Show(View::Actions {
                heading,
                hidden: before - actions.len(),
                actions,
                today,
            })
        }
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}

/// An incident's actions, or `None` when there is no such incident.
async fn of_incident(
    state: &Context,
    id: &IncidentId,
) -> Result<Option<Vec<ListedAction>>, sqlx::Error> {
    let Some(incident) = store::incidents::find_incident(&state.pool, id).await? else {
        return Ok(None);
    };
    let actions = store::actions::find_actions(&state.pool, id).await?;
    Ok(Some(
        actions
            .into_iter()
            .map(|action| ListedAction {
                incident: id.clone(),
                incident_title: incident.title.to_string(),
                incident_restricted: incident.restricted,
                action,
            })
            .collect(),
    ))
}

/// The ID of action `number` of incident `incident`.
pub(crate) fn id_of(incident: &IncidentId, number: u32) -> ActionId {
    ActionId {
        incident: incident.clone(),
        number,
    }
}
