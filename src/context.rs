//! What a use case needs and nothing more: the configuration, the request pool, the clock and
//! the counters. Commands take a [`Context`]; they never see Slack's client, so they cannot call
//! Slack — they return what should be said and the edge says it.

use crate::{clock::Clock, config::Config, metrics::Metrics};
use sqlx::PgPool;
use std::sync::Arc;

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    /// The pool Slack's requests use.
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
}
