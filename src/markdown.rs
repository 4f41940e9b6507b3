//! The incident report as a Markdown document, in the response plan's template: the report's
//! fields, the milestone timeline, the corrective actions, the review and the full timeline.
//! Deterministic for the same report; times in UTC; anything not known yet reads "Under Review".

use crate::{
    incident::{
        Catalog,
        actions::ActionStatus,
        report::{Exposure, MilestoneKind, Report},
        review::AgendaItem,
    },
    narrative,
};
use chrono::{DateTime, Utc};
use std::fmt::Write;

const UNDER_REVIEW: &str = "Under Review";

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Text made safe for one Markdown table cell: no pipes breaking the row, no newlines ending it.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn or_review(value: Option<&str>) -> String {
    value.map_or_else(|| UNDER_REVIEW.to_owned(), cell)
}

/// "2 h 5 min", "3 d 4 h", "45 min".
fn duration(seconds: i64) -> String {
    let minutes = seconds / 60;
    let (days, hours, mins) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} d {hours} h"),
    }
}

/// What a milestone is called in the report's table.
pub fn milestone_label(kind: MilestoneKind) -> &'static str {
    match kind {
        MilestoneKind::Detected => "Incident detected",
        MilestoneKind::SeverityAssigned => "Severity assigned",
        MilestoneKind::ContainmentStarted => "Containment started",
        MilestoneKind::RootCauseIdentified => "Root cause identified",
        MilestoneKind::FixDeployed => "Fix deployed",
        MilestoneKind::ServiceRecovered => "Service recovered",
        MilestoneKind::Closed => "Incident closed",
    }
}

/// The report as Markdown; `catalog` names the incident type.
pub fn report(r: &Report, catalog: &Catalog) -> String {
    let mut out = String::new();
    if r.drill {
        // Said in the title and again before anything else, so a drill's report is never read
        // (or filed) as a real incident's.
        let _ = writeln!(
            out,
            "# DRILL — Incident Report: {} — {}\n\n\
             **This was a drill**, a tabletop exercise — not a real incident.\n",
            r.incident_id,
            cell(&r.title)
        );
    } else {
        let _ = writeln!(
            out,
            "# Incident Report: {} — {}\n",
            r.incident_id,
            cell(&r.title)
        );
    }
    let kind = r
        .incident_type
        .as_deref()
        .map(|k| catalog.incident_type(k).map_or(k, |t| t.name.as_str()));
    let exposure = match r.data_exposure {
        Exposure::Yes => "Yes",
        Exposure::No => "No",
        Exposure::UnderReview => UNDER_REVIEW,
    };
    let rows: [(&str, String); 20] = [
        ("Incident ID", r.incident_id.clone()),
        ("Title", cell(&r.title)),
        ("Severity", r.severity.clone()),
        ("Status", r.status.to_string()),
        ("Incident Type", or_review(kind)),
        ("Environment", r.environment.label().to_owned()),
        ("Detected By", or_review(r.detection.map(|d| d.label()))),
        ("Start Time", time(r.start)),
        ("Declared", time(r.declared_at)),
        (
            "End Time",
            r.end.map_or_else(|| UNDER_REVIEW.to_owned(), time),
        ),
        (
            "Duration",
            r.duration_seconds
                .map_or_else(|| UNDER_REVIEW.to_owned(), duration),
        ),
        (
            "Affected Services",
            or_review(r.affected_services.as_deref()),
        ),
        ("Affected Users", or_review(r.affected_users.as_deref())),
        ("Business Impact", or_review(r.business_impact.as_deref())),
        ("Financial Impact", or_review(r.financial_impact.as_deref())),
        ("Data Exposure", exposure.to_owned()),
        ("Root Cause", or_review(r.root_cause.as_deref())),
        ("Resolution", or_review(r.resolution.as_deref())),
        ("Verification", or_review(r.verification.as_deref())),
        ("Owner", r.owner.clone()),
    ];
    out.push_str("| Field | Details |\n|---|---|\n");
    for (field, value) in rows {
        let _ = writeln!(out, "| {field} | {value} |");
    }

    out.push_str("\n## Incident Timeline\n\n| Time | Event | Owner | Notes |\n|---|---|---|---|\n");
    for m in &r.milestones {
        let notes = match (&m.notes, m.corrected) {
            (Some(n), true) => format!("{} (corrected)", cell(n)),
            (Some(n), false) => cell(n),
            (None, _) if m.at.is_some() => String::new(),
            (None, _) => UNDER_REVIEW.to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {notes} |",
            m.at.map_or_else(|| UNDER_REVIEW.to_owned(), time),
            milestone_label(m.kind),
            m.owner.as_deref().map_or(UNDER_REVIEW, |o| o),
        );
    }

    out.push_str("\n## Corrective Actions\n\n");
    if r.actions.is_empty() {
        out.push_str("No corrective actions recorded.\n");
    } else {
        out.push_str("| ID | Action | Owner | Due Date | Status |\n|---|---|---|---|---|\n");
        for a in &r.actions {
            let status = match (a.status, &a.reason) {
                (ActionStatus::WontDo, Some(reason)) => format!("Won't do: {}", cell(reason)),
                (status, _) => status.label().to_owned(),
            };
            let text = match &a.link {
                Some(link) => format!("{} ({})", cell(&a.text), cell(link)),
                None => cell(&a.text),
            };
            let _ = writeln!(
                out,
                "| {} | {text} | {} | {} | {status} |",
                a.id, a.owner, a.due_on
            );
        }
    }

    out.push_str("\n## Post-Incident Review\n\n");
    match &r.review {
        None => out.push_str("No review is required for this incident's severity.\n"),
        Some(review) => {
            let due = review.due_at.map_or_else(|| "—".to_owned(), time);
            let done = match (&review.completed_at, &review.completed_by) {
                (Some(at), Some(by)) => format!("completed {} by {by}", time(*at)),
                _ => "not completed yet".to_owned(),
            };
            let _ = writeln!(out, "Due {due}; {done}.\n");
            for item in AgendaItem::ALL {
                let answer = review
                    .answers
                    .get(&item)
                    .map_or(UNDER_REVIEW, String::as_str);
                let _ = writeln!(out, "**{}**\n\n{answer}\n", item.label());
            }
            let deadline = review
                .follow_up_deadline
                .map_or_else(|| UNDER_REVIEW.to_owned(), |d| d.to_string());
            let _ = writeln!(out, "**Follow-up deadline:** {deadline}");
        }
    }

    summaries(&mut out, r);

    out.push_str("\n## Full Timeline\n\n| # | Time | Who | What |\n|---|---|---|---|\n");
    for e in &r.timeline {
        let said = narrative::line(&e.event);
        let what = match &e.corrected {
            Some(c) => format!(
                "{} (corrected in #{}; originally: {})",
                cell(&c.text),
                c.by_entry,
                cell(&said)
            ),
            None => cell(&said),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {what} |",
            e.number,
            time(e.at),
            e.actor
        );
    }
    out
}

