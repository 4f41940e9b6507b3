//! Where Slack's requests land: `/slack/commands`, `/slack/interactions` and `/slack/events`.
//! Each handler verifies the signature over the raw body (401 and nothing runs when it fails),
//! parses (400 for anything malformed, never a panic), hands the request to `commands`, and turns
//! the [`Reply`] into Slack's wire format well inside Slack's three seconds.

use crate::{
    app::AppState,
    commands::{self, Invocation, Reply, declare::FormSubmission, mention::Mention},
    metrics::Metrics,
    slack::blocks::declare_modal as form,
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
use slack_morphism::prelude::{SlackInteractionViewSubmissionEvent, SlackView};

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
            let Some(submission) = declare_submission(&event) else {
                // A form warroom does not know (an old version's, say): close it.
                return StatusCode::OK.into_response();
            };
            reply_to_view(commands::declare::from_form(&state, submission).await)
        }
        // Card controls arrive here; they are wired up with the incident lifecycle.
        _ => StatusCode::OK.into_response(),
    }
}

fn reply_to_view(reply: Reply) -> Response {
    match reply {
        Reply::ViewErrors(errors) => {
            let errors: serde_json::Map<String, Value> = errors
                .into_iter()
                .map(|(block, message)| (block, Value::String(message)))
                .collect();
            Json(json!({ "response_action": "errors", "errors": errors })).into_response()
        }
        Reply::Ack | Reply::Ephemeral(_) => StatusCode::OK.into_response(),
    }
}

/// Reads the declare form's fields out of a submission, if it is the declare form.
fn declare_submission(event: &SlackInteractionViewSubmissionEvent) -> Option<FormSubmission> {
    let SlackView::Modal(modal) = &event.view.view else {
        return None;
    };
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) != Some(form::CALLBACK_ID) {
        return None;
    }
    let values = event.view.state_params.state.as_ref().map(|s| &s.values);
    let field = |block: &str| {
        values
            .and_then(|v| v.iter().find(|(b, _)| b.0 == block))
            .and_then(|(_, actions)| actions.values().next())
    };
    let text = |block: &str| field(block).and_then(|v| v.value.clone());
    let selected = |block: &str| {
        field(block)
            .and_then(|v| v.selected_option.as_ref())
            .map(|o| o.value.clone())
    };
    let checked = field(form::TRIAGE)
        .and_then(|v| v.selected_options.as_ref())
        .map(|options| options.iter().map(|o| o.value.clone()).collect())
        .unwrap_or_default();
    Some(FormSubmission {
        view_id: event.view.state_params.id.0.clone(),
        user_id: event.user.id.0.clone(),
        team_domain: event.team.domain.clone(),
        private_metadata: modal.private_metadata.clone(),
        title: text(form::TITLE),
        severity: selected(form::SEVERITY),
        incident_type: selected(form::TYPE),
        impact: text(form::IMPACT),
        triage_checked: checked,
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
