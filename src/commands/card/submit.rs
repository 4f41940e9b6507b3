//! A submitted card form: its fields checked and turned into one change, applied like a click.
//! Invalid fields keep the form open with an error under each; a refusal shows under the input
//! it is about.

use super::super::{
    Reply,
    actions::{self, ActionOutcome},
    change::{self, ChangeOutcome},
    forms::{CardFields, Errors, Input, required},
};
use super::action_form;
use crate::{
    context::Context,
    incident::{
        IncidentId, Status, Triage,
        actions::{ActionChange, ActionsSummary},
        event::BreachNotification,
        lifecycle::{Change, EditFields, Refusal},
        review::ReviewNotes,
        update::{CLOSURE_CRITERIA, ClosureAnswer},
    },
};

/// Applies a submitted card form about `id`, submitted as view `view_id` by `user`.
pub async fn on_submit(
    state: &Context,
    id: &IncidentId,
    fields: &CardFields,
    user: &str,
    view_id: &str,
) -> Reply {
    if let CardFields::DraftSummary { .. } | CardFields::RequestChanges { .. } = fields {
        return super::super::summaries::on_submit(state, id, fields, user, view_id).await;
    }
    let asked = match read(state, fields) {
        Ok(asked) => asked,
        Err(errors) => return Reply::FieldErrors(errors),
    };
    let first = fields.input_first();
    let key = format!("view:{view_id}");
    let at = |input: Input, text: String| Reply::FieldErrors(vec![(input, text)]);
    let outcome = match asked {
        Asked::Change(change) => change::apply(state, id, change, user, Some(&key)).await,
        Asked::Action(change) => actions::apply(state, id, change, user, Some(&key))
            .await
            .map(|outcome| match outcome {
                ActionOutcome::Applied(_) => ChangeOutcome::Applied,
                ActionOutcome::Not(outcome) => outcome,
            }),
    };
    match outcome {
        Ok(ChangeOutcome::Applied | ChangeOutcome::NoOp | ChangeOutcome::Duplicate) => Reply::Ack,
        Ok(ChangeOutcome::Refused(refusal)) => {
            let input = match (&refusal, fields) {
                (Refusal::BelowTriageFloor { .. }, CardFields::Severity { .. }) => Input::Level,
                (Refusal::NotALink, _) => Input::Link,
                (Refusal::DueInPast, _) => Input::Due,
                (Refusal::NoCorrectiveActions { .. }, _) => Input::NoAction,
                (Refusal::ReviewIncomplete { .. }, _) => Input::ReviewComplete,
                (Refusal::ImpactStartsInFuture, _) => Input::ImpactStarted,
                _ => first,
            };
            at(input, refusal.to_string())
        }
        Ok(ChangeOutcome::NotFound) => at(first, format!("{id} no longer exists.")),
        Err(e) => at(first, super::super::form_failure(state, e)),
    }
}

/// What a form asks for: a change to the incident, or to one of its follow-up actions.
enum Asked {
    Change(Change),
    Action(ActionChange),
}

