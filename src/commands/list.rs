//! `/incident list` → the open incidents, newest first, each linked to its card.

use super::{Reply, View, read_failure};
use crate::{context::Context, store};

/// How many incidents one answer lists.
const LIMIT: i64 = 25;

/// Lists open incidents.
pub async fn run(state: &Context) -> Reply {
    let found = state
        .deadline
        .run(store::incidents::find_open(&state.pool, LIMIT))
        .await;
    match found {
        Ok(incidents) => Reply::Show(View::List(incidents)),
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}
