//! Where Slack's requests land: `/slack/commands`, `/slack/interactions` and `/slack/events`.
//! Each handler verifies the signature over the raw body (401 and nothing runs when it fails),
//! parses (400 for anything malformed, never a panic), hands the request to `commands`, and turns
//! the [`Reply`] into Slack's wire format well inside Slack's three seconds.

use crate::{
    app::AppState,
    commands::{
        self, Click, Field, Invocation, Reply, Submission, mention::Mention,
        shortcut::MessageAction,
    },
    metrics::Metrics,
    slack::{blocks::declare_modal as form, modals},
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::prelude::{
    SlackInteractionActionContainer, SlackInteractionBlockActionsEvent,
    SlackInteractionViewSubmissionEvent, SlackView,
};
use std::collections::HashMap;

/// The slash-command form as Slack posts it.
#[derive(Debug, Deserialize)]
struct SlashCommandForm {
    channel_id: String,
    user_id: String,
    command: String,
    #[serde(default)]
    text: String,
    team_domain: Option<String>,
    response_url: Option<String>,
    trigger_id: Option<String>,
}

/// Interactivity payloads arrive as one form field holding JSON.
#[derive(Debug, Deserialize)]
struct InteractionForm {
    payload: String,
}

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

fn malformed(state: &AppState, what: &str) -> Response {
    Metrics::inc(&state.metrics.requests_malformed);
    tracing::warn!(what, "refused a malformed Slack request");
    (StatusCode::BAD_REQUEST, format!("malformed {what}")).into_response()
}

/// `POST /slack/commands`.
pub async fn commands(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    let Ok(form) = serde_urlencoded::from_bytes::<SlashCommandForm>(&body) else {
        return malformed(&state, "slash command");
    };
    tracing::debug!(command = %form.command, "slash command");
    let invocation = Invocation {
        user_id: form.user_id,
        channel_id: form.channel_id,
        team_domain: form.team_domain,
        text: form.text,
        response_url: form.response_url,
        trigger_id: form.trigger_id,
    };
    reply_to_command(commands::run_slash(&state, invocation).await)
}

fn reply_to_command(reply: Reply) -> Response {
    match reply {
        Reply::Ephemeral(message) => Json(
            json!({ "response_type": "ephemeral", "text": message.text, "blocks": message.blocks }),
        )
        .into_response(),
        Reply::Ack | Reply::ViewErrors(_) => StatusCode::OK.into_response(),
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
    let Ok(form) = serde_urlencoded::from_bytes::<InteractionForm>(&body) else {
        return malformed(&state, "interaction form");
    };
    let Ok(payload) = serde_json::from_str::<Value>(&form.payload) else {
        return malformed(&state, "interaction payload");
    };
    let kind = payload
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    match kind.as_str() {
        "view_submission" => {
            let Ok(event) = serde_json::from_value::<SlackInteractionViewSubmissionEvent>(payload)
            else {
                return malformed(&state, "view submission");
            };
            let Some(submission) = submission(&event) else {
                return malformed(&state, "view submission");
            };
            let reply = match submission.callback_id.as_str() {
                form::CALLBACK_ID => commands::declare::from_form(&state, &submission).await,
                modals::ids::PICK_INCIDENT => {
                    commands::shortcut::on_pick(&state, &submission).await
                }
                modals::ids::RESOLVE
                | modals::ids::CLOSE
                | modals::ids::SEVERITY
                | modals::ids::ROLES
                | modals::ids::UPDATE
                | modals::ids::CANCEL
                | modals::ids::EDIT
                | modals::ids::BREACH
                | modals::ids::NOTIFIED => commands::card::on_submit(&state, &submission).await,
                // A form warroom does not know (an old version's, say): let it close.
                _ => Reply::Ack,
            };
            reply_to_view(reply)
        }
        "block_actions" => {
            let Ok(event) = serde_json::from_value::<SlackInteractionBlockActionsEvent>(payload)
            else {
                return malformed(&state, "block actions");
            };
            if let Some(click) = click(&event) {
                commands::card::on_click(&state, click).await;
            }
            StatusCode::OK.into_response()
        }
        "message_action" => {
            let Some(action) = message_action(&payload) else {
                return malformed(&state, "message action");
            };
            if payload.get("callback_id").and_then(Value::as_str)
                == Some(commands::shortcut::CALLBACK_ID)
            {
                reply_to_command(commands::shortcut::on_message(&state, action).await)
            } else {
                StatusCode::OK.into_response()
            }
        }
        // view_closed, shortcuts warroom does not offer, and types Slack adds later.
        _ => StatusCode::OK.into_response(),
    }
}

fn reply_to_view(reply: Reply) -> Response {
    match reply {
        Reply::ViewErrors(errors) if !errors.is_empty() => {
            let errors: serde_json::Map<String, Value> = errors
                .into_iter()
                .map(|(block, message)| (block, Value::String(message)))
                .collect();
            Json(json!({ "response_action": "errors", "errors": errors })).into_response()
        }
        _ => StatusCode::OK.into_response(),
    }
}

/// Reads a submitted modal's inputs, whatever the form.
fn submission(event: &SlackInteractionViewSubmissionEvent) -> Option<Submission> {
    let SlackView::Modal(modal) = &event.view.view else {
        return None;
    };
    let mut fields = HashMap::new();
    if let Some(state) = &event.view.state_params.state {
        for (block, actions) in &state.values {
            let Some(v) = actions.values().next() else {
                continue;
            };
            let field = Field {
                text: v.value.clone(),
                selected: v.selected_option.as_ref().map(|o| o.value.clone()),
                selected_many: v
                    .selected_options
                    .iter()
                    .flatten()
                    .map(|o| o.value.clone())
                    .collect(),
                user: v.selected_user.as_ref().map(|u| u.0.clone()),
            };
            fields.insert(block.0.clone(), field);
        }
    }
    Some(Submission {
        callback_id: modal
            .callback_id
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default(),
        view_id: event.view.state_params.id.0.clone(),
        user_id: event.user.id.0.clone(),
        team_domain: event.team.domain.clone(),
        private_metadata: modal.private_metadata.clone(),
        fields,
    })
}

/// Reads a click on a message control (the incident card).
fn click(event: &SlackInteractionBlockActionsEvent) -> Option<Click> {
    let action = event.actions.as_ref()?.first()?;
    let user_id = event.user.as_ref()?.id.0.clone();
    let (channel_id, in_message) = match &event.container {
        SlackInteractionActionContainer::Message(m) => {
            (m.channel_id.as_ref().map(|c| c.0.clone()), true)
        }
        _ => (None, false),
    };
    if !in_message {
        return None;
    }
    let block_id = action
        .block_id
        .as_ref()
        .map(|b| b.0.as_str())
        .unwrap_or_default();
    let incident_id = block_id
        .strip_prefix("card:")
        .map(str::to_owned)
        .or_else(|| action.value.clone());
    Some(Click {
        user_id,
        action_id: action.action_id.0.clone(),
        incident_id,
        value: action.value.clone(),
        selected: action.selected_option.as_ref().map(|o| o.value.clone()),
        trigger_id: Some(event.trigger_id.0.clone()),
        response_url: event.response_url.as_ref().map(|u| u.0.to_string()),
        channel_id: channel_id.or_else(|| event.channel.as_ref().map(|c| c.id.0.clone())),
        action_ts: action.action_ts.as_ref().map(|ts| ts.0.clone()),
    })
}

/// Reads a message shortcut: the message, its author and time, and who used it.
fn message_action(payload: &Value) -> Option<MessageAction> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let message = payload.get("message")?;
    Some(MessageAction {
        user_id: s(&payload["user"]["id"])?,
        channel_id: s(&payload["channel"]["id"])?,
        message_ts: s(&payload["message_ts"]).or_else(|| s(&message["ts"]))?,
        thread_ts: s(&message["thread_ts"]),
        author: s(&message["user"])
            .or_else(|| s(&message["bot_id"]))
            .unwrap_or_else(|| "unknown".to_owned()),
        text: s(&message["text"]).unwrap_or_default(),
        team_domain: s(&payload["team"]["domain"]),
        trigger_id: s(&payload["trigger_id"]),
        response_url: s(&payload["response_url"]),
    })
}

/// `POST /slack/events`: the URL check, and events such as mentions of the bot.
pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(why) = authenticate(&state, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    let Ok(envelope) = serde_json::from_slice::<Value>(&body) else {
        return malformed(&state, "event");
    };
    let str_at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    match envelope.get("type").and_then(Value::as_str) {
        Some("url_verification") => match str_at(&envelope, "challenge") {
            Some(challenge) => Json(json!({ "challenge": challenge })).into_response(),
            None => malformed(&state, "url_verification"),
        },
        Some("event_callback") => {
            let (Some(event_id), Some(event)) =
                (str_at(&envelope, "event_id"), envelope.get("event"))
            else {
                return malformed(&state, "event_callback");
            };
            if event.get("type").and_then(Value::as_str) != Some("app_mention") {
                return StatusCode::OK.into_response();
            }
            let (Some(channel), Some(ts)) = (str_at(event, "channel"), str_at(event, "ts")) else {
                return malformed(&state, "app_mention");
            };
            let mention = Mention {
                event_id,
                channel,
                ts,
                thread_ts: str_at(event, "thread_ts"),
            };
            match commands::mention::run(&state, mention).await {
                Ok(()) => StatusCode::OK.into_response(),
                Err(e) => {
                    // Not acknowledged, so Slack delivers the event again later: nothing is lost.
                    let _ = commands::store_failure(&state, e);
                    StatusCode::SERVICE_UNAVAILABLE.into_response()
                }
            }
        }
        Some("app_rate_limited") => {
            tracing::warn!("Slack reports that warroom's event deliveries are being rate limited");
            StatusCode::OK.into_response()
        }
        _ => StatusCode::OK.into_response(),
    }
}
