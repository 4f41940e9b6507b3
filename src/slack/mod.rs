//! The Slack edge: request verification and parsing on the way in, Block Kit rendering, and the
//! one client of Slack's Web API on the way out. No other module knows Slack's wire types.

/// Corrective actions: their announcements, timeline lines, lists and reminders.
pub mod actions;
/// What the incident's thread is told when something happens.
pub mod announce;
/// How warroom words what it tells one person.
pub mod answers;
/// Render domain values as Block Kit (card, thread posts, modals, answers).
pub mod blocks;
/// The live incident card.
pub mod card;
/// Drills: the tabletop scenarios and what a drill's declarer is told.
pub mod drills;
/// warroom's Home tab for one person.
pub mod home;
/// `/slack/commands`, `/slack/interactions`, `/slack/events`: verify → parse → act → acknowledge.
pub mod ingress;
/// The action, callback and block IDs of every control and form, in one place.
pub mod keys;
/// `/incident list` and `/incident search`: incidents one line each, linked to their cards.
pub mod lists;
/// Who may see restricted incidents, and the check that their channel is private.
pub mod members;
/// The modals opened from the card and the message shortcut.
pub mod modals;
/// The one caller of Slack's Web API.
pub mod outbound;
/// Pure parsing of Slack's payloads (HTTP bodies and Socket Mode JSON alike).
pub mod parse;
/// What the scheduler posts: reminders, escalations, the breach clock, the digest.
pub mod reminders;
/// Socket Mode: the same requests over outbound WebSockets.
pub mod socket;
/// `/incident stats`: the metrics of a period, per severity, beside their targets.
pub mod stats;
/// Client-safe summaries: the draft pending approval in the thread, and what the public reads.
pub mod summaries;
/// `/incident timeline`, rendered from the typed events.
pub mod timeline;
/// Request signing, with the clock passed in.
pub mod verify;

#[cfg(test)]
mod snapshots;