/// Reads a card form into what it asks for, or the errors for each invalid field.
fn read(state: &Context, fields: &CardFields) -> Result<Asked, Errors> {
    let mut errors = Errors::new();
    let process = &state.config.process;
    let change = match fields {
        CardFields::Resolve { summary } => Change::Resolve {
            summary: required(summary, Input::Summary, &mut errors, "Say what fixed it."),
        },
        CardFields::Cancel { reason } => Change::Cancel {
            reason: required(
                reason,
                Input::Reason,
                &mut errors,
                "Say why it was declared in error.",
            ),
        },
        CardFields::Close {
            answers,
            no_action,
            no_action_reason,
        } => {
            let mut checklist = Vec::new();
            for (key, _) in CLOSURE_CRITERIA {
                let answer = answers
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, a)| a.as_deref())
                    .and_then(ClosureAnswer::parse);
                let input = Input::Criterion(key.to_owned());
                match answer {
                    Some(ClosureAnswer::UnderReview) => errors.push((input, "Still Under Review: confirm it, or mark it not applicable, before closing.".to_owned())),
                    Some(answer) => checklist.push((key.to_owned(), answer)),
                    None => errors.push((input, "Answer this before closing.".to_owned())),
                }
            }
            if *no_action && no_action_reason.is_none() {
                errors.push((
                    Input::NoActionReason,
                    "Say why no corrective action is needed.".to_owned(),
                ));
            }
            Change::Close {
                checklist,
                no_action_reason: no_action_reason.clone().filter(|_| *no_action),
                // Read under the incident's lock when the change is decided.
                actions: ActionsSummary::default(),
            }
        }
        CardFields::Severity { level, reason } => {
            let level = required(level, Input::Level, &mut errors, "Choose a severity.");
            let to = process.severities.parse(&level);
            if to.is_none() && !level.is_empty() {
                errors.push((
                    Input::Level,
                    "Choose one of the listed severities.".to_owned(),
                ));
            }
            let reason = required(
                reason,
                Input::Reason,
                &mut errors,
                "Say why the severity changes.",
            );
            Change::SetSeverity {
                to: to.unwrap_or(process.default_severity),
                reason,
            }
        }
        CardFields::Roles { role, user } => {
            let typed = required(role, Input::Role, &mut errors, "Choose a role.");
            let role = process.catalog.role(&typed).map(|r| r.key.clone());
            if role.is_none() && !typed.is_empty() {
                errors.push((Input::Role, "Choose one of the listed roles.".to_owned()));
            }
            let user = required(user, Input::User, &mut errors, "Choose a person.");
            match role {
                Some(role) => Change::AssignRole { role, user },
                // Unknown or missing: `errors` already says so.
                None => return Err(errors),
            }
        }
        CardFields::Update {
            impact,
            current_action,
            owner,
            next_update,
            status,
        } => {
            let impact = required(impact, Input::Impact, &mut errors, "Describe the impact.");
            let current_action = required(
                current_action,
                Input::CurrentAction,
                &mut errors,
                "Say what is being done now.",
            );
            let owner = required(owner, Input::Owner, &mut errors, "Choose the owner.");
            let secs: Option<i64> = next_update
                .as_deref()
                .and_then(|s| s.parse().ok())
                .filter(|s| *s > 0);
            if secs.is_none() {
                errors.push((
                    Input::NextUpdate,
                    "Choose when the next update is due.".to_owned(),
                ));
            }
            let status = match status {
                Some(s) => match Status::parse(s).filter(|s| s.is_open()) {
                    Some(status) => Some(status),
                    None => {
                        errors.push((
                            Input::Status,
                            "Choose an active status (resolve from the card).".to_owned(),
                        ));
                        None
                    }
                },
                None => None,
            };
            Change::PostUpdate {
                impact,
                current_action,
                owner,
                next_update_in: chrono::Duration::seconds(secs.unwrap_or(1800)),
                status,
            }
        }
        CardFields::FlagBreach { discovered_ago } => {
            let ago: i64 = discovered_ago
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let discovered_at = state.clock.now() - chrono::Duration::seconds(ago.max(0));
            Change::FlagBreach { discovered_at }
        }
        CardFields::RecordNotified { record } => {
            let mut field = |key: &'static str| {
                let value = record
                    .iter()
                    .find(|(k, _)| *k == key)
                    .and_then(|(_, v)| v.clone());
                required(
                    &value,
                    Input::Record(key),
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
            Change::AuthorityNotified { record }
        }
        CardFields::Edit {
            title,
            impact,
            incident_type,
            scope,
        } => {
            let title = required(
                title,
                Input::Title,
                &mut errors,
                "The incident needs a title.",
            );
            if let Some(t) = incident_type
                && process.catalog.incident_type(t).is_none()
            {
                errors.push((
                    Input::IncidentType,
                    "Choose one of the listed types.".to_owned(),
                ));
            }
            let scope = crate::commands::scope::read(scope, state.clock.now(), &mut errors);
            Change::Edit(EditFields {
                title,
                impact: impact.clone(),
                incident_type: incident_type.clone(),
                scope,
            })
        }
        CardFields::RootCause { cause } => Change::RecordRootCause {
            cause: required(
                cause,
                Input::Cause,
                &mut errors,
                "Say what the confirmed root cause is.",
            ),
        },
        CardFields::FixDeployed { what, link } => Change::RecordFix {
            what: required(what, Input::Deployed, &mut errors, "Say what was deployed."),
            link: link.clone(),
        },
        CardFields::AddAction { .. } | CardFields::WontDo { .. } => {
            return action_form::read(fields).map(Asked::Action);
        }
        // Taken by `summaries::on_submit` before this is read.
        CardFields::DraftSummary { .. } | CardFields::RequestChanges { .. } => {
            errors.push((
                fields.input_first(),
                "This form is about a client-safe summary.".to_owned(),
            ));
            return Err(errors);
        }
        CardFields::Review {
            answers,
            follow_up_deadline,
            complete,
        } => {
            let deadline = follow_up_deadline
                .as_deref()
                .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"));
            if let Some(Err(_)) = deadline {
                errors.push((Input::FollowUpDeadline, "Choose a date.".to_owned()));
            }
            Change::SaveReview {
                notes: ReviewNotes {
                    answers: answers
                        .iter()
                        .filter_map(|(item, text)| Some((*item, text.clone()?)))
                        .collect(),
                    follow_up_deadline: deadline.and_then(Result::ok),
                },
                complete: *complete,
            }
        }
        CardFields::ReviewTriage { checked } => Change::ReviewTriage {
            triage: Triage::from_checked(checked.iter().map(String::as_str)),
        },
    };
    if errors.is_empty() {
        Ok(Asked::Change(change))
    } else {
        Err(errors)
    }
}
