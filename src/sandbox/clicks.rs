//! Clicks on a message's buttons and menus (`POST /_sandbox/act`), message shortcuts
//! (`POST /_sandbox/shortcut`) and dismissing an ephemeral message (`POST /_sandbox/dismiss`).

use super::{
    Shared, forms, relay,
    request::{bad, body, channel_for, person},
    world::SHORTCUTS,
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(super) struct Act {
    user: String,
    channel: String,
    ts: String,
    action_id: String,
    block_id: Option<String>,
    /// The chosen value of a menu, a user picker or a date picker.
    value: Option<String>,
    /// The ephemeral message clicked, if it was one.
    ephemeral: Option<u64>,
}

/// A click on a message's button or a choice in one of its menus.
pub(super) async fn act(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let act: Act = match body(&bytes) {
        Ok(act) => act,
        Err(e) => return e.into_response(),
    };
    let user = match person(&act.user) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let payload = {
        let mut world = shared.lock();
        let blocks = match act.ephemeral {
            Some(id) => world
                .ephemerals
                .iter()
                .find(|e| e.id == id && e.user == user)
                .map(|e| e.blocks.clone()),
            None => world
                .messages
                .iter()
                .find(|m| m.channel == act.channel && m.ts == act.ts)
                .map(|m| m.blocks.clone()),
        };
        let Some(blocks) = blocks else {
            return bad("no such message");
        };
        let found = forms::find_element(blocks.as_ref(), act.block_id.as_deref(), &act.action_id);
        let Some((block_id, element)) = found else {
            return bad("no such element in that message");
        };
        let Some(action) =
            forms::action_json(&element, &block_id, act.value.as_deref(), &world.next_ts())
        else {
            return bad("that value is not one of the element's options");
        };
        let click = relay::Click {
            user,
            channel: &act.channel,
            ts: &act.ts,
            ephemeral: act.ephemeral,
            action,
        };
        relay::block_actions(&mut world, &shared.base, click)
    };
    let answer = relay::interaction(&shared, &payload).await;
    if answer.status != 200 {
        shared.lock().add_ephemeral(
            user,
            &act.channel,
            None,
            format!("warroom did not take that click (HTTP {}).", answer.status),
            None,
        );
    }
    Json(json!({ "ok": true, "status": answer.status })).into_response()
}

#[derive(Deserialize)]
pub(super) struct Shortcut {
    user: String,
    channel: String,
    ts: String,
    callback_id: String,
}

/// A message shortcut used on a message.
pub(super) async fn shortcut(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let shortcut: Shortcut = match body(&bytes) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let user = match person(&shortcut.user) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    if !SHORTCUTS.iter().any(|(id, _)| *id == shortcut.callback_id) {
        return bad("unknown shortcut");
    }
    let payload = {
        let mut world = shared.lock();
        if let Err(e) = channel_for(&world, user, &shortcut.channel) {
            return e.into_response();
        }
        let Some(message) = world
            .messages
            .iter()
            .find(|m| m.channel == shortcut.channel && m.ts == shortcut.ts)
            .cloned()
        else {
            return bad("no such message");
        };
        relay::message_action(
            &mut world,
            &shared.base,
            user,
            &message,
            &shortcut.callback_id,
        )
    };
    let answer = relay::interaction(&shared, &payload).await;
    Json(json!({ "ok": true, "status": answer.status })).into_response()
}

#[derive(Deserialize)]
pub(super) struct Dismiss {
    user: String,
    id: u64,
}

/// Dismisses one of `user`'s ephemeral messages.
pub(super) async fn dismiss(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let dismiss: Dismiss = match body(&bytes) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let mut world = shared.lock();
    world
        .ephemerals
        .retain(|e| !(e.id == dismiss.id && e.user == dismiss.user));
    world.touch();
    Json(json!({ "ok": true })).into_response()
}
