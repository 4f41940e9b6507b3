//! `warroom stats`: the same report as `/incident stats`, printed on the command line as text or
//! as JSON (a stable shape: snake_case keys, durations in seconds, percentages from 0 to 100 or
//! null). It reads `DATABASE_URL` and `WARROOM_CONFIG` only.

use crate::{
    commands,
    config::ReportConfig,
    incident::stats::{StatsRange, StatsReport},
    store,
};
use chrono::{DateTime, Utc};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Lines for people to read.
    #[default]
    Text,
    /// One JSON document, for scripts and dashboards.
    Json,
}

/// `warroom stats`' arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct StatsArgs {
    /// The last N days up to now, e.g. 7d, 30d, 90d (at most 3650d).
    #[arg(long, value_name = "Nd", conflicts_with = "range")]
    pub since: Option<String>,
    /// Whole days in UTC, both included, e.g. 2026-11-01..2026-11-30 (at most ten years).
    #[arg(long, value_name = "YYYY-MM-DD..YYYY-MM-DD")]
    pub range: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl StatsArgs {
    /// The period asked for: the last 30 days unless `--since` or `--range` says otherwise. An
    /// error names the option and says what is wrong with it.
    pub fn range(&self) -> Result<StatsRange, String> {
        match (&self.since, &self.range) {
            (Some(since), _) => match StatsRange::parse(since) {
                Ok(range @ StatsRange::LastDays(_)) => Ok(range),
                Ok(StatsRange::Dates { .. }) => {
                    Err("--since takes a number of days such as 30d; give dates with --range".into())
                }
                Err(e) => Err(format!("--since: {e}")),
            },
            (None, Some(range)) => match StatsRange::parse(range) {
                Ok(range @ StatsRange::Dates { .. }) => Ok(range),
                Ok(StatsRange::LastDays(_)) => Err(
                    "--range takes two dates such as 2026-11-01..2026-11-30; give days with --since"
                        .into(),
                ),
                Err(e) => Err(format!("--range: {e}")),
            },
            (None, None) => Ok(StatsRange::default()),
        }
    }
}

/// The report of `range` as of `now`, from the database `config` names.
pub async fn report(
    config: &ReportConfig,
    range: StatsRange,
    now: DateTime<Utc>,
) -> anyhow::Result<StatsReport> {
    let pool = store::connect_for_reports(&config.database_url).await?;
    let report = commands::stats::report(&pool, &config.process, range, now).await;
    pool.close().await;
    Ok(report?)
}

/// The report as `format` asks, ending with a newline.
pub fn render(report: &StatsReport, format: Format) -> String {
    match format {
        Format::Text => super::text::report(report),
        Format::Json => {
            // The report holds only numbers, strings and dates: it always serialises.
            let mut json = serde_json::to_string_pretty(report).unwrap_or_default();
            json.push('\n');
            json
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(since: Option<&str>, range: Option<&str>) -> StatsArgs {
        StatsArgs {
            since: since.map(str::to_owned),
            range: range.map(str::to_owned),
            format: Format::Text,
        }
    }

    #[test]
    fn the_report_prints_as_text_and_as_json_of_a_stable_shape() {
        let report = crate::incident::stats::example();
        insta::assert_snapshot!("stats_text", render(&report, Format::Text));
        insta::assert_snapshot!("stats_json", render(&report, Format::Json));
    }

    #[test]
    fn since_takes_days_range_takes_dates_and_each_error_names_its_option() {
        assert_eq!(args(None, None).range(), Ok(StatsRange::LastDays(30)));
        assert_eq!(
            args(Some("90d"), None).range(),
            Ok(StatsRange::LastDays(90))
        );
        assert!(matches!(
            args(None, Some("2026-11-01..2026-11-30")).range(),
            Ok(StatsRange::Dates { .. })
        ));
        for (a, option) in [
            (args(Some("2026-11-01..2026-11-30"), None), "--since"),
            (args(Some("banana"), None), "--since"),
            (args(None, Some("30d")), "--range"),
            (args(None, Some("2026-12-01..2026-11-01")), "--range"),
        ] {
            let err = a.range().unwrap_err();
            assert!(err.starts_with(option), "{err}");
        }
    }
}
