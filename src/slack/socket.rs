//! Socket Mode: warroom opens outbound WebSockets to Slack instead of receiving HTTP requests, for
//! deployments with no public URL. Each envelope (slash command, interaction, event) goes through
//! the same parsing and `handle_*` functions as over HTTP — persist in one transaction, answer —
//! and is acknowledged with its `envelope_id` (carrying the reply, where Slack accepts one) well
//! inside Slack's three seconds. Slow work happens in the outbox and the scheduler, as always.
//!
//! Two connections are kept open for redundancy (Slack allows ten per app and sends each envelope
//! on one of them). A `disconnect` (refresh, too many sockets), a dropped socket, a failed or
//! timed-out connect, or a connection that has brought nothing for [`SocketTimings::silence`]
//! despite warroom's pings leads to a reconnect after a jittered back-off: every reconnect
//! waits, twice as long as the one before up to a cap, and only a connection that stayed up for
//! [`SocketTimings::stable_after`] starts the sequence again — so replicas refused with
//! `too_many_websockets` do not hammer `apps.connections.open`. `link_disabled` stops trying.

use super::{
    ingress::{Unavailable, handle_command, handle_event, handle_interaction, malformed},
    parse,
};
use crate::{config::SocketTimings, state::AppState};
use futures_util::{Sink, SinkExt, StreamExt};
use rand::Rng;
use serde_json::{Value, json};
use std::{sync::atomic::Ordering, time::Duration};
use tokio::{sync::mpsc, task::JoinHandle, time::Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How many sockets each replica keeps open.
pub const CONNECTIONS: usize = 2;

/// The wait before each reconnect of one connection: doubling from `backoff_initial` up to
/// `backoff_max`, back to the start only after a connection that stayed up `stable_after`.
#[derive(Debug)]
struct Backoff {
    timings: SocketTimings,
    next: Duration,
}

impl Backoff {
    fn new(timings: SocketTimings) -> Self {
        Self {
            timings,
            next: timings.backoff_initial,
        }
    }

    /// The wait after a connection that stayed up for `up` (zero when it never said `hello`),
    /// scaled by `jitter` in 0.5..=1.0 so replicas refused together do not return together.
    fn after(&mut self, up: Duration, jitter: f64) -> Duration {
        if up >= self.timings.stable_after {
            self.next = self.timings.backoff_initial;
        }
        let wait = self.next.mul_f64(jitter.clamp(0.5, 1.0));
        self.next = (self.next * 2).min(self.timings.backoff_max);
        wait
    }
}

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
    let timings = state.config.process.socket;
    let mut backoff = Backoff::new(timings);
    while !stop.is_cancelled() {
        let mut up = Duration::ZERO;
        let ended = match state.slack.open_socket_url().await {
            Ok(url) => run(&state, &url, &stop, &mut up).await,
            Err(e) => Err(format!("apps.connections.open failed: {e}")),
        };
        let wait = backoff.after(up, rand::rng().random_range(0.5..=1.0));
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
                tracing::info!(connection = n, up = ?up, retry_in = ?wait, "Socket Mode connection ended; reconnecting")
            }
            Err(why) => {
                tracing::warn!(connection = n, reason = %why, up = ?up, retry_in = ?wait, "Socket Mode connection failed")
            }
        }
        tokio::select! { _ = stop.cancelled() => return, _ = tokio::time::sleep(wait) => {} }
    }
}

/// Sends one frame, giving up after `limit`: a peer that stopped reading must not hold the
/// connection's loop (and its silence check) in a full send buffer.
async fn send<S>(sink: &mut S, message: Message, limit: Duration) -> Result<(), String>
where
    S: Sink<Message> + Unpin,
    S::Error: std::fmt::Display,
{
    match tokio::time::timeout(limit, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("send: {e}")),
        Err(_) => Err(format!("send: not taken within {limit:?}")),
    }
}

