//! The stand-in's Web API, under `/_sandbox/api/{method}`: the methods warroom calls, answered as
//! Slack answers them (`ok`, `ts`, `channel`, `view.id`, `error` codes), against the in-memory
//! [`World`]. Calls without the sandbox's bot token are refused with `invalid_auth`.

use super::{
    Shared, history, openid,
    wire::{error, params, structured, text},
    world::{BOT_USER, File, Message, OpenView, PEOPLE, TEAM_ID, World},
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, header},
};
use serde_json::{Value, json};
use std::time::Duration;

/// How long a trigger id may be exchanged for a modal, as in Slack.
const TRIGGER_LIFETIME: Duration = Duration::from_secs(3);

/// One Web API call.
pub(super) async fn call(
    State(shared): State<Shared>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = params(content_type, &body, query.as_deref());
    // Sign in with Slack's methods authenticate the client, or the signed-in person.
    match method.as_str() {
        "openid.connect.token" => {
            return Json(openid::token(&shared.openid, &params, basic(&headers)));
        }
        "openid.connect.userInfo" => return Json(openid::user_info(&shared.openid, bearer)),
        _ => {}
    }
    if bearer != Some(shared.bot_token.expose()) {
        return Json(error("invalid_auth"));
    }
    let mut world = shared.lock();
    Json(answer(&mut world, &shared.base, &method, &params))
}

/// HTTP Basic credentials: the client id and secret.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Slack's answer to `method`.
pub(super) fn answer(world: &mut World, base: &str, method: &str, params: &Value) -> Value {
    match method {
        "auth.test" => {
            json!({ "ok": true, "user_id": BOT_USER, "team_id": TEAM_ID, "bot_id": "BWARROOM", "team": "Sandbox", "user": "warroom" })
        }
        "chat.postMessage" => post_message(world, params),
        "chat.update" => update_message(world, params),
        "chat.postEphemeral" => post_ephemeral(world, params),
        "views.open" | "views.push" => open_view(world, method, params),
        "views.update" => update_view(world, params),
        "conversations.info" => conversation_info(world, params),
        "conversations.members" => match text(params, "channel").and_then(|c| world.channel(&c)) {
            Some(c) => {
                json!({ "ok": true, "members": c.members, "response_metadata": { "next_cursor": "" } })
            }
            None => error("channel_not_found"),
        },
        "conversations.history" => history::listing(world, params, false),
        "conversations.replies" => history::listing(world, params, true),
        "users.info" => {
            match text(params, "user").and_then(|u| PEOPLE.iter().find(|p| p.id == u)) {
                Some(p) => {
                    json!({ "ok": true, "user": { "id": p.id, "name": p.name, "real_name": p.name, "team_id": TEAM_ID, "profile": { "real_name": p.name, "title": p.title } } })
                }
                None => error("user_not_found"),
            }
        }
        "files.getUploadURLExternal" => upload_url(world, base, params),
        "files.completeUploadExternal" => complete_upload(world, params),
        _ => error("unknown_method"),
    }
}

fn post_message(world: &mut World, params: &Value) -> Value {
    let Some(channel) = text(params, "channel").filter(|c| world.channel(c).is_some()) else {
        return error("channel_not_found");
    };
    let blocks = structured(params, "blocks");
    let body = text(params, "text");
    if body.is_none() && blocks.is_none() {
        return error("no_text");
    }
    let thread_ts = text(params, "thread_ts");
    if let Some(parent) = &thread_ts
        && !world
            .messages
            .iter()
            .any(|m| m.channel == channel && &m.ts == parent)
    {
        return error("thread_not_found");
    }
    let ts = world.add_message(Message {
        channel: channel.clone(),
        ts: String::new(),
        thread_ts,
        user: None,
        text: body.clone().unwrap_or_default(),
        blocks,
        metadata: structured(params, "metadata"),
        files: Vec::new(),
        edited: false,
    });
    json!({ "ok": true, "channel": channel, "ts": ts, "message": { "type": "message", "text": body, "ts": ts, "user": BOT_USER } })
}

fn update_message(world: &mut World, params: &Value) -> Value {
    let (channel, ts) = (text(params, "channel"), text(params, "ts"));
    let found = world
        .messages
        .iter_mut()
        .find(|m| Some(&m.channel) == channel.as_ref() && Some(&m.ts) == ts.as_ref());
    let Some(message) = found else {
        return error("message_not_found");
    };
    if message.user.is_some() {
        return error("cant_update_message");
    }
    if let Some(body) = text(params, "text") {
        message.text = body;
    }
    if let Some(blocks) = structured(params, "blocks") {
        message.blocks = Some(blocks);
    }
    if let Some(metadata) = structured(params, "metadata") {
        message.metadata = Some(metadata);
    }
    message.edited = true;
    let answer =
        json!({ "ok": true, "channel": message.channel, "ts": message.ts, "text": message.text });
    world.touch();
    answer
}

