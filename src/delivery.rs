//! What warroom has to say, and to whom: the typed payload of every outbox row. Commands and the
//! scheduler decide *what* is delivered, in the transaction of the change that caused it; the
//! delivery workers render it through `slack/` when they send it, so the card and every post
//! show what the facts say, in one place.

use crate::incident::{
    Event, IncidentId, SeverityName,
    event::{Escalation, PageAction},
    lifecycle::Refusal,
    schedule::Reminder,
    summaries::PublicSummary,
};
use serde::{Deserialize, Serialize};

/// One thing to deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "deliver", rename_all = "snake_case")]
pub enum Delivery {
    /// Post the incident card, rendered from the incident's state when it is sent.
    PostCard,
    /// Re-render the card in place; coalesced, so a burst of changes renders once.
    UpdateCard,
    /// A reply in the incident's thread.
    ThreadReply { post: Post },
    /// A reply in the incident's thread that is also shown in the channel (escalations).
    Broadcast { post: Post },
    /// A file uploaded into the incident's thread, rendered when it is sent.
    ThreadFile {
        file: ThreadFile,
        requested_by: String,
    },
    /// Tell the declarer where the card is once it is posted — or why it could not be.
    DeclareLink { to: Recipient },
    /// An answer for one person only.
    Tell { to: Recipient, answer: Answer },
    /// A post into a channel, outside any incident's thread (the daily digest, a reply to a
    /// mention in that mention's thread).
    ChannelPost {
        channel: String,
        #[serde(default)]
        thread_ts: Option<String>,
        post: ChannelPost,
    },
    /// An approved client-safe summary, posted to the customer-facing `channel`: its public
    /// words only. `approved_by` is told privately if Slack refuses it.
    ClientSummary {
        channel: String,
        summary: PublicSummary,
        approved_by: String,
    },
    /// Tell PagerDuty `action` about the incident (its Events API v2), rendered from the
    /// incident when it is sent. It waits for the incident's earlier pages, never for its card
    /// or posts: on-call is paged even while Slack is down.
    Page { action: PageAction },
    /// Publish `user`'s Home tab, rendered from the state when it is sent.
    PublishHome { user: String },
    /// Read the message `ts` in `channel` that `by` put the capture reaction on (or took it off,
    /// when not `added`), and record it on its incident's timeline (see `commands::capture`).
    Capture {
        channel: String,
        ts: String,
        by: String,
        added: bool,
    },
    /// An approved client-safe summary for the status page, to Atlassian Statuspage: it creates
    /// the page's incident the first time and updates it after, with exactly these words.
    StatusPage { summary: PublicSummary },
    /// A signed webhook about `event` (recorded `at`, caused by `actor`) to the configured
    /// webhook named `webhook`, its body rendered with the incident as it is when sent.
    Webhook {
        webhook: String,
        event: Event,
        actor: String,
        at: chrono::DateTime<chrono::Utc>,
    },
}

/// What goes into an incident's thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "post", rename_all = "snake_case")]
pub enum Post {
    /// The announcement of something that happened, caused by `actor`.
    Event { event: Event, actor: String },
    /// The runbook of an incident type, as a checklist.
    Runbook { incident_type: String },
    /// A reminder from the scheduler.
    Reminder { reminder: Reminder },
    /// An approved summary the status page never took.
    StatusPageUndelivered { why: String },
    /// A webhook that could not be delivered, for good: its receiver missed an event.
    WebhookUndelivered {
        webhook: String,
        event_type: String,
        why: String,
    },
}

impl Post {
    /// The thread's announcement of `event` by `actor`, for events the thread hears about:
    /// reminders and acknowledgement escalations post their own message when they fire, and a
    /// message added from the thread is already there.
    pub fn announcing(event: &Event, actor: &str) -> Option<Post> {
        let announced = !matches!(
            event,
            Event::MessageAdded { .. }
                | Event::ReminderSent(_)
                | Event::DrillInjected { .. }
                | Event::Escalated(Escalation::AckOverdue { .. })
        );
        announced.then(|| Post::Event {
            event: event.clone(),
            actor: actor.to_owned(),
        })
    }
}

/// A file warroom writes into an incident's thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadFile {
    /// The post-incident report, as Markdown, from the incident as it stands when it is sent.
    Report,
}

