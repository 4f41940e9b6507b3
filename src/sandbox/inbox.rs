//! What warroom sends the stand-in outside the Web API: answers to `response_url`s, and the bytes
//! of uploaded files (to the URL `files.getUploadURLExternal` handed out); and uploaded files,
//! shown to the page.

use super::{
    Shared,
    world::{Message, World},
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::Value;

/// Shows `reply` (a slash command's answer or a `response_url` post) to `user` in `channel`:
/// `in_channel` as a message, else as an ephemeral one; `replace_original` replaces the
/// ephemeral message the request came from, `delete_original` removes it.
pub(super) fn deliver(
    world: &mut World,
    user: &str,
    channel: &str,
    original: Option<u64>,
    reply: &Value,
) {
    let text = reply
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let blocks = reply.get("blocks").filter(|b| b.is_array()).cloned();
    let flag = |key: &str| reply.get(key).and_then(Value::as_bool) == Some(true);
    if let Some(id) = original
        && (flag("delete_original") || flag("replace_original"))
    {
        let found = world.ephemerals.iter_mut().find(|e| e.id == id);
        if let Some(ephemeral) = found {
            if flag("delete_original") {
                world.ephemerals.retain(|e| e.id != id);
            } else {
                ephemeral.text = text;
                ephemeral.blocks = blocks;
            }
            world.touch();
            return;
        }
    }
    if flag("delete_original") || (text.is_empty() && blocks.is_none()) {
        return;
    }
    if reply.get("response_type").and_then(Value::as_str) == Some("in_channel") {
        world.add_message(Message {
            channel: channel.to_owned(),
            ts: String::new(),
            thread_ts: None,
            user: None,
            text,
            blocks,
            metadata: None,
            files: Vec::new(),
            edited: false,
        });
    } else {
        world.add_ephemeral(user, channel, None, text, blocks);
    }
}

/// A post to a `response_url` the stand-in handed out.
pub(super) async fn respond(
    State(shared): State<Shared>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(reply) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    let mut world = shared.lock();
    let Some(to) = world.responders.get(&token).cloned() else {
        return (StatusCode::NOT_FOUND, "expired_url").into_response();
    };
    deliver(&mut world, &to.user, &to.channel, to.ephemeral, &reply);
    (StatusCode::OK, "ok").into_response()
}

/// A file's bytes, sent to its upload URL.
pub(super) async fn upload(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut world = shared.lock();
    let Some(file) = world.files.iter_mut().find(|f| f.id == id) else {
        return (StatusCode::NOT_FOUND, "file_not_found").into_response();
    };
    file.bytes = body.to_vec();
    (StatusCode::OK, format!("OK - {}", file.bytes.len())).into_response()
}

/// An uploaded file, as text.
pub(super) async fn file(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let world = shared.lock();
    let Some(file) = world.files.iter().find(|f| f.id == id && f.title.is_some()) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", file.name.replace('"', "")),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        file.bytes.clone(),
    )
        .into_response()
}
