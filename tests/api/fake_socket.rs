//! A fake Slack Socket Mode server on loopback: accepts WebSocket connections, greets each with
//! `hello`, lets a test send envelopes and `disconnect` frames or drop sockets, and records every
//! acknowledgement the app sends back. A [`Behaviour`] makes it misbehave as Slack or the network
//! can: refuse each new connection right after `hello`, go silent, or never finish a handshake.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// How the fake treats its connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Greets, relays frames, answers pings (tungstenite does, as it reads).
    Normal,
    /// Greets each new connection, then at once asks it to go with this `disconnect` reason
    /// (`too_many_websockets` when an app holds more sockets than Slack allows).
    DisconnectAfterHello(&'static str),
    /// A silently dropped TCP connection: every live connection, and each new one right after its
    /// `hello`, stops sending and stops reading (so pings go unanswered), and stays so for good.
    Silent,
    /// Accepts TCP connections and never answers the WebSocket handshake.
    HangHandshake,
}

#[derive(Default)]
struct State {
    /// Senders to the live connections; `None` once a connection ended or went silent.
    connections: Vec<Option<mpsc::UnboundedSender<Message>>>,
    /// TCP connections accepted, handshake or not.
    accepted: usize,
    acks: Vec<Value>,
}

/// The fake; clones share one server.
#[derive(Clone)]
pub struct FakeSocket {
    state: Arc<Mutex<State>>,
    url: String,
    // Every connection task watches it; the fake lives as long as the test, so it never closes.
    behaviour: Arc<watch::Sender<Behaviour>>,
}

impl FakeSocket {
    /// Starts listening on 127.0.0.1 at a free port.
    pub async fn start() -> FakeSocket {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let behaviour = Arc::new(watch::Sender::new(Behaviour::Normal));
        let shared = state.clone();
        let watched = behaviour.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let state = shared.clone();
                let mut behaviour = watched.subscribe();
                state.lock().unwrap().accepted += 1;
                tokio::spawn(async move {
                    if *behaviour.borrow_and_update() == Behaviour::HangHandshake {
                        // Hold the TCP connection open, unanswered, until the client gives up.
                        let _held = tcp;
                        let never: std::convert::Infallible = std::future::pending().await;
                        match never {}
                    }
                    let Ok(socket) = tokio_tungstenite::accept_async(tcp).await else {
                        return;
                    };
                    let (mut sink, mut stream) = socket.split();
                    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
                    let index = {
                        let mut s = state.lock().unwrap();
                        s.connections.push(Some(tx.clone()));
                        s.connections.len() - 1
                    };
                    let hello = json!({ "type": "hello", "num_connections": index + 1, "connection_info": { "app_id": "A0001" } });
                    let _ = tx.send(Message::Text(hello.to_string().into()));
                    if let Behaviour::DisconnectAfterHello(reason) = *behaviour.borrow_and_update()
                    {
                        let bye = json!({ "type": "disconnect", "reason": reason, "debug_info": { "host": "wss-fake" } });
                        let _ = tx.send(Message::Text(bye.to_string().into()));
                    }
                    let mut silent = *behaviour.borrow() == Behaviour::Silent;
                    loop {
                        if silent {
                            // Flush `hello` (and anything queued before), then neither send nor
                            // read again; the socket stays open, as a black-holed connection does.
                            while let Ok(message) = rx.try_recv() {
                                let _ = sink.send(message).await;
                            }
                            state.lock().unwrap().connections[index] = None;
                            let _held = (sink, stream);
                            let never: std::convert::Infallible = std::future::pending().await;
                            match never {}
                        }
                        tokio::select! {
                            changed = behaviour.changed() => {
                                if changed.is_ok() && *behaviour.borrow_and_update() == Behaviour::Silent {
                                    silent = true;
                                }
                            }
                            out = rx.recv() => match out {
                                Some(Message::Close(frame)) => {
                                    let _ = sink.send(Message::Close(frame)).await;
                                    break;
                                }
                                Some(message) => if sink.send(message).await.is_err() { break },
                                None => break,
                            },
                            incoming = stream.next() => match incoming {
                                Some(Ok(Message::Text(text))) => {
                                    if let Ok(ack) = serde_json::from_str::<Value>(&text) {
                                        state.lock().unwrap().acks.push(ack);
                                    }
                                }
                                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                                Some(Ok(_)) => {}
                            }
                        }
                    }
                    state.lock().unwrap().connections[index] = None;
                });
            }
        });
        FakeSocket {
            state,
            url,
            behaviour,
        }
    }

    /// From now on, treat connections this way (see [`Behaviour`]).
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.behaviour.send_replace(behaviour);
    }

    /// TCP connections accepted so far, whether or not their handshake completed.
    pub fn accepted(&self) -> usize {
        self.state.lock().unwrap().accepted
    }

    /// The URL `apps.connections.open` hands out.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections.len()
    }

    /// Connections still open.
    pub fn live(&self) -> usize {
        self.state
            .lock()
            .unwrap()
            .connections
            .iter()
            .filter(|c| c.is_some())
            .count()
    }

    /// Waits until `n` connections are open.
    pub async fn wait_live(&self, n: usize, timeout: Duration) {
        let start = Instant::now();
        while self.live() < n {
            assert!(
                start.elapsed() < timeout,
                "waited {timeout:?} for {n} live Socket Mode connections, have {}",
                self.live()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn senders(&self) -> Vec<mpsc::UnboundedSender<Message>> {
        self.state
            .lock()
            .unwrap()
            .connections
            .iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// Sends a frame on one live connection (the newest).
    pub fn send(&self, frame: &Value) {
        let senders = self.senders();
        let sender = senders.last().expect("a live connection");
        sender
            .send(Message::Text(frame.to_string().into()))
            .unwrap();
    }

    /// Sends a frame on every live connection.
    pub fn broadcast(&self, frame: &Value) {
        for sender in self.senders() {
            let _ = sender.send(Message::Text(frame.to_string().into()));
        }
    }

    /// Closes every live connection abruptly, as a network failure would.
    pub fn drop_all(&self) {
        let mut state = self.state.lock().unwrap();
        for connection in state.connections.iter_mut() {
            if let Some(sender) = connection.take() {
                let _ = sender.send(Message::Close(None));
            }
        }
    }

    /// Every acknowledgement received.
    pub fn acks(&self) -> Vec<Value> {
        self.state.lock().unwrap().acks.clone()
    }

    /// Waits for the acknowledgement of `envelope_id`.
    pub async fn wait_for_ack(&self, envelope_id: &str, timeout: Duration) -> Value {
        let start = Instant::now();
        loop {
            if let Some(ack) = self
                .acks()
                .into_iter()
                .find(|a| a["envelope_id"] == envelope_id)
            {
                return ack;
            }
            assert!(
                start.elapsed() < timeout,
                "no acknowledgement of {envelope_id} within {timeout:?}; got {:?}",
                self.acks()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
