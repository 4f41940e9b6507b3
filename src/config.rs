//! Configuration: the only place that reads the environment and the config file. Every error
//! names the variable (or the config key) at fault; secrets are held in [`Secret`], whose `Debug`
//! and `Display` print `[REDACTED]`. This file reads the environment; the file named by
//! `WARROOM_CONFIG` is parsed in `config/file.rs`.

use crate::incident::{Catalog, Severities, SeverityRank};
use std::{net::SocketAddr, path::Path, time::Duration};

/// `[comms]`: client-safe summaries.
mod comms;
/// `[drills]`: whether drills call the escalation group, and the tabletop scenarios.
mod drills;
/// The TOML config file's schema and how it overrides [`ProcessConfig::default`].
mod file;
/// `[pagerduty]`: paging on-call through PagerDuty.
mod pagerduty;
/// `[restricted]`: the private channel of restricted incidents.
mod restricted;
/// Credentials kept out of logs, errors and `Debug` output.
mod secret;
/// `[statuspage]`: approved status-page summaries to Atlassian Statuspage.
mod statuspage;
/// The web view: Sign in with Slack and the public address.
mod web;
/// `[[webhook]]`: signed webhooks.
mod webhooks;

pub use pagerduty::PagerDutyConfig;
pub use restricted::RestrictedConfig;
pub use secret::Secret;
pub use statuspage::StatusPageConfig;
pub use web::{DEFAULT_OPENID_URL, WebConfig};
pub(crate) use webhooks::secrets as webhook_secrets;
pub use webhooks::{EVENT_TYPES as WEBHOOK_EVENT_TYPES, WebhookConfig};

/// A setting that is missing or malformed; its `Display` is the one line start-up prints.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

fn err(variable: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        problem: problem.into(),
    }
}

/// Everything warroom needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Postgres URL (it may carry a password, hence a secret).
    pub database_url: Secret,
    /// A role that owns the schema, used only to create and migrate the database; the runtime
    /// role then gets no DDL and no UPDATE/DELETE on the timeline.
    pub migrate_database_url: Option<Secret>,
    pub slack_bot_token: Secret,
    /// Verifies HTTP requests; absent only in Socket Mode.
    pub slack_signing_secret: Option<Secret>,
    /// App-level token; when present Socket Mode is used.
    pub slack_app_token: Option<Secret>,
    /// Base URL of Slack's Web API, without a trailing slash.
    pub slack_api_url: String,
    /// Channel ID where incident cards and threads live.
    pub incident_channel: String,
    pub listen: SocketAddr,
    /// A second address serving only `/healthz`, `/readyz` and `/metrics` (they stay on
    /// `listen` too), e.g. for a load balancer's checks on a private network.
    pub admin_listen: Option<SocketAddr>,
    /// The web view's sign-in; `None` (the web view off) without `SLACK_CLIENT_ID`.
    pub web: Option<WebConfig>,
    /// The PagerDuty Events API v2 routing key (an integration key): paging is on when it is set.
    pub pagerduty_routing_key: Option<Secret>,
    /// Each webhook's signing secret, by webhook name, read from the variable its `secret` names.
    pub webhook_secrets: std::collections::BTreeMap<String, Secret>,
    /// The Statuspage API key, from the variable `[statuspage] api_key_env` names.
    pub statuspage_api_key: Option<Secret>,
    /// Process defaults, from built-ins overridden by the config file.
    pub process: ProcessConfig,
}

