//! `[restricted]` in the config file: the private channel restricted (security) incidents live
//! in, and whether the incidents channel hears a one-line notice of each.

use super::{ConfigError, err};
use serde::Deserialize;

/// Where restricted incidents live; without a channel, nothing is restricted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestrictedConfig {
    /// A private channel the bot is a member of.
    pub channel: Option<String>,
    /// Post one line without title or impact into the incidents channel for each.
    pub announce: bool,
}

/// `[restricted]` as written; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRestricted {
    channel: Option<String>,
    announce: Option<bool>,
}

impl FileRestricted {
    /// The settings, with the channel checked to be a channel ID.
    pub(super) fn apply(self) -> Result<RestrictedConfig, ConfigError> {
        let channel = match self.channel.map(|c| c.trim().to_owned()) {
            Some(c)
                if c.starts_with(['C', 'G']) && c.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Some(c)
            }
            Some(_) => {
                return Err(err(
                    "WARROOM_CONFIG (restricted.channel)",
                    "must be the ID of a private channel, such as G0123456789 (not a #name)",
                ));
            }
            None => None,
        };
        Ok(RestrictedConfig {
            channel,
            announce: self.announce.unwrap_or(false),
        })
    }
}
