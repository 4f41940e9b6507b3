//! `/incident search` → incidents whose title, impact statement, structured updates or notes
//! mention the words, newest first, each linked to its card.
//!
//! ```text
//! /incident search payments timeout          → the newest 20 matches, and how many matched in all
//! /incident search payments timeout page 2   → the next 20
//! /incident search "connection pool" -redis  → a phrase, and leaving a word out
//! /incident search                           → how to search
//! /incident search ???                       → nothing in that to search for
//! ```

use super::{Invocation, Reply, View, read_failure};
use crate::{context::Context, delivery::Answer, store};

/// How many matches one answer shows.
pub const PAGE_SIZE: u32 = 20;

/// What to search for, and which page of the matches to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// As typed, for Postgres to read as a web search box would.
    pub words: &'a str,
    /// Which page of matches, from 1.
    pub page: u32,
}

impl<'a> Query<'a> {
    /// Reads `<words> [page N]`; `None` when there are no words. `page N` at the end asks for a
    /// later page only after some words (`search page 2` looks for "page" and "2"), and only for
    /// a whole number from 1.
    pub fn parse(rest: &'a str) -> Option<Query<'a>> {
        let rest = rest.trim();
        let paged = rest
            .rsplit_once(char::is_whitespace)
            .and_then(|(before, n)| {
                let page = n.parse::<u32>().ok().filter(|n| *n >= 1)?;
                let (words, keyword) = before.trim_end().rsplit_once(char::is_whitespace)?;
                keyword.eq_ignore_ascii_case("page").then(|| Query {
                    words: words.trim_end(),
                    page,
                })
            });
        let query = paged.unwrap_or(Query {
            words: rest,
            page: 1,
        });
        (!query.words.is_empty()).then_some(query)
    }
}

/// Searches, or says how to when there is nothing to search for.
pub async fn run(state: &Context, inv: &Invocation, query: Option<Query<'_>>) -> Reply {
    let Some(Query { words, page }) = query else {
        return Reply::Say(Answer::SearchNeedsWords);
    };
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let found = (state.deadline)
        .run(store::incidents::search_incidents(
            &state.pool,
            words,
            offset,
            PAGE_SIZE,
        ))
        .await;
    match found {
        Ok(found) if !found.searchable => Reply::Say(Answer::NothingToSearchFor {
            words: words.to_owned(),
        }),
        Ok(mut found) => Reply::Show(View::Found {
            words: words.to_owned(),
            page,
            per_page: PAGE_SIZE,
            total: found.total,
            hidden: super::hide_restricted(&mut found.incidents, inv),
            incidents: found.incidents,
        }),
        Err(e) => Reply::Say(read_failure(state, e)),
    }
}
