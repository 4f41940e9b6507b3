//! The inputs that say where an incident happened, what it touches, when its impact started and
//! how it was detected — asked in the declare form and again in Edit — and the Edit form itself.

use super::{field, heading, modal, text_input};
use crate::{
    commands::forms::Input,
    incident::{Catalog, Detection, Environment, Incident, Scope},
    slack::{
        blocks::{option, type_options},
        keys::{Callback, VALUE},
    },
};
use serde_json::{Value, json};

/// The scope inputs, showing `current` when there is one (Edit) and the defaults otherwise.
pub(super) fn scope_fields(current: Option<&Scope>) -> Vec<Value> {
    let mut started = json!({ "type": "datetimepicker", "action_id": VALUE });
    if let Some(at) = current.and_then(|s| s.impact_started_at) {
        started["initial_date_time"] = json!(at.timestamp());
    }
    let mut started_field = field(Input::ImpactStarted, "Impact started", started, true);
    started_field["hint"] = json!({ "type": "plain_text",
        "text": "When users were first affected. Leave it empty if that is now." });
    let mut detection = json!({ "type": "static_select", "action_id": VALUE,
        "placeholder": { "type": "plain_text", "text": "Choose how" },
        "options": Detection::ALL.iter().map(|d| option(d.label(), d.key())).collect::<Vec<_>>() });
    if let Some(d) = current.and_then(|s| s.detection) {
        detection["initial_option"] = option(d.label(), d.key());
    }
    let environment = current.map_or_else(Environment::default, |s| s.environment);
    let environments = json!({ "type": "static_select", "action_id": VALUE,
        "options": Environment::ALL.iter().map(|e| option(e.label(), e.key())).collect::<Vec<_>>(),
        "initial_option": option(environment.label(), environment.key()) });
    let services = current.and_then(|s| s.affected_services.as_deref());
    vec![
        started_field,
        field(Input::Detection, "How was it detected?", detection, true),
        field(Input::Environment, "Environment", environments, false),
        field(
            Input::Services,
            "Affected services",
            text_input(services, false, 500),
            true,
        ),
    ]
}

/// Edit: title, impact, type and scope.
pub(super) fn edit(incident: &Incident, catalog: &Catalog) -> Value {
    let mut type_select =
        json!({ "type": "static_select", "action_id": VALUE, "options": type_options(catalog) });
    if let Some(t) = incident
        .incident_type
        .as_deref()
        .and_then(|k| catalog.incident_type(k))
    {
        type_select["initial_option"] = option(&t.name, &t.key);
    }
    let mut blocks = vec![
        heading(incident),
        field(
            Input::Title,
            "Title",
            text_input(Some(&incident.title), false, 200),
            false,
        ),
        field(
            Input::Impact,
            "Impact",
            text_input(incident.impact.as_deref(), true, 2000),
            true,
        ),
        field(Input::IncidentType, "Incident type", type_select, true),
    ];
    blocks.extend(scope_fields(Some(&incident.scope)));
    modal(
        Callback::Edit,
        "Edit incident",
        "Save",
        incident.id.as_str(),
        blocks,
    )
}

/// Root cause identified: the confirmed cause, in words.
pub(super) fn root_cause(incident: &Incident) -> Value {
    let current = incident
        .findings
        .root_cause
        .as_ref()
        .map(|f| f.text.as_str());
    let blocks = vec![
        heading(incident),
        super::super::blocks::section(
            "Record the root cause only once it is confirmed; until then the report says *Under Review*.",
        ),
        field(
            Input::Cause,
            "Confirmed root cause",
            text_input(current, true, 2000),
            false,
        ),
    ];
    modal(
        Callback::RootCause,
        "Root cause",
        "Record",
        incident.id.as_str(),
        blocks,
    )
}

/// Fix deployed: what was deployed, and a link to it.
pub(super) fn fix_deployed(incident: &Incident) -> Value {
    let blocks = vec![
        heading(incident),
        field(
            Input::Deployed,
            "What was deployed",
            text_input(None, true, 2000),
            false,
        ),
        field(
            Input::Link,
            "Link (pull request, release, change ticket)",
            json!({ "type": "url_text_input", "action_id": VALUE }),
            true,
        ),
    ];
    modal(
        Callback::FixDeployed,
        "Fix deployed",
        "Record",
        incident.id.as_str(),
        blocks,
    )
}
