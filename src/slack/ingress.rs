//! Where Slack's requests land: `/slack/commands`, `/slack/interactions` and `/slack/events`.
//! Each handler verifies the signature over the raw body (401 and nothing runs when it fails),
//! parses (400 for anything malformed, never a panic), and hands the input to the `handle_*`
//! functions, which any transport (HTTP here, Socket Mode too) uses to reach `commands` and to
//! turn the [`Reply`] into the acknowledgement body Slack expects.

use super::{
    answers,
    blocks::declare_modal as form,
    modals,
    parse::{self, Event, Interaction, Malformed},
};
use crate::{
    app::AppState,
    commands::{self, Invocation, Reply},
    metrics::Metrics,
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

/// Checks the signature; on failure the caller answers 401 and does nothing else.
fn authenticate(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
    let Some(verifier) = &state.verifier else {
        // Socket Mode deployments have no signing secret and accept nothing over HTTP.
        return Err("HTTP requests are not accepted in Socket Mode");
    };
    match verifier.verify(headers, body, state.clock.now().timestamp()) {
        Ok(()) => {
            Metrics::inc(&state.metrics.requests_accepted);
            Ok(())
        }
        Err(e) => {
            Metrics::inc(&state.metrics.requests_bad_signature);
            tracing::warn!(reason = %e, body.bytes = body.len(), "refused a request with a bad signature");
            Err("invalid signature")
        }
    }
}

/// Counts and logs a malformed payload (never its contents).
pub fn malformed(state: &AppState, error: Malformed) {
    Metrics::inc(&state.metrics.requests_malformed);
    tracing::warn!(what = error.0, "refused a malformed Slack request");
}

/// The acknowledgement body: nothing, or JSON.
fn ack(body: Option<Value>) -> Response {
    match body {
        Some(json) => Json(json).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

fn bad_request(state: &AppState, error: Malformed) -> Response {
    malformed(state, error);
    (StatusCode::BAD_REQUEST, error.to_string()).into_response()
}

/// `POST /slack/commands`.
pub async fn commands(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match parse::command_form(&body) {
        Ok(invocation) => ack(handle_command(&state, invocation).await),
        Err(e) => bad_request(&state, e),
    }
}

/// `POST /slack/interactions`: buttons, modal submissions and shortcuts.
pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match parse::interaction_form(&body) {
        Ok(interaction) => ack(handle_interaction(&state, interaction).await),
        Err(e) => bad_request(&state, e),
    }
}

/// `POST /slack/events`: the URL check, and events such as mentions of the bot.
pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match parse::event_body(&body) {
        Ok(event) => match handle_event(&state, event).await {
            Ok(body) => ack(body),
            // Not acknowledged, so Slack delivers the event again later: nothing is lost.
            Err(Unavailable) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        Err(e) => bad_request(&state, e),
    }
}

/// Told to someone whose slash command arrived while warroom was handling as many requests as it
/// may. Nothing was done, so trying again is safe.
pub const OVERLOADED: &str = ":warning: warroom is answering a burst of requests right now and did nothing with this one. \
Please try again in a few seconds.";

/// A slash command; the answer to show the person who typed it, if any.
pub async fn handle_command(state: &AppState, invocation: Invocation) -> Option<Value> {
    let limit = state.config.process.max_requests_in_flight;
    let Some(_in_flight) = state.metrics.try_request_started(limit) else {
        tracing::warn!("too many Slack requests in flight; a slash command was turned away");
        return Some(json!({ "response_type": "ephemeral", "text": OVERLOADED }));
    };
    command_reply(state, commands::run_slash(state, invocation).await)
}

/// The ephemeral answer to a slash command or a shortcut, if there is one.
fn command_reply(state: &AppState, reply: Reply) -> Option<Value> {
    let process = &state.config.process;
    let message = match reply {
        Reply::Say(answer) => answers::render(&answer, process),
        Reply::Show(view) => answers::view(&view, process),
        Reply::Ack | Reply::ViewErrors(_) => return None,
    };
    Some(json!({ "response_type": "ephemeral", "text": message.text, "blocks": message.blocks }))
}

/// A click, a form submission or a shortcut; the acknowledgement body, if any.
pub async fn handle_interaction(state: &AppState, interaction: Interaction) -> Option<Value> {
    let _in_flight = state.metrics.request_started();
    match interaction {
        Interaction::Submission(submission) => {
            let reply = match submission.callback_id.as_str() {
                form::CALLBACK_ID => commands::declare::from_form(state, &submission).await,
                modals::ids::PICK_INCIDENT => commands::shortcut::on_pick(state, &submission).await,
                modals::ids::RESOLVE
                | modals::ids::CLOSE
                | modals::ids::SEVERITY
                | modals::ids::ROLES
                | modals::ids::UPDATE
                | modals::ids::CANCEL
                | modals::ids::EDIT
                | modals::ids::BREACH
                | modals::ids::NOTIFIED => commands::card::on_submit(state, &submission).await,
                // A form warroom does not know (an old version's, say): let it close.
                _ => Reply::Ack,
            };
            match reply {
                Reply::ViewErrors(errors) if !errors.is_empty() => {
                    let errors: serde_json::Map<String, Value> = errors
                        .into_iter()
                        .map(|(block, message)| (block, Value::String(message)))
                        .collect();
                    Some(json!({ "response_action": "errors", "errors": errors }))
                }
                _ => None,
            }
        }
        Interaction::Click(click) => {
            commands::card::on_click(state, click).await;
            None
        }
        Interaction::MessageAction {
            callback_id,
            action,
        } if callback_id == commands::shortcut::CALLBACK_ID => {
            command_reply(state, commands::shortcut::on_message(state, action).await)
        }
        Interaction::MessageAction { .. } | Interaction::Ignored => None,
    }
}

/// The database could not take an event; it must not be acknowledged.
#[derive(Debug, Clone, Copy)]
pub struct Unavailable;

/// An Events API event; the acknowledgement body, or `Unavailable` when it must be redelivered.
pub async fn handle_event(state: &AppState, event: Event) -> Result<Option<Value>, Unavailable> {
    let limit = state.config.process.max_requests_in_flight;
    // Not acknowledged: Slack delivers the event again later.
    let Some(_in_flight) = state.metrics.try_request_started(limit) else {
        return Err(Unavailable);
    };
    match event {
        Event::UrlVerification(challenge) => Ok(Some(json!({ "challenge": challenge }))),
        Event::Mention(mention) => match commands::mention::run(state, mention).await {
            Ok(()) => Ok(None),
            Err(e) => {
                let _ = commands::store_failure(state, e);
                Err(Unavailable)
            }
        },
        Event::RateLimited => {
            tracing::warn!("Slack reports that warroom's event deliveries are being rate limited");
            Ok(None)
        }
        Event::Ignored => Ok(None),
    }
}
