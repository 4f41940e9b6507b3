//! Where Slack's requests land: `/slack/commands`, `/slack/interactions` and `/slack/events`.
//! Each handler verifies the signature over the raw body (401 and nothing runs when it fails),
//! parses (400 for anything malformed, never a panic), and hands the input to the `handle_*`
//! functions, which any transport (HTTP here, Socket Mode too) uses to reach `commands` and to
//! turn the [`Reply`] into the acknowledgement body Slack expects.

use super::{
    answers,
    keys::{ADD_TO_TIMELINE, DECLARE_FROM_MESSAGE, block_id},
    modals,
    parse::{self, Event, Interaction, Malformed},
};
use crate::{
    commands::{self, Invocation, Reply, forms::FormRequest},
    context::Context,
    delivery::{Answer, Recipient},
    metrics::Metrics,
    state::AppState,
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A form must open within the trigger's three seconds, counted from when the request arrived;
/// this leaves room for the answer to travel back.
const TRIGGER_BUDGET: Duration = Duration::from_millis(2500);

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

/// Slack payloads are small; anything larger than this is refused before any signature work.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Runs before a Slack route reads its body: a request whose signature headers are missing,
/// stale or malformed is answered 401 at once, so nobody can make warroom buffer bodies without
/// at least a fresh, well-formed signature. The signature itself is checked over the body after.
pub async fn screen_signature(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared_length = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared_length.is_some_and(|n| n > MAX_BODY_BYTES) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        )
            .into_response();
    }
    let Some(verifier) = &state.verifier else {
        return (
            StatusCode::UNAUTHORIZED,
            "HTTP requests are not accepted in Socket Mode",
        )
            .into_response();
    };
    match verifier.screen(request.headers(), state.clock.now().timestamp()) {
        Ok(()) => next.run(request).await,
        Err(e) => {
            Metrics::inc(&state.metrics.requests_bad_signature);
            tracing::warn!(reason = %e, "refused a request with a bad signature before reading its body");
            (StatusCode::UNAUTHORIZED, "invalid signature").into_response()
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
    let received = Instant::now();
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match parse::command_form(&body) {
        Ok(invocation) => ack(handle_command(&state, invocation, received).await),
        Err(e) => bad_request(&state, e),
    }
}

/// `POST /slack/interactions`: buttons, modal submissions and shortcuts.
pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received = Instant::now();
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    match parse::interaction_form(&body) {
        Ok(interaction) => ack(handle_interaction(&state, interaction, received).await),
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

/// A slash command that arrived at `received`; the answer to show the person who typed it.
pub async fn handle_command(
    state: &AppState,
    mut invocation: Invocation,
    received: Instant,
) -> Option<Value> {
    let limit = state.config.process.max_requests_in_flight;
    let Some(_in_flight) = state.metrics.try_request_started(limit) else {
        tracing::warn!("too many Slack requests in flight; a slash command was turned away");
        return Some(json!({ "response_type": "ephemeral", "text": OVERLOADED }));
    };
    let ctx = state.for_request(received);
    invocation.sees_restricted = state
        .sees_restricted(&invocation.user_id, &invocation.channel_id)
        .await;
    let trigger_id = invocation.trigger_id.clone();
    let reply = match commands::run_slash(&ctx, invocation).await {
        Reply::Open(form) => match open_form(state, trigger_id.as_deref(), &form, received).await {
            Ok(()) => Reply::Ack,
            Err(()) => Reply::Say(Answer::DeclareFormDidNotOpen),
        },
        other => other,
    };
    command_reply(state, reply)
}

/// The ephemeral answer to a slash command or a shortcut, if there is one.
fn command_reply(state: &AppState, reply: Reply) -> Option<Value> {
    let process = &state.config.process;
    let message = match reply {
        Reply::Say(answer) => answers::render(&answer, process),
        Reply::Show(view) => answers::view(&view, process),
        Reply::Ack | Reply::Open(_) | Reply::FieldErrors(_) => return None,
    };
    Some(json!({ "response_type": "ephemeral", "text": message.text, "blocks": message.blocks }))
}

/// Opens `form` with the request's trigger while it is still valid.
async fn open_form(
    state: &AppState,
    trigger_id: Option<&str>,
    form: &FormRequest,
    received: Instant,
) -> Result<(), ()> {
    let Some(trigger_id) = trigger_id else {
        tracing::warn!("a form was wanted but the request carries no trigger");
        return Err(());
    };
    let view = modals::view(form, &state.config.process);
    let budget = TRIGGER_BUDGET
        .saturating_sub(received.elapsed())
        .max(Duration::from_millis(300));
    let body = json!({ "trigger_id": trigger_id, "view": view });
    match tokio::time::timeout(budget, state.slack.call("views.open", &body)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            tracing::warn!(reason = %e, "Slack did not open a form");
            Err(())
        }
        Err(_) => {
            tracing::warn!("Slack did not open a form in time");
            Err(())
        }
    }
}

/// A click, a form submission or a shortcut that arrived at `received`; the acknowledgement
/// body, if any.
pub async fn handle_interaction(
    state: &AppState,
    interaction: Interaction,
    received: Instant,
) -> Option<Value> {
    let _in_flight = state.metrics.request_started();
    let ctx = state.for_request(received);
    match interaction {
        Interaction::Submission(submission) => match commands::run_form(&ctx, submission).await {
            Reply::FieldErrors(errors) if !errors.is_empty() => {
                let errors: serde_json::Map<String, Value> = errors
                    .into_iter()
                    .map(|(input, message)| (block_id(&input), Value::String(message)))
                    .collect();
                Some(json!({ "response_action": "errors", "errors": errors }))
            }
            _ => None,
        },
        Interaction::Click { click, trigger_id } => {
            let reply = commands::card::on_click(&ctx, click.clone()).await;
            let to = Recipient {
                user: click.user_id.clone(),
                channel: click.channel_id.clone(),
                response_url: click.response_url.clone(),
            };
            answer_click(state, &ctx, to, trigger_id.as_deref(), reply, received).await;
            None
        }
        Interaction::MessageAction {
            callback_id,
            action,
            trigger_id,
        } if callback_id == ADD_TO_TIMELINE => {
            let to = Recipient {
                user: action.user_id.clone(),
                channel: Some(action.channel_id.clone()),
                response_url: action.response_url.clone(),
            };
            let reply = commands::shortcut::on_message(&ctx, action).await;
            answer_click(state, &ctx, to, trigger_id.as_deref(), reply, received).await;
            None
        }
        Interaction::MessageAction {
            callback_id,
            action,
            trigger_id,
        } if callback_id == DECLARE_FROM_MESSAGE => {
            let to = Recipient {
                user: action.user_id.clone(),
                channel: Some(action.channel_id.clone()),
                response_url: action.response_url.clone(),
            };
            let reply = commands::alert::on_message(&ctx, action, trigger_id.is_some());
            answer_click(state, &ctx, to, trigger_id.as_deref(), reply, received).await;
            None
        }
        Interaction::HomeDeclare { user, trigger_id } => {
            let to = Recipient {
                user,
                channel: None,
                response_url: None,
            };
            let reply = commands::home::declare(&ctx);
            answer_click(state, &ctx, to, Some(&trigger_id), reply, received).await;
            None
        }
        Interaction::MessageAction { .. } | Interaction::Ignored => None,
    }
}

/// Performs a click's (or a shortcut's) reply: its form, or a private answer.
async fn answer_click(
    state: &AppState,
    ctx: &Context,
    to: Recipient,
    trigger_id: Option<&str>,
    reply: Reply,
    received: Instant,
) {
    let answer = match reply {
        Reply::Open(form) => match open_form(state, trigger_id, &form, received).await {
            Ok(()) => return,
            Err(()) => Answer::FormDidNotOpen,
        },
        Reply::Say(answer) => answer,
        Reply::Show(_) | Reply::Ack | Reply::FieldErrors(_) => return,
    };
    tell_privately(state, ctx, to, answer).await;
}

/// Tells one person something privately: through the outbox as a rule, so it survives a slow
/// Slack. When this request found the database unreachable the outbox cannot hold it either, so
/// it goes straight to the interaction's `response_url`, after the acknowledgement.
async fn tell_privately(state: &AppState, ctx: &Context, to: Recipient, answer: Answer) {
    if !ctx.deadline.database_down() {
        match commands::change::tell(ctx, to.clone(), answer.clone()).await {
            Ok(()) => return,
            Err(e) if e.is_unavailable() => {}
            Err(e) => {
                tracing::error!(error = %e, "could not queue a private answer");
                return;
            }
        }
    }
    let Some(url) = to.response_url else {
        tracing::warn!(
            "the database is unreachable and there is no response_url: an answer is lost"
        );
        return;
    };
    let body = answers::render(&answer, &state.config.process).private_reply();
    let slack = state.slack.clone();
    tokio::spawn(async move {
        if let Err(e) = slack.respond(&url, &body).await {
            tracing::warn!(reason = %e, "could not answer straight to the response_url");
        }
    });
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
        Event::Mention(mention) => {
            match commands::mention::run(&state.for_request(Instant::now()), mention).await {
                Ok(()) => Ok(None),
                Err(e) => {
                    let _ = commands::store_failure(state, e);
                    Err(Unavailable)
                }
            }
        }
        Event::Reaction(reaction) => {
            match commands::capture::run(&state.for_request(Instant::now()), reaction).await {
                Ok(()) => Ok(None),
                Err(e) => {
                    let _ = commands::store_failure(state, e);
                    Err(Unavailable)
                }
            }
        }
        Event::HomeOpened { user } => {
            match commands::home::opened(&state.for_request(Instant::now()), &user).await {
                Ok(()) => Ok(None),
                Err(e) => {
                    let _ = commands::store_failure(state, e);
                    Err(Unavailable)
                }
            }
        }
        Event::RateLimited => {
            tracing::warn!("Slack reports that warroom's event deliveries are being rate limited");
            Ok(None)
        }
        Event::Ignored => Ok(None),
    }
}
