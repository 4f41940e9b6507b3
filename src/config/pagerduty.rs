//! `[pagerduty]` in the config file: which severities page on-call through PagerDuty's Events API
//! v2, where that API is, and whether a restricted incident's title may go there. The routing key
//! is a secret and comes from the environment (`PAGERDUTY_ROUTING_KEY`) only.

use super::{ConfigError, err};
use serde::Deserialize;

/// PagerDuty's Events API v2 endpoint.
const DEFAULT_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// How warroom pages on-call, once a routing key is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDutyConfig {
    /// The severities (canonical names) whose incidents page on-call; `None`: the two most severe.
    pub severities: Option<Vec<String>>,
    pub events_url: String,
    /// Send a restricted incident's title and impact too; without it, only its ID and severity.
    pub restricted_details: bool,
}

impl Default for PagerDutyConfig {
    fn default() -> Self {
        Self {
            severities: None,
            events_url: DEFAULT_EVENTS_URL.to_owned(),
            restricted_details: false,
        }
    }
}

impl PagerDutyConfig {
    /// Whether an incident of severity `name` (at `rank`, most severe first) pages on-call.
    pub fn pages(&self, name: &str, rank: usize) -> bool {
        match &self.severities {
            Some(names) => names.iter().any(|n| n == name),
            None => rank < 2,
        }
    }
}

/// `[pagerduty]` as written; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePagerDuty {
    severities: Option<Vec<String>>,
    events_url: Option<String>,
    restricted_details: Option<bool>,
}

impl FilePagerDuty {
    /// The settings; `canonical` checks severity names against the configured ones.
    pub(super) fn apply(
        self,
        canonical: impl FnOnce(&[String]) -> Result<Vec<String>, ConfigError>,
    ) -> Result<PagerDutyConfig, ConfigError> {
        let paged = self.severities.map(|names| canonical(&names)).transpose()?;
        let events_url = self
            .events_url
            .map(|u| u.trim().to_owned())
            .unwrap_or_else(|| DEFAULT_EVENTS_URL.to_owned());
        if !(events_url.starts_with("https://") || events_url.starts_with("http://")) {
            return Err(err(
                "WARROOM_CONFIG (pagerduty.events_url)",
                "must be an http:// or https:// URL",
            ));
        }
        Ok(PagerDutyConfig {
            severities: paged,
            events_url,
            restricted_details: self.restricted_details.unwrap_or(false),
        })
    }
}
