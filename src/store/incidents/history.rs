//! Past incidents: the newest of one status, all of them, the drills, and full-text search over
//! what was said about them. Drills are left out of everything but their own list.

use super::IncidentRow;
use crate::incident::{Incident, Status, Triage, review::ReviewNotes, update::StructuredUpdate};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, types::Json};
use std::collections::BTreeMap;

/// The newest incidents of one status (resolved or closed, say), newest first; no drills.
#[tracing::instrument(skip_all, fields(incident.status = status.as_str()))]
pub async fn find_by_status(
    pool: &PgPool,
    status: Status,
    limit: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE status = $1 AND NOT drill
         ORDER BY declared_at DESC, id DESC LIMIT $2"#,
        status.as_str(),
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// The newest incidents whatever their status, cancelled ones included; no drills.
#[tracing::instrument(skip_all)]
pub async fn find_all(pool: &PgPool, limit: i64) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE NOT drill
         ORDER BY declared_at DESC, id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// The newest drills whatever their status, through their partial index.
#[tracing::instrument(skip_all)]
pub async fn find_drills(pool: &PgPool, limit: i64) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE drill
         ORDER BY declared_at DESC, id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// One page of what a search matched.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// False when the words held nothing to search for: only punctuation, or only words so
    /// common that the search leaves them out ("the", "and").
    pub searchable: bool,
    /// How many incidents matched in all.
    pub total: usize,
    /// The page asked for, newest first.
    pub incidents: Vec<Incident>,
}

/// Incidents whose title or impact statement, structured updates (impact and current action) or
/// notes match `words`, each once, newest first: `limit` of them after skipping `offset`, and how
/// many matched in all. Cancelled incidents match like any other; drills never do.
///
/// `words` are read as a web search box reads them (`websearch_to_tsquery`): every word must
/// appear, `"a phrase"` in that order, `-word` not at all, `or` between alternatives. It never
/// fails on what someone typed: words that leave nothing to search for match nothing.
///
/// The `english` configuration stems words, so "fail" finds "failing" and "failures", and drops
/// stop words. The text searched is English (written by responders, in an English-language
/// product); `simple` would make people guess each word's exact form. Every `to_tsvector(…)` here
/// is written exactly as an index in `migrations/20261203000002_search_incidents.sql`, so that
/// Postgres reads those indexes instead of every incident and timeline entry: change both or
/// neither.
#[tracing::instrument(skip_all)]
pub async fn search_incidents(
    pool: &PgPool,
    words: &str,
    offset: u32,
    limit: u32,
) -> Result<SearchPage, sqlx::Error> {
    // The page, as bounds of the (1-based) array of every match's ID.
    let first = i32::try_from(offset).unwrap_or(i32::MAX).saturating_add(1);
    let last = first.saturating_add(i32::try_from(limit).unwrap_or(i32::MAX) - 1);
    // One row whatever matched (an aggregate), so the total is known even past the last page.
    let matched = sqlx::query!(
        r#"WITH query AS (SELECT websearch_to_tsquery('english', $1) AS q),
           matched AS (
                   SELECT incidents.id FROM incidents, query
                   WHERE to_tsvector('english', title || ' ' || coalesce(impact, '')) @@ query.q
               UNION
                   SELECT incident_id FROM timeline_entries, query
                   WHERE kind = 'update_posted'
                     AND to_tsvector('english',
                           coalesce(details #>> '{update,impact}', '') || ' ' || coalesce(details #>> '{update,current_action}', ''))
                         @@ query.q
               UNION
                   SELECT incident_id FROM timeline_entries, query
                   WHERE kind = 'note' AND to_tsvector('english', coalesce(details ->> 'text', '')) @@ query.q
           )
           SELECT (SELECT numnode(q) FROM query) AS "terms!",
                  count(*) AS "total!",
                  coalesce((array_agg(incidents.id ORDER BY incidents.declared_at DESC, incidents.id DESC))[$2:$3], '{}')
                      AS "page!"
           FROM matched JOIN incidents ON incidents.id = matched.id
           WHERE NOT incidents.drill"#,
        words,
        first,
        last,
    )
    .fetch_one(pool)
    .await?;
    let incidents = if matched.page.is_empty() {
        Vec::new()
    } else {
        find_by_ids(pool, &matched.page).await?
    };
    Ok(SearchPage {
        searchable: matched.terms > 0,
        total: usize::try_from(matched.total).unwrap_or(0),
        incidents,
    })
}

/// The incidents with these IDs, newest first.
async fn find_by_ids(pool: &PgPool, ids: &[String]) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE id = ANY($1)
         ORDER BY declared_at DESC, id DESC"#,
        ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// What the web view's list asks for; every criterion is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A stored status spelling.
    pub status: Option<String>,
    /// A severity name.
    pub severity: Option<String>,
    /// An incident type's key.
    pub incident_type: Option<String>,
    /// Declared at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Declared before this moment.
    pub until: Option<DateTime<Utc>>,
}

/// The newest incidents matching `filter`, drills included (they are marked where shown).
#[tracing::instrument(skip_all)]
pub async fn find_filtered(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents
         WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR severity = $2)
           AND ($3::text IS NULL OR incident_type = $3)
           AND ($4::timestamptz IS NULL OR declared_at >= $4) AND ($5::timestamptz IS NULL OR declared_at < $5)
         ORDER BY declared_at DESC, id DESC LIMIT $6"#,
        filter.status.as_deref(),
        filter.severity.as_deref(),
        filter.incident_type.as_deref(),
        filter.from,
        filter.until,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}
