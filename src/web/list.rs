//! `/incidents`: the newest incidents, filtered by status, severity, type, the days they were
//! declared on and words (the same full-text search as `/incident search`). Restricted incidents
//! are listed only for members of the restricted channel; others see how many were left out.
//!
//! ```text
//! /incidents?status=resolved&severity=SEV-1&type=payments&from=2026-11-01&to=2026-11-30&q=timeout
//! /incidents?status=frobnicated   → 400, saying which statuses there are
//! ```

use super::{
    Web, auth,
    page::{PageError, html_page, layout, when},
    session::Viewer,
};
use crate::{
    config::ProcessConfig,
    incident::{Incident, Status},
    store::{self, incidents::Filter},
};
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};

/// How many incidents one page lists.
const LIMIT: usize = 200;

/// The filters as typed, kept to fill the form again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Asked {
    pub(super) status: String,
    pub(super) severity: String,
    pub(super) incident_type: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) words: String,
}

/// Reads the query string; anything malformed is a 400 that says what is wrong.
pub(super) fn parse(
    query: Option<&str>,
    process: &ProcessConfig,
) -> Result<(Asked, Filter), PageError> {
    let malformed = |m: String| PageError::bad_request("Malformed filter", m);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| malformed("The address's query could not be read.".into()))?;
    let mut asked = Asked::default();
    for (key, value) in pairs {
        let value = value.trim().to_owned();
        match key.as_str() {
            "status" => asked.status = value,
            "severity" => asked.severity = value,
            "type" => asked.incident_type = value,
            "from" => asked.from = value,
            "to" => asked.to = value,
            "q" => asked.words = value,
            _ => {}
        }
    }
    let mut filter = Filter::default();
    if !asked.status.is_empty() {
        let status = Status::parse(&asked.status).ok_or_else(|| {
            let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            malformed(format!(
                "There is no status “{}”; the statuses are {}.",
                asked.status,
                known.join(", ")
            ))
        })?;
        filter.status = Some(status.as_str().to_owned());
    }
    if !asked.severity.is_empty() {
        let rank = process.severities.by_name(&asked.severity).ok_or_else(|| {
            let known: Vec<&str> = process
                .severities
                .iter()
                .map(|(_, l)| l.name.as_str())
                .collect();
            malformed(format!(
                "There is no severity “{}”; the severities are {}.",
                asked.severity,
                known.join(", ")
            ))
        })?;
        filter.severity = Some(process.severities.get(rank).name.clone());
    }
    if !asked.incident_type.is_empty() {
        let kind = process
            .catalog
            .incident_type(&asked.incident_type)
            .ok_or_else(|| {
                let known: Vec<&str> = process
                    .catalog
                    .types
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect();
                malformed(format!(
                    "There is no incident type “{}”; the types are {}.",
                    asked.incident_type,
                    known.join(", ")
                ))
            })?;
        filter.incident_type = Some(kind.key.clone());
    }
    let day = |name: &str, text: &str| -> Result<Option<NaiveDate>, PageError> {
        if text.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                malformed(format!(
                    "“{text}” is not a day such as 2026-11-30 ({name})."
                ))
            })
    };
    let (from, to) = (day("from", &asked.from)?, day("to", &asked.to)?);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(malformed(format!(
            "The first day ({from}) is after the last ({to})."
        )));
    }
    filter.from = from.map(start_of);
    filter.until = to.and_then(|d| d.succ_opt()).map(start_of);
    Ok((asked, filter))
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Whether `incident` passes the filter (for search results, which the database did not filter).
fn passes(incident: &Incident, filter: &Filter) -> bool {
    let is =
        |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
    is(&filter.status, Some(incident.status.as_str()))
        && is(&filter.severity, Some(incident.severity.name().as_str()))
        && is(&filter.incident_type, incident.incident_type.as_deref())
        && filter.from.is_none_or(|f| incident.declared_at >= f)
        && filter.until.is_none_or(|u| incident.declared_at < u)
}

/// The list page.
pub(super) async fn page(
    State(web): State<Web>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let viewer =
        match auth::require_with_query(&web, &headers, "/incidents", query.as_deref()).await {
            Ok(viewer) => viewer,
            Err(response) => return response,
        };
    match render(&web, &viewer, query.as_deref()).await {
        Ok(page) => html_page(StatusCode::OK, page),
        Err(e) => e.into_response(),
    }
}

