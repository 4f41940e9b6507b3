//! The modals opened from the incident card and the message shortcut. Each carries the incident
//! ID in `private_metadata` and names its inputs with the block IDs of `slack::keys`, read back on
//! submission by `slack::parse`.

use super::{
    blocks::{option, plain, section, severity_options},
    keys::{Callback, VALUE, block_id},
};
use crate::incident::{
    Catalog, Incident, Severities, Status, actions::ActionsSummary, truncate_chars,
    update::CLOSURE_CRITERIA,
};
use crate::{
    commands::forms::{CardForm, FormRequest, Input},
    config::ProcessConfig,
};
use serde_json::{Value, json};
use std::time::Duration;

mod actions;
mod more;
mod review;
mod scope;
mod summary;

/// The view that opens the requested form.
pub fn view(request: &FormRequest, process: &ProcessConfig) -> Value {
    let (incident, form) = match request {
        FormRequest::Declare {
            severity,
            restricted,
            origin,
            drill,
            prefill,
        } => {
            let metadata = serde_json::to_string(origin).unwrap_or_default();
            // Offered only where restricted incidents have somewhere to go.
            let restricted = process.restricted.channel.is_some().then_some(*restricted);
            let mut form = more::declare(process, *severity, restricted, &metadata);
            if let Some(prefill) = prefill {
                more::fill_in(&mut form, prefill);
            }
            return more::with_drill_box(form, *drill);
        }
        FormRequest::PickIncident { open, message } => return more::pick_incident(open, message),
        FormRequest::Card { incident, form } => (incident, form),
    };
    match form {
        CardForm::Resolve => resolve(incident),
        CardForm::Close { actions, owed } => close(incident, *actions, *owed),
        CardForm::Severity { chosen } => severity(incident, &process.severities, chosen),
        CardForm::Roles => roles(incident, &process.catalog),
        CardForm::Update { owner } => {
            let cadence = process
                .severities
                .get(incident.severity.rank())
                .update_every;
            update(incident, cadence, owner)
        }
        CardForm::Cancel => cancel(incident),
        CardForm::Edit => scope::edit(incident, &process.catalog),
        CardForm::FlagBreach => more::flag_breach(incident),
        CardForm::RecordNotified => more::authority_notified(incident),
        CardForm::ReviewTriage => more::review_triage(incident),
        CardForm::RootCause => scope::root_cause(incident),
        CardForm::FixDeployed => scope::fix_deployed(incident),
        CardForm::AddAction { owner, due } => actions::add(incident, owner, *due),
        CardForm::WontDo { number, text } => actions::wont_do(incident, *number, text),
        CardForm::Review => review::review(incident),
        CardForm::DraftSummary { status, previous } => {
            summary::draft(incident, *status, previous.as_deref(), process)
        }
        CardForm::RequestChanges { summary } => summary::request_changes(incident, summary),
    }
}

pub(super) fn modal(
    callback: Callback,
    title: &str,
    submit: &str,
    metadata: &str,
    blocks: Vec<Value>,
) -> Value {
    json!({
        "type": "modal",
        "callback_id": callback.id(),
        "private_metadata": truncate_chars(metadata, 3000),
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    })
}

pub(super) fn field(input: Input, label: &str, element: Value, optional: bool) -> Value {
    json!({ "type": "input", "block_id": block_id(&input), "optional": optional, "label": plain(label, 2000), "element": element })
}

pub(super) fn text_input(initial: Option<&str>, multiline: bool, max: usize) -> Value {
    let mut e = json!({ "type": "plain_text_input", "action_id": VALUE, "multiline": multiline, "max_length": max });
    if let Some(v) = initial.filter(|v| !v.is_empty()) {
        e["initial_value"] = json!(truncate_chars(v, max));
    }
    e
}

pub(super) fn heading(incident: &Incident) -> Value {
    section(&format!(
        "*{}* · {}",
        incident.id,
        super::blocks::escape(&truncate_chars(&incident.title, 200))
    ))
}

/// Resolve: asks for the resolution summary.
fn resolve(incident: &Incident) -> Value {
    let blocks = vec![
        heading(incident),
        field(
            Input::Summary,
            "Resolution summary: what fixed it and how recovery was confirmed",
            text_input(None, true, 2000),
            false,
        ),
    ];
    modal(
        Callback::Resolve,
        "Resolve incident",
        "Resolve",
        incident.id.as_str(),
        blocks,
    )
}

/// Close: the closure checklist, every criterion confirmed or not applicable; the follow-up
/// criteria are computed from the actions, and when none exist but they are owed, the form asks
/// whether none is needed, and why.
fn close(incident: &Incident, actions: ActionsSummary, owed: bool) -> Value {
    let answers = || {
        vec![
            option("Confirmed", "confirmed"),
            option("Not applicable", "not_applicable"),
            option("Under Review", "under_review"),
        ]
    };
    let mut blocks = vec![
        heading(incident),
        section(
            "Closing is final. Every criterion must be *confirmed* or *not applicable*; anything Under Review keeps the incident open.",
        ),
    ];
    for (key, label) in CLOSURE_CRITERIA {
        blocks.push(field(
            Input::Criterion(key.to_owned()),
            label,
            json!({ "type": "static_select", "action_id": VALUE, "options": answers() }),
            true,
        ));
    }
    blocks.extend(actions::closing(actions, owed));
    modal(
        Callback::Close,
        "Close incident",
        "Close",
        incident.id.as_str(),
        blocks,
    )
}

