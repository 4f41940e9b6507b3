//! The forms under the card's "More" menu, the declare form and the incident picker of the
//! message shortcut.

use super::{field, heading, modal, text_input};
use crate::{
    commands::forms::{Input, MessageAction, Prefill},
    config::ProcessConfig,
    incident::{Incident, SeverityRank, Triage, truncate_chars},
    slack::{
        blocks::{option, plain, section, severity_options, type_options},
        keys::{Callback, DRILL_VALUE, VALUE, block_id},
    },
};
use serde_json::{Value, json};

/// Slack keeps at most this many characters of a view's `private_metadata`.
const METADATA_MAX: usize = 3000;

/// The declare form: title, severity (preselected), type, impact and the triage questions.
pub(super) fn declare(
    process: &ProcessConfig,
    severity: SeverityRank,
    restricted: Option<bool>,
    private_metadata: &str,
) -> Value {
    let (severities, catalog) = (&process.severities, &process.catalog);
    let title_input = json!({ "type": "plain_text_input", "action_id": VALUE, "max_length": 150,
        "placeholder": plain("Payments API returns 500s", 150) });
    let chosen = &severities.get(severity).name;
    let triage_options: Vec<Value> = Triage::QUESTIONS
        .iter()
        .map(|(key, label)| option(label, key))
        .collect();
    let mut form = json!({
        "type": "modal",
        "callback_id": Callback::Declare.id(),
        "private_metadata": truncate_chars(private_metadata, 3000),
        "title": plain("Declare an incident", 24),
        "submit": plain("Declare", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            { "type": "input", "block_id": block_id(&Input::Title), "label": plain("Title", 2000), "element": title_input },
            { "type": "input", "block_id": block_id(&Input::Severity), "label": plain("Severity", 2000), "element": {
                "type": "static_select", "action_id": VALUE, "options": severity_options(severities),
                "initial_option": option(chosen, chosen) } },
            { "type": "input", "block_id": block_id(&Input::IncidentType), "optional": true, "label": plain("Incident type", 2000), "element": {
                "type": "static_select", "action_id": VALUE, "placeholder": plain("Choose a type", 150),
                "options": type_options(catalog) } },
            { "type": "input", "block_id": block_id(&Input::Impact), "optional": true, "label": plain("Impact", 2000), "element": {
                "type": "plain_text_input", "action_id": VALUE, "multiline": true, "max_length": 2000,
                "placeholder": plain("Who is affected and how", 150) } },
            { "type": "input", "block_id": block_id(&Input::Triage), "optional": true, "label": plain("Triage", 2000),
              "hint": plain("Any box checked raises the severity to its floor until confirmed otherwise.", 2000),
              "element": { "type": "checkboxes", "action_id": VALUE, "options": triage_options } },
        ],
    });
    if let Some(blocks) = form["blocks"].as_array_mut() {
        blocks.extend(super::scope::scope_fields(None));
        if let Some(checked) = restricted {
            blocks.push(restricted_field(checked));
        }
    }
    form
}

/// Fills in the declare form's title, impact and how it was detected from the message it is
/// declared from; the form says where they came from.
pub(super) fn fill_in(form: &mut Value, prefill: &Prefill) {
    let Some(blocks) = form["blocks"].as_array_mut() else {
        return;
    };
    for block in blocks.iter_mut() {
        let id = block["block_id"].as_str().unwrap_or_default().to_owned();
        if id == block_id(&Input::Title) && !prefill.title.is_empty() {
            block["element"]["initial_value"] = json!(prefill.title);
        } else if id == block_id(&Input::Impact)
            && let Some(impact) = &prefill.impact
        {
            block["element"]["initial_value"] = json!(impact);
        } else if id == block_id(&Input::Detection)
            && let Some(d) = prefill.detection
        {
            block["element"]["initial_option"] = option(d.label(), d.key());
        }
    }
    blocks.insert(
        0,
        section("Filled in from the message; it is kept with the incident as how it was detected."),
    );
}

