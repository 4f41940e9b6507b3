//! The client-safe summary forms, submitted: read into the change they ask for, with the lint's
//! findings shown under the input each is about — errors (what must not leave) and warnings
//! (what the author must stand by, with the checkbox that does).

use super::super::{
    Reply,
    change::ChangeOutcome,
    form_failure,
    forms::{CardFields, Errors, Input, required},
};
use super::{SummaryOutcome, apply};
use crate::{
    context::Context,
    incident::{
        IncidentId,
        summaries::{
            Audience, PublicStatus, SummaryChange,
            lint::{Field, Finding, Report},
        },
    },
};

/// How many findings one input lists before it says how many more there are.
const LISTED: usize = 6;

/// Applies a submitted summary form about `id`, submitted as view `view_id` by `user`.
pub async fn on_submit(
    state: &Context,
    id: &IncidentId,
    fields: &CardFields,
    user: &str,
    view_id: &str,
) -> Reply {
    let change = match read(fields) {
        Ok(change) => change,
        Err(errors) => return Reply::FieldErrors(errors),
    };
    let acknowledged = matches!(
        change,
        SummaryChange::Draft {
            acknowledged: true,
            ..
        }
    );
    let first = fields.input_first();
    let at = |text: String| Reply::FieldErrors(vec![(first.clone(), text)]);
    let key = format!("view:{view_id}");
    match apply(state, id, change, user, Some(&key)).await {
        Ok(
            SummaryOutcome::Applied(_)
            | SummaryOutcome::Not(ChangeOutcome::NoOp | ChangeOutcome::Duplicate),
        ) => Reply::Ack,
        Ok(SummaryOutcome::Rejected(report)) => Reply::FieldErrors(findings(&report, acknowledged)),
        Ok(SummaryOutcome::Not(ChangeOutcome::Refused(refusal))) => at(refusal.to_string()),
        Ok(SummaryOutcome::Not(ChangeOutcome::NotFound | ChangeOutcome::Applied)) => {
            at(format!("{id} no longer exists."))
        }
        Err(e) => at(form_failure(state, e)),
    }
}

/// Reads a summary form into the change it asks for, or the errors for each invalid input.
fn read(fields: &CardFields) -> Result<SummaryChange, Errors> {
    let mut errors = Errors::new();
    let change = match fields {
        CardFields::DraftSummary {
            title,
            text,
            status,
            audience,
            acknowledged,
        } => {
            let title = required(
                title,
                Input::SummaryTitle,
                &mut errors,
                "Give the summary a public title.",
            );
            let text = required(text, Input::SummaryText, &mut errors, "Write the summary.");
            let status = status.as_deref().and_then(PublicStatus::parse);
            if status.is_none() {
                errors.push((Input::PublicStatus, "Choose the public status.".to_owned()));
            }
            let audience = audience.as_deref().and_then(Audience::parse);
            if audience.is_none() {
                errors.push((Input::Audience, "Choose who it is for.".to_owned()));
            }
            match (status, audience) {
                (Some(status), Some(audience)) if errors.is_empty() => SummaryChange::Draft {
                    title,
                    text,
                    status,
                    audience,
                    acknowledged: *acknowledged,
                },
                _ => return Err(errors),
            }
        }
        CardFields::RequestChanges { number, reason } => {
            let reason = required(
                reason,
                Input::Reason,
                &mut errors,
                "Say what should change.",
            );
            let Some(number) = number else {
                errors.push((Input::Reason, "This form no longer says which draft it is about; open it again from the draft in the thread.".to_owned()));
                return Err(errors);
            };
            SummaryChange::RequestChanges {
                number: *number,
                reason,
            }
        }
        _ => {
            errors.push((
                fields.input_first(),
                "This form is not about a client-safe summary.".to_owned(),
            ));
            return Err(errors);
        }
    };
    if errors.is_empty() {
        Ok(change)
    } else {
        Err(errors)
    }
}

fn listed(found: &[&Finding]) -> String {
    let mut items: Vec<String> = found.iter().take(LISTED).map(|f| f.to_string()).collect();
    if found.len() > LISTED {
        items.push(format!("and {} more", found.len() - LISTED));
    }
    items.join("; ")
}

/// The lint's findings under the inputs they are about; under the checkbox, when there are
/// warnings its author has not stood by, what checking it means.
fn findings(report: &Report, acknowledged: bool) -> Errors {
    let mut errors = Errors::new();
    for (field, input) in [
        (Field::Title, Input::SummaryTitle),
        (Field::Text, Input::SummaryText),
        (Field::Status, Input::PublicStatus),
    ] {
        let found = report.in_field(field);
        let (warnings, must): (Vec<&Finding>, Vec<&Finding>) =
            found.into_iter().partition(|f| f.rule.is_warning());
        let mut said = Vec::new();
        if !must.is_empty() {
            said.push(format!("Remove before this can go out: {}.", listed(&must)));
        }
        if field == Field::Status && !warnings.is_empty() {
            said.push("Warning: the incident is not resolved and reviewed yet, so this presents it as over too early.".to_owned());
        } else if !warnings.is_empty() {
            said.push(format!(
                "Warning: {}. Say only what is confirmed, and nothing is over before the incident is resolved and reviewed.",
                listed(&warnings)
            ));
        }
        if !said.is_empty() {
            errors.push((input, said.join(" ")));
        }
    }
    if !report.warnings().is_empty() && !acknowledged {
        errors.push((
            Input::AcknowledgeWarnings,
            "warroom warns about the wording above: change it, or check this to stand by it and send the draft for approval.".to_owned(),
        ));
    }
    errors
}
