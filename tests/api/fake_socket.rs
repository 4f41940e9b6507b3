//! A fake Slack Socket Mode server on loopback: accepts WebSocket connections, greets each with
//! `hello`, lets a test send envelopes and `disconnect` frames or drop sockets, and records every
//! acknowledgement the app sends back.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct State {
    /// Senders to the live connections; `None` once a connection ended.
    connections: Vec<Option<mpsc::UnboundedSender<Message>>>,
    acks: Vec<Value>,
}

/// The fake; clones share one server.
#[derive(Clone)]
pub struct FakeSocket {
    state: Arc<Mutex<State>>,
    url: String,
}

impl FakeSocket {
    /// Starts listening on 127.0.0.1 at a free port.
    pub async fn start() -> FakeSocket {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
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
                    loop {
                        tokio::select! {
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
        FakeSocket { state, url }
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
