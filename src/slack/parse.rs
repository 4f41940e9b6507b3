//! Parsing what Slack sends, after its signature was verified: pure functions from bytes (HTTP)
//! or JSON (Socket Mode envelopes carry the same payloads) to the inputs `commands` understands.
//! Anything malformed is an error, never a panic; anything warroom does not handle is `Ignored`.

use super::{
    blocks::message_link,
    keys::{Control, HOME_DECLARE, More},
};
use crate::{
    commands::{
        Invocation,
        capture::Reaction,
        forms::{CardAction, Click, MessageAction, Submission},
        mention::Mention,
    },
    incident::{IncidentId, Status, actions::ActionId, summaries::SummaryId},
};
use serde::Deserialize;
use serde_json::Value;
use slack_morphism::prelude::{
    SlackInteractionActionContainer, SlackInteractionBlockActionsEvent,
    SlackInteractionViewSubmissionEvent, SlackView,
};

/// A payload that cannot be read; names what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed {0}")]
pub struct Malformed(pub &'static str);

/// The slash-command fields warroom uses, as Slack posts them.
#[derive(Debug, Deserialize)]
struct SlashCommand {
    channel_id: String,
    user_id: String,
    #[serde(default)]
    text: String,
    team_domain: Option<String>,
    response_url: Option<String>,
    trigger_id: Option<String>,
    #[expect(
        dead_code,
        reason = "required, so a form without it is refused as malformed"
    )]
    command: String,
}

impl From<SlashCommand> for Invocation {
    fn from(c: SlashCommand) -> Self {
        Invocation {
            user_id: c.user_id,
            channel_id: c.channel_id,
            team_domain: c.team_domain,
            text: c.text,
            response_url: c.response_url,
            trigger_id: c.trigger_id,
            sees_restricted: false,
        }
    }
}

/// A slash command from its form body.
pub fn command_form(body: &[u8]) -> Result<Invocation, Malformed> {
    serde_urlencoded::from_bytes::<SlashCommand>(body)
        .map(Invocation::from)
        .map_err(|_| Malformed("slash command"))
}

/// A slash command from a Socket Mode envelope's JSON payload.
pub fn command_json(payload: Value) -> Result<Invocation, Malformed> {
    serde_json::from_value::<SlashCommand>(payload)
        .map(Invocation::from)
        .map_err(|_| Malformed("slash command"))
}

/// What an interactivity payload asks for. A `trigger_id` lets the edge open a form in answer,
/// within three seconds.
#[derive(Debug, Clone)]
pub enum Interaction {
    Submission(Submission),
    Click {
        click: Click,
        trigger_id: Option<String>,
    },
    MessageAction {
        callback_id: String,
        action: MessageAction,
        trigger_id: Option<String>,
    },
    /// **Declare incident** on the Home tab.
    HomeDeclare {
        user: String,
        trigger_id: String,
    },
    /// `view_closed`, global shortcuts, clicks outside messages, types Slack adds later.
    Ignored,
}

#[derive(Deserialize)]
struct InteractionForm {
    payload: String,
}

/// An interactivity payload from its form body (`payload=<json>`).
pub fn interaction_form(body: &[u8]) -> Result<Interaction, Malformed> {
    let form = serde_urlencoded::from_bytes::<InteractionForm>(body)
        .map_err(|_| Malformed("interaction form"))?;
    let payload = serde_json::from_str::<Value>(&form.payload)
        .map_err(|_| Malformed("interaction payload"))?;
    interaction_json(payload)
}

