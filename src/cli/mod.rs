//! The binary's subcommands beyond running the bot: their arguments, the use case each calls,
//! and how its answer is printed. They need no Slack settings; the bot's own subcommands
//! (`serve`, `migrate`) stay in `main.rs`.
//!
//! ```text
//! warroom stats [--since 30d | --range 2026-11-01..2026-11-30] [--format text|json]
//! warroom report INC-20261124-001 [--format markdown|json]
//! warroom webhook test NAME
//! ```

/// `warroom report`: one incident's post-incident report, as Markdown or JSON.
pub mod report;

/// `warroom stats`: the incident metrics of a period, as text or JSON.
pub mod stats;
/// The stats report as plain text, for a terminal or a file.
pub mod text;
/// `warroom webhook test`: a signed ping to a configured webhook.
pub mod webhook;
