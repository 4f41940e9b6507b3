//! Who may see restricted incidents: the members of the restricted channel, read with
//! `conversations.members` (every page) and kept for a minute, so a burst of commands costs one
//! read; and the start-up check that the restricted channel is private (`conversations.info`).

use super::outbound::{SlackApi, SlackFailure};
use serde_json::Value;
use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};

/// How long a read of the members is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Pages read at most (1,000 members each).
const MAX_PAGES: usize = 50;

/// The restricted channel's members, read when first needed and again once a minute old.
#[derive(Debug, Default)]
pub struct Members {
    /// The last read and when it was made. Held across a read, so callers arriving meanwhile
    /// wait for it instead of starting reads of their own.
    last: tokio::sync::Mutex<Option<(Instant, Arc<HashSet<String>>)>>,
}

impl Members {
    /// Whether `user` is a member of `channel`, as of at most [`FRESH_FOR`] ago.
    pub async fn contains(
        &self,
        slack: &SlackApi,
        channel: &str,
        user: &str,
    ) -> Result<bool, SlackFailure> {
        let mut last = self.last.lock().await;
        if let Some((at, members)) = &*last
            && at.elapsed() < FRESH_FOR
        {
            return Ok(members.contains(user));
        }
        let members = Arc::new(read(slack, channel).await?);
        *last = Some((Instant::now(), Arc::clone(&members)));
        Ok(members.contains(user))
    }
}

/// Every member of `channel`, page after page.
async fn read(slack: &SlackApi, channel: &str) -> Result<HashSet<String>, SlackFailure> {
    let mut members = HashSet::new();
    let mut cursor = String::new();
    for _ in 0..MAX_PAGES {
        let mut query = vec![("channel", channel), ("limit", "1000")];
        if !cursor.is_empty() {
            query.push(("cursor", cursor.as_str()));
        }
        let answer = slack.get("conversations.members", &query).await?;
        members.extend(
            answer["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
        cursor = answer["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    Ok(members)
}

/// Why the restricted channel cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NotPrivate {
    #[error(
        "WARROOM_CONFIG (restricted.channel): {0} is not a private channel; restricted incidents must not be posted where anyone can read them"
    )]
    Public(String),
    #[error(
        "WARROOM_CONFIG (restricted.channel): Slack does not let warroom see {0}: `{1}` (invite the bot to the channel)"
    )]
    Refused(String, String),
}

/// Checks at start-up that `channel` is private. A channel Slack says is public, or refuses to
/// show, stops start-up; a Slack that cannot be reached only delays the check's verdict to a
/// warning, so warroom can still start during Slack's own outages.
pub async fn check_private(slack: &SlackApi, channel: &str) -> Result<(), NotPrivate> {
    match slack
        .get("conversations.info", &[("channel", channel)])
        .await
    {
        Ok(answer) if answer["channel"]["is_private"] == Value::Bool(true) => Ok(()),
        Ok(_) => Err(NotPrivate::Public(channel.to_owned())),
        Err(SlackFailure::Permanent(code)) => Err(NotPrivate::Refused(channel.to_owned(), code)),
        Err(e) => {
            tracing::warn!(reason = %e, "could not check that the restricted channel is private");
            Ok(())
        }
    }
}
