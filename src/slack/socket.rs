//! Socket Mode: warroom opens outbound WebSockets to Slack instead of receiving HTTP requests, for
//! deployments with no public URL. Each envelope (slash command, interaction, event) goes through
//! the same parsing and `handle_*` functions as over HTTP — persist in one transaction, answer —
//! and is acknowledged with its `envelope_id` (carrying the reply, where Slack accepts one) well
//! inside Slack's three seconds. Slow work happens in the outbox and the scheduler, as always.
//!
//! Two connections are kept open for redundancy (Slack allows ten per app and sends each envelope
//! on one of them). A `disconnect` (refresh, too many sockets), a dropped socket or a failed
//! connect leads to a reconnect with capped, jittered back-off; `link_disabled` stops trying.

use super::{
    ingress::{Unavailable, handle_command, handle_event, handle_interaction, malformed},
    parse,
};
use crate::state::AppState;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{Value, json};
use std::{sync::atomic::Ordering, time::Duration};
use tokio::{sync::mpsc, task::JoinHandle};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How many sockets each replica keeps open.
pub const CONNECTIONS: usize = 2;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Why a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Slack asked for a new connection (refresh, warning, too many sockets) or closed this one.
    Reconnect,
    /// Socket Mode was switched off for the app: stop trying.
    LinkDisabled,
    Stopped,
}

/// Starts the Socket Mode connections; each returns once `stop` is cancelled.
pub fn spawn(state: AppState, stop: CancellationToken) -> Vec<JoinHandle<()>> {
    (0..CONNECTIONS)
        .map(|n| tokio::spawn(keep_connected(state.clone(), n, stop.clone())))
        .collect()
}

async fn keep_connected(state: AppState, n: usize, stop: CancellationToken) {
    let mut backoff = Duration::from_secs(1);
    while !stop.is_cancelled() {
        let ended = match state.slack.open_socket_url().await {
            Ok(url) => run(&state, &url, &stop).await,
            Err(e) => Err(format!("apps.connections.open failed: {e}")),
        };
        match ended {
            Ok(Ended::Stopped) => return,
            Ok(Ended::LinkDisabled) => {
                tracing::error!(
                    connection = n,
                    "Slack disabled Socket Mode for this app (link_disabled); not reconnecting"
                );
                return;
            }
            Ok(Ended::Reconnect) => {
                tracing::info!(connection = n, "Socket Mode connection ended; reconnecting");
                backoff = Duration::from_secs(1);
                continue;
            }
            Err(why) => {
                tracing::warn!(connection = n, reason = %why, retry_in = ?backoff, "Socket Mode connection failed")
            }
        }
        let wait = backoff.mul_f64(rand::rng().random_range(0.5..=1.0));
        tokio::select! { _ = stop.cancelled() => return, _ = tokio::time::sleep(wait) => {} }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection, from handshake until it ends. Counts as connected (for `/readyz`) from
/// Slack's `hello` until it ends.
async fn run(state: &AppState, url: &str, stop: &CancellationToken) -> Result<Ended, String> {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut sink, mut stream) = socket.split();
    // Acknowledgements from the envelope tasks; the channel closes when this connection ends
    // and the tasks' senders are dropped.
    let (acks, mut pending) = mpsc::channel::<Value>(64);
    let mut greeted = false;
    let connected = state.socket_connections.clone();
    let ended = loop {
        tokio::select! {
            _ = stop.cancelled() => {
                let _ = sink.send(Message::Close(None)).await;
                break Ok(Ended::Stopped);
            }
            Some(ack) = pending.recv() => {
                if let Err(e) = sink.send(Message::Text(ack.to_string().into())).await {
                    break Err(format!("send: {e}"));
                }
            }
            frame = stream.next() => match frame {
                None => break Ok(Ended::Reconnect),
                Some(Err(e)) => break Err(format!("receive: {e}")),
                Some(Ok(Message::Text(text))) => {
                    let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                    match frame.get("type").and_then(Value::as_str) {
                        Some("hello") if !greeted => {
                            greeted = true;
                            if let Some(c) = &connected {
                                c.fetch_add(1, Ordering::SeqCst);
                            }
                            tracing::info!("Socket Mode connected");
                        }
                        Some("disconnect") => {
                            let reason = frame.get("reason").and_then(Value::as_str).unwrap_or_default();
                            break Ok(if reason == "link_disabled" { Ended::LinkDisabled } else { Ended::Reconnect });
                        }
                        Some(_) if frame.get("envelope_id").is_some() => {
                            let (state, acks) = (state.clone(), acks.clone());
                            tokio::spawn(async move {
                                if let Some(ack) = envelope(&state, frame).await {
                                    let _ = acks.send(ack).await;
                                }
                            });
                        }
                        _ => {}
                    }
                }
                Some(Ok(Message::Ping(data))) => {
                    let _ = sink.send(Message::Pong(data)).await;
                }
                Some(Ok(Message::Close(_))) => break Ok(Ended::Reconnect),
                Some(Ok(_)) => {}
            }
        }
    };
    if greeted && let Some(c) = &connected {
        c.fetch_sub(1, Ordering::SeqCst);
    }
    ended
}

/// Handles one envelope; the acknowledgement to send, or `None` to leave it unacknowledged so
/// Slack redelivers it (the database was unreachable).
async fn envelope(state: &AppState, frame: Value) -> Option<Value> {
    let received = std::time::Instant::now();
    let envelope_id = frame.get("envelope_id").and_then(Value::as_str)?.to_owned();
    let payload = frame.get("payload").cloned().unwrap_or(Value::Null);
    let reply = match frame.get("type").and_then(Value::as_str) {
        Some("slash_commands") => match parse::command_json(payload) {
            Ok(invocation) => handle_command(state, invocation, received).await,
            Err(e) => {
                malformed(state, e);
                None
            }
        },
        Some("interactive") => match parse::interaction_json(payload) {
            Ok(interaction) => handle_interaction(state, interaction, received).await,
            Err(e) => {
                malformed(state, e);
                None
            }
        },
        Some("events_api") => match parse::event_json(payload) {
            Ok(event) => match handle_event(state, event).await {
                Ok(reply) => reply,
                Err(Unavailable) => return None,
            },
            Err(e) => {
                malformed(state, e);
                None
            }
        },
        _ => None,
    };
    let accepts = frame
        .get("accepts_response_payload")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Some(match reply {
        Some(payload) if accepts => json!({ "envelope_id": envelope_id, "payload": payload }),
        _ => json!({ "envelope_id": envelope_id }),
    })
}

/// Whether Socket Mode has at least one live connection (`None` in HTTP mode).
pub fn connected(state: &AppState) -> Option<bool> {
    state
        .socket_connections
        .as_ref()
        .map(|c| c.load(Ordering::SeqCst) > 0)
}
