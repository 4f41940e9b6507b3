//! `/stats`: the same figures as `/incident stats` and `warroom stats` for a period (`?period=30d`
//! or `?period=2026-11-01..2026-11-30`; the last 30 days by default; anything else is a 400), then
//! charts of the last twelve weeks (Monday to Sunday, UTC), each week computed by the same report:
//! MTTA and MTTR per severity, incidents per severity, and corrective actions open and overdue.

use super::{
    Web, auth,
    chart::{self, Series},
    page::{PageError, html_page, layout, param, params},
};
use crate::{
    cli, commands,
    incident::stats::{SeverityStats, StatsRange, StatsReport},
};
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{Datelike, Days, NaiveDate};
use maud::{Markup, html};

/// How many weeks the charts show.
const WEEKS: u64 = 12;

/// The stats page; `?period=` as `/incident stats` takes it.
pub(super) async fn page(
    State(web): State<Web>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let viewer = match auth::require_with_query(&web, &headers, "/stats", query.as_deref()).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let period = match params(query.as_deref()) {
        Ok(p) => param(&p, "period").unwrap_or_default(),
        Err(e) => return e.into_response(),
    };
    let range = match StatsRange::parse(&period) {
        Ok(range) => range,
        Err(e) => return PageError::bad_request("Malformed period", e.to_string()).into_response(),
    };
    match render(&web, range).await {
        Ok(body) => html_page(StatusCode::OK, layout("Stats", viewer.signed_in(), body)),
        Err(e) => e.into_response(),
    }
}

/// The Monday of the week `day` is in.
fn monday(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

fn minutes(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| s / 60.0)
}

async fn render(web: &Web, range: StatsRange) -> Result<Markup, PageError> {
    let (pool, process) = (&web.app.pool, &web.app.config.process);
    let now = web.app.clock.now();
    let report = commands::stats::report(pool, process, range, now).await?;
    let first = monday(now.date_naive()) - Days::new(7 * (WEEKS - 1));
    let mut weeks: Vec<(NaiveDate, StatsReport)> = Vec::new();
    for n in 0..WEEKS {
        let start = first + Days::new(7 * n);
        let range = StatsRange::Dates {
            first: start,
            last: start + Days::new(6),
        };
        weeks.push((
            start,
            commands::stats::report(pool, process, range, now).await?,
        ));
    }
    let labels: Vec<String> = weeks
        .iter()
        .map(|(d, _)| d.format("%b %d").to_string())
        .collect();
    let severities: Vec<String> = report
        .severities
        .iter()
        .map(|s| s.severity.clone())
        .collect();
    let per_severity = |value: &dyn Fn(&SeverityStats) -> Option<f64>| -> Vec<Series> {
        severities
            .iter()
            .map(|name| Series {
                name: name.clone(),
                values: weeks
                    .iter()
                    .map(|(_, w)| {
                        w.severities
                            .iter()
                            .find(|s| &s.severity == name)
                            .and_then(value)
                    })
                    .collect(),
            })
            .collect()
    };
    let mtta = per_severity(&|s| minutes(s.mtta.mean_seconds));
    let mttr = per_severity(&|s| minutes(s.mttr.mean_seconds).map(|m| m / 60.0));
    let declared = per_severity(&|s| Some(s.incidents as f64));
    let actions = vec![
        Series {
            name: "Open".into(),
            values: weeks
                .iter()
                .map(|(_, w)| Some(w.corrective_actions.open as f64))
                .collect(),
        },
        Series {
            name: "Overdue".into(),
            values: weeks
                .iter()
                .map(|(_, w)| Some(w.corrective_actions.overdue as f64))
                .collect(),
        },
    ];
    Ok(html! {
        h1 { "Stats" }
        form id="period" class="filters" method="get" action="/stats" {
            label { "Period " input type="text" name="period" value=(report.period.asked) placeholder="30d or 2026-11-01..2026-11-30"; }
            button type="submit" { "Show" }
        }
        h2 { "Figures for " (report.period.describe()) }
        table id="figures-table" {
            thead { tr { th { "Severity" } th { "Incidents" } th { "MTTA (mean)" } th { "MTTA met" } th { "MTTR (mean)" } th { "MTTR met" } } }
            tbody { @for s in &report.severities { tr {
                td { (s.severity) } td { (s.incidents) }
                td { (duration(s.mtta.mean_seconds)) } td { (percent(s.mtta.met_percent)) }
                td { (duration(s.mttr.mean_seconds)) } td { (percent(s.mttr.met_percent)) }
            } } }
        }
        pre id="figures" { (cli::stats::render(&report, cli::stats::Format::Text)) }
        h2 { "The last " (WEEKS) " weeks" }
        p class="note" { "Each week counts the incidents declared in it (Monday to Sunday, UTC); drills are left out." }
        (chart::lines("chart-mtta", "MTTA per severity, by week (mean, minutes)", "min", &labels, &mtta))
        (chart::lines("chart-mttr", "MTTR per severity, by week (mean, hours)", "h", &labels, &mttr))
        (chart::bars("chart-incidents", "Incidents per week by severity", "incidents", &labels, &declared))
        (chart::bars("chart-actions", "Corrective actions of each week's incidents: open and overdue", "actions", &labels, &actions))
    })
}

fn duration(seconds: Option<f64>) -> String {
    match seconds {
        None => "—".to_owned(),
        Some(s) if s < 3600.0 => format!("{:.0} min", s / 60.0),
        Some(s) => format!("{:.1} h", s / 3600.0),
    }
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{p:.0}%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            monday(wednesday),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(monday(monday(wednesday)), monday(wednesday));
    }
}
