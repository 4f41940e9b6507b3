//! The modals opened from the incident card and the message shortcut. Each carries the incident
//! ID in `private_metadata` and names its inputs with the block IDs in [`ids`], read back on
//! submission by `slack::ingress`.

use super::blocks::{option, plain, section, severity_options, type_options};
use crate::incident::{
    Catalog, Incident, Severities, Status, truncate_chars, update::CLOSURE_CRITERIA,
};
use serde_json::{Value, json};
use std::time::Duration;

/// Callback IDs and input block IDs.
pub mod ids {
    pub const RESOLVE: &str = "incident_resolve";
    pub const CLOSE: &str = "incident_close";
    pub const SEVERITY: &str = "incident_severity";
    pub const ROLES: &str = "incident_roles";
    pub const UPDATE: &str = "incident_update";
    pub const CANCEL: &str = "incident_cancel";
    pub const EDIT: &str = "incident_edit";
    pub const PICK_INCIDENT: &str = "timeline_pick";
    pub const BREACH: &str = "incident_breach";
    pub const NOTIFIED: &str = "incident_authority_notified";

    pub const SUMMARY: &str = "summary";
    pub const REASON: &str = "reason";
    pub const LEVEL: &str = "level";
    pub const ROLE: &str = "role";
    pub const USER: &str = "user";
    pub const IMPACT: &str = "impact";
    pub const ACTION: &str = "current_action";
    pub const OWNER: &str = "owner";
    pub const NEXT_UPDATE: &str = "next_update";
    pub const STATUS: &str = "status";
    pub const TITLE: &str = "title";
    pub const TYPE: &str = "incident_type";
    pub const INCIDENT: &str = "incident";
    pub const DISCOVERED: &str = "discovered";
    /// The action ID of the single element in every input block.
    pub const VALUE: &str = "value";
}

fn modal(
    callback_id: &str,
    title: &str,
    submit: &str,
    metadata: &str,
    blocks: Vec<Value>,
) -> Value {
    json!({
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": truncate_chars(metadata, 3000),
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    })
}

fn input(block_id: &str, label: &str, element: Value, optional: bool) -> Value {
    json!({ "type": "input", "block_id": block_id, "optional": optional, "label": plain(label, 2000), "element": element })
}

fn text_input(initial: Option<&str>, multiline: bool, max: usize) -> Value {
    let mut e = json!({ "type": "plain_text_input", "action_id": ids::VALUE, "multiline": multiline, "max_length": max });
    if let Some(v) = initial.filter(|v| !v.is_empty()) {
        e["initial_value"] = json!(truncate_chars(v, max));
    }
    e
}

fn heading(incident: &Incident) -> Value {
    section(&format!(
        "*{}* · {}",
        incident.id,
        super::blocks::escape(&truncate_chars(&incident.title, 200))
    ))
}

/// Resolve: asks for the resolution summary.
pub fn resolve(incident: &Incident) -> Value {
    let blocks = vec![
        heading(incident),
        input(
            ids::SUMMARY,
            "Resolution summary: what fixed it and how recovery was confirmed",
            text_input(None, true, 2000),
            false,
        ),
    ];
    modal(
        ids::RESOLVE,
        "Resolve incident",
        "Resolve",
        incident.id.as_str(),
        blocks,
    )
}

/// Close: the closure checklist, every criterion confirmed or not applicable.
pub fn close(incident: &Incident) -> Value {
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
        blocks.push(input(
            key,
            label,
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": answers() }),
            true,
        ));
    }
    modal(
        ids::CLOSE,
        "Close incident",
        "Close",
        incident.id.as_str(),
        blocks,
    )
}

/// Severity: the new level and why.
pub fn severity(incident: &Incident, severities: &Severities, chosen: &str) -> Value {
    let select = json!({ "type": "static_select", "action_id": ids::VALUE, "options": severity_options(severities),
        "initial_option": option(chosen, chosen) });
    let blocks = vec![
        heading(incident),
        input(
            ids::LEVEL,
            &format!("New severity (now {})", incident.severity),
            select,
            false,
        ),
        input(ids::REASON, "Reason", text_input(None, true, 1000), false),
    ];
    modal(
        ids::SEVERITY,
        "Change severity",
        "Change",
        incident.id.as_str(),
        blocks,
    )
}