/// The declare form with its last input, "This is a drill" (checked when `drill`), and a title
/// that says which it declares.
pub(super) fn with_drill_box(mut form: Value, drill: bool) -> Value {
    let option = option("This is a drill", DRILL_VALUE);
    let mut element = json!({ "type": "checkboxes", "action_id": VALUE, "options": [option] });
    if drill {
        element["initial_options"] = json!([option]);
        form["title"] = plain("Declare a drill", 24);
    }
    let drill_box = json!({ "type": "input", "block_id": block_id(&Input::Drill), "optional": true,
        "label": plain("Drill", 2000),
        "hint": plain("A tabletop exercise: marked DRILL everywhere, never paged or sent to customers, and left out of the metrics, the digest and search.", 2000),
        "element": element });
    if let Some(blocks) = form["blocks"].as_array_mut() {
        blocks.push(drill_box);
    }
    form
}

/// The Restricted (security) checkbox: the incident goes to the private restricted channel.
fn restricted_field(checked: bool) -> Value {
    let choice = option("Restricted (security)", "restricted");
    let mut element = json!({ "type": "checkboxes", "action_id": VALUE, "options": [choice] });
    if checked {
        element["initial_options"] = json!([option("Restricted (security)", "restricted")]);
    }
    let mut block = field(Input::Restricted, "Visibility", element, true);
    block["hint"] = json!({ "type": "plain_text",
        "text": "Its card and thread go to the private restricted channel, and only that channel's members see its details. Security, credential and data-exposure types are restricted anyway." });
    block
}

/// Add to timeline, for a message outside any incident's thread: pick the incident.
pub(super) fn pick_incident(open: &[Incident], message: &MessageAction) -> Value {
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
        vec![field(
            Input::Incident,
            "Incident",
            json!({ "type": "static_select", "action_id": VALUE, "options": options }),
            false,
        )]
    };
    modal(
        Callback::PickIncident,
        "Add to timeline",
        "Add",
        &message_metadata(message),
        blocks,
    )
}

/// Flag a personal-data breach: when it was discovered starts the 72-hour clock.
pub(super) fn flag_breach(incident: &Incident) -> Value {
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
        field(
            Input::Discovered,
            "When was it discovered?",
            json!({ "type": "static_select", "action_id": VALUE, "options": options, "initial_option": option("Just now", "0") }),
            false,
        ),
    ];
    modal(
        Callback::FlagBreach,
        "Flag data breach",
        "Flag breach",
        incident.id.as_str(),
        blocks,
    )
}

/// Record that the supervisory authority was notified, with the notification's contents.
pub(super) fn authority_notified(incident: &Incident) -> Value {
    let mut blocks = vec![heading(incident)];
    for (key, label) in crate::incident::event::BreachNotification::FIELDS {
        blocks.push(field(
            Input::Record(key),
            label,
            text_input(None, true, 2000),
            false,
        ));
    }
    modal(
        Callback::RecordNotified,
        "Authority notified",
        "Record",
        incident.id.as_str(),
        blocks,
    )
}

/// Review triage: the four questions again, with the current answers checked.
pub(super) fn review_triage(incident: &Incident) -> Value {
    let options: Vec<Value> = Triage::QUESTIONS
        .iter()
        .map(|(key, label)| option(label, key))
        .collect();
    let checked: Vec<Value> = Triage::QUESTIONS
        .iter()
        .zip(incident.triage.answers())
        .filter(|(_, (_, answer))| *answer == Some(true))
        .map(|((key, label), _)| option(label, key))
        .collect();
    let mut element = json!({ "type": "checkboxes", "action_id": VALUE, "options": options });
    if !checked.is_empty() {
        element["initial_options"] = json!(checked);
    }
    let blocks = vec![
        heading(incident),
        section(
            "Check what holds now. A box that raises the severity floor raises the severity with it; clearing one lets the severity be lowered afterwards, with a reason.",
        ),
        field(Input::Triage, "Triage", element, true),
    ];
    modal(
        Callback::ReviewTriage,
        "Review triage",
        "Save",
        incident.id.as_str(),
        blocks,
    )
}

/// The message carried through the picker, cut so that it fits `private_metadata` once
/// serialised (escaping can make JSON much longer than the text).
fn message_metadata(message: &MessageAction) -> String {
    let mut kept = message.clone();
    let mut limit = kept.text.chars().count();
    loop {
        let json = serde_json::to_string(&kept).unwrap_or_default();
        if json.len() <= METADATA_MAX || limit == 0 {
            return json;
        }
        // Shrink in proportion to the overshoot, and by at least one character each time.
        limit = (limit * METADATA_MAX / json.len()).min(limit - 1);
        kept.text = truncate_chars(&message.text, limit);
    }
}