/// One connection, from handshake until it ends; `up` is set to how long it was connected.
/// Counts as connected (for `/readyz`) from Slack's `hello` until it ends. warroom pings every
/// `ping_every`; a connection that brings no frame at all (no pong, no `hello`, nothing) for
/// `silence` is dead, however healthy its TCP connection looks.
async fn run(
    state: &AppState,
    url: &str,
    stop: &CancellationToken,
    up: &mut Duration,
) -> Result<Ended, String> {
    let timings = state.config.process.socket;
    let (socket, _) = match tokio::time::timeout(
        timings.connect_timeout,
        tokio_tungstenite::connect_async(url),
    )
    .await
    {
        Ok(connected) => connected.map_err(|e| format!("connect: {e}"))?,
        Err(_) => {
            return Err(format!(
                "connect: no handshake within {:?}",
                timings.connect_timeout
            ));
        }
    };
    let (mut sink, mut stream) = socket.split();
    // Acknowledgements from the envelope tasks; the channel closes when this connection ends
    // and the tasks' senders are dropped.
    let (acks, mut pending) = mpsc::channel::<Value>(64);
    let mut greeted: Option<Instant> = None;
    let connected = state.socket_connections.clone();
    let mut ping =
        tokio::time::interval_at(Instant::now() + timings.ping_every, timings.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Reset by every frame Slack sends; firing means the connection is dead.
    let silence = tokio::time::sleep(timings.silence);
    tokio::pin!(silence);
    let ended = loop {
        tokio::select! {
            _ = stop.cancelled() => {
                let _ = send(&mut sink, Message::Close(None), timings.connect_timeout).await;
                break Ok(Ended::Stopped);
            }
            () = &mut silence => {
                break Err(format!("nothing from Slack for {:?}: the connection is dead", timings.silence));
            }
            _ = ping.tick() => {
                if let Err(e) = send(&mut sink, Message::Ping(Default::default()), timings.silence).await {
                    break Err(e);
                }
            }
            Some(ack) = pending.recv() => {
                if let Err(e) = send(&mut sink, Message::Text(ack.to_string().into()), timings.silence).await {
                    break Err(e);
                }
            }
            frame = stream.next() => match frame {
                None => break Ok(Ended::Reconnect),
                Some(Err(e)) => break Err(format!("receive: {e}")),
                Some(Ok(Message::Text(text))) => {
                    silence.as_mut().reset(Instant::now() + timings.silence);
                    let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                    match frame.get("type").and_then(Value::as_str) {
                        Some("hello") if greeted.is_none() => {
                            greeted = Some(Instant::now());
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
                    silence.as_mut().reset(Instant::now() + timings.silence);
                    if let Err(e) = send(&mut sink, Message::Pong(data), timings.silence).await {
                        break Err(e);
                    }
                }
                Some(Ok(Message::Close(_))) => break Ok(Ended::Reconnect),
                Some(Ok(_)) => silence.as_mut().reset(Instant::now() + timings.silence),
            }
        }
    };
    if let Some(since) = greeted {
        *up = since.elapsed();
        if let Some(c) = &connected {
            c.fetch_sub(1, Ordering::SeqCst);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn every_reconnect_waits_twice_as_long_up_to_the_cap_and_only_a_stable_connection_resets_it() {
        let mut backoff = Backoff::new(SocketTimings::default());
        let waits: Vec<u64> = (0..7).map(|_| backoff.after(S(2), 1.0).as_secs()).collect();
        assert_eq!(
            waits,
            [1, 2, 4, 8, 16, 30, 30],
            "short-lived connections keep doubling it"
        );
        assert_eq!(
            backoff.after(S(29), 1.0),
            S(30),
            "29 s up is not stable yet"
        );
        assert_eq!(
            backoff.after(S(30), 1.0),
            S(1),
            "30 s up starts again from 1 s"
        );
        assert_eq!(backoff.after(Duration::ZERO, 1.0), S(2));
        // Jitter takes up to half off, never more, never adds.
        assert_eq!(backoff.after(Duration::ZERO, 0.5), S(2));
        assert_eq!(backoff.after(Duration::ZERO, 0.1), S(4));
        assert_eq!(backoff.after(Duration::ZERO, 7.0), S(16));
    }
}
