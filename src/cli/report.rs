//! `warroom report INC-…`: the post-incident report of one incident, printed as Markdown (the
//! same document `/incident report` uploads into the thread) or as JSON. It reads
//! `DATABASE_URL` and `WARROOM_CONFIG` only.
//!
//! The JSON is the report's stable shape: snake_case keys, times in RFC 3339 UTC, durations in
//! seconds, `null` for anything not known yet (which the Markdown writes "Under Review"), and each
//! timeline entry as its stored `kind` and `details`.

use crate::{
    config::ReportConfig,
    incident::{IncidentId, report::Report},
    markdown, store,
};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The document, as uploaded into the incident's thread.
    #[default]
    Markdown,
    /// One JSON document, for scripts and archives.
    Json,
}

/// `warroom report`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The incident, e.g. INC-20261124-001.
    pub incident: String,
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
}

impl ReportArgs {
    /// The incident named, or what is wrong with the name.
    pub fn incident(&self) -> Result<IncidentId, String> {
        IncidentId::parse(&self.incident).ok_or_else(|| {
            format!(
                "`{}` is not an incident ID such as INC-20261124-001",
                self.incident.chars().take(40).collect::<String>()
            )
        })
    }
}

/// The report of `id` from the database `config` names; `None` when there is no such incident.
pub async fn report(config: &ReportConfig, id: &IncidentId) -> anyhow::Result<Option<Report>> {
    let pool = store::connect_for_reports(&config.database_url).await?;
    let report = store::report::find_report(&pool, id).await;
    pool.close().await;
    Ok(report?)
}

/// The report as `format` asks, ending with a newline.
pub fn render(report: &Report, format: Format, config: &ReportConfig) -> String {
    match format {
        Format::Markdown => markdown::report(report, &config.process.catalog),
        Format::Json => {
            // The report holds only strings, numbers, dates and JSON: it always serialises.
            let mut json = serde_json::to_string_pretty(report).unwrap_or_default();
            json.push('\n');
            json
        }
    }
}