/// Every approved client-safe summary: to whom, in which status, its title and exact text,
/// who approved it, when, and the SHA-256 that text was approved under.
fn summaries(out: &mut String, r: &Report) {
    out.push_str("\n## Client-Safe Summaries\n");
    if r.summaries.is_empty() {
        out.push_str("\nNo client-safe summary was approved.\n");
    }
    for s in &r.summaries {
        let _ = writeln!(
            out,
            "\n### {} — {} · {}\n\n**{}**\n",
            s.id,
            s.audience.label(),
            s.status.label(),
            s.title
        );
        for line in s.text.lines() {
            let _ = writeln!(out, "> {line}");
        }
        let _ = writeln!(
            out,
            "\nApproved by {} at {}; SHA-256 `{}`",
            s.approved_by,
            time(s.approved_at),
            s.sha256
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_report_reads_as_the_template() {
        let (incident, entries, actions) = crate::incident::report::example();
        let built = crate::incident::report::build(&incident, entries, &actions);
        insta::assert_snapshot!("report", report(&built, &Catalog::builtin()));
    }

    #[test]
    fn a_drills_report_says_so_in_its_title_and_before_anything_else() {
        let (mut incident, entries, actions) = crate::incident::report::example();
        incident.drill = true;
        let built = crate::incident::report::build(&incident, entries, &actions);
        assert!(built.drill);
        let text = report(&built, &Catalog::builtin());
        let mut lines = text.lines().filter(|l| !l.is_empty());
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("# DRILL — Incident Report: INC-")
        );
        assert!(lines.next().unwrap().contains("This was a drill"));
    }

    #[test]
    fn a_cell_keeps_its_table_row_whole() {
        assert_eq!(cell("a | b\nc"), "a \\| b<br>c");
        assert_eq!(duration(45 * 60), "45 min");
        assert_eq!(duration(2 * 3600 + 5 * 60), "2 h 5 min");
        assert_eq!(duration(3 * 86_400 + 4 * 3600), "3 d 4 h");
    }
}
