//! The stats report as plain text: a heading, a table per severity, then breach notifications,
//! reviews and corrective actions. The same figures as the JSON, rounded for reading.
//!
//! ```text
//! Incident metrics — the last 30 days
//! Incidents declared from 2026-11-03 10:00 to 2026-12-03 10:00 UTC; cancelled ones left out.
//!
//! SEV-1: 3 incidents
//!   metric  reached  mean    p50     p90     target  met
//!   MTTA    3        4m 2s   2m      10m     15m     2 of 3 (66.7 %)
//! ```

use crate::incident::stats::{
    Compliance, Figure, Metric, SeverityStats, StatsReport, short_duration, window,
};
use std::fmt::Write;

/// The whole report, ending with a newline.
pub fn report(report: &StatsReport) -> String {
    let period = &report.period;
    let mut out = String::new();
    let _ = writeln!(out, "Incident metrics — {}", period.describe());
    let _ = writeln!(
        out,
        "Incidents declared from {} to {} UTC; cancelled ones left out.\n\
         A target is met when reached within it; an incident still inside its target is not \
         counted yet, one past it without getting there has missed it.",
        period.from.format("%Y-%m-%d %H:%M"),
        period.to.format("%Y-%m-%d %H:%M"),
    );
    for stats in &report.severities {
        out.push('\n');
        severity(&mut out, stats);
    }
    let breach = &report.breach_notification;
    let _ = writeln!(
        out,
        "\nBreach notifications within {} of discovery: {}",
        window(breach.window_seconds),
        compliance(&breach.compliance, "still inside the window")
    );
    let told = &report.customer_notification;
    let _ = writeln!(
        out,
        "Customers told of an outage unresolved after {} within {} of its declaration: {}",
        window(told.outage_after_seconds),
        window(told.outage_within_seconds),
        compliance(&told.outage, "still inside the window")
    );
    let _ = writeln!(
        out,
        "Customers told of a breach within {} of discovery: {}",
        window(told.breach_within_seconds),
        compliance(&told.breach, "still inside the window")
    );
    let _ = writeln!(
        out,
        "Post-incident reviews completed by their due date: {}",
        compliance(&report.review_completion, "not due yet")
    );
    let actions = &report.corrective_actions;
    let _ = writeln!(
        out,
        "Corrective actions of these incidents: {} open, {} overdue (due before {}, {})",
        actions.open, actions.overdue, actions.today, actions.timezone
    );
    out
}

fn severity(out: &mut String, stats: &SeverityStats) {
    match stats.incidents {
        0 => {
            let _ = writeln!(out, "{}: no incidents", stats.severity);
            return;
        }
        1 => {
            let _ = writeln!(out, "{}: 1 incident", stats.severity);
        }
        n => {
            let _ = writeln!(out, "{}: {n} incidents", stats.severity);
        }
    }
    let _ = writeln!(
        out,
        "  {:<7} {:<8} {:<8} {:<8} {:<8} {:<7} met",
        "metric", "reached", "mean", "p50", "p90", "target"
    );
    for metric in Metric::ALL {
        let f = stats.figure(metric);
        let time = |s: Option<f64>| s.map_or_else(|| "-".to_owned(), short_duration);
        let _ = writeln!(
            out,
            "  {:<7} {:<8} {:<8} {:<8} {:<8} {:<7} {}",
            metric.abbreviation(),
            f.reached,
            time(f.mean_seconds),
            time(f.p50_seconds),
            time(f.p90_seconds),
            f.target_seconds
                .map_or_else(|| "-".to_owned(), |t| short_duration(t as f64)),
            met(f, stats.incidents)
        );
    }
}

/// `2 of 3 (66.7 %), 1 still inside it`, or `-` without a target.
fn met(f: &Figure, incidents: u64) -> String {
    if f.target_seconds.is_none() {
        return "-".to_owned();
    }
    let decided = f.met + f.missed;
    let inside = incidents.saturating_sub(decided);
    if decided == 0 {
        return format!("{inside} still inside it");
    }
    let mut text = format!("{} of {decided}", f.met);
    if let Some(p) = f.met_percent {
        let _ = write!(text, " ({})", percent(p));
    }
    if inside > 0 {
        let _ = write!(text, ", {inside} still inside it");
    }
    text
}

fn compliance(c: &Compliance, pending: &str) -> String {
    if c.incidents == 0 {
        return "none in the period".to_owned();
    }
    let mut text = format!("{} of {}", c.met, c.met + c.missed);
    if let Some(p) = c.met_percent {
        let _ = write!(text, " ({})", percent(p));
    }
    if c.pending > 0 {
        let _ = write!(text, ", {} {pending}", c.pending);
    }
    text
}

fn percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}
