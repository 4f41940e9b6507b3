//! Declaring an incident.
//!
//! ```text
//! /incident declare sev1 Payments API down
//!   → (ephemeral, at once)  Declaring INC-20261124-001…
//!   → (incidents channel)   the incident card, and a thread reply: who declared it, impact, triage
//!   → (ephemeral, soon)     INC-20261124-001 is open in #incidents (a link to the card)
//! /incident declare [sev2]
//!   → the declare form; submitting it does the same as above
//! ```
//! The answer never waits on Slack's Web API: the incident, its first timeline entry and every
//! message to send are written in one transaction, and the outbox workers post them. The one
//! exception is opening the form, which must use the `trigger_id` within three seconds.

use super::{Invocation, Reply, Submission, store_failure};
use crate::{
    app::AppState,
    incident::{Catalog, schedule},
    incident::{DeclareInput, IncidentId, NewIncident, SeverityRank, Triage, decide_declare},
    metrics::Metrics,
    slack::blocks::{self, declare_modal as form},
    store::{
        self,
        incidents::{DeclaredBy, Inserted},
        outbox::{NewOutbox, OutboxKind},
    },
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// A second identical declaration by the same person within this window returns the first.
const DOUBLE_SUBMIT_WINDOW: chrono::Duration = chrono::Duration::seconds(60);
/// `views.open` must beat the trigger's three-second expiry.
const VIEWS_OPEN_DEADLINE: Duration = Duration::from_millis(2500);

/// Where the declarer is told about the card once it is posted; carried through the form in its
/// `private_metadata`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Origin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_domain: Option<String>,
}

/// `/incident declare …`: declares at once when there is a title, otherwise opens the form.
pub async fn from_slash(state: &AppState, inv: &Invocation, rest: &str) -> Reply {
    let severities = &state.config.process.severities;
    let (severity, title) = match rest.split_once(char::is_whitespace) {
        Some((first, title)) if severities.parse(first).is_some() => {
            (severities.parse(first), title.trim())
        }
        _ if severities.parse(rest).is_some() => (severities.parse(rest), ""),
        _ => (None, rest),
    };
    if title.is_empty() {
        return open_form(state, inv, severity).await;
    }
    let input = DeclareInput {
        title: title.to_owned(),
        severity,
        incident_type: None,
        impact: None,
        triage: Triage::default(),
    };
    let origin = Origin {
        channel: Some(inv.channel_id.clone()),
        response_url: inv.response_url.clone(),
        team_domain: inv.team_domain.clone(),
    };
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    match declare(state, input, &inv.user_id, origin, key).await {
        Ok(outcome) => Reply::Ephemeral(blocks::notice(&outcome.message(state))),
        Err(DeclareFailure::User(message)) => Reply::Ephemeral(blocks::notice(&message)),
        Err(DeclareFailure::Store(e)) => store_failure(state, e),
    }
}

async fn open_form(state: &AppState, inv: &Invocation, severity: Option<SeverityRank>) -> Reply {
    let Some(trigger_id) = &inv.trigger_id else {
        return Reply::Ephemeral(blocks::notice(
            "Type `/incident declare sev2 <title>` to declare an incident.",
        ));
    };
    let origin = Origin {
        channel: Some(inv.channel_id.clone()),
        response_url: inv.response_url.clone(),
        team_domain: inv.team_domain.clone(),
    };
    let metadata = serde_json::to_string(&origin).unwrap_or_default();
    let process = &state.config.process;
    let view = blocks::declare_modal(
        &process.severities,
        &process.catalog,
        severity.unwrap_or(process.default_severity),
        None,
        &metadata,
    );
    let body = json!({ "trigger_id": trigger_id, "view": view });
    let call = state.slack.call("views.open", &body);
    match tokio::time::timeout(VIEWS_OPEN_DEADLINE, call).await {
        Ok(Ok(_)) => Reply::Ack,
        outcome => {
            let why = match outcome {
                Ok(Err(e)) => e.to_string(),
                _ => "Slack did not answer in time".to_owned(),
            };
            tracing::warn!(reason = %why, "could not open the declare form");
            Reply::Ephemeral(blocks::notice(
                ":warning: I couldn't open the declare form. Declare directly instead: `/incident declare sev2 <title>`.",
            ))
        }
    }
}