/// A post outside incident threads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "post", rename_all = "snake_case")]
pub enum ChannelPost {
    /// The open incidents, as they stand when it is sent: the restricted ones alone (for the
    /// restricted channel), or every other one.
    Digest {
        #[serde(default)]
        restricted: bool,
    },
    /// A pointer to `/incident help`, for someone who mentioned the bot.
    MentionHelp,
    /// One line in the incidents channel about a restricted incident: its severity, nothing more.
    RestrictedDeclared { severity: SeverityName },
}

/// One person, and how to reach them privately: the interaction's `response_url` when there is
/// one, else an ephemeral message in `channel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub user: String,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub response_url: Option<String>,
}

impl Recipient {
    /// Whether there is any way to reach them.
    pub fn reachable(&self) -> bool {
        self.response_url.is_some() || self.channel.is_some()
    }
}

/// A scenario drill that was started: its name, and how many injects follow over how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedScenario {
    pub name: String,
    pub injects: usize,
    pub over_seconds: u64,
}

/// What warroom tells one person, privately. `slack/` words it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// A change was refused.
    Refused {
        refusal: Refusal,
    },
    NotFound {
        id: String,
    },
    /// The database could not be reached within the request's deadline, so what was asked may
    /// not have been saved.
    DatabaseUnavailable,
    /// The database could not be reached to read what was asked for; nothing was to be saved.
    DatabaseUnavailableToRead,
    /// Something unexpected went wrong; nothing was changed.
    InternalError,
    /// Slack did not open a form from the card in time.
    FormDidNotOpen,
    /// Slack did not open the declare form.
    DeclareFormDidNotOpen,
    /// The declaration was recorded; the card follows.
    Declaring {
        id: String,
        channel: String,
    },
    /// A drill's declaration was recorded; the card follows (and the scenario's injects, for a
    /// scripted one).
    DeclaringDrill {
        id: String,
        channel: String,
        #[serde(default)]
        scenario: Option<StartedScenario>,
    },
    /// How to declare a drill, for a request that cannot open the form.
    HowToDrill,
    /// `/incident drill scenario` without a name: which scenarios there are.
    NameTheScenario {
        known: Vec<String>,
    },
    /// A scenario that is not configured, and which scenarios there are.
    UnknownScenario {
        given: String,
        known: Vec<String>,
    },
    /// The request was handled before.
    AlreadyDeclared {
        #[serde(default)]
        id: Option<String>,
    },
    /// The same person declared the same title moments ago.
    DoubleSubmit {
        id: String,
        channel: String,
        /// Where its card is, once posted.
        #[serde(default)]
        card_ts: Option<String>,
        #[serde(default)]
        team_domain: Option<String>,
    },
    /// A declaration without a title.
    MissingTitle,
    /// A restricted declaration with no restricted channel configured.
    NoRestrictedChannel,
    /// A restricted incident, asked about by someone (or somewhere) that may not see it.
    Restricted {
        id: String,
    },
    /// How to declare, for a request that cannot open the form.
    HowToDeclare,
    /// A command that needs an incident ID got none.
    NameTheIncident,
    /// `/incident note` without text.
    NoteNeedsText,
    /// `/incident correct` without an entry number or text.
    HowToCorrect,
    /// The report is on its way into the incident's thread.
    ReportComing {
        id: String,
    },
    /// A correction was recorded.
    Corrected {
        id: String,
        entry: u32,
    },
    /// A corrective action was added, done or closed as won't do.
    ActionChanged {
        action: String,
    },
    /// The action was already so (or this very request was handled before).
    ActionUnchanged,
    /// `/incident action` that cannot be read.
    HowToAddAction,
    /// `/incident actions` followed by something that names no list.
    HowToListActions,
    /// An action without an owner mentioned with @.
    ActionNeedsOwner,
    /// An action without a due date warroom can read.
    ActionNeedsDueDate,
    /// Won't do, without a reason.
    WontDoNeedsReason,
    /// `/incident list` followed by something that names no list.
    UnknownList {
        given: String,
    },
    /// `/incident search` without words.
    SearchNeedsWords,
    /// `/incident stats` followed by something that is not a period warroom reports on; why.
    BadStatsPeriod {
        problem: String,
    },
    /// Search words that hold nothing to search for (only punctuation or very common words).
    NothingToSearchFor {
        words: String,
    },
    Noted {
        id: String,
    },
    AddedToTimeline {
        id: String,
    },
    AlreadyOnTimeline {
        id: String,
    },
    /// Something about an incident could not be delivered to Slack, and why.
    NotDelivered {
        id: String,
        what: String,
        why: String,
    },
    /// Usage, optionally for a subcommand warroom does not know.
    Help {
        #[serde(default)]
        unknown: Option<String>,
    },
}

