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

use super::{
    Invocation, Reply,
    forms::{DeclareFields, FormRequest, Input, Origin, Submission},
    store_failure,
};
use crate::{
    context::Context,
    delivery::{Answer, ChannelPost, Delivery, Post, Recipient},
    incident::{
        DeclareError, DeclareInput, Event, IncidentId, NewIncident, SeverityRank, Triage,
        decide_declare,
        declare::restriction,
        event::{DeclaredVia, Escalation},
        schedule,
    },
    metrics::Metrics,
    store::{
        self,
        declarations::{DeclaredBy, Inserted},
        outbox::NewOutbox,
    },
};

/// A second identical declaration by the same person within this window returns the first.
const DOUBLE_SUBMIT_WINDOW: chrono::Duration = chrono::Duration::seconds(60);

/// `/incident declare …`: declares at once when there is a title, otherwise opens the form.
pub async fn from_slash(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    quick(state, inv, rest, false).await
}

/// A quick declaration of `[restricted] [severity] <title>` — of a drill when `drill` — or,
/// without a title, the declare form (with "This is a drill" checked for a drill).
pub(super) async fn quick(state: &Context, inv: &Invocation, rest: &str, drill: bool) -> Reply {
    let severities = &state.config.process.severities;
    // `/incident declare restricted sev1 …`: a restricted (security) incident.
    let (restricted, rest) = match rest.split_once(char::is_whitespace) {
        Some((word, more)) if word.eq_ignore_ascii_case("restricted") => (true, more.trim()),
        _ if rest.eq_ignore_ascii_case("restricted") => (true, ""),
        _ => (false, rest),
    };
    let (severity, title) = match rest.split_once(char::is_whitespace) {
        Some((first, title)) if severities.parse(first).is_some() => {
            (severities.parse(first), title.trim())
        }
        _ if severities.parse(rest).is_some() => (severities.parse(rest), ""),
        _ => (None, rest),
    };
    if title.is_empty() {
        return open_form(state, inv, severity, restricted, drill);
    }
    let input = DeclareInput {
        restricted,
        drill,
        ..DeclareInput::quick(title, severity)
    };
    let origin = Origin {
        channel: Some(inv.channel_id.clone()),
        response_url: inv.response_url.clone(),
        team_domain: inv.team_domain.clone(),
        source: None,
    };
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    match declare(state, input, &inv.user_id, origin, key).await {
        Ok(outcome) => Reply::Say(outcome.answer(state, drill)),
        Err(DeclareFailure::User(DeclareError::NoRestrictedChannel)) => {
            Reply::Say(Answer::NoRestrictedChannel)
        }
        // A quick declare asks for nothing else that could be refused.
        Err(DeclareFailure::User(_)) => Reply::Say(Answer::MissingTitle),
        Err(DeclareFailure::Store(e)) => Reply::Say(store_failure(state, e)),
    }
}

/// The declare form, for a request that can still open one.
fn open_form(
    state: &Context,
    inv: &Invocation,
    severity: Option<SeverityRank>,
    restricted: bool,
    drill: bool,
) -> Reply {
    if inv.trigger_id.is_none() {
        return Reply::Say(if drill {
            Answer::HowToDrill
        } else {
            Answer::HowToDeclare
        });
    }
    let origin = Origin {
        channel: Some(inv.channel_id.clone()),
        response_url: inv.response_url.clone(),
        team_domain: inv.team_domain.clone(),
        source: None,
    };
    Reply::Open(FormRequest::Declare {
        severity: severity.unwrap_or(state.config.process.default_severity),
        restricted,
        origin,
        drill,
        prefill: None,
    })
}

/// The declare form was submitted: invalid fields keep it open with their errors.
pub async fn from_form(state: &Context, submission: &Submission, fields: &DeclareFields) -> Reply {
    let process = &state.config.process;
    let mut errors = Vec::new();
    let title = fields.title.clone().unwrap_or_default();
    if title.trim().is_empty() {
        errors.push((
            Input::Title,
            "Give the incident a title, e.g. “Checkout returns 500s”.".to_owned(),
        ));
    }
    let severity = match fields.severity.as_deref() {
        Some(s) => match process.severities.parse(s) {
            Some(rank) => Some(rank),
            None => {
                errors.push((
                    Input::Severity,
                    "Choose one of the listed severities.".to_owned(),
                ));
                None
            }
        },
        None => None,
    };
    if let Some(kind) = &fields.incident_type
        && process.catalog.incident_type(kind).is_none()
    {
        errors.push((
            Input::IncidentType,
            "Choose one of the listed incident types.".to_owned(),
        ));
    }
    let scope = super::scope::read(&fields.scope, state.clock.now(), &mut errors);
    if !errors.is_empty() {
        return Reply::FieldErrors(errors);
    }
    let origin = Origin {
        team_domain: fields
            .origin
            .team_domain
            .clone()
            .or(submission.team_domain.clone()),
        ..fields.origin.clone()
    };
    let input = DeclareInput {
        incident_type: fields.incident_type.clone(),
        impact: fields.impact.clone(),
        triage: Triage::from_checked(fields.triage.iter().map(String::as_str)),
        impact_started_at: scope.impact_started_at,
        detection: scope.detection,
        environment: scope.environment,
        affected_services: scope.affected_services,
        drill: fields.drill,
        restricted: fields.restricted,
        source_message: fields.origin.source.as_deref().cloned(),
        ..DeclareInput::quick(&title, severity)
    };
    let key = Some(format!("view:{}", submission.view_id));
    match declare(state, input, &submission.user_id, origin, key).await {
        Ok(_) => Reply::Ack,
        Err(DeclareFailure::User(DeclareError::MissingTitle)) => Reply::FieldErrors(vec![(
            Input::Title,
            "Give the incident a title, e.g. “Checkout returns 500s”.".to_owned(),
        )]),
        Err(DeclareFailure::User(e @ DeclareError::ImpactStartsInFuture)) => {
            Reply::FieldErrors(vec![(Input::ImpactStarted, e.to_string())])
        }
        Err(DeclareFailure::User(e @ DeclareError::NoRestrictedChannel)) => {
            Reply::FieldErrors(vec![(Input::Restricted, e.to_string())])
        }
        Err(DeclareFailure::Store(e)) => {
            // Keep the form open with what was typed, so nothing is lost: they can submit again.
            let message = match store_failure(state, e) {
                Answer::DatabaseUnavailable => {
                    "warroom cannot reach its database right now, so this may not have been declared. Submit again in a moment: a repeat finds the incident if it was."
                }
                _ => {
                    "Something went wrong inside warroom; nothing was declared. Submit again in a moment."
                }
            };
            Reply::FieldErrors(vec![(Input::Title, message.to_owned())])
        }
    }
}

