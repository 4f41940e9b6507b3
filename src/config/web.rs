//! The web view's settings: Sign in with Slack (`SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET`), the
//! address people reach warroom at (`WARROOM_PUBLIC_URL`) and where Slack's OpenID pages are
//! (`SLACK_OPENID_URL`). Without a client id the web view is off.

use super::{ConfigError, Secret, err};
use std::time::Duration;

/// Default base of Slack's OpenID authorize page and keys.
pub const DEFAULT_OPENID_URL: &str = "https://slack.com";

/// How long a web session lasts before its holder signs in again.
pub(super) const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Sign in with Slack, for the web view.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where people reach warroom, without a trailing slash (`https://warroom.example.com`);
    /// the sign-in's redirect URL is `{public_url}/auth/callback`.
    pub public_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Base of `/openid/connect/authorize` and `/openid/connect/keys`, without a trailing slash.
    pub openid_url: String,
    /// How long a session lasts.
    pub session_lifetime: Duration,
}

fn http_url(variable: &str, url: &str) -> Result<String, ConfigError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(err(variable, "must be an http:// or https:// URL"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The web view's settings, or `None` when `SLACK_CLIENT_ID` is not set.
pub(super) fn read(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<WebConfig>, ConfigError> {
    let Some(client_id) = get("SLACK_CLIENT_ID") else {
        return Ok(None);
    };
    let client_secret = get("SLACK_CLIENT_SECRET").ok_or_else(|| {
        err(
            "SLACK_CLIENT_SECRET",
            "is required when SLACK_CLIENT_ID is set (the web view's Sign in with Slack)",
        )
    })?;
    let public_url = get("WARROOM_PUBLIC_URL").ok_or_else(|| {
        err(
            "WARROOM_PUBLIC_URL",
            "is required when SLACK_CLIENT_ID is set: the address people open the web view at, e.g. https://warroom.example.com",
        )
    })?;
    let openid_url = get("SLACK_OPENID_URL").unwrap_or_else(|| DEFAULT_OPENID_URL.to_owned());
    Ok(Some(WebConfig {
        public_url: http_url("WARROOM_PUBLIC_URL", &public_url)?,
        client_id,
        client_secret: Secret::new(client_secret),
        openid_url: http_url("SLACK_OPENID_URL", &openid_url)?,
        session_lifetime: SESSION_LIFETIME,
    }))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn config(extra: &[(&str, &str)]) -> Result<Config, crate::config::ConfigError> {
        let base = [
            ("SLACK_BOT_TOKEN", "xoxb-1-abc"),
            ("SLACK_SIGNING_SECRET", "s3cr3t-value"),
            ("WARROOM_INCIDENT_CHANNEL", "C0INCIDENTS"),
        ];
        Config::from_lookup(|k| {
            base.iter()
                .chain(extra)
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_web_view_is_off_without_a_client_id_and_on_with_its_three_settings() {
        let off = config(&[]).unwrap();
        assert!(off.web.is_none() && off.process.web_view_url.is_none());
        let on = config(&[
            ("SLACK_CLIENT_ID", "123.456"),
            ("SLACK_CLIENT_SECRET", "client-s3cret"),
            ("WARROOM_PUBLIC_URL", "https://warroom.example.com/"),
        ])
        .unwrap();
        let web = on.web.as_ref().unwrap();
        assert_eq!(web.public_url, "https://warroom.example.com");
        assert_eq!(web.openid_url, super::DEFAULT_OPENID_URL);
        assert_eq!(
            on.process.web_view_url.as_deref(),
            Some("https://warroom.example.com")
        );
        assert!(!format!("{on:?}").contains("client-s3cret"));
    }

    #[test]
    fn a_client_id_without_its_secret_or_public_url_names_what_is_missing() {
        let no_secret = config(&[
            ("SLACK_CLIENT_ID", "1"),
            ("WARROOM_PUBLIC_URL", "https://w.example"),
        ]);
        assert!(
            no_secret
                .unwrap_err()
                .to_string()
                .starts_with("SLACK_CLIENT_SECRET:")
        );
        let no_url = config(&[("SLACK_CLIENT_ID", "1"), ("SLACK_CLIENT_SECRET", "s")]);
        assert!(
            no_url
                .unwrap_err()
                .to_string()
                .starts_with("WARROOM_PUBLIC_URL:")
        );
        let bad = config(&[
            ("SLACK_CLIENT_ID", "1"),
            ("SLACK_CLIENT_SECRET", "s"),
            ("WARROOM_PUBLIC_URL", "https://w.example"),
            ("SLACK_OPENID_URL", "slack.com"),
        ]);
        assert!(
            bad.unwrap_err()
                .to_string()
                .starts_with("SLACK_OPENID_URL:")
        );
    }
}