async fn render(web: &Web, viewer: &Viewer, query: Option<&str>) -> Result<Markup, PageError> {
    let process = &web.app.config.process;
    let (asked, filter) = parse(query, process)?;
    let fetch = i64::try_from(LIMIT + 1).unwrap_or(i64::MAX);
    let mut incidents = if asked.words.is_empty() {
        store::incidents::find_filtered(&web.app.pool, &filter, fetch).await?
    } else {
        let found =
            store::incidents::search_incidents(&web.app.pool, &asked.words, 0, 1000).await?;
        found
            .incidents
            .into_iter()
            .filter(|i| passes(i, &filter))
            .collect()
    };
    let before = incidents.len();
    incidents.retain(|i| !i.restricted || viewer.sees_restricted);
    let hidden = before - incidents.len();
    let more = incidents.len() > LIMIT;
    incidents.truncate(LIMIT);
    let body = html! {
        h1 { "Incidents" }
        (form(&asked, process))
        @if incidents.is_empty() {
            p id="no-incidents" { "No incident matches." }
        } @else {
            table id="incidents" {
                thead { tr { th { "Incident" } th { "Title" } th { "Severity" } th { "Status" } th { "Type" } th { "Declared" } } }
                tbody {
                    @for i in &incidents {
                        tr data-incident=(i.id.as_str()) {
                            td { a href={ "/incidents/" (i.id.as_str()) } { (i.id.as_str()) } }
                            td {
                                @if i.drill { span class="drill" { "DRILL" } " " }
                                @if i.restricted { span class="restricted" { "RESTRICTED" } " " }
                                (i.title.as_str())
                            }
                            td { (i.severity.name().as_str()) }
                            td { (i.status.to_string()) }
                            td { (i.incident_type.as_deref().map_or("—", |k| process.catalog.incident_type(k).map_or(k, |t| t.name.as_str()))) }
                            td { (when(i.declared_at)) }
                        }
                    }
                }
            }
        }
        @if more { p class="note" { "Only the newest " (LIMIT) " are listed; narrow the filter to see older ones." } }
        @if hidden > 0 {
            p class="note" id="hidden-restricted" {
                (hidden) " restricted incident" @if hidden > 1 { "s" } " not shown: only members of the restricted channel see them."
            }
        }
    };
    Ok(layout("Incidents", viewer.signed_in(), body))
}

fn form(asked: &Asked, process: &ProcessConfig) -> Markup {
    html! {
        form id="filters" class="filters" method="get" action="/incidents" {
            label { "Status " select name="status" {
                option value="" { "any" }
                @for s in Status::ALL {
                    option value=(s.as_str()) selected[asked.status == s.as_str()] { (s.to_string()) }
                }
            } }
            label { "Severity " select name="severity" {
                option value="" { "any" }
                @for (_, level) in process.severities.iter() {
                    option value=(level.name) selected[asked.severity == level.name] { (level.name) }
                }
            } }
            label { "Type " select name="type" {
                option value="" { "any" }
                @for t in &process.catalog.types {
                    option value=(t.key) selected[asked.incident_type == t.key] { (t.name) }
                }
            } }
            label { "From " input type="date" name="from" value=(asked.from); }
            label { "To " input type="date" name="to" value=(asked.to); }
            label { "Words " input type="search" name="q" value=(asked.words); }
            button type="submit" { "Filter" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_and_malformed_ones_are_refused_with_400() {
        let process = ProcessConfig::default();
        let (asked, filter) = parse(
            Some("status=resolved&severity=SEV-1&from=2026-11-01&to=2026-11-30&q=db"),
            &process,
        )
        .unwrap();
        assert_eq!(filter.status.as_deref(), Some("resolved"));
        assert_eq!(filter.severity.as_deref(), Some("SEV-1"));
        assert_eq!(asked.words, "db");
        assert_eq!(
            filter.until.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        for bad in [
            "status=frobnicated",
            "severity=SEV-9",
            "type=nope",
            "from=yesterday",
            "from=2026-12-01&to=2026-11-01",
        ] {
            let e = parse(Some(bad), &process).unwrap_err();
            assert_eq!(e.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(parse(None, &process).unwrap().1, Filter::default());
    }
}
