//! The stand-in's workspace, in memory: its people and channels, every message and thread,
//! ephemeral messages per person, each person's stack of open modals, trigger ids, response
//! URLs and uploaded files. Nothing here outlives the process; warroom's own state is in Postgres.

use serde::Serialize;
use serde_json::Value;
use std::{
    collections::HashMap,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

/// The workspace's id, as every payload carries it.
pub(super) const TEAM_ID: &str = "T0SANDBOX";
/// The bot's user id (`auth.test`), which `<@…>` mentions of warroom name.
pub(super) const BOT_USER: &str = "UWARROOM";
/// Where incident cards live.
pub(super) const INCIDENTS: &str = "CINCIDENTS";
/// The private channel of restricted incidents.
pub(super) const RESTRICTED: &str = "GSECURITY";
/// Where people type commands.
pub(super) const GENERAL: &str = "CGENERAL";

/// The message shortcuts of the app manifest: callback id and name.
pub(super) const SHORTCUTS: [(&str, &str); 2] = [
    ("add_to_timeline", "Add to incident timeline"),
    ("declare_from_message", "Declare incident from message"),
];

/// Someone who can use the sandbox.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Person {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) title: &'static str,
}

/// The sandbox's people: the viewer is not in the restricted channel.
pub(super) const PEOPLE: [Person; 4] = [
    Person {
        id: "UONCALL",
        name: "Olivia Oncall",
        title: "on-call engineer",
    },
    Person {
        id: "UCOMMANDER",
        name: "Carlos Commander",
        title: "incident commander",
    },
    Person {
        id: "UCOMMS",
        name: "Priya Comms",
        title: "communications owner",
    },
    Person {
        id: "UVIEWER",
        name: "Victor Viewer",
        title: "viewer (not in #security-incidents)",
    },
];

/// A channel of the workspace.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Channel {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) private: bool,
    pub(super) members: Vec<&'static str>,
}

/// A message in a channel or a thread; `user` is `None` for warroom's own.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Message {
    pub(super) channel: String,
    pub(super) ts: String,
    pub(super) thread_ts: Option<String>,
    pub(super) user: Option<String>,
    pub(super) text: String,
    pub(super) blocks: Option<Value>,
    #[serde(skip)]
    pub(super) metadata: Option<Value>,
    pub(super) files: Vec<String>,
    pub(super) edited: bool,
}

/// A message only one person sees.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Ephemeral {
    pub(super) id: u64,
    pub(super) user: String,
    pub(super) channel: String,
    pub(super) thread_ts: Option<String>,
    pub(super) ts: String,
    pub(super) text: String,
    pub(super) blocks: Option<Value>,
}

/// An open modal: the view as warroom sent it, and the field errors of its last submission.
#[derive(Debug, Clone, Serialize)]
pub(super) struct OpenView {
    pub(super) id: String,
    pub(super) hash: String,
    pub(super) view: Value,
    pub(super) errors: Value,
}

/// Where a `response_url` answer goes.
#[derive(Debug, Clone)]
pub(super) struct Responder {
    pub(super) user: String,
    pub(super) channel: String,
    /// The ephemeral message the request came from, which `replace_original` replaces.
    pub(super) ephemeral: Option<u64>,
}

/// An uploaded file.
#[derive(Debug, Clone, Serialize)]
pub(super) struct File {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) title: Option<String>,
    #[serde(skip)]
    pub(super) length: usize,
    #[serde(skip)]
    pub(super) bytes: Vec<u8>,
}

/// The whole workspace.
#[derive(Debug)]
pub(super) struct World {
    pub(super) channels: Vec<Channel>,
    pub(super) messages: Vec<Message>,
    pub(super) ephemerals: Vec<Ephemeral>,
    pub(super) views: HashMap<String, Vec<OpenView>>,
    pub(super) triggers: HashMap<String, (String, Instant)>,
    pub(super) responders: HashMap<String, Responder>,
    pub(super) files: Vec<File>,
    /// Grows with every change, so the page re-renders only when something changed.
    pub(super) version: u64,
    counter: u64,
    ts_secs: u64,
}

impl World {
    pub(super) fn new() -> Self {
        let everyone: Vec<&'static str> = PEOPLE.iter().map(|p| p.id).collect();
        let insiders: Vec<&'static str> = everyone
            .iter()
            .copied()
            .filter(|id| *id != "UVIEWER")
            .collect();
        let channel = |id, name, private, members: &Vec<&'static str>| Channel {
            id,
            name,
            private,
            members: members.iter().copied().chain([BOT_USER]).collect(),
        };
        Self {
            channels: vec![
                channel(GENERAL, "general", false, &everyone),
                channel(INCIDENTS, "incidents", false, &everyone),
                channel(RESTRICTED, "security-incidents", true, &insiders),
            ],
            messages: Vec::new(),
            ephemerals: Vec::new(),
            views: HashMap::new(),
            triggers: HashMap::new(),
            responders: HashMap::new(),
            files: Vec::new(),
            version: 0,
            counter: 0,
            ts_secs: 0,
        }
    }

    /// A fresh number for ids.
    pub(super) fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A Slack-style ts: the current second and a six-digit counter, strictly increasing.
    pub(super) fn next_ts(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let n = self.next_id() % 1_000_000;
        if now > self.ts_secs {
            self.ts_secs = now;
        } else if n == 0 {
            self.ts_secs += 1;
        }
        format!("{}.{n:06}", self.ts_secs)
    }

    /// Marks a change for the page.
    pub(super) fn touch(&mut self) {
        self.version += 1;
    }

    pub(super) fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// A single-use trigger id for `user`, as Slack puts in interactive payloads.
    pub(super) fn trigger(&mut self, user: &str) -> String {
        let n = self.next_id();
        let id = format!("{n}.{}.sandbox", rand::random::<u32>());
        self.triggers
            .insert(id.clone(), (user.to_owned(), Instant::now()));
        id
    }

    /// A response URL path for a request by `user` in `channel`.
    pub(super) fn responder(
        &mut self,
        user: &str,
        channel: &str,
        ephemeral: Option<u64>,
    ) -> String {
        let token = format!("{}{:016x}", self.next_id(), rand::random::<u64>());
        self.responders.insert(
            token.clone(),
            Responder {
                user: user.to_owned(),
                channel: channel.to_owned(),
                ephemeral,
            },
        );
        token
    }

    /// Shows `user` a message only they see.
    pub(super) fn add_ephemeral(
        &mut self,
        user: &str,
        channel: &str,
        thread_ts: Option<String>,
        text: String,
        blocks: Option<Value>,
    ) -> String {
        let (id, ts) = (self.next_id(), self.next_ts());
        self.ephemerals.push(Ephemeral {
            id,
            user: user.to_owned(),
            channel: channel.to_owned(),
            thread_ts,
            ts: ts.clone(),
            text,
            blocks,
        });
        self.touch();
        ts
    }

    /// Posts a message.
    pub(super) fn add_message(&mut self, mut message: Message) -> String {
        let ts = self.next_ts();
        message.ts = ts.clone();
        self.messages.push(message);
        self.touch();
        ts
    }

    /// The name shown for a user id.
    pub(super) fn name_of(id: &str) -> &'static str {
        if id == BOT_USER {
            return "warroom";
        }
        PEOPLE
            .iter()
            .find(|p| p.id == id)
            .map_or("someone", |p| p.name)
    }
}
