//! The state every request handler and background loop shares: the use cases' [`Context`] plus
//! Slack's client, the request verifier and the workers' own pool.

use crate::{
    clock::Clock,
    config::Config,
    context::Context,
    metrics::Metrics,
    slack::{members::Members, outbound::SlackApi, verify::Verifier},
};
use sqlx::PgPool;
use std::{sync::Arc, time::Duration};

/// Everything a request handler or worker needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// What commands see: configuration, the request pool, the clock, the counters.
    pub context: Context,
    /// The delivery and reminder workers' own, smaller pool on the same database: however long
    /// the outbox grows, the workers cannot take the connections Slack's requests need.
    pub worker_pool: PgPool,
    pub slack: SlackApi,
    pub verifier: Option<Verifier>,
    /// Live Socket Mode connections; `None` in HTTP mode.
    pub socket_connections: Option<Arc<std::sync::atomic::AtomicUsize>>,
    /// `/readyz`'s last database check, shared by every listener.
    pub database_probe: Arc<DatabaseProbe>,
    /// When this replica last called Slack for each paced channel.
    pub channel_turns: Arc<ChannelTurns>,
    /// The restricted channel's members, read at most once a minute.
    pub members: Arc<Members>,
}

/// Keeps this replica's calls into one channel a pace apart. A post's slot is taken in the
/// database when it is claimed, and its call leaves a little later; were one call to leave late
/// and the next on time, two posts would reach Slack closer together than the pace.
#[derive(Debug, Default)]
pub struct ChannelTurns(std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>);

impl AppState {
    /// Whether `user`, acting in `channel`, may see restricted incidents: a member of the
    /// restricted channel, there or in a direct message with warroom. Nobody may when no
    /// restricted channel is configured or its members cannot be read.
    pub async fn sees_restricted(&self, user: &str, channel: &str) -> bool {
        let Some(restricted) = &self.config.process.restricted.channel else {
            return false;
        };
        if channel != restricted && !channel.starts_with('D') {
            return false;
        }
        match self.members.contains(&self.slack, restricted, user).await {
            Ok(member) => member,
            Err(e) => {
                tracing::warn!(reason = %e, "could not read the restricted channel's members");
                false
            }
        }
    }
}

impl ChannelTurns {
    /// Takes the next turn to call into `channel`, not before `not_before` (when the post's slot
    /// opens): how long to wait before calling.
    pub fn take(
        &self,
        channel: &str,
        pace: Duration,
        not_before: Option<std::time::Instant>,
    ) -> Duration {
        let now = std::time::Instant::now();
        let earliest = not_before.map_or(now, |at| at.max(now));
        let mut last = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let at = last
            .get(channel)
            .map_or(earliest, |l| (*l + pace).max(earliest));
        last.insert(channel.to_owned(), at);
        at - now
    }
}

/// `/readyz`'s database check, run at most once a second however often (and on however many
/// listeners) readiness is asked: a load balancer or a flood of hits cannot take the request
/// pool's connections from Slack's requests.
#[derive(Debug, Default)]
pub struct DatabaseProbe {
    /// When the last check finished and whether the database answered. Held across the check,
    /// so hits arriving meanwhile wait for its answer instead of starting checks of their own.
    last: tokio::sync::Mutex<Option<(std::time::Instant, bool)>>,
}

impl DatabaseProbe {
    /// How long one check's answer is reused.
    pub const FRESH_FOR: Duration = Duration::from_secs(1);

    /// Whether the database answered a `SELECT 1` within a second, as of at most
    /// [`Self::FRESH_FOR`] ago; counts each real check in `metrics`.
    pub async fn reachable(&self, pool: &PgPool, metrics: &Metrics) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, reachable)) = *last
            && at.elapsed() < Self::FRESH_FOR
        {
            return reachable;
        }
        Metrics::inc(&metrics.readiness_probes);
        let ping = tokio::time::timeout(
            Duration::from_secs(1),
            sqlx::query("SELECT 1").execute(pool),
        )
        .await;
        let reachable = matches!(ping, Ok(Ok(_)));
        *last = Some((std::time::Instant::now(), reachable));
        reachable
    }
}

impl AppState {
    /// State for `config` on an already migrated pool.
    pub fn new(config: Config, pool: PgPool, clock: Arc<dyn Clock>) -> Self {
        let severities = config.process.severities.iter();
        let metrics = Arc::new(Metrics::for_severities(
            severities.map(|(_, l)| l.name.clone()).collect(),
        ));
        let slack = SlackApi::new(
            &config.slack_api_url,
            config.slack_bot_token.clone(),
            config.process.slack_timeout,
            Arc::clone(&metrics),
        )
        .with_app_token(config.slack_app_token.clone());
        let socket_connections = config.slack_app_token.as_ref().map(|_| Arc::default());
        let verifier = config.slack_signing_secret.clone().map(Verifier::new);
        let worker_pool =
            crate::store::worker_pool(&pool, worker_connections(config.process.db_max_connections));
        Self {
            context: Context {
                deadline: crate::store::Deadline::each_call(config.process.request_deadline),
                config: Arc::new(config),
                pool,
                clock,
                metrics,
                outbox_wake: Arc::default(),
            },
            worker_pool,
            slack,
            verifier,
            socket_connections,
            database_probe: Arc::default(),
            channel_turns: Arc::default(),
            members: Arc::default(),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.context
    }
}

/// The workers' pool: a quarter of the request pool's size, but never fewer than their loops
/// need at once — a claim, a lease extension, a scheduler transaction and a delivery's record.
/// (Their `LISTEN` connections are their own, outside it.)
fn worker_connections(request_pool: u32) -> u32 {
    (request_pool / 4).max(4)
}

#[cfg(test)]
mod tests {
    use super::ChannelTurns;
    use std::time::Duration;

    #[test]
    fn calls_into_one_channel_are_spaced_a_pace_apart_and_other_channels_are_not() {
        let turns = ChannelTurns::default();
        let pace = Duration::from_millis(500);
        assert_eq!(turns.take("C1", pace, None), Duration::ZERO);
        let second = turns.take("C1", pace, None);
        assert!(second > Duration::from_millis(400) && second <= pace);
        let third = turns.take("C1", pace, None);
        assert!(
            third > Duration::from_millis(900),
            "after the second's turn"
        );
        assert_eq!(turns.take("C2", pace, None), Duration::ZERO);
    }

    #[test]
    fn a_call_waits_for_its_slot_to_open_and_the_next_keeps_a_pace_after_it() {
        let turns = ChannelTurns::default();
        let pace = Duration::from_millis(500);
        let opens = std::time::Instant::now() + Duration::from_secs(3);
        let first = turns.take("C1", pace, Some(opens));
        assert!(first > Duration::from_millis(2900) && first <= Duration::from_secs(3));
        let next = turns.take("C1", pace, None);
        assert!(next > Duration::from_millis(3400), "{next:?}");
    }
}