pub(super) enum DeclareFailure {
    User(DeclareError),
    Store(store::StoreError),
}

/// What a declaration came to.
pub(super) enum Outcome {
    Declared {
        id: IncidentId,
        channel: String,
    },
    /// This very request was handled before (a replay or a retry).
    AlreadyHandled(Option<IncidentId>),
    /// The same person declared the same title moments ago.
    DoubleSubmit {
        id: IncidentId,
        card_ts: Option<String>,
        team_domain: Option<String>,
    },
}

impl Outcome {
    /// What the declarer is told at once; `drill` when they declared a drill.
    pub(super) fn answer(self, state: &Context, drill: bool) -> Answer {
        match self {
            Outcome::Declared { id, channel } if drill => Answer::DeclaringDrill {
                id: id.to_string(),
                channel,
                scenario: None,
            },
            Outcome::Declared { id, channel } => Answer::Declaring {
                id: id.to_string(),
                channel,
            },
            Outcome::AlreadyHandled(id) => Answer::AlreadyDeclared {
                id: id.map(|id| id.to_string()),
            },
            Outcome::DoubleSubmit {
                id,
                card_ts,
                team_domain,
            } => Answer::DoubleSubmit {
                id: id.to_string(),
                card_ts,
                team_domain,
                channel: state.config.incident_channel.clone(),
            },
        }
    }
}

/// Declares `input`, whose `restricted` says whether a restricted incident was asked for.
pub(super) async fn declare(
    state: &Context,
    mut input: DeclareInput,
    user_id: &str,
    origin: Origin,
    key: Option<String>,
) -> Result<Outcome, DeclareFailure> {
    let process = &state.config.process;
    let now = state.clock.now();
    let kind = (input.incident_type.as_deref()).and_then(|k| process.catalog.incident_type(k));
    let restricted_channel = process.restricted.channel.as_ref();
    input.restricted = restriction(input.restricted, kind, restricted_channel.is_some())
        .map_err(DeclareFailure::User)?;
    let new = decide_declare(input, &process.severities, process.default_severity, now)
        .map_err(DeclareFailure::User)?;
    let channel = match restricted_channel {
        Some(private) if new.restricted => private.clone(),
        _ => state.config.incident_channel.clone(),
    };
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
    let event = new.event(via);
    let provisional = new.provisional(user_id, &channel);
    let mut outbox = outbox_rows(&new, &event, user_id, &provisional, &origin);
    outbox.extend(super::paging::on_declare(&state.config, &provisional));
    outbox.extend(crate::webhooks::rows(
        &state.config,
        &provisional,
        &event,
        user_id,
        now,
    ));
    // A drill's restricted exercise stays in its channel: no line in the open that a restricted
    // incident was declared.
    if new.restricted && process.restricted.announce && !new.drill {
        // One line in the open, without title or impact.
        outbox.push(NewOutbox::standalone(Delivery::ChannelPost {
            channel: state.config.incident_channel.clone(),
            thread_ts: None,
            post: ChannelPost::RestrictedDeclared {
                severity: new.severity.name().clone(),
            },
        }));
    }
    let mut reminders = schedule::plan(
        None,
        &provisional,
        &process.severities,
        &process.schedule,
        now,
    );
    reminders.extend(new.injects.iter().cloned());
    let declaration = store::declarations::Declaration {
        new: &new,
        by: &by,
        event: &event,
        outbox: &outbox,
        reminders: &reminders,
        homes: &super::home::involved(&provisional, &provisional),
        idempotency_key: key.as_deref(),
        double_submit_since: now - DOUBLE_SUBMIT_WINDOW,
    };
    let insert = store::declarations::insert_declared(&state.pool, declaration);
    match state
        .deadline
        .run(insert)
        .await
        .map_err(DeclareFailure::Store)?
    {
        Inserted::Declared(id) => {
            state.outbox_wake.notify_one();
            Metrics::inc(&state.metrics.incidents_declared);
            (state.metrics.by_severity).declared(new.severity.rank().index());
            tracing::info!(incident.id = %id, incident.severity = %new.severity, incident.drill = new.drill, "incident declared");
            Ok(Outcome::Declared { id, channel })
        }
        Inserted::AlreadyHandled(id) => Ok(Outcome::AlreadyHandled(id)),
        Inserted::DoubleSubmit(first) => Ok(Outcome::DoubleSubmit {
            id: first.id,
            card_ts: first.card_ts,
            team_domain: first.team_domain,
        }),
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
