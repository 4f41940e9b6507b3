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
    delivery::{Answer, Delivery, Post, Recipient},
    incident::{
        DeclareInput, Event, IncidentId, NewIncident, SeverityRank, Triage, decide_declare,
        event::{DeclaredVia, Escalation},
        schedule,
    },
    metrics::Metrics,
    slack::blocks::{self, declare_modal as form},
    store::{
        self,
        incidents::{DeclaredBy, Inserted},
        outbox::NewOutbox,
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
        Ok(outcome) => Reply::Say(outcome.answer(state)),
        Err(DeclareFailure::User(answer)) => Reply::Say(answer),
        Err(DeclareFailure::Store(e)) => Reply::Say(store_failure(state, e)),
    }
}

async fn open_form(state: &AppState, inv: &Invocation, severity: Option<SeverityRank>) -> Reply {
    let Some(trigger_id) = &inv.trigger_id else {
        return Reply::Say(Answer::HowToDeclare);
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
            Reply::Say(Answer::DeclareFormDidNotOpen)
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
        Err(DeclareFailure::User(_)) => Reply::ViewErrors(vec![(
            form::TITLE.to_owned(),
            "Give the incident a title, e.g. “Checkout returns 500s”.".to_owned(),
        )]),
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
    User(Answer),
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
    fn answer(self, state: &AppState) -> Answer {
        match self {
            Outcome::Declared { id, channel } => Answer::Declaring {
                id: id.to_string(),
                channel,
            },
            Outcome::AlreadyHandled(id) => Answer::AlreadyDeclared {
                id: id.map(|id| id.to_string()),
            },
            Outcome::DoubleSubmit { id, link } => Answer::DoubleSubmit {
                id: id.to_string(),
                link,
                channel: state.config.incident_channel.clone(),
            },
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
        .map_err(|_| DeclareFailure::User(Answer::MissingTitle))?;
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
    let via = match key.as_deref() {
        Some(k) if k.starts_with("view:") => DeclaredVia::Form,
        _ => DeclaredVia::Command,
    };
    let event = new.event(&severity_name, via);
    let provisional = new.provisional(&severity_name, user_id, &channel);
    let outbox = outbox_rows(&new, &event, user_id, &provisional, &origin);
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
        event: &event,
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

/// The card, the first thread reply (who declared it, impact, triage), the runbook of its type,
/// an escalation when the declaration meets a trigger, and the note telling the declarer where
/// the card is. Cards sort before thread replies, and more severe incidents before less severe.
fn outbox_rows(
    new: &NewIncident,
    declared: &Event,
    user_id: &str,
    provisional: &crate::incident::Incident,
    origin: &Origin,
) -> Vec<NewOutbox> {
    let about = |delivery| super::change::about(provisional, delivery);
    let mut rows = vec![about(Delivery::PostCard)];
    rows.extend(super::change::announce(provisional, declared, user_id));
    if let Some(incident_type) = &new.incident_type {
        let post = Post::Runbook {
            incident_type: incident_type.clone(),
        };
        rows.push(about(Delivery::ThreadReply { post }));
    }
    if !new.escalations.is_empty() {
        let escalated = Event::Escalated(Escalation::Triggers {
            triggers: new.escalations.clone(),
        });
        rows.extend(super::change::announce(provisional, &escalated, "warroom"));
    }
    let to = Recipient {
        user: user_id.to_owned(),
        channel: origin.channel.clone(),
        response_url: origin.response_url.clone(),
    };
    if to.reachable() {
        rows.push(about(Delivery::DeclareLink { to }));
    }
    rows
}
