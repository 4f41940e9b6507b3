//! `/incident stats` as one person sees it: a heading that says which incidents are counted, a
//! section per severity with its four times beside their targets, and the breach, review and
//! corrective-action figures.

use super::blocks::{FALLBACK_MAX, Message, escape, section};
use crate::incident::{
    stats::{Compliance, Figure, Metric, SeverityStats, StatsReport, short_duration, window},
    truncate_chars,
};

/// Slack takes 50 blocks: the heading and the three closing figures leave this many severities.
const MAX_SEVERITIES: usize = 45;

/// The whole report as a private answer.
pub fn report(report: &StatsReport) -> Message {
    let period = &report.period;
    let heading = format!(
        "*Incident metrics — {}*\nIncidents declared from {} to {} (UTC), cancelled ones left out. \
         A target is met when the incident reached that point within it; one still inside its \
         target is not counted yet, one past it without getting there has missed it.",
        period.describe(),
        period.from.format("%Y-%m-%d %H:%M"),
        period.to.format("%Y-%m-%d %H:%M"),
    );
    let mut blocks = vec![section(&heading)];
    let mut text = vec![heading.replace('*', "")];
    for stats in report.severities.iter().take(MAX_SEVERITIES) {
        let lines = severity(stats);
        blocks.push(section(&lines));
        text.push(lines.replace('*', ""));
    }
    let closing = closing(report);
    blocks.push(section(&closing));
    text.push(closing.replace('*', ""));
    Message {
        text: truncate_chars(&text.join("\n"), FALLBACK_MAX),
        blocks,
    }
}

/// One severity: how many incidents, then a line per time.
fn severity(stats: &SeverityStats) -> String {
    let name = escape(&truncate_chars(&stats.severity, 40));
    let count = match stats.incidents {
        0 => return format!("*{name}* · no incidents"),
        1 => "1 incident".to_owned(),
        n => format!("{n} incidents"),
    };
    let mut lines = vec![format!("*{name}* · {count}")];
    for metric in Metric::ALL {
        lines.push(figure(metric, stats.figure(metric), stats.incidents));
    }
    lines.join("\n")
}

/// `MTTA  mean 4m · p50 2m · p90 10m (2 acknowledged) · target 15m: 2 of 3 met (66.7 %)`.
fn figure(metric: Metric, f: &Figure, incidents: u64) -> String {
    let name = metric.abbreviation();
    let times = match (f.mean_seconds, f.p50_seconds, f.p90_seconds) {
        (Some(mean), Some(p50), Some(p90)) => format!(
            "mean {} · p50 {} · p90 {} ({} {})",
            short_duration(mean),
            short_duration(p50),
            short_duration(p90),
            f.reached,
            metric.reached()
        ),
        _ => format!("none {} yet", metric.reached()),
    };
    let target = match f.target_seconds {
        None => "no target".to_owned(),
        Some(t) => {
            let decided = f.met + f.missed;
            let open = incidents.saturating_sub(decided);
            let share = f
                .met_percent
                .map_or_else(String::new, |p| format!(" ({})", percent(p)));
            let inside = if open > 0 {
                format!(", {open} still inside it")
            } else {
                String::new()
            };
            let target = short_duration(t as f64);
            if decided == 0 {
                format!("target {target}: {open} still inside it")
            } else {
                format!("target {target}: {} of {decided} met{share}{inside}", f.met)
            }
        }
    };
    format!("• *{name}* {times} · {target}")
}

/// Breach notifications, reviews and corrective actions.
fn closing(report: &StatsReport) -> String {
    let breach = &report.breach_notification;
    let authority_window = window(breach.window_seconds);
    let breach_line = compliance(
        &breach.compliance,
        "no personal-data breach was discovered in the period",
        "notified in time",
        "still inside the window",
    );
    let told = &report.customer_notification;
    let outage_line = compliance(
        &told.outage,
        "no incident went on long enough to owe one",
        "told in time",
        "still inside the window",
    );
    let customers_breach_line = compliance(
        &told.breach,
        "no personal-data breach was discovered in the period",
        "told in time",
        "still inside the window",
    );
    let review_line = compliance(
        &report.review_completion,
        "no post-incident review is due for these incidents",
        "completed by their due date",
        "not due yet",
    );
    let actions = &report.corrective_actions;
    format!(
        "*Breach notifications (authority notified within {authority_window} of discovery):* {breach_line}\n\
         *Customers told of a long outage (unresolved after {}, told within {} of the declaration):* {outage_line}\n\
         *Customers told of a breach (within {} of discovery):* {customers_breach_line}\n\
         *Post-incident reviews:* {review_line}\n\
         *Corrective actions of these incidents:* {} open, {} overdue (due before {}, {})",
        window(told.outage_after_seconds),
        window(told.outage_within_seconds),
        window(told.breach_within_seconds),
        actions.open,
        actions.overdue,
        actions.today,
        escape(&actions.timezone)
    )
}

fn compliance(c: &Compliance, none: &str, met: &str, pending: &str) -> String {
    if c.incidents == 0 {
        return none.to_owned();
    }
    let decided = c.met + c.missed;
    let share = c
        .met_percent
        .map_or_else(String::new, |p| format!(" ({})", percent(p)));
    let waiting = if c.pending > 0 {
        format!(", {} {pending}", c.pending)
    } else {
        String::new()
    };
    format!("{} of {decided} {met}{share}{waiting}", c.met)
}

/// `66.7 %`, `100 %`.
fn percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_as_slack_shows_it() {
        let message = report(&crate::incident::stats::example());
        insta::assert_json_snapshot!(
            "stats_report",
            serde_json::json!({ "text": message.text, "blocks": message.blocks })
        );
    }
}
