//! The config file (`WARROOM_CONFIG`): its TOML schema, every key optional, and how it overrides
//! the built-in [`ProcessConfig`]. Errors name the key at fault as `WARROOM_CONFIG (key)`.

use super::{ConfigError, ProcessConfig, err};
use crate::incident::{
    Catalog, Severities, SeverityLevel,
    catalog::{IncidentType, Role},
    stats::Targets,
};
use serde::Deserialize;
use std::time::Duration;

/// `[metrics.targets]`: the target of each metric for each severity.
mod schedule;
mod targets;

use schedule::{
    FileActions, FileBreach, FileDigest, FileEscalation, FileNotice, FileReminders, FileReview,
    apply_schedule, severity_names, time_of_day,
};

/// The TOML file as written; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    default_severity: Option<String>,
    restrict_changes: Option<bool>,
    #[serde(default)]
    role: Vec<Role>,
    #[serde(default)]
    incident_type: Vec<IncidentType>,
    #[serde(default)]
    severity: Vec<FileSeverity>,
    #[serde(default)]
    slack: FileSlack,
    #[serde(default)]
    outbox: FileOutbox,
    #[serde(default)]
    integrations: FileIntegrations,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    http: FileHttp,
    #[serde(default)]
    retention: FileRetention,
    #[serde(default)]
    reminders: FileReminders,
    #[serde(default)]
    escalation: FileEscalation,
    #[serde(default)]
    breach: FileBreach,
    #[serde(default)]
    review: FileReview,
    #[serde(default)]
    digest: FileDigest,
    #[serde(default)]
    actions: FileActions,
    #[serde(default)]
    metrics: targets::FileMetrics,
    #[serde(default)]
    comms: super::comms::FileComms,
    #[serde(default)]
    drills: super::drills::FileDrills,
    #[serde(default)]
    restricted: super::restricted::FileRestricted,
    #[serde(default)]
    pagerduty: super::pagerduty::FilePagerDuty,
    #[serde(default)]
    webhook: Vec<super::webhooks::FileWebhook>,
    statuspage: Option<super::statuspage::FileStatusPage>,
    #[serde(default)]
    timeline: FileTimeline,
    #[serde(default)]
    customer_notification: FileNotice,
    timezone: Option<String>,
}