/// Roles: pick a role and a person; shows who holds what.
pub fn roles(incident: &Incident, catalog: &Catalog) -> Value {
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
        .map(|r| option(&r.name, &r.key))
        .collect();
    let blocks = vec![
        heading(incident),
        section(&holders.join("\n")),
        input(
            ids::ROLE,
            "Role",
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": role_options }),
            false,
        ),
        input(
            ids::USER,
            "Person",
            json!({ "type": "users_select", "action_id": ids::VALUE }),
            false,
        ),
    ];
    modal(
        ids::ROLES,
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
pub fn update(incident: &Incident, cadence: Duration, default_owner: &str) -> Value {
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
        input(
            ids::IMPACT,
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
        input(
            ids::ACTION,
            "Current action",
            text_input(None, true, 2000),
            false,
        ),
        input(
            ids::OWNER,
            "Owner",
            json!({ "type": "users_select", "action_id": ids::VALUE, "initial_user": owner }),
            false,
        ),
        input(
            ids::NEXT_UPDATE,
            "Next update",
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": choices, "initial_option": default }),
            false,
        ),
        input(
            ids::STATUS,
            &format!("Change status (now {})", incident.status),
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": statuses }),
            true,
        ),
    ];
    modal(
        ids::UPDATE,
        "Post an update",
        "Post",
        incident.id.as_str(),
        blocks,
    )
}

/// Cancel: declared in error, with a reason.
pub fn cancel(incident: &Incident) -> Value {
    let blocks = vec![
        heading(incident),
        input(
            ids::REASON,
            "Why was this declared in error?",
            text_input(None, true, 1000),
            false,
        ),
    ];
    modal(
        ids::CANCEL,
        "Cancel incident",
        "Cancel incident",
        incident.id.as_str(),
        blocks,
    )
}

/// Edit: title, impact and type.
pub fn edit(incident: &Incident, catalog: &Catalog) -> Value {
    let mut type_select = json!({ "type": "static_select", "action_id": ids::VALUE, "options": type_options(catalog) });
    if let Some(t) = incident
        .incident_type
        .as_deref()
        .and_then(|k| catalog.incident_type(k))
    {
        type_select["initial_option"] = option(&t.name, &t.key);
    }
    let blocks = vec![
        input(
            ids::TITLE,
            "Title",
            text_input(Some(&incident.title), false, 200),
            false,
        ),
        input(
            ids::IMPACT,
            "Impact",
            text_input(incident.impact.as_deref(), true, 2000),
            true,
        ),
        input(ids::TYPE, "Incident type", type_select, true),
    ];
    modal(
        ids::EDIT,
        "Edit incident",
        "Save",
        incident.id.as_str(),
        blocks,
    )
}

/// Add to timeline, for a message outside any incident's thread: pick the incident.
pub fn pick_incident(open: &[Incident], metadata: &str) -> Value {
    let options: Vec<Value> = open
        .iter()
        .take(100)
        .map(|i| option(&format!("{} {}", i.id, i.title), i.id.as_str()))
        .collect();
    let blocks = if options.is_empty() {
        vec![section(
            "There are no open incidents to add this message to.",
        )]
    } else {
        vec![input(
            ids::INCIDENT,
            "Incident",
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": options }),
            false,
        )]
    };
    modal(
        ids::PICK_INCIDENT,
        "Add to timeline",
        "Add",
        metadata,
        blocks,
    )
}

/// Flag a personal-data breach: when it was discovered starts the 72-hour clock.
pub fn flag_breach(incident: &Incident) -> Value {
    let choices = [
        ("Just now", "0"),
        ("1 hour ago", "3600"),
        ("2 hours ago", "7200"),
        ("6 hours ago", "21600"),
        ("12 hours ago", "43200"),
        ("24 hours ago", "86400"),
        ("48 hours ago", "172800"),
    ];
    let options: Vec<Value> = choices.iter().map(|(l, v)| option(l, v)).collect();
    let blocks = vec![
        heading(incident),
        section(
            "Flagging a personal-data breach starts the 72-hour clock for notifying the supervisory authority (GDPR Art. 33), counted from discovery. warroom reminds the thread as it runs.",
        ),
        input(
            ids::DISCOVERED,
            "When was it discovered?",
            json!({ "type": "static_select", "action_id": ids::VALUE, "options": options, "initial_option": option("Just now", "0") }),
            false,
        ),
    ];
    modal(
        ids::BREACH,
        "Flag data breach",
        "Flag breach",
        incident.id.as_str(),
        blocks,
    )
}

/// Record that the supervisory authority was notified, with the notification's contents.
pub fn authority_notified(incident: &Incident) -> Value {
    let mut blocks = vec![heading(incident)];
    for (key, label) in crate::incident::event::BreachNotification::FIELDS {
        blocks.push(input(key, label, text_input(None, true, 2000), false));
    }
    modal(
        ids::NOTIFIED,
        "Authority notified",
        "Record",
        incident.id.as_str(),
        blocks,
    )
}