/// The declare form was submitted: invalid fields keep it open with their errors.
pub async fn from_form(state: &AppState, submission: &Submission) -> Reply {
    let severities = &state.config.process.severities;
    let mut errors = Vec::new();
    let title = submission.text(form::TITLE).unwrap_or_default();
    let incident_type = submission.selected(form::TYPE);
    if title.trim().is_empty() {
        errors.push((
            form::TITLE.to_owned(),
            "Give the incident a title, e.g. “Checkout returns 500s”.".to_owned(),
        ));
    }
    let severity = match submission.selected(form::SEVERITY).as_deref() {
        Some(s) => match severities.parse(s) {
            Some(rank) => Some(rank),
            None => {
                errors.push((
                    form::SEVERITY.to_owned(),
                    "Choose one of the listed severities.".to_owned(),
                ));
                None
            }
        },
        None => None,
    };
    if let Some(kind) = &incident_type
        && state.config.process.catalog.incident_type(kind).is_none()
    {
        errors.push((
            form::TYPE.to_owned(),
            "Choose one of the listed incident types.".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Reply::ViewErrors(errors);
    }
    let origin: Origin = submission
        .private_metadata
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let origin = Origin {
        team_domain: origin.team_domain.or(submission.team_domain.clone()),
        ..origin
    };
    let input = DeclareInput {
        title,
        severity,
        incident_type,
        impact: submission.text(form::IMPACT),
        triage: Triage::from_checked(
            submission
                .selected_many(form::TRIAGE)
                .iter()
                .map(String::as_str),
        ),
    };
    let key = Some(format!("view:{}", submission.view_id));
    match declare(state, input, &submission.user_id, origin, key).await {
        Ok(_) => Reply::Ack,
        Err(DeclareFailure::User(message)) => {
            Reply::ViewErrors(vec![(form::TITLE.to_owned(), message)])
        }
        Err(DeclareFailure::Store(e)) => {
            // Keep the form open with what was typed, so nothing is lost: they can submit again.
            let message = if e.is_unavailable() {
                "warroom cannot reach its database right now, so this may not have been declared. Submit again in a moment: a repeat finds the incident if it was."
            } else {
                "Something went wrong inside warroom; nothing was declared. Submit again in a moment."
            };
            let _ = store_failure(state, e);
            Reply::ViewErrors(vec![(form::TITLE.to_owned(), message.to_owned())])
        }
    }
}

enum DeclareFailure {
    User(String),
    Store(store::StoreError),
}

/// What a declaration came to.
enum Outcome {
    Declared {
        id: IncidentId,
        channel: String,
    },
    /// This very request was handled before (a replay or a retry).
    AlreadyHandled(Option<IncidentId>),
    /// The same person declared the same title moments ago.
    DoubleSubmit {
        id: IncidentId,
        link: Option<String>,
    },
}

impl Outcome {
    fn message(&self, state: &AppState) -> String {
        match self {
            Outcome::Declared { id, channel } => format!(
                ":rotating_light: Declaring *{id}*… its card will appear in <#{channel}> in a moment."
            ),
            Outcome::AlreadyHandled(Some(id)) => {
                format!("This request already declared *{id}*; nothing new was declared.")
            }
            Outcome::AlreadyHandled(None) => {
                "This request was already handled; nothing new was declared.".to_owned()
            }
            Outcome::DoubleSubmit { id, link } => {
                let shown = link
                    .as_ref()
                    .map_or_else(|| format!("*{id}*"), |url| format!("<{url}|{id}>"));
                let channel = &state.config.incident_channel;
                format!(
                    "You declared {shown} with this title less than a minute ago, so I didn't open a second one. It is in <#{channel}>."
                )
            }
        }
    }
}

async fn declare(
    state: &AppState,
    input: DeclareInput,
    user_id: &str,
    origin: Origin,
    key: Option<String>,
) -> Result<Outcome, DeclareFailure> {
    let process = &state.config.process;
    let now = state.clock.now();
    let new = decide_declare(input, &process.severities, process.default_severity, now)
        .map_err(|e| DeclareFailure::User(e.to_string()))?;
    let deadline = process.request_deadline;
    let since = now - DOUBLE_SUBMIT_WINDOW;
    let recent =
        store::incidents::find_recent_duplicate(&state.pool, user_id, new.title.as_str(), since);
    if let Some(first) = store::within(deadline, recent)
        .await
        .map_err(DeclareFailure::Store)?
    {
        let link = first.card_ts.as_deref().and_then(|ts| {
            blocks::message_link(first.team_domain.as_deref(), &first.channel_id, ts)
        });
        return Ok(Outcome::DoubleSubmit { id: first.id, link });
    }
    let channel = state.config.incident_channel.clone();
    let severity_name = process.severities.get(new.severity).name.clone();
    let by = DeclaredBy {
        user_id: user_id.to_owned(),
        from_channel: origin.channel.clone(),
        team_domain: origin.team_domain.clone(),
        incident_channel: channel.clone(),
    };
    let details = json!({
        "title": new.title.as_str(), "severity": severity_name, "raised_by_triage": new.raised_by_triage,
        "incident_type": new.incident_type, "impact": new.impact, "triage": new.triage,
        "next_update_due_at": new.next_update_due_at, "via": if key.as_deref().is_some_and(|k| k.starts_with("view:")) { "form" } else { "command" },
        "breach_discovered_at": new.breach_discovered_at, "escalated": new.escalations,
    });
    let provisional = new.provisional(&severity_name, user_id, &channel);
    let mut outbox = outbox_rows(
        &new,
        &severity_name,
        user_id,
        &channel,
        &origin,
        &process.catalog,
    );
    if !new.escalations.is_empty() {
        let mention = process
            .schedule
            .escalation_group
            .as_ref()
            .map_or_else(|| schedule::owner(&provisional), |g| g.mention());
        let message = blocks::escalation(&provisional, &mention, &new.escalations);
        outbox.push(super::change::escalation(
            &channel,
            new.severity.index() as i32,
            &message,
        ));
    }
    let reminders = schedule::plan(
        None,
        &provisional,
        &process.severities,
        &process.schedule,
        now,
    );
    let declaration = store::incidents::Declaration {
        new: &new,
        severity_name: &severity_name,
        by: &by,
        timeline_details: details,
        outbox: &outbox,
        reminders: &reminders,
        idempotency_key: key.as_deref(),
    };
    let insert = store::incidents::insert_declared(&state.pool, declaration);
    match store::within(deadline, insert)
        .await
        .map_err(DeclareFailure::Store)?
    {
        Inserted::Declared(id) => {
            Metrics::inc(&state.metrics.incidents_declared);
            tracing::info!(incident.id = %id, incident.severity = %severity_name, "incident declared");
            Ok(Outcome::Declared { id, channel })
        }
        Inserted::AlreadyHandled(id) => Ok(Outcome::AlreadyHandled(id)),
    }
}

/// The card, the first thread reply, and the note telling the declarer where the card is.
/// Cards sort before thread replies, and more severe incidents before less severe ones.
fn outbox_rows(
    new: &NewIncident,
    severity_name: &str,
    user_id: &str,
    channel: &str,
    origin: &Origin,
    catalog: &Catalog,
) -> Vec<NewOutbox> {
    let rank = new.severity.index() as i32;
    let note = blocks::declared_note(
        user_id,
        severity_name,
        new.raised_by_triage,
        new.impact.as_deref(),
        &new.triage,
    );
    let mut rows = vec![
        NewOutbox {
            kind: OutboxKind::PostCard,
            method: "chat.postMessage",
            pace_key: Some(channel.to_owned()),
            priority: rank,
            payload: json!({}),
        },
        NewOutbox {
            kind: OutboxKind::ThreadReply,
            method: "chat.postMessage",
            pace_key: Some(channel.to_owned()),
            priority: 100 + rank,
            payload: note.to_json(),
        },
    ];
    if let Some(runbook) = new
        .incident_type
        .as_deref()
        .and_then(|t| blocks::runbook(catalog, t))
    {
        rows.push(super::change::thread_reply(channel, rank, runbook));
    }
    let tell = match (&origin.response_url, &origin.channel) {
        (Some(url), _) => Some((
            "response_url",
            json!({ "response_url": url, "user": user_id, "channel": origin.channel }),
        )),
        (None, Some(from)) => Some((
            "chat.postEphemeral",
            json!({ "user": user_id, "channel": from }),
        )),
        (None, None) => None,
    };
    if let Some((method, payload)) = tell {
        rows.push(NewOutbox {
            kind: OutboxKind::DeclareLink,
            method,
            pace_key: None,
            priority: 200 + rank,
            payload,
        });
    }
    rows
}
