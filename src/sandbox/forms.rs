//! Block Kit elements as Slack reports them back: a click's `actions[0]`, and a modal's
//! `state.values` built from what the person entered. Submitting a modal (`POST /_sandbox/submit`)
//! sends a `view_submission` and applies warroom's `response_action` (errors, update, push,
//! clear; an empty answer closes the view).

use super::{
    Shared, relay,
    request::{bad, body, person},
};
use axum::{Json, body::Bytes, extract::State, response::IntoResponse, response::Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The elements of a block: its accessory and its `elements`.
fn elements_of(block: &Value) -> impl Iterator<Item = &Value> {
    block
        .get("accessory")
        .into_iter()
        .chain(block.get("element"))
        .chain(
            block
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
}

/// The element `action_id` (in block `block_id`, when given) of `blocks`, with its block's id.
pub(super) fn find_element(
    blocks: Option<&Value>,
    block_id: Option<&str>,
    action_id: &str,
) -> Option<(String, Value)> {
    let blocks = blocks?.as_array()?;
    blocks.iter().enumerate().find_map(|(i, block)| {
        let id = block
            .get("block_id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("b{i}"), str::to_owned);
        if block_id.is_some_and(|wanted| wanted != id) {
            return None;
        }
        elements_of(block)
            .find(|e| e.get("action_id").and_then(Value::as_str) == Some(action_id))
            .map(|e| (id, e.clone()))
    })
}

/// The option of `element` whose value is `value`, in its options or option groups.
fn option(element: &Value, value: &str) -> Option<Value> {
    let flat = element
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let grouped = element
        .get("option_groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("options").and_then(Value::as_array))
        .flatten();
    flat.chain(grouped)
        .find(|o| o.get("value").and_then(Value::as_str) == Some(value))
        .cloned()
}

/// `actions[0]` of a click on `element`; `None` when `value` is not one of its options.
pub(super) fn action_json(
    element: &Value,
    block_id: &str,
    value: Option<&str>,
    ts: &str,
) -> Option<Value> {
    let kind = element
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("button");
    let mut action = json!({
        "type": kind, "action_id": element["action_id"], "block_id": block_id, "action_ts": ts,
    });
    match kind {
        "button" => {
            action["text"] = element["text"].clone();
            if let Some(v) = element.get("value") {
                action["value"] = v.clone();
            }
        }
        "static_select" | "overflow" | "radio_buttons" => {
            action["selected_option"] = option(element, value?)?;
        }
        "users_select" => action["selected_user"] = json!(value?),
        "conversations_select" => action["selected_conversation"] = json!(value?),
        "channels_select" => action["selected_channel"] = json!(value?),
        "datepicker" => action["selected_date"] = json!(value?),
        "timepicker" => action["selected_time"] = json!(value?),
        "checkboxes" | "multi_static_select" => {
            let chosen: Option<Vec<Value>> = value
                .unwrap_or_default()
                .split(',')
                .filter(|v| !v.is_empty())
                .map(|v| option(element, v))
                .collect();
            action["selected_options"] = json!(chosen?);
        }
        _ => action["value"] = json!(value),
    }
    Some(action)
}

/// One element's entry in `state.values`, from what was entered (`None`: nothing).
fn state_value(element: &Value, entered: Option<&Value>) -> Value {
    let kind = element
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = entered.and_then(Value::as_str).filter(|s| !s.is_empty());
    let list: Vec<&str> = match entered {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => s.split(',').filter(|v| !v.is_empty()).collect(),
        _ => Vec::new(),
    };
    let mut value = json!({ "type": kind });
    match kind {
        "static_select" | "radio_buttons" | "external_select" => {
            value["selected_option"] = text.and_then(|t| option(element, t)).unwrap_or(Value::Null);
        }
        "checkboxes" | "multi_static_select" => {
            let chosen: Vec<Value> = list.iter().filter_map(|v| option(element, v)).collect();
            value["selected_options"] = json!(chosen);
        }
        "users_select" => value["selected_user"] = json!(text),
        "multi_users_select" => value["selected_users"] = json!(list),
        "conversations_select" => value["selected_conversation"] = json!(text),
        "channels_select" => value["selected_channel"] = json!(text),
        "datepicker" => value["selected_date"] = json!(text),
        "timepicker" => value["selected_time"] = json!(text),
        "datetimepicker" => {
            value["selected_date_time"] = json!(text.and_then(|t| t.parse::<i64>().ok()));
        }
        _ => value["value"] = json!(text),
    }
    value
}

/// `state.values` of `view`: every input element, with what `entered[block_id][action_id]` holds.
fn state_values(view: &Value, entered: &Value) -> Value {
    let mut values = Map::new();
    let blocks = view
        .get("blocks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for (i, block) in blocks.enumerate() {
        let id = block
            .get("block_id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("b{i}"), str::to_owned);
        let is_input = block.get("type").and_then(Value::as_str) == Some("input");
        let mut entries = Map::new();
        for element in elements_of(block) {
            let Some(action_id) = element.get("action_id").and_then(Value::as_str) else {
                continue;
            };
            let given = entered.get(&id).and_then(|b| b.get(action_id));
            if is_input || given.is_some() {
                entries.insert(action_id.to_owned(), state_value(element, given));
            }
        }
        if !entries.is_empty() {
            values.insert(id, Value::Object(entries));
        }
    }
    Value::Object(values)
}

#[derive(Deserialize)]
pub(super) struct Submit {
    user: String,
    view_id: String,
    /// `{block_id: {action_id: "text" | ["option", …]}}`.
    #[serde(default)]
    values: Value,
}

/// Submits `user`'s top modal.
pub(super) async fn submit(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let submit: Submit = match body(&bytes) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let user = match person(&submit.user) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    if !(submit.values.is_object() || submit.values.is_null()) {
        return bad("values must be an object");
    }
    let payload = {
        let mut world = shared.lock();
        let top = world.views.get(user).and_then(|s| s.last()).cloned();
        let Some(top) = top.filter(|v| v.id == submit.view_id) else {
            return bad("that form is not open");
        };
        let values = state_values(&top.view, &submit.values);
        relay::view_submission(&mut world, user, &top.view, values)
    };
    let answer = relay::interaction(&shared, &payload).await;
    let reply = answer.json();
    let mut world = shared.lock();
    let n = world.next_id();
    let stack = world.views.entry(user.to_owned()).or_default();
    if answer.status != 200 {
        if let Some(top) = stack.last_mut() {
            top.errors = json!({ "": format!("We had some trouble connecting (HTTP {}). Try again?", answer.status) });
        }
    } else {
        let action = reply
            .as_ref()
            .and_then(|r| r.get("response_action"))
            .and_then(Value::as_str);
        let new_view = reply.as_ref().and_then(|r| r.get("view")).cloned();
        match (action, new_view) {
            (Some("errors"), _) => {
                if let Some(top) = stack.last_mut() {
                    top.errors = reply.as_ref().map_or(json!({}), |r| r["errors"].clone());
                }
            }
            (Some("update"), Some(view)) => {
                if let Some(top) = stack.last_mut() {
                    let mut view = view;
                    view["id"] = json!(top.id);
                    top.hash = format!("{n}.update");
                    view["hash"] = json!(top.hash);
                    top.view = view;
                    top.errors = json!({});
                }
            }
            (Some("push"), Some(view)) => {
                let id = format!("V{n:06}");
                let mut view = view;
                view["id"] = json!(id);
                view["hash"] = json!(format!("{n}.push"));
                stack.push(super::world::OpenView {
                    id,
                    hash: format!("{n}.push"),
                    view,
                    errors: json!({}),
                });
            }
            (Some("clear"), _) => stack.clear(),
            _ => {
                stack.pop();
            }
        }
    }
    world.touch();
    Json(json!({ "ok": true, "status": answer.status, "answer": reply })).into_response()
}

#[derive(Deserialize)]
pub(super) struct Close {
    user: String,
    view_id: String,
}

/// Closes `user`'s top modal (Cancel).
pub(super) async fn close(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let close: Close = match body(&bytes) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let mut world = shared.lock();
    let Some(stack) = world.views.get_mut(&close.user) else {
        return bad("no form is open");
    };
    if stack.last().is_none_or(|v| v.id != close.view_id) {
        return bad("that form is not open");
    }
    stack.pop();
    world.touch();
    Json(json!({ "ok": true })).into_response()
}
