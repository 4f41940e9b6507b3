//! warroom: incident response in Slack, kept in Postgres.
//!
//! ```text
//!  Slack ──signed HTTP──▶ slack::ingress ──▶ commands::* ──▶ incident (pure rules)
//!                          verify, parse      decide, then     │
//!                          ack < 3 s          one transaction  ▼
//!                                               store ── incidents, timeline, outbox (Postgres)
//!                                                              │ NOTIFY + poll
//!  Slack ◀── slack::outbound ◀── worker::outbox (claim SKIP LOCKED, lease, retry, pace)
//! ```
//! A request is verified, decided by the pure domain, and persisted with every Slack message it
//! causes in one transaction; the answer goes back at once. The outbox workers, on every replica,
//! deliver those messages in order per incident, at Slack's pace, exactly once as far as Slack's
//! API allows.

/// `AppState`, the router and the serving loop.
pub mod app;
/// The binary's reports (`warroom stats`): arguments, the use case, text and JSON; no Slack.
pub mod cli;
/// Where "now" comes from (injectable for tests).
pub mod clock;
/// Use cases: one file per verb, from a verified request to a reply.
pub mod commands;
/// Environment and config file: the only place that reads them.
pub mod config;
/// What use cases need: configuration, the request pool, the clock, the counters; no Slack.
pub mod context;
/// What warroom has to say and to whom: the typed payload of every outbox row.
pub mod delivery;
/// The domain: severities, statuses, triage, identifiers, the declare rules. No I/O.
pub mod incident;
/// HTTP listeners with header and body read timeouts, and their graceful shutdown.
pub mod listen;
/// The incident report as a Markdown document.
pub mod markdown;
/// Process counters exported at `/metrics`.
pub mod metrics;
/// How each timeline event reads as one line of plain text, for every edge.
pub mod narrative;
/// Calls to services other than Slack (PagerDuty, webhook receivers), classified for retries.
pub mod outward;
/// `warroom sandbox`: the real bot wired to a built-in Slack stand-in and a page that shows it.
pub mod sandbox;
/// The Slack edge: verification, ingress, Block Kit, the Web API client.
pub mod slack;
/// `AppState`: the context plus Slack's client, shared by handlers and loops.
pub mod state;
/// Postgres: the only module with SQL.
pub mod store;
/// The web view: incidents, their reports and the figures in a browser, after Sign in with Slack.
pub mod web;
/// Signed webhooks: which events go where, and their JSON bodies.
pub mod webhooks;
/// Background loops: outbox delivery and housekeeping.
pub mod worker;
