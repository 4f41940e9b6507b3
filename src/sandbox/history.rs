//! `conversations.history` and `conversations.replies` of the stand-in: what warroom reads back
//! to find a card it may already have posted, paged as Slack pages them.

use super::{
    wire::{error, text},
    world::{BOT_USER, Message, World},
};
use serde_json::{Value, json};

/// `conversations.history` (top-level messages, newest first) or `conversations.replies` (a
/// thread, oldest first), paged with a `page:N` cursor.
pub(super) fn listing(world: &World, params: &Value, thread: bool) -> Value {
    let Some(channel) = text(params, "channel").filter(|c| world.channel(c).is_some()) else {
        return error("channel_not_found");
    };
    let with_metadata =
        text(params, "include_all_metadata").is_some_and(|f| f == "true" || f == "1");
    let oldest = text(params, "oldest").and_then(|o| o.parse::<f64>().ok());
    let as_json = |m: &Message| {
        let mut j = json!({ "type": "message", "ts": m.ts, "text": m.text, "user": m.user.as_deref().unwrap_or(BOT_USER) });
        if let Some(t) = &m.thread_ts {
            j["thread_ts"] = json!(t);
        }
        if with_metadata && let Some(meta) = &m.metadata {
            j["metadata"] = meta.clone();
        }
        j
    };
    let in_channel = world.messages.iter().filter(|m| m.channel == channel);
    let messages: Vec<Value> = if thread {
        let Some(ts) = text(params, "ts") else {
            return error("thread_not_found");
        };
        let found: Vec<Value> = in_channel
            .filter(|m| m.ts == ts || m.thread_ts.as_ref() == Some(&ts))
            .map(as_json)
            .collect();
        if found.is_empty() {
            return error("thread_not_found");
        }
        found
    } else {
        let mut top: Vec<Value> = in_channel
            .filter(|m| m.thread_ts.is_none())
            .filter(|m| oldest.is_none_or(|o| m.ts.parse::<f64>().is_ok_and(|ts| ts > o)))
            .map(as_json)
            .collect();
        top.reverse();
        top
    };
    let limit = text(params, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0)
        .unwrap_or(100)
        .min(999);
    let start = text(params, "cursor")
        .and_then(|c| c.strip_prefix("page:").and_then(|n| n.parse().ok()))
        .unwrap_or(0usize)
        .min(messages.len());
    let end = (start + limit).min(messages.len());
    let next = if end < messages.len() {
        format!("page:{end}")
    } else {
        String::new()
    };
    json!({
        "ok": true, "messages": messages[start..end], "has_more": !next.is_empty(),
        "response_metadata": { "next_cursor": next },
    })
}