/// An interactivity payload from JSON.
pub fn interaction_json(payload: Value) -> Result<Interaction, Malformed> {
    match payload.get("type").and_then(Value::as_str) {
        Some("view_submission") => {
            let event = serde_json::from_value::<SlackInteractionViewSubmissionEvent>(payload)
                .map_err(|_| Malformed("view submission"))?;
            let SlackView::Modal(modal) = &event.view.view else {
                return Err(Malformed("view submission"));
            };
            Ok(submission(&event, modal).map_or(Interaction::Ignored, Interaction::Submission))
        }
        Some("block_actions") => {
            let event = serde_json::from_value::<SlackInteractionBlockActionsEvent>(payload)
                .map_err(|_| Malformed("block actions"))?;
            let first = event.actions.as_ref().and_then(|a| a.first());
            if first.is_some_and(|a| a.action_id.0 == HOME_DECLARE)
                && let Some(user) = &event.user
            {
                return Ok(Interaction::HomeDeclare {
                    user: user.id.0.clone(),
                    trigger_id: event.trigger_id.0.clone(),
                });
            }
            Ok(
                click(&event).map_or(Interaction::Ignored, |click| Interaction::Click {
                    click,
                    trigger_id: Some(event.trigger_id.0.clone()),
                }),
            )
        }
        Some("message_action") => {
            let callback_id = payload
                .get("callback_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let action = message_action(&payload).ok_or(Malformed("message action"))?;
            Ok(Interaction::MessageAction {
                callback_id,
                action,
                trigger_id: payload
                    .get("trigger_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        }
        Some(_) => Ok(Interaction::Ignored),
        None => Err(Malformed("interaction payload")),
    }
}

mod forms;

use forms::submission;

/// Reads a click on a message control (the incident card, a reminder); `None` for a control
/// warroom does not know or one that names no incident.
fn click(event: &SlackInteractionBlockActionsEvent) -> Option<Click> {
    let action = event.actions.as_ref()?.first()?;
    let user_id = event.user.as_ref()?.id.0.clone();
    let SlackInteractionActionContainer::Message(container) = &event.container else {
        return None;
    };
    let control = Control::parse(&action.action_id.0)?;
    let selected = action.selected_option.as_ref().map(|o| o.value.as_str());
    let block_id = action
        .block_id
        .as_ref()
        .map(|b| b.0.as_str())
        .unwrap_or_default();
    let mut incident = block_id
        .strip_prefix("card:")
        .map(str::to_owned)
        .or_else(|| action.value.clone());
    let card_action = match control {
        Control::Acknowledge => CardAction::Acknowledge,
        Control::Status => CardAction::SetStatus(Status::parse(selected?)?),
        Control::Severity => CardAction::ChooseSeverity(selected?.to_owned()),
        Control::Roles => CardAction::AssignRoles,
        Control::PostUpdate => CardAction::PostUpdate,
        Control::More => {
            // "More" options carry `KEY:INC-…`.
            let (key, id) = selected?.split_once(':')?;
            incident = Some(id.to_owned());
            More::parse(key)?.action()
        }
        Control::Snooze => {
            let secs: i64 = selected?.parse().ok().filter(|s| *s > 0)?;
            CardAction::Snooze(chrono::Duration::seconds(secs))
        }
        // A follow-up action's reminder: its buttons carry `INC-…-A1`, its menu `SECONDS:INC-…-A1`.
        Control::ActionDone | Control::ActionWontDo => {
            let action = ActionId::parse(action.value.as_deref()?)?;
            incident = Some(action.incident.to_string());
            match control {
                Control::ActionDone => CardAction::ActionDone(action.number),
                _ => CardAction::ActionWontDo(action.number),
            }
        }
        Control::ActionSnooze => {
            let (secs, id) = selected?.split_once(':')?;
            let secs: i64 = secs.parse().ok().filter(|s| *s > 0)?;
            let action = ActionId::parse(id)?;
            incident = Some(action.incident.to_string());
            CardAction::ActionSnooze(action.number, chrono::Duration::seconds(secs))
        }
        // A client-safe summary's buttons carry `INC-…-S1`.
        Control::SummaryApprove | Control::SummaryChanges => {
            let summary = SummaryId::parse(action.value.as_deref()?)?;
            incident = Some(summary.incident.to_string());
            match control {
                Control::SummaryApprove => CardAction::ApproveSummary(summary.number),
                _ => CardAction::RequestChanges(summary.number),
            }
        }
    };
    let incident = IncidentId::parse(incident.as_deref()?)?;
    let key = action
        .action_ts
        .as_ref()
        .map(|ts| format!("action:{user_id}:{}:{}", action.action_id.0, ts.0));
    Some(Click {
        user_id,
        incident,
        action: card_action,
        key,
        response_url: event.response_url.as_ref().map(|u| u.0.to_string()),
        channel_id: container
            .channel_id
            .as_ref()
            .map(|c| c.0.clone())
            .or_else(|| event.channel.as_ref().map(|c| c.id.0.clone())),
    })
}

/// Reads a message shortcut: the message, its author and time, and who used it.
fn message_action(payload: &Value) -> Option<MessageAction> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let message = payload.get("message")?;
    let channel_id = s(&payload["channel"]["id"])?;
    let message_ts = s(&payload["message_ts"]).or_else(|| s(&message["ts"]))?;
    let team_domain = s(&payload["team"]["domain"]);
    Some(MessageAction {
        user_id: s(&payload["user"]["id"])?,
        link: message_link(team_domain.as_deref(), &channel_id, &message_ts),
        channel_id,
        message_ts,
        thread_ts: s(&message["thread_ts"]),
        author: s(&message["user"])
            .or_else(|| s(&message["bot_id"]))
            .unwrap_or_else(|| "unknown".to_owned()),
        text: s(&message["text"]).unwrap_or_default(),
        team_domain,
        response_url: s(&payload["response_url"]),
        headline: headline(message),
        from_bot: message.get("bot_id").is_some_and(|b| !b.is_null())
            || s(&message["subtype"]).as_deref() == Some("bot_message"),
    })
}

/// What an alert whose text is empty says instead: its first attachment's title, text or
/// fallback, else the text of its first block that has one.
fn headline(message: &Value) -> Option<String> {
    fn text_at(v: &Value) -> Option<&str> {
        v.as_str().map(str::trim).filter(|t| !t.is_empty())
    }
    let attachment = &message["attachments"][0];
    ["title", "text", "fallback"]
        .iter()
        .find_map(|key| text_at(&attachment[*key]))
        .or_else(|| {
            message["blocks"].as_array()?.iter().find_map(|block| {
                text_at(&block["text"]["text"]).or_else(|| text_at(&block["fields"][0]["text"]))
            })
        })
        .map(str::to_owned)
}

/// What an Events API delivery asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Slack checking the request URL: answer with the challenge.
    UrlVerification(String),
    Mention(Mention),
    /// A reaction added to or taken off a message.
    Reaction(Reaction),
    /// Someone opened warroom's Home tab.
    HomeOpened {
        user: String,
    },
    /// Slack is rate limiting event deliveries to warroom.
    RateLimited,
    Ignored,
}

/// An Events API body.
pub fn event_body(body: &[u8]) -> Result<Event, Malformed> {
    event_json(serde_json::from_slice::<Value>(body).map_err(|_| Malformed("event"))?)
}

/// An Events API payload from JSON.
pub fn event_json(envelope: Value) -> Result<Event, Malformed> {
    let str_at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    match envelope.get("type").and_then(Value::as_str) {
        Some("url_verification") => str_at(&envelope, "challenge")
            .map(Event::UrlVerification)
            .ok_or(Malformed("url_verification")),
        Some("event_callback") => {
            let (Some(event_id), Some(event)) =
                (str_at(&envelope, "event_id"), envelope.get("event"))
            else {
                return Err(Malformed("event_callback"));
            };
            match event.get("type").and_then(Value::as_str) {
                Some("app_mention") => {}
                Some(kind @ ("reaction_added" | "reaction_removed")) => {
                    return Ok(reaction(event_id, event, kind == "reaction_added"));
                }
                Some("app_home_opened") => {
                    return Ok(match (str_at(event, "user"), str_at(event, "tab")) {
                        (Some(user), Some(tab)) if tab == "home" => Event::HomeOpened { user },
                        _ => Event::Ignored,
                    });
                }
                _ => return Ok(Event::Ignored),
            }
            let (Some(channel), Some(ts)) = (str_at(event, "channel"), str_at(event, "ts")) else {
                return Err(Malformed("app_mention"));
            };
            Ok(Event::Mention(Mention {
                event_id,
                channel,
                ts,
                thread_ts: str_at(event, "thread_ts"),
            }))
        }
        Some("app_rate_limited") => Ok(Event::RateLimited),
        Some(_) => Ok(Event::Ignored),
        None => Err(Malformed("event")),
    }
}

/// A reaction event on a message; any other item (a file) is ignored.
fn reaction(event_id: String, event: &Value, added: bool) -> Event {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let item = &event["item"];
    if item["type"].as_str() != Some("message") {
        return Event::Ignored;
    }
    match (
        s(&event["user"]),
        s(&event["reaction"]),
        s(&item["channel"]),
        s(&item["ts"]),
    ) {
        (Some(user), Some(name), Some(channel), Some(ts)) => Event::Reaction(Reaction {
            event_id,
            user,
            name,
            channel,
            ts,
            added,
        }),
        _ => Event::Ignored,
    }
}

#[cfg(test)]
mod fuzz_smoke;
#[cfg(test)]
mod tests;