/// Behaviour that operators tune in the TOML config file.
#[derive(Debug, Clone)]
pub struct ProcessConfig {
    pub severities: Severities,
    pub default_severity: SeverityRank,
    /// Roles and incident types with their runbooks.
    pub catalog: Catalog,
    /// When true, only role holders (and the declarer until a commander exists) may change
    /// status, severity or roles, or close.
    pub restrict_changes: bool,
    /// Minimum gap between two posts into one channel; zero switches pacing off.
    pub channel_pace: Duration,
    /// How long a Slack Web API call may take before it counts as timed out (and ambiguous).
    pub slack_timeout: Duration,
    /// How long a call to PagerDuty, a webhook receiver or Statuspage may take before it counts
    /// as timed out (retried, as possibly received).
    pub integrations_timeout: Duration,
    /// How long an outbox claim lasts without being extended; a dead replica's rows are taken
    /// over by another once it runs out.
    pub outbox_lease: Duration,
    /// Longest back-off between two attempts after 5xx answers or timeouts.
    pub outbox_max_backoff: Duration,
    /// How many Slack deliveries one replica runs at once.
    pub outbox_concurrency: usize,
    /// Deadline for all database work on the Slack request path.
    pub request_deadline: Duration,
    pub db_max_connections: u32,
    /// Slack requests one replica handles at once; past this, slash commands and events are
    /// turned away at once (see `slack::ingress`) instead of queueing past their deadline.
    pub max_requests_in_flight: u64,
    /// Reminders, escalations, the breach clock, review reminders and the daily digest.
    pub schedule: crate::incident::schedule::ScheduleConfig,
    /// How Socket Mode connects, watches its connections and backs off between them.
    pub socket: SocketTimings,
    /// How long a client has to send a request's headers, from the moment the server starts
    /// reading them; a slower one (a slow-loris) is disconnected.
    pub http_header_timeout: Duration,
    /// How long a client has to send a request's whole body once its headers are in.
    pub http_body_timeout: Duration,
    /// How long delivered (or given up) messages and fired reminders are kept; the timeline and
    /// the incidents are kept for good.
    pub retention: Duration,
    /// How often the housekeeping loop deletes what is past retention.
    pub housekeeping_every: Duration,
    /// The target time of each metric (MTTA, MTTR, …) per severity, for `stats`.
    pub metric_targets: crate::incident::stats::Targets,
    /// Client-safe summaries: what the lint treats as internal, who approves, where they go.
    pub comms: crate::incident::summaries::CommsConfig,
    /// The tabletop scenarios `/incident drill scenario <name>` runs.
    pub scenarios: crate::incident::drills::Scenarios,
    /// The private channel of restricted (security) incidents, if any.
    pub restricted: RestrictedConfig,
    /// The web view's public address when it is on (`WARROOM_PUBLIC_URL`, never the file), so
    /// the card can link each incident's page.
    pub web_view_url: Option<String>,
    /// How incidents page on-call through PagerDuty (once `PAGERDUTY_ROUTING_KEY` is set).
    pub pagerduty: PagerDutyConfig,
    /// Where signed webhooks go.
    pub webhooks: Vec<WebhookConfig>,
    /// The status page approved status-page summaries are published to, if any.
    pub statuspage: Option<StatusPageConfig>,
    /// The emoji (its name) that captures a message in an incident's thread onto its timeline.
    pub capture_reaction: String,
}

/// Socket Mode's clocks. Not in the config file: the defaults suit Slack; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketTimings {
    /// Longest wait for the TCP, TLS and WebSocket handshake of one connection.
    pub connect_timeout: Duration,
    /// How often warroom pings Slack on an open connection.
    pub ping_every: Duration,
    /// A connection that brings nothing (no frame, no pong, no `hello`) for this long is dead.
    pub silence: Duration,
    /// The first wait before reconnecting; each reconnect after it waits twice as long.
    pub backoff_initial: Duration,
    /// The longest wait before reconnecting.
    pub backoff_max: Duration,
    /// A connection that stayed up this long resets the wait to `backoff_initial`.
    pub stable_after: Duration,
}

impl Default for SocketTimings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(10),
            silence: Duration::from_secs(30),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            stable_after: Duration::from_secs(30),
        }
    }
}

impl ProcessConfig {
    /// How long a row stays claimed once its post is under way: the Slack timeout plus one lease
    /// of margin, so the row is taken over only once Slack has surely finished with the first
    /// call — even when the replica that made it stalled and could not extend its lease.
    pub fn call_hold(&self) -> Duration {
        self.slack_timeout + self.outbox_lease
    }
}

impl Default for ProcessConfig {
    fn default() -> Self {
        let severities = Severities::builtin();
        let default_severity = severities.parse("SEV-3").expect("built-in SEV-3");
        let metric_targets = crate::incident::stats::Targets::guide(&severities);
        let catalog = Catalog::builtin();
        let scenarios = crate::incident::drills::Scenarios::builtin(&severities, &catalog);
        Self {
            severities,
            default_severity,
            catalog,
            scenarios,
            restrict_changes: false,
            channel_pace: Duration::from_secs(1),
            slack_timeout: Duration::from_secs(15),
            integrations_timeout: Duration::from_secs(10),
            outbox_lease: Duration::from_secs(5),
            outbox_max_backoff: Duration::from_secs(30),
            outbox_concurrency: 16,
            request_deadline: Duration::from_millis(1500),
            max_requests_in_flight: 64,
            db_max_connections: 16,
            schedule: crate::incident::schedule::ScheduleConfig::default(),
            socket: SocketTimings::default(),
            http_header_timeout: Duration::from_secs(10),
            http_body_timeout: Duration::from_secs(10),
            retention: Duration::from_secs(30 * 24 * 3600),
            housekeeping_every: Duration::from_secs(3600),
            metric_targets,
            comms: crate::incident::summaries::CommsConfig::default(),
            restricted: RestrictedConfig::default(),
            web_view_url: None,
            pagerduty: PagerDutyConfig::default(),
            webhooks: Vec::new(),
            statuspage: None,
            capture_reaction: "pushpin".to_owned(),
        }
    }
}

/// Default Postgres URL when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/warroom";
/// Default Slack Web API base.
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

impl Config {
    /// Reads the process environment (and the config file it names).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| get(name).ok_or_else(|| err(name, "is required but not set"));