/// `[timeline]`: the emoji that captures a message onto the timeline.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileTimeline {
    capture_reaction: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSeverity {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    description: String,
    ack_within: String,
    update_every: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSlack {
    channel_pace: Option<String>,
    timeout: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileIntegrations {
    timeout: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileOutbox {
    lease: Option<String>,
    max_backoff: Option<String>,
    concurrency: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileHttp {
    header_timeout: Option<String>,
    body_timeout: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileRetention {
    keep: Option<String>,
    every: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    request_deadline: Option<String>,
    max_connections: Option<u32>,
    max_requests_in_flight: Option<u64>,
}

/// A duration that must pass before something happens: zero would spin a loop, time out every
/// call, or fire at once.
fn positive(key: &str, value: &str) -> Result<Duration, ConfigError> {
    let d = duration(key, value)?;
    if d.is_zero() {
        return Err(err(
            &format!("WARROOM_CONFIG ({key})"),
            "must be longer than zero",
        ));
    }
    Ok(d)
}

fn duration(key: &str, value: &str) -> Result<Duration, ConfigError> {
    humantime::parse_duration(value.trim()).map_err(|e| {
        err(
            &format!("WARROOM_CONFIG ({key})"),
            format!("`{value}` is not a duration ({e}); write e.g. \"90s\", \"15m\", \"2h\""),
        )
    })
}

impl ProcessConfig {
    /// Built-in defaults overridden by a TOML document.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let file: FileConfig =
            toml::from_str(text).map_err(|e| err("WARROOM_CONFIG", one_line(&e.to_string())))?;
        let mut cfg = ProcessConfig::default();
        if !file.severity.is_empty() {
            let mut levels = Vec::new();
            for s in file.severity {
                let key = format!("severity {}", s.name);
                levels.push(SeverityLevel {
                    ack_within: positive(&format!("{key} ack_within"), &s.ack_within)?,
                    update_every: positive(&format!("{key} update_every"), &s.update_every)?,
                    name: s.name,
                    aliases: s.aliases,
                    description: s.description,
                });
            }
            if let Some(zero) = levels.iter().find(|l| l.update_every.is_zero()) {
                return Err(err(
                    "WARROOM_CONFIG",
                    format!(
                        "severity {}: update_every must be more than zero",
                        zero.name
                    ),
                ));
            }
            cfg.severities =
                Severities::new(levels).map_err(|e| err("WARROOM_CONFIG", e.to_string()))?;
            let levels = cfg.severities.iter().count();
            // The middle of the list is the everyday level, as SEV-3 is among the built-ins.
            cfg.default_severity = cfg.severities.rank_at(levels / 2);
            // The guide's targets belong to the two most severe levels, whatever their names.
            cfg.metric_targets = Targets::guide(&cfg.severities);
        }
        file.metrics
            .apply(&mut cfg.metric_targets, &cfg.severities)?;
        if let Some(name) = file.default_severity {
            cfg.default_severity = cfg.severities.parse(&name).ok_or_else(|| {
                err(
                    "WARROOM_CONFIG (default_severity)",
                    format!("`{name}` is not a configured severity"),
                )
            })?;
        }
        if let Some(v) = file.restrict_changes {
            cfg.restrict_changes = v;
        }
        if !file.role.is_empty() || !file.incident_type.is_empty() {
            let builtin = Catalog::builtin();
            let roles = if file.role.is_empty() {
                builtin.roles
            } else {
                file.role
            };
            let types = if file.incident_type.is_empty() {
                builtin.types
            } else {
                file.incident_type
            };
            cfg.catalog = Catalog::new(roles, types)
                .map_err(|e| err("WARROOM_CONFIG (role / incident_type)", e))?;
        }
        cfg.comms = file.comms.apply(&cfg.catalog)?;
        cfg.restricted = file.restricted.apply()?;
        cfg.webhooks = super::webhooks::apply(file.webhook)?;
        if let Some(emoji) = file.timeline.capture_reaction {
            let name = emoji.trim().trim_matches(':').to_owned();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-+'".contains(c))
            {
                return Err(err(
                    "WARROOM_CONFIG (timeline.capture_reaction)",
                    "must be an emoji's name, such as pushpin (with or without colons)",
                ));
            }
            cfg.capture_reaction = name;
        }
        let catalog = &cfg.catalog;
        cfg.statuspage = file
            .statuspage
            .map(|page| page.apply(|key| catalog.incident_type(key).is_some_and(|t| t.key == key)))
            .transpose()?;
        let severities = &cfg.severities;
        cfg.pagerduty = file
            .pagerduty
            .apply(|names| severity_names(severities, "pagerduty.severities", names))?;
        apply_schedule(
            &mut cfg.schedule,
            file.reminders,
            file.escalation,
            file.breach,
            file.review,
            file.digest,
            file.timezone,
        )?;
        file.drills.apply(&mut cfg)?;
        cfg.schedule.notice = file.customer_notification.apply(&cfg.severities)?;
        if let Some(v) = file.actions.remind_at {
            cfg.schedule.action_reminder_at = time_of_day("actions.remind_at", &v)?;
        }
        if let Some(names) = cfg.schedule.review_severities.take() {
            let canonical = severity_names(&cfg.severities, "review.severities", &names)?;
            cfg.schedule.review_severities = Some(canonical);
        }
        if let Some(v) = file.slack.channel_pace {
            cfg.channel_pace = duration("slack.channel_pace", &v)?;
        }
        if let Some(v) = file.slack.timeout {
            cfg.slack_timeout = positive("slack.timeout", &v)?;
        }
        if let Some(v) = file.integrations.timeout {
            cfg.integrations_timeout = positive("integrations.timeout", &v)?;
        }
        if let Some(v) = file.outbox.lease {
            cfg.outbox_lease = positive("outbox.lease", &v)?;
        }
        if let Some(v) = file.outbox.max_backoff {
            cfg.outbox_max_backoff = positive("outbox.max_backoff", &v)?;
        }
        if let Some(v) = file.outbox.concurrency {
            cfg.outbox_concurrency = v.max(1);
        }
        if let Some(v) = file.database.request_deadline {
            cfg.request_deadline = positive("database.request_deadline", &v)?;
        }
        if let Some(v) = file.database.max_connections {
            cfg.db_max_connections = v.max(2);
        }
        if let Some(v) = file.http.header_timeout {
            cfg.http_header_timeout = positive("http.header_timeout", &v)?;
        }
        if let Some(v) = file.http.body_timeout {
            cfg.http_body_timeout = positive("http.body_timeout", &v)?;
        }
        if let Some(v) = file.retention.keep {
            cfg.retention = positive("retention.keep", &v)?;
        }
        if let Some(v) = file.retention.every {
            cfg.housekeeping_every = positive("retention.every", &v)?;
        }
        if let Some(v) = file.database.max_requests_in_flight {
            cfg.max_requests_in_flight = v;
        }
        Ok(cfg)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
