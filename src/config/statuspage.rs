//! `[statuspage]` in the config file: the Atlassian Statuspage page that approved client-safe
//! summaries for the status page are published to, the environment variable holding its API key,
//! and the components each incident type affects.

use super::{ConfigError, Secret, err};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Statuspage's REST API.
const DEFAULT_API_URL: &str = "https://api.statuspage.io/v1";

/// Where approved status-page summaries go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPageConfig {
    pub page_id: String,
    /// The environment variable holding the API key.
    pub api_key_env: String,
    /// The API's base, without a trailing slash.
    pub api_url: String,
    /// The component IDs each incident type (by key) affects.
    pub components: BTreeMap<String, Vec<String>>,
}

/// `[statuspage]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStatusPage {
    page_id: String,
    api_key_env: String,
    api_url: Option<String>,
    #[serde(default)]
    components: BTreeMap<String, Vec<String>>,
}

impl FileStatusPage {
    /// The settings, checked; `known_type` says whether an incident type key is configured.
    pub(super) fn apply(
        self,
        known_type: impl Fn(&str) -> bool,
    ) -> Result<StatusPageConfig, ConfigError> {
        let key = |field: &str| format!("WARROOM_CONFIG (statuspage.{field})");
        let page_id = self.page_id.trim().to_owned();
        if page_id.is_empty() || !page_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(err(
                &key("page_id"),
                "must be the page's ID, e.g. kctbh9vrtdwd",
            ));
        }
        let api_key_env = self.api_key_env.trim().to_owned();
        if api_key_env.is_empty()
            || !api_key_env
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(err(
                &key("api_key_env"),
                "must name the environment variable holding the API key, e.g. STATUSPAGE_API_KEY (never the key itself)",
            ));
        }
        let api_url = self
            .api_url
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(err(&key("api_url"), "must be an http:// or https:// URL"));
        }
        if let Some(unknown) = self.components.keys().find(|k| !known_type(k)) {
            return Err(err(
                &key("components"),
                format!("`{unknown}` is not a configured incident type key"),
            ));
        }
        Ok(StatusPageConfig {
            page_id,
            api_key_env,
            api_url,
            components: self.components,
        })
    }
}

/// The API key, from the environment variable the page's settings name: required with a page.
pub(super) fn api_key(
    get: &impl Fn(&str) -> Option<String>,
    page: Option<&StatusPageConfig>,
) -> Result<Option<Secret>, ConfigError> {
    let Some(page) = page else {
        return Ok(None);
    };
    let key = get(&page.api_key_env).ok_or_else(|| {
        err(
            &page.api_key_env,
            "is required: [statuspage] api_key_env names it as the Statuspage API key",
        )
    })?;
    Ok(Some(Secret::new(key)))
}
