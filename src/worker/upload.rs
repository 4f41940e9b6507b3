//! Uploading a file into an incident's thread with Slack's external upload flow: ask for an
//! upload URL (`files.getUploadURLExternal`), send the bytes there, then share the file into the
//! thread with a short comment (`files.completeUploadExternal`). The file is rendered when it is
//! sent, so it shows the incident as it stands then.
//!
//! Unlike a message, a shared file carries no metadata warroom could look for after an
//! ambiguous failure, so a retry after a timeout on the last step may share the report twice;
//! a report is harmless to have twice, and nothing else is uploaded.

use super::deliver::{Attempt, Outcome, incident_of, take_turn};
use crate::{
    delivery::ThreadFile,
    incident::Incident,
    markdown,
    slack::{blocks::DRILL_MARK, outbound::SlackFailure},
    state::AppState,
    store::{self, outbox::OutboxRow},
};
use serde_json::{Value, json};

/// Uploads `file` into the thread of the row's incident, asked for by `requested_by`.
pub(super) async fn thread_file(
    state: &AppState,
    row: &OutboxRow,
    file: ThreadFile,
    requested_by: &str,
) -> Outcome {
    let incident = match incident_of(state, row).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return Outcome::Dropped("incident rows need an incident"),
        Err(outcome) => return outcome,
    };
    upload(state, row, &incident, file, requested_by)
        .await
        .unwrap_or_else(|outcome| outcome)
}

async fn upload(
    state: &AppState,
    row: &OutboxRow,
    incident: &Incident,
    file: ThreadFile,
    requested_by: &str,
) -> Attempt {
    let Some(card_ts) = &incident.card_ts else {
        return Ok(Outcome::Dropped("the incident card was never posted"));
    };
    let (filename, title, comment, bytes) = match file {
        ThreadFile::Report => {
            let report = store::report::find_report(&state.worker_pool, &incident.id)
                .await
                .map_err(|e| Outcome::Internal(e.into()))?
                .ok_or(Outcome::Dropped("incident not found"))?;
            let text = markdown::report(&report, &state.config.process.catalog);
            // A drill's report says so in its title and its comment too.
            let (mark, drill) = if incident.drill {
                (format!("{DRILL_MARK} · "), "DRILL — ")
            } else {
                (String::new(), "")
            };
            (
                format!("{}-report.md", incident.id),
                format!("{drill}Incident report: {}", incident.id),
                format!(
                    "{mark}:page_facing_up: The report of *{}*, as it stands now (asked for by <@{requested_by}>).",
                    incident.id
                ),
                text.into_bytes(),
            )
        }
    };
    let length = bytes.len().to_string();
    let asked = state
        .slack
        .post_form(
            "files.getUploadURLExternal",
            &[("filename", filename.as_str()), ("length", length.as_str())],
        )
        .await?;
    let text = |key: &str| asked.get(key).and_then(Value::as_str).map(str::to_owned);
    let (Some(upload_url), Some(file_id)) = (text("upload_url"), text("file_id")) else {
        return Err(
            SlackFailure::Permanent("no upload_url or file_id in the answer".to_owned()).into(),
        );
    };
    state.slack.upload(&upload_url, bytes).await?;
    take_turn(state, row).await?;
    let body = json!({
        "files": [{ "id": file_id, "title": title }],
        "channel_id": incident.channel_id,
        "thread_ts": card_ts,
        "initial_comment": comment,
    });
    state
        .slack
        .call("files.completeUploadExternal", &body)
        .await?;
    Ok(Outcome::Delivered { ts: None })
}