impl Answer {
    /// The refusal as an answer.
    pub fn refused(refusal: Refusal) -> Self {
        Answer::Refused { refusal }
    }

    /// "I can't find …".
    pub fn not_found(id: &IncidentId) -> Self {
        Answer::NotFound { id: id.to_string() }
    }
}

impl Delivery {
    /// The stored `kind` of its outbox row.
    pub fn kind(&self) -> &'static str {
        match self {
            Delivery::PostCard => "post_card",
            Delivery::UpdateCard => "update_card",
            Delivery::ThreadReply { .. } => "thread_reply",
            Delivery::Broadcast { .. } => "broadcast_reply",
            Delivery::ThreadFile { .. } => "thread_file",
            Delivery::DeclareLink { .. } => "declare_link",
            Delivery::Tell { .. } => "tell",
            Delivery::ChannelPost { .. } => "channel_post",
            Delivery::ClientSummary { .. } => "client_summary",
            Delivery::Page { .. } => "page",
            Delivery::Webhook { .. } => "webhook",
            Delivery::StatusPage { .. } => "status_page",
            Delivery::Capture { .. } => "capture",
            Delivery::PublishHome { .. } => "publish_home",
        }
    }

    /// The lane its calls share, for pausing after a rate limit: new messages into channels,
    /// edits, and private answers.
    pub fn lane(&self) -> &'static str {
        match self {
            Delivery::PostCard
            | Delivery::ThreadReply { .. }
            | Delivery::Broadcast { .. }
            | Delivery::ThreadFile { .. }
            | Delivery::ChannelPost { .. }
            | Delivery::ClientSummary { .. } => lanes::POST,
            Delivery::UpdateCard => lanes::UPDATE,
            Delivery::Page { .. } => lanes::PAGE,
            Delivery::Webhook { .. } => lanes::WEBHOOK,
            Delivery::StatusPage { .. } => lanes::STATUS_PAGE,
            Delivery::Capture { .. } => lanes::READ,
            Delivery::PublishHome { .. } => lanes::HOME,
            Delivery::DeclareLink { to } | Delivery::Tell { to, .. } => {
                if to.response_url.is_some() {
                    lanes::RESPOND
                } else {
                    lanes::EPHEMERAL
                }
            }
        }
    }

    /// Lower goes first: cards before edits before thread replies, more severe incidents (lower
    /// `rank`) before less severe ones; answers to one person are never held behind posts.
    pub fn priority(&self, rank: usize) -> i32 {
        let rank = i32::try_from(rank).unwrap_or(99).min(99);
        match self {
            Delivery::Tell { .. } | Delivery::Page { .. } => 0,
            Delivery::PostCard => rank,
            Delivery::UpdateCard => 50 + rank,
            Delivery::ThreadReply { .. }
            | Delivery::Broadcast { .. }
            | Delivery::ThreadFile { .. }
            | Delivery::ClientSummary { .. } => 100 + rank,
            Delivery::ChannelPost {
                post: ChannelPost::Digest { .. },
                ..
            } => 150,
            Delivery::DeclareLink { .. } => 200 + rank,
            Delivery::Webhook { .. } | Delivery::StatusPage { .. } | Delivery::Capture { .. } => {
                250
            }
            Delivery::PublishHome { .. } => 260,
            Delivery::ChannelPost {
                post: ChannelPost::MentionHelp | ChannelPost::RestrictedDeclared { .. },
                ..
            } => 300,
        }
    }

    /// Whether it posts a new message into a channel, and so keeps to the channel's pace.
    pub fn is_channel_post(&self) -> bool {
        self.lane() == lanes::POST
    }
}

/// The lanes of [`Delivery::lane`], as stored in the outbox's `method` column.
pub mod lanes;
