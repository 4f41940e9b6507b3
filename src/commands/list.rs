//! `/incident list` → incidents, newest first, each linked to its card.
//!
//! ```text
//! /incident list              → open incidents (not resolved, closed or cancelled)
//! /incident list resolved     → resolved incidents not closed yet
//! /incident list closed       → closed incidents
//! /incident list all          → every incident, cancelled ones said to be cancelled
//! /incident list drills       → drills (tabletop exercises), whatever their status
//! /incident list frobnicated  → which lists there are
//! ```
//! Drills are listed only by `list drills`: the other lists are of real incidents.

use super::{Invocation, Reply, View, read_failure};
use crate::{
    context::Context,
    incident::Status,
    store::incidents::{find_all, find_by_status, find_drills, find_open},
};

/// How many incidents one answer lists.
const LIMIT: usize = 25;

/// Which incidents `/incident list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Still being worked on: not resolved, closed or cancelled.
    Open,
    /// Resolved and not closed yet.
    Resolved,
    /// Closed, after the closure checklist.
    Closed,
    /// Every incident, cancelled ones included.
    All,
    /// Drills, whatever their status.
    Drills,
}

impl Scope {
    /// Every scope, the default first.
    pub const ALL: [Scope; 5] = [
        Scope::Open,
        Scope::Resolved,
        Scope::Closed,
        Scope::All,
        Scope::Drills,
    ];

    /// The word that asks for it after `list`.
    pub fn word(self) -> &'static str {
        match self {
            Scope::Open => "open",
            Scope::Resolved => "resolved",
            Scope::Closed => "closed",
            Scope::All => "all",
            Scope::Drills => "drills",
        }
    }

    /// Reads what follows `list`: nothing (open), or one scope's word in any case. Anything else
    /// comes back as it was typed, to be explained rather than guessed at.
    pub fn parse(rest: &str) -> Result<Scope, &str> {
        let rest = rest.trim();
        if rest.is_empty() {
            return Ok(Scope::Open);
        }
        Scope::ALL
            .into_iter()
            .find(|s| s.word().eq_ignore_ascii_case(rest))
            .ok_or(rest)
    }
}

/// Lists the newest incidents in `scope`.
pub async fn run(state: &Context, inv: &Invocation, scope: Scope) -> Reply {
    // One more than is shown, to tell whether older ones were left out.
    let fetch = i64::try_from(LIMIT + 1).unwrap_or(i64::MAX);
    let (pool, deadline) = (&state.pool, &state.deadline);
    let found = match scope {
        Scope::Open => deadline.run(find_open(pool, fetch, false)).await,
        Scope::Resolved => {
            deadline
                .run(find_by_status(pool, Status::Resolved, fetch))
                .await
        }
        Scope::Closed => {
            deadline
                .run(find_by_status(pool, Status::Closed, fetch))
                .await
        }
        Scope::All => deadline.run(find_all(pool, fetch)).await,
        Scope::Drills => deadline.run(find_drills(pool, fetch)).await,
    };
    match found {
        Ok(mut incidents) => {
            let more = incidents.len() > LIMIT;
            incidents.truncate(LIMIT);
            let hidden = super::hide_restricted(&mut incidents, inv);
            Reply::Show(View::List {
                scope,
                incidents,
                more,
                hidden,
            })
        }
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}