        let slack_app_token = get("SLACK_APP_TOKEN").map(Secret::new);
        if let Some(t) = &slack_app_token
            && !t.expose().starts_with("xapp-")
        {
            return Err(err(
                "SLACK_APP_TOKEN",
                "must be an app-level token starting with xapp-",
            ));
        }
        let slack_bot_token = Secret::new(required("SLACK_BOT_TOKEN")?);
        if !slack_bot_token.expose().starts_with("xoxb-") {
            return Err(err(
                "SLACK_BOT_TOKEN",
                "must be a bot token starting with xoxb-",
            ));
        }
        let slack_signing_secret = match (get("SLACK_SIGNING_SECRET"), &slack_app_token) {
            (Some(s), _) => Some(Secret::new(s)),
            (None, Some(_)) => None,
            (None, None) => {
                return Err(err(
                    "SLACK_SIGNING_SECRET",
                    "is required in HTTP mode (when SLACK_APP_TOKEN is not set)",
                ));
            }
        };
        let slack_api_url =
            get("SLACK_API_URL").unwrap_or_else(|| DEFAULT_SLACK_API_URL.to_owned());
        if !(slack_api_url.starts_with("http://") || slack_api_url.starts_with("https://")) {
            return Err(err("SLACK_API_URL", "must be an http:// or https:// URL"));
        }
        let incident_channel = required("WARROOM_INCIDENT_CHANNEL")?;
        if !incident_channel.chars().all(|c| c.is_ascii_alphanumeric())
            || !incident_channel.starts_with(['C', 'G'])
        {
            return Err(err(
                "WARROOM_INCIDENT_CHANNEL",
                "must be a channel ID such as C0123456789 (not a #name)",
            ));
        }
        let listen = get("WARROOM_LISTEN").unwrap_or_else(|| "0.0.0.0:3000".to_owned());
        let listen = listen.parse().map_err(|_| {
            err(
                "WARROOM_LISTEN",
                format!("`{listen}` is not an address such as 0.0.0.0:3000"),
            )
        })?;
        let admin_listen = get("WARROOM_ADMIN_LISTEN")
            .map(|a| {
                a.parse().map_err(|_| {
                    err(
                        "WARROOM_ADMIN_LISTEN",
                        format!("`{a}` is not an address such as 127.0.0.1:9090"),
                    )
                })
            })
            .transpose()?;
        let database_url = database_url(&get)?;
        let mut process = process_config(&get)?;
        let web = web::read(&get)?;
        process.web_view_url = web.as_ref().map(|w| w.public_url.clone());
        let pagerduty_routing_key = get("PAGERDUTY_ROUTING_KEY").map(Secret::new);
        let webhook_secrets = webhook_secrets(&get, &process.webhooks)?;
        let statuspage_api_key = statuspage::api_key(&get, process.statuspage.as_ref())?;
        let migrate_database_url = get("WARROOM_MIGRATE_DATABASE_URL");
        if migrate_database_url
            .as_ref()
            .is_some_and(|u| !(u.starts_with("postgres://") || u.starts_with("postgresql://")))
        {
            return Err(err(
                "WARROOM_MIGRATE_DATABASE_URL",
                "must be a postgres:// URL",
            ));
        }
        Ok(Config {
            database_url,
            migrate_database_url: migrate_database_url.map(Secret::new),
            slack_bot_token,
            slack_signing_secret,
            slack_app_token,
            slack_api_url: slack_api_url.trim_end_matches('/').to_owned(),
            incident_channel,
            listen,
            admin_listen,
            web,
            pagerduty_routing_key,
            webhook_secrets,
            statuspage_api_key,
            process,
        })
    }
}

/// `DATABASE_URL`, or the default.
fn database_url(get: &impl Fn(&str) -> Option<String>) -> Result<Secret, ConfigError> {
    let url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(err("DATABASE_URL", "must be a postgres:// URL"));
    }
    Ok(Secret::new(url))
}

/// The built-in process defaults, overridden by the file `WARROOM_CONFIG` names, if any.
fn process_config(get: &impl Fn(&str) -> Option<String>) -> Result<ProcessConfig, ConfigError> {
    match get("WARROOM_CONFIG") {
        Some(path) => {
            let text = std::fs::read_to_string(Path::new(&path))
                .map_err(|e| err("WARROOM_CONFIG", format!("cannot read {path}: {e}")))?;
            ProcessConfig::from_toml(&text)
        }
        None => Ok(ProcessConfig::default()),
    }
}

/// What the command line's reports (`warroom stats`) need: the database and the config file,
/// and none of the Slack settings, so an operator can run them where no Slack token is set.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// Postgres URL (it may carry a password, hence a secret).
    pub database_url: Secret,
    /// Process defaults, from built-ins overridden by the config file.
    pub process: ProcessConfig,
}

impl ReportConfig {
    /// Reads `DATABASE_URL` and `WARROOM_CONFIG` from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads `DATABASE_URL` and `WARROOM_CONFIG` through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Ok(ReportConfig {
            database_url: database_url(&get)?,
            process: process_config(&get)?,
        })
    }
}

#[cfg(test)]
mod tests;