fn post_ephemeral(world: &mut World, params: &Value) -> Value {
    let Some(channel) = text(params, "channel").filter(|c| world.channel(c).is_some()) else {
        return error("channel_not_found");
    };
    let Some(user) = text(params, "user").filter(|u| PEOPLE.iter().any(|p| p.id == u)) else {
        return error("user_not_found");
    };
    let (body, blocks) = (text(params, "text"), structured(params, "blocks"));
    if body.is_none() && blocks.is_none() {
        return error("no_text");
    }
    let ts = world.add_ephemeral(
        &user,
        &channel,
        text(params, "thread_ts"),
        body.unwrap_or_default(),
        blocks,
    );
    json!({ "ok": true, "message_ts": ts })
}

/// A view as Slack keeps it: the one sent, with an id and a hash.
fn stored_view(world: &mut World, id: Option<String>, view: Value) -> OpenView {
    let n = world.next_id();
    let id = id.unwrap_or_else(|| format!("V{n:06}"));
    let hash = format!("{n}.{:08x}", rand::random::<u32>());
    let mut view = match view {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    view.insert("id".into(), json!(id));
    view.insert("hash".into(), json!(hash));
    view.insert("team_id".into(), json!(TEAM_ID));
    OpenView {
        id,
        hash,
        view: Value::Object(view),
        errors: json!({}),
    }
}

fn open_view(world: &mut World, method: &str, params: &Value) -> Value {
    let Some(view) = structured(params, "view").filter(Value::is_object) else {
        return error("invalid_arguments");
    };
    let Some(trigger) = text(params, "trigger_id") else {
        return error("invalid_trigger_id");
    };
    let Some((user, issued)) = world.triggers.remove(&trigger) else {
        return error("invalid_trigger_id");
    };
    if issued.elapsed() > TRIGGER_LIFETIME {
        return error("expired_trigger_id");
    }
    let open = stored_view(world, None, view);
    let answer = json!({ "ok": true, "view": open.view });
    let stack = world.views.entry(user).or_default();
    if method == "views.open" {
        stack.clear();
    }
    stack.push(open);
    world.touch();
    answer
}

fn update_view(world: &mut World, params: &Value) -> Value {
    let Some(view) = structured(params, "view").filter(Value::is_object) else {
        return error("invalid_arguments");
    };
    let by_id = text(params, "view_id");
    let by_external = text(params, "external_id");
    let found = world.views.values().flatten().find(|v| {
        Some(&v.id) == by_id.as_ref()
            || (by_external.is_some()
                && v.view.get("external_id") == by_external.as_ref().map(|e| json!(e)).as_ref())
    });
    let Some(found) = found.map(|v| v.id.clone()) else {
        return error("not_found");
    };
    let open = stored_view(world, Some(found.clone()), view);
    let answer = json!({ "ok": true, "view": open.view });
    for v in world.views.values_mut().flatten() {
        if v.id == found {
            *v = open.clone();
        }
    }
    world.touch();
    answer
}

fn conversation_info(world: &World, params: &Value) -> Value {
    match text(params, "channel").and_then(|c| world.channel(&c)) {
        Some(c) => json!({
            "ok": true,
            "channel": {
                "id": c.id, "name": c.name, "is_channel": !c.private, "is_group": c.private,
                "is_private": c.private, "is_member": true, "is_archived": false,
            }
        }),
        None => error("channel_not_found"),
    }
}

fn upload_url(world: &mut World, base: &str, params: &Value) -> Value {
    let (Some(name), Some(length)) = (
        text(params, "filename"),
        text(params, "length").and_then(|l| l.parse::<usize>().ok()),
    ) else {
        return error("invalid_arguments");
    };
    let id = format!("F{:06}", world.next_id());
    world.files.push(File {
        id: id.clone(),
        name,
        title: None,
        length,
        bytes: Vec::new(),
    });
    json!({ "ok": true, "upload_url": format!("{base}/_sandbox/upload/{id}"), "file_id": id })
}

fn complete_upload(world: &mut World, params: &Value) -> Value {
    let Some(Value::Array(files)) = structured(params, "files") else {
        return error("invalid_arguments");
    };
    let mut shared = Vec::new();
    for file in &files {
        let id = file["id"].as_str().unwrap_or_default();
        let Some(upload) = world.files.iter_mut().find(|f| f.id == id) else {
            return error("file_not_found");
        };
        if upload.bytes.len() != upload.length {
            return error("file_upload_size_mismatch");
        }
        upload.title = file["title"].as_str().map(str::to_owned);
        shared.push(id.to_owned());
    }
    if let Some(channel) = text(params, "channel_id").filter(|c| world.channel(c).is_some()) {
        world.add_message(Message {
            channel,
            ts: String::new(),
            thread_ts: text(params, "thread_ts"),
            user: None,
            text: text(params, "initial_comment").unwrap_or_default(),
            blocks: None,
            metadata: None,
            files: shared.clone(),
            edited: false,
        });
    }
    let files: Vec<Value> = shared.iter().map(|id| json!({ "id": id })).collect();
    json!({ "ok": true, "files": files })
}
