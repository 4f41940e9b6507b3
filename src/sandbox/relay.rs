//! What a person does on the page, sent to warroom as Slack sends it: signed HTTP requests to
//! `/slack/commands` (a slash command's form), `/slack/interactions` (`payload=` JSON: clicks,
//! form submissions, message shortcuts) and `/slack/events` (mentions of the bot), each with a
//! `trigger_id` and `response_url` of the stand-in's own.

use super::{
    Context,
    world::{BOT_USER, Message, TEAM_ID, World},
};
use serde_json::{Value, json};

/// warroom's answer: its status and body.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: String,
}

impl Answer {
    /// The body as JSON, when it is JSON.
    pub(super) fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// POSTs `body` to warroom's `path`, signed now with the sandbox's secret.
pub(super) async fn send(
    context: &Context,
    path: &str,
    content_type: &str,
    body: String,
) -> Answer {
    let ts = chrono::Utc::now().timestamp();
    let signature = context.verifier.sign(ts, body.as_bytes());
    let sent = context
        .http
        .post(format!("{}{path}", context.warroom))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => Answer {
            status: response.status().as_u16(),
            body: response.text().await.unwrap_or_default(),
        },
        Err(e) => {
            tracing::warn!(error = %e, "warroom could not be reached");
            Answer {
                status: 503,
                body: String::new(),
            }
        }
    }
}

/// An interactivity payload, form-encoded as Slack sends it.
pub(super) async fn interaction(context: &Context, payload: &Value) -> Answer {
    let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default();
    send(
        context,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        form,
    )
    .await
}

/// The `user` and `team` objects of interactive payloads.
pub(super) fn user_json(user: &str) -> Value {
    json!({ "id": user, "username": World::name_of(user), "name": World::name_of(user), "team_id": TEAM_ID })
}

fn team_json() -> Value {
    json!({ "id": TEAM_ID, "domain": "sandbox" })
}

/// `/incident <text>` typed by `user` in `channel`: the form Slack posts.
pub(super) fn slash_form(
    world: &mut World,
    base: &str,
    user: &str,
    channel: &str,
    text: &str,
) -> String {
    let channel_name = world.channel(channel).map_or("", |c| c.name);
    let response_url = format!(
        "{base}/_sandbox/respond/{}",
        world.responder(user, channel, None)
    );
    let trigger = world.trigger(user);
    let form = [
        ("token", "sandbox-verification-token"),
        ("team_id", TEAM_ID),
        ("team_domain", "sandbox"),
        ("channel_id", channel),
        ("channel_name", channel_name),
        ("user_id", user),
        ("user_name", World::name_of(user)),
        ("command", "/incident"),
        ("text", text),
        ("api_app_id", "ASANDBOX"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url.as_str()),
        ("trigger_id", trigger.as_str()),
    ];
    serde_urlencoded::to_string(form).unwrap_or_default()
}

/// The `message` object of a payload about `message`.
fn message_json(message: &Message) -> Value {
    let mut json = json!({
        "type": "message", "ts": message.ts, "text": message.text,
        "user": message.user.as_deref().unwrap_or(BOT_USER),
    });
    if let Some(thread_ts) = &message.thread_ts {
        json["thread_ts"] = json!(thread_ts);
    }
    json
}

/// A click on an element of a message: a `block_actions` payload.
pub(super) struct Click<'a> {
    pub(super) user: &'a str,
    pub(super) channel: &'a str,
    pub(super) ts: &'a str,
    /// The ephemeral message clicked, if it was one.
    pub(super) ephemeral: Option<u64>,
    pub(super) action: Value,
}

pub(super) fn block_actions(world: &mut World, base: &str, click: Click<'_>) -> Value {
    let response_url = format!(
        "{base}/_sandbox/respond/{}",
        world.responder(click.user, click.channel, click.ephemeral)
    );
    let channel_name = world.channel(click.channel).map_or("", |c| c.name);
    let mut payload = json!({
        "type": "block_actions",
        "user": user_json(click.user),
        "api_app_id": "ASANDBOX",
        "token": "sandbox-verification-token",
        "container": {
            "type": "message", "message_ts": click.ts, "channel_id": click.channel,
            "is_ephemeral": click.ephemeral.is_some(),
        },
        "team": team_json(),
        "channel": { "id": click.channel, "name": channel_name },
        "response_url": response_url,
        "actions": [click.action],
    });
    let message = world
        .messages
        .iter()
        .find(|m| m.channel == click.channel && m.ts == click.ts)
        .map(message_json);
    payload["message"] =
        message.unwrap_or_else(|| json!({ "type": "message", "ts": click.ts, "text": "" }));
    payload["trigger_id"] = json!(world.trigger(click.user));
    payload
}

/// A message shortcut (`callback_id`) used on a message.
pub(super) fn message_action(
    world: &mut World,
    base: &str,
    user: &str,
    message: &Message,
    callback_id: &str,
) -> Value {
    let response_url = format!(
        "{base}/_sandbox/respond/{}",
        world.responder(user, &message.channel, None)
    );
    let channel_name = world.channel(&message.channel).map_or("", |c| c.name);
    json!({
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": world.trigger(user),
        "response_url": response_url,
        "token": "sandbox-verification-token",
        "action_ts": world.next_ts(),
        "message_ts": message.ts,
        "team": team_json(),
        "user": user_json(user),
        "channel": { "id": message.channel, "name": channel_name },
        "message": message_json(message),
    })
}

/// A `view_submission` of the open view `view` with `values` as its state.
pub(super) fn view_submission(world: &mut World, user: &str, view: &Value, values: Value) -> Value {
    let mut view = view.clone();
    view["state"] = json!({ "values": values });
    for (key, default) in [
        ("private_metadata", json!("")),
        ("callback_id", json!("")),
        ("external_id", json!("")),
        ("clear_on_close", json!(false)),
        ("notify_on_close", json!(false)),
        ("previous_view_id", Value::Null),
        ("root_view_id", view["id"].clone()),
        ("app_id", json!("ASANDBOX")),
        ("app_installed_team_id", json!(TEAM_ID)),
        ("bot_id", json!("BWARROOM")),
    ] {
        if view.get(key).is_none_or(Value::is_null) {
            view[key] = default;
        }
    }
    json!({
        "type": "view_submission",
        "team": team_json(),
        "user": user_json(user),
        "api_app_id": "ASANDBOX",
        "token": "sandbox-verification-token",
        "trigger_id": world.trigger(user),
        "view": view,
        "response_urls": [],
    })
}

/// An `app_mention` event for `message`, as the Events API delivers it.
pub(super) fn app_mention(world: &mut World, message: &Message) -> Value {
    let mut event = json!({
        "type": "app_mention", "user": message.user, "text": message.text, "ts": message.ts,
        "channel": message.channel, "event_ts": message.ts,
    });
    if let Some(thread_ts) = &message.thread_ts {
        event["thread_ts"] = json!(thread_ts);
    }
    json!({
        "token": "sandbox-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "ASANDBOX",
        "event": event,
        "type": "event_callback",
        "event_id": format!("Ev{:010}", world.next_id()),
        "event_time": chrono::Utc::now().timestamp(),
    })
}