/// Severity: the new level and why.
fn severity(incident: &Incident, severities: &Severities, chosen: &str) -> Value {
    let select = json!({ "type": "static_select", "action_id": VALUE, "options": severity_options(severities),
        "initial_option": option(chosen, chosen) });
    let blocks = vec![
        heading(incident),
        field(
            Input::Level,
            &format!("New severity (now {})", incident.severity),
            select,
            false,
        ),
        field(Input::Reason, "Reason", text_input(None, true, 1000), false),
    ];
    modal(
        Callback::Severity,
        "Change severity",
        "Change",
        incident.id.as_str(),
        blocks,
    )
}

/// Roles: pick a role and a person; shows who holds what.
fn roles(incident: &Incident, catalog: &Catalog) -> Value {
    let holders: Vec<String> = catalog
        .roles
        .iter()
        .map(|r| match incident.roles.get(&r.key) {
            Some(user) => format!("• {}: <@{user}>", r.name),
            None => format!("• {}: —", r.name),
        })
        .collect();
    let role_options: Vec<Value> = catalog
        .roles
        .iter()
        .take(100)
        .map(|r| option(&r.name, r.key.as_str()))
        .collect();
    let blocks = vec![
        heading(incident),
        section(&holders.join("\n")),
        field(
            Input::Role,
            "Role",
            json!({ "type": "static_select", "action_id": VALUE, "options": role_options }),
            false,
        ),
        field(
            Input::User,
            "Person",
            json!({ "type": "users_select", "action_id": VALUE }),
            false,
        ),
    ];
    modal(
        Callback::Roles,
        "Assign a role",
        "Assign",
        incident.id.as_str(),
        blocks,
    )
}

/// Choices for "next update in …"; the severity's cadence is added when it is not among them.
pub fn next_update_choices(cadence: Duration) -> Vec<(String, u64)> {
    let mut choices: Vec<u64> = vec![15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 24 * 3600];
    if !choices.contains(&cadence.as_secs()) && cadence.as_secs() > 0 {
        choices.push(cadence.as_secs());
        choices.sort_unstable();
    }
    choices
        .into_iter()
        .map(|secs| {
            (
                format!(
                    "In {}",
                    humantime::format_duration(Duration::from_secs(secs))
                ),
                secs,
            )
        })
        .collect()
}

/// Post update: the structured update's fields, the next update defaulting to the cadence.
fn update(incident: &Incident, cadence: Duration, default_owner: &str) -> Value {
    let latest = incident.latest_update.as_ref();
    let choices: Vec<Value> = next_update_choices(cadence)
        .iter()
        .map(|(label, secs)| option(label, &secs.to_string()))
        .collect();
    let default = choices
        .iter()
        .find(|o| o["value"] == json!(cadence.as_secs().to_string()))
        .cloned()
        .unwrap_or_else(|| choices[0].clone());
    let statuses: Vec<Value> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| option(&s.to_string(), s.as_str()))
        .collect();
    let owner = latest.map_or(default_owner, |u| u.owner.as_str());
    let blocks = vec![
        heading(incident),
        field(
            Input::Impact,
            "Impact",
            text_input(
                latest
                    .map(|u| u.impact.as_str())
                    .or(incident.impact.as_deref()),
                true,
                2000,
            ),
            false,
        ),
        field(
            Input::CurrentAction,
            "Current action",
            text_input(None, true, 2000),
            false,
        ),
        field(
            Input::Owner,
            "Owner",
            json!({ "type": "users_select", "action_id": VALUE, "initial_user": owner }),
            false,
        ),
        field(
            Input::NextUpdate,
            "Next update",
            json!({ "type": "static_select", "action_id": VALUE, "options": choices, "initial_option": default }),
            false,
        ),
        field(
            Input::Status,
            &format!("Change status (now {})", incident.status),
            json!({ "type": "static_select", "action_id": VALUE, "options": statuses }),
            true,
        ),
    ];
    modal(
        Callback::Update,
        "Post an update",
        "Post",
        incident.id.as_str(),
        blocks,
    )
}

/// Cancel: declared in error, with a reason.
fn cancel(incident: &Incident) -> Value {
    let blocks = vec![
        heading(incident),
        field(
            Input::Reason,
            "Why was this declared in error?",
            text_input(None, true, 1000),
            false,
        ),
    ];
    modal(
        Callback::Cancel,
        "Cancel incident",
        "Cancel incident",
        incident.id.as_str(),
        blocks,
    )
}
