//! Client-safe summaries in Slack: how the incident's thread hears of them — a draft pending
//! approval, with **Approve** and **Request changes…** — and the message the customer-facing
//! channel gets once one is approved, which holds the public words and nothing else.

use super::{
    blocks::{FALLBACK_MAX, HEADER_MAX, Message, escape, mrkdwn, notice, plain, section, sections},
    keys::Control,
};
use crate::{
    config::ProcessConfig,
    incident::{
        Incident,
        event::{Event, SummaryApproved, SummaryDrafted},
        summaries::{PublicSummary, SummaryId, approver_names},
        truncate_chars,
    },
};
use serde_json::json;

fn id(incident: &Incident, number: u32) -> String {
    SummaryId {
        incident: incident.id.clone(),
        number,
    }
    .to_string()
}

/// The text as a quote, one line after another, escaped.
fn quoted(text: &str) -> Vec<String> {
    text.lines().map(|l| format!(">{}", escape(l))).collect()
}

/// Where an approved summary goes, in words: nowhere outside for a drill's.
fn destination(incident: &Incident, process: &ProcessConfig) -> String {
    if incident.drill {
        return "this is a drill, so it is recorded for the report and never sent to the customer-facing channel".to_owned();
    }
    match &process.comms.external_channel {
        Some(channel) => format!("it goes to <#{channel}>"),
        None => "no customer-facing channel is configured, so it is kept for the report".to_owned(),
    }
}

/// The thread's announcement of a summary event by `actor`, if it is one.
pub(crate) fn announcement(
    incident: &Incident,
    event: &Event,
    actor: &str,
    process: &ProcessConfig,
) -> Option<Message> {
    match event {
        Event::SummaryDrafted(drafted) => Some(pending(incident, drafted, actor, process)),
        Event::SummaryApproved(SummaryApproved {
            summary,
            audience,
            status,
            sha256,
            ..
        }) => Some(notice(&format!(
            ":white_check_mark: <@{actor}> approved client-safe summary *{}* ({}, {}) with SHA-256 `{sha256}`; {}.",
            id(incident, *summary),
            audience.label(),
            status.label(),
            destination(incident, process)
        ))),
        Event::SummaryChangesRequested { summary, reason } => Some(notice(&format!(
            ":leftwards_arrow_with_hook: <@{actor}> asked for changes to client-safe summary *{}*: {}\nDraft it again from the card (More ▾ Draft client-safe summary).",
            id(incident, *summary),
            escape(reason)
        ))),
        _ => None,
    }
}

/// A draft pending approval: its title, public status, audience, author and text, and the
/// buttons that approve it or send it back.
fn pending(
    incident: &Incident,
    drafted: &SummaryDrafted,
    author: &str,
    process: &ProcessConfig,
) -> Message {
    let summary = id(incident, drafted.summary);
    let head = format!(
        ":memo: *Client-safe summary {summary} — pending approval*\n*Title:* {}\n*Public status:* {} · *Audience:* {} · *Drafted by* <@{author}>",
        escape(&drafted.title),
        drafted.status.label(),
        drafted.audience.label(),
    );
    let mut notes = Vec::new();
    if !drafted.supersedes.is_empty() {
        let older: Vec<String> = drafted
            .supersedes
            .iter()
            .map(|n| id(incident, *n))
            .collect();
        notes.push(format!("It supersedes {}.", older.join(", ")));
    }
    if !drafted.acknowledged.is_empty() {
        let warnings: Vec<&str> = drafted.acknowledged.iter().map(|r| r.label()).collect();
        notes.push(format!(
            "Its author stands by the lint's warnings: {}.",
            warnings.join("; ")
        ));
    }
    notes.push(format!(
        "Nothing leaves warroom until the incident's {}, other than its author, approves it; once approved, {}.",
        approver_names(&process.catalog, &process.comms),
        destination(incident, process)
    ));
    let mut blocks = vec![section(&head)];
    blocks.extend(sections(quoted(&drafted.text)));
    blocks.push(json!({ "type": "context", "elements": [mrkdwn(&notes.join(" "), 2000)] }));
    let confirm = json!({
        "title": plain("Approve this summary?", 100),
        "text": mrkdwn(&format!("{summary} goes out exactly as shown, and the approval is recorded with the SHA-256 of its text."), 300),
        "confirm": plain("Approve", 30),
        "deny": plain("Not yet", 30),
    });
    blocks.push(json!({
        "type": "actions", "block_id": format!("summary:{summary}"),
        "elements": [
            { "type": "button", "action_id": Control::SummaryApprove.action_id(), "value": summary,
              "style": "primary", "text": plain("Approve", 75), "confirm": confirm },
            { "type": "button", "action_id": Control::SummaryChanges.action_id(), "value": summary,
              "text": plain("Request changes…", 75) },
        ],
    }));
    let text = format!(
        "Client-safe summary {summary} pending approval: {}",
        escape(&drafted.title)
    );
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks,
    }
}

/// What the customer-facing channel gets: the public title, status and text, escaped so nothing
/// in it mentions or links anyone — and nothing internal: no incident ID, no names.
pub fn public_message(summary: &PublicSummary) -> Message {
    let mut blocks = vec![
        json!({ "type": "header", "text": plain(&summary.title, HEADER_MAX) }),
        json!({ "type": "context", "elements": [mrkdwn(&format!("*Status:* {}", summary.status.label()), 2000)] }),
    ];
    blocks.extend(sections(summary.text.lines().map(escape)));
    let text = format!(
        "{} — {}\n{}",
        escape(&summary.title),
        summary.status.label(),
        escape(&summary.text)
    );
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks,
    }
}
