//! What a use case needs and nothing more: the configuration, the request pool, the clock and
//! the counters. Commands take a [`Context`]; they never see Slack's client, so they cannot call
//! Slack — they return what should be said and the edge says it.

use crate::{clock::Clock, config::Config, metrics::Metrics, store::Deadline};
use sqlx::PgPool;
use std::{sync::Arc, time::Instant};

/// Cheap to clone: one per request, sharing everything but its deadline.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    /// The pool Slack's requests use.
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// When the database work must be done by; every statement a use case runs goes through it.
    pub deadline: Deadline,
    /// Rings this replica's delivery loop: a declaration wakes it here, in the process, instead
    /// of with a `NOTIFY` (other replicas find the rows on their next look).
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

impl Context {
    /// The context of a request that arrived at `received`: its database work shares one
    /// deadline, `database.request_deadline` after that.
    pub fn for_request(&self, received: Instant) -> Context {
        Context {
            deadline: Deadline::for_request(received, self.config.process.request_deadline),
            ..self.clone()
        }
    }
}
