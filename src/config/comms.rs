//! `[comms]` in the config file: the domains whose host names a client-safe summary must not
//! name, the roles whose holders approve summaries, and the customer-facing channel approved
//! summaries are posted to.

use super::{ConfigError, err};
use crate::incident::{Catalog, summaries::CommsConfig};
use serde::Deserialize;

/// `[comms]` as written; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileComms {
    internal_domains: Option<Vec<String>>,
    approver_roles: Option<Vec<String>>,
    external_channel: Option<String>,
}

const KEY: &str = "WARROOM_CONFIG (comms";

impl FileComms {
    /// The built-in settings overridden by these, checked against the configured roles.
    pub(super) fn apply(self, catalog: &Catalog) -> Result<CommsConfig, ConfigError> {
        let mut comms = CommsConfig::default();
        if let Some(domains) = self.internal_domains {
            comms.internal_domains = domains
                .iter()
                .map(|d| domain(d))
                .collect::<Result<_, _>>()?;
        }
        comms.approver_roles = match self.approver_roles {
            Some(keys) => keys
                .iter()
                .map(|key| {
                    catalog
                        .role(key.trim())
                        .map(|r| r.key.clone())
                        .ok_or_else(|| {
                            err(
                                &format!("{KEY}.approver_roles)"),
                                format!("`{key}` is not a configured role"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
            // The built-in approvers, as far as the configured roles still have them.
            None => comms
                .approver_roles
                .into_iter()
                .filter(|key| catalog.role(key.as_str()).is_some())
                .collect(),
        };
        if comms.approver_roles.is_empty() {
            return Err(err(
                &format!("{KEY}.approver_roles)"),
                "name at least one configured role whose holders approve client-safe summaries",
            ));
        }
        if let Some(channel) = self.external_channel {
            let channel = channel.trim().to_owned();
            if !channel.starts_with(['C', 'G'])
                || !channel.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(err(
                    &format!("{KEY}.external_channel)"),
                    "must be a channel ID such as C0123456789 (not a #name)",
                ));
            }
            comms.external_channel = Some(channel);
        }
        Ok(comms)
    }
}

/// A domain as the lint compares it: lower case, without leading or trailing dots.
fn domain(written: &str) -> Result<String, ConfigError> {
    let d = written.trim().trim_matches('.').to_ascii_lowercase();
    let valid = !d.is_empty()
        && !d.contains("..")
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if valid {
        Ok(d)
    } else {
        Err(err(
            &format!("{KEY}.internal_domains)"),
            format!("`{written}` is not a domain such as \"corp.example.com\" or \"internal\""),
        ))
    }
}
