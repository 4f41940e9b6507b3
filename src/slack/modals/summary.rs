//! The client-safe summary forms: **Draft client-safe summary** from the card, and **Request
//! changes…** from a draft pending approval (its `private_metadata` names the draft, `INC-…-S1`).

use super::{field, heading, modal, text_input};
use crate::{
    commands::forms::Input,
    config::ProcessConfig,
    incident::{
        Incident,
        summaries::{
            Audience, MAX_SUMMARY_CHARS, MAX_SUMMARY_TITLE_CHARS, PublicStatus, Summary, SummaryId,
            approver_names,
        },
        truncate_chars,
    },
    slack::{
        blocks::{escape, option, section},
        keys::{Callback, VALUE},
    },
};
use serde_json::{Value, json};

fn with_hint(mut field: Value, hint: &str) -> Value {
    field["hint"] = json!({ "type": "plain_text", "text": hint });
    field
}

/// Draft client-safe summary: the public title, status, audience and text, and the checkbox
/// that stands by the lint's warnings. A draft sent back for changes fills it in.
pub(super) fn draft(
    incident: &Incident,
    status: PublicStatus,
    previous: Option<&Summary>,
    process: &ProcessConfig,
) -> Value {
    let status = previous.map_or(status, |p| p.status);
    let mut audience = json!({ "type": "static_select", "action_id": VALUE,
        "options": Audience::ALL.iter().map(|a| option(a.label(), a.key())).collect::<Vec<_>>() });
    if let Some(p) = previous {
        audience["initial_option"] = option(p.audience.label(), p.audience.key());
    }
    let mut blocks = vec![
        heading(incident),
        section(&format!(
            "A client-safe summary is read outside the company. warroom checks it for internal details — IP addresses, internal host names, e-mail addresses, phone numbers, Slack mentions and IDs, secrets, card numbers, file paths, stack traces and log lines — and it leaves warroom only once the incident's {}, other than you, approves it.",
            approver_names(&process.catalog, &process.comms)
        )),
    ];
    if let Some(p) = previous {
        let who = p
            .decided_by
            .as_deref()
            .map_or_else(String::new, |u| format!(" by <@{u}>"));
        let id = SummaryId {
            incident: incident.id.clone(),
            number: p.number,
        };
        blocks.push(section(&format!(
            ":leftwards_arrow_with_hook: Changes were asked for on {id}{who}: {}",
            escape(p.reason.as_deref().unwrap_or("—"))
        )));
    }
    blocks.extend([
        field(
            Input::SummaryTitle,
            "Public title",
            text_input(previous.map(|p| p.title.as_str()), false, MAX_SUMMARY_TITLE_CHARS),
            false,
        ),
        field(
            Input::PublicStatus,
            "Public status",
            json!({ "type": "static_select", "action_id": VALUE,
                "options": PublicStatus::ALL.iter().map(|s| option(s.label(), s.key())).collect::<Vec<_>>(),
                "initial_option": option(status.label(), status.key()) }),
            false,
        ),
        field(Input::Audience, "Audience", audience, false),
        with_hint(
            field(
                Input::SummaryText,
                "Summary",
                text_input(previous.map(|p| p.text.as_str()), true, MAX_SUMMARY_CHARS),
                false,
            ),
            "Say only what is confirmed, and don't call it resolved before the incident is resolved and reviewed.",
        ),
        with_hint(
            field(
                Input::AcknowledgeWarnings,
                "Warnings",
                json!({ "type": "checkboxes", "action_id": VALUE,
                    "options": [option("I have read warroom's warnings and stand by this wording", "acknowledged")] }),
                true,
            ),
            "Needed only when warroom warns about the wording.",
        ),
    ]);
    modal(
        Callback::DraftSummary,
        "Client-safe summary",
        "Send for approval",
        incident.id.as_str(),
        blocks,
    )
}

/// Request changes: why the draft should change.
pub(super) fn request_changes(incident: &Incident, summary: &Summary) -> Value {
    let id = SummaryId {
        incident: incident.id.clone(),
        number: summary.number,
    };
    let blocks = vec![
        heading(incident),
        section(&format!(
            "*{id}*: {}\n>{}",
            escape(&summary.title),
            escape(&truncate_chars(&summary.text, 500)).replace('\n', "\n>")
        )),
        field(
            Input::Reason,
            "What should change?",
            text_input(None, true, 1000),
            false,
        ),
    ];
    modal(
        Callback::SummaryChanges,
        "Request changes",
        "Send back",
        &id.to_string(),
        blocks,
    )
}
