//! The post-incident report, derived from the incident's state, its typed timeline and its
//! follow-up actions — never from rendered text. Fields follow the response plan's report
//! template; a value that is not known yet is `None`, which every rendering shows as "Under
//! Review" (never a guess, never "TBD").

use super::{
    Detection, Environment, Incident, Status,
    actions::{Action, ActionStatus},
    event::{Event, Recorded, Stored},
    review::{AgendaItem, ReviewNotes},
    summaries::{Audience, PublicStatus},
    update::ClosureAnswer,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether personal data was exposed, as far as is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    Yes,
    No,
    UnderReview,
}

/// A row of the milestone table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Detected,
    SeverityAssigned,
    ContainmentStarted,
    RootCauseIdentified,
    FixDeployed,
    ServiceRecovered,
    Closed,
}

impl MilestoneKind {
    /// Every milestone, in the template's order.
    pub const ALL: [MilestoneKind; 7] = [
        MilestoneKind::Detected,
        MilestoneKind::SeverityAssigned,
        MilestoneKind::ContainmentStarted,
        MilestoneKind::RootCauseIdentified,
        MilestoneKind::FixDeployed,
        MilestoneKind::ServiceRecovered,
        MilestoneKind::Closed,
    ];
}

/// One milestone: when it was reached, by whom, and what it says; `None` until reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub at: Option<DateTime<Utc>>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    /// The timeline entry that recorded it, and whether that entry was later corrected.
    pub entry: Option<u32>,
    pub corrected: bool,
}

/// One timeline entry, with the correction that applies to it, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub number: u32,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// Written out as its `kind` and `details`.
    #[serde(flatten)]
    pub event: Stored,
    /// The latest correction of this entry.
    pub corrected: Option<Correction>,
}

/// A correction of a timeline entry: the correcting entry's number and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub by_entry: u32,
    pub text: String,
}

/// A follow-up action, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportAction {
    pub id: String,
    pub text: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub reason: Option<String>,
    pub link: Option<String>,
}

/// An approved client-safe summary: what was told to whom, who approved it, when, and the
/// SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub id: String,
    pub audience: Audience,
    pub status: PublicStatus,
    pub title: String,
    pub text: String,
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    pub sha256: String,
}

/// The review section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewSection {
    pub due_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<String>,
    pub answers: BTreeMap<AgendaItem, String>,
    pub follow_up_deadline: Option<NaiveDate>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub incident_id: String,
    /// A drill (a tabletop exercise), not a real incident.
    pub drill: bool,
    pub title: String,
    pub severity: String,
    pub status: Status,
    pub incident_type: Option<String>,
    pub environment: Environment,
    pub detection: Option<Detection>,
    /// When the impact started (the declaration, when the declarer did not say).
    pub start: DateTime<Utc>,
    pub declared_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When service was restored: the resolution.
    pub end: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub affected_services: Option<String>,
    pub affected_users: Option<String>,
    pub business_impact: Option<String>,
    pub financial_impact: Option<String>,
    pub data_exposure: Exposure,
    /// The confirmed root cause only.
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    pub verification: Option<String>,
    pub owner: String,
    pub milestones: Vec<Milestone>,
    pub actions: Vec<ReportAction>,
    pub review: Option<ReviewSection>,
    /// Every approved client-safe summary, in the order they were approved.
    pub summaries: Vec<ReportSummary>,
    pub timeline: Vec<Entry>,
}

/// What the closure checklist answered for `key`, if the incident was closed.
fn closure_answer(entries: &[Recorded], key: &str) -> Option<ClosureAnswer> {
    entries.iter().rev().find_map(|e| match &e.event {
        Stored::Known(Event::Closed { checklist, .. }) => checklist.get(key).copied(),
        _ => None,
    })
}

fn data_exposure(incident: &Incident, entries: &[Recorded]) -> Exposure {
    if incident.breach_discovered_at.is_some() {
        return Exposure::Yes;
    }
    let assessed = matches!(
        closure_answer(entries, "data_exposure_assessed"),
        Some(ClosureAnswer::Confirmed | ClosureAnswer::NotApplicable)
    );
    match incident.triage.personal_data_exposed {
        Some(true) => Exposure::Yes,
        Some(false) if assessed => Exposure::No,
        _ => Exposure::UnderReview,
    }
}

fn financial_impact(incident: &Incident, entries: &[Recorded]) -> Option<String> {
    let reconciled = closure_answer(entries, "financial_reconciliation");
    match (incident.triage.money_affected, reconciled) {
        (Some(true), Some(ClosureAnswer::Confirmed)) => Some(
            "Money or wallet integrity may have been affected; financial reconciliation done"
                .to_owned(),
        ),
        (Some(true), _) => None,
        (Some(false), _) | (None, Some(ClosureAnswer::NotApplicable)) => {
            Some("None reported".to_owned())
        }
        _ => None,
    }
}

/// The milestone of `kind`, from the first (or, for findings, the latest) entry recording it.
fn milestone(
    kind: MilestoneKind,
    incident: &Incident,
    entries: &[Recorded],
    corrected: &BTreeMap<u32, Correction>,
) -> Milestone {
    let found = |e: &Recorded| -> Option<Option<String>> {
        let Stored::Known(event) = &e.event else {
            return None;
        };
        match (kind, event) {
            (MilestoneKind::Detected, Event::Declared(_)) => {
                Some(incident.scope.detection.map(|d| d.label().to_owned()))
            }
            (MilestoneKind::SeverityAssigned, Event::Declared(d)) => {
                Some(Some(d.severity.to_string()))
            }
            (MilestoneKind::ContainmentStarted, Event::StatusChanged(m))
                if m.to >= Status::Contained =>
            {
                Some(Some(m.to.to_string()))
            }
            (MilestoneKind::ContainmentStarted, Event::UpdatePosted(u)) => u
                .status_change
                .filter(|m| m.to >= Status::Contained)
                .map(|m| Some(m.to.to_string())),
            (
                MilestoneKind::ContainmentStarted | MilestoneKind::ServiceRecovered,
                Event::Resolved { summary, .. },
            ) => Some(Some(summary.clone())),
            (MilestoneKind::RootCauseIdentified, Event::RootCauseIdentified { cause }) => {
                Some(Some(cause.clone()))
            }
            (MilestoneKind::FixDeployed, Event::FixDeployed { what, link }) => {
                Some(Some(match link {
                    Some(link) => format!("{what} ({link})"),
                    None => what.clone(),
                }))
            }
            (MilestoneKind::Closed, Event::Closed { .. }) => Some(None),
            _ => None,
        }
    };
    // Findings and recovery can be recorded again; the latest one stands. The rest happen once.
    let latest = matches!(
        kind,
        MilestoneKind::RootCauseIdentified
            | MilestoneKind::FixDeployed
            | MilestoneKind::ServiceRecovered
    );
    let hit = if latest {
        entries.iter().rev().find_map(|e| found(e).map(|n| (e, n)))
    } else {
        entries.iter().find_map(|e| found(e).map(|n| (e, n)))
    };
    match hit {
        Some((e, notes)) => Milestone {
            kind,
            at: Some(e.at),
            owner: Some(e.actor.clone()),
            notes,
            entry: Some(e.number),
            corrected: corrected.contains_key(&e.number),
        },
        None => Milestone {
            kind,
            at: None,
            owner: None,
            notes: None,
            entry: None,
            corrected: false,
        },
    }
}

/// The report of `incident`, from its whole timeline (oldest first) and its actions.
pub fn build(incident: &Incident, entries: Vec<Recorded>, actions: &[Action]) -> Report {
    let corrected: BTreeMap<u32, Correction> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Stored::Known(Event::Corrected { entry, text }) => Some((
                *entry,
                Correction {
                    by_entry: e.number,
                    text: text.clone(),
                },
            )),
            _ => None,
        })
        .collect();
    let start = incident
        .scope
        .impact_started_at
        .unwrap_or(incident.declared_at);
    let end = incident.resolved_at;
    let review_notes: Option<&ReviewNotes> = incident.review.notes.as_ref();
    let review =
        (incident.review.due_at.is_some() || review_notes.is_some()).then(|| ReviewSection {
            due_at: incident.review.due_at,
            completed_at: incident.review.completed_at,
            completed_by: incident.review.completed_by.clone(),
            answers: review_notes.map(|n| n.answers.clone()).unwrap_or_default(),
            follow_up_deadline: review_notes.and_then(|n| n.follow_up_deadline),
        });
    Report {
        incident_id: incident.id.to_string(),
        drill: incident.drill,
        title: incident.title.to_string(),
        severity: incident.severity.name().to_string(),
        status: incident.status,
        incident_type: incident.incident_type.clone(),
        environment: incident.scope.environment,
        detection: incident.scope.detection,
        start,
        declared_at: incident.declared_at,
        acknowledged_at: incident.acknowledged_at,
        end,
        duration_seconds: end.map(|end| (end - start).num_seconds().max(0)),
        affected_services: incident.scope.affected_services.clone(),
        affected_users: review_notes
            .and_then(|n| n.answer(AgendaItem::CustomerImpact))
            .map(str::to_owned),
        business_impact: incident
            .latest_update
            .as_ref()
            .map(|u| u.impact.clone())
            .or_else(|| incident.impact.clone()),
        financial_impact: financial_impact(incident, &entries),
        data_exposure: data_exposure(incident, &entries),
        root_cause: incident
            .findings
            .root_cause
            .as_ref()
            .map(|f| f.text.clone()),
        resolution: incident
            .findings
            .fix
            .as_ref()
            .map(|f| f.text.clone())
            .or_else(|| incident.resolution_summary.clone()),
        verification: incident.resolution_summary.clone(),
        owner: incident
            .commander()
            .unwrap_or(&incident.declared_by)
            .to_owned(),
        milestones: MilestoneKind::ALL
            .into_iter()
            .map(|kind| milestone(kind, incident, &entries, &corrected))
            .collect(),
        actions: actions
            .iter()
            .map(|a| ReportAction {
                id: format!("{}-A{}", incident.id, a.number),
                text: a.text.clone(),
                owner: a.owner.clone(),
                due_on: a.due_on,
                status: a.status,
                reason: a.reason.clone(),
                link: a.link.clone(),
            })
            .collect(),
        review,
        summaries: entries
            .iter()
            .filter_map(|e| match &e.event {
                Stored::Known(Event::SummaryApproved(a)) => Some(ReportSummary {
                    id: format!("{}-S{}", incident.id, a.summary),
                    audience: a.audience,
                    status: a.status,
                    title: a.title.clone(),
                    text: a.text.clone(),
                    approved_by: e.actor.clone(),
                    approved_at: e.at,
                    sha256: a.sha256.clone(),
                }),
                _ => None,
            })
            .collect(),
        timeline: entries
            .into_iter()
            .map(|e| Entry {
                corrected: corrected.get(&e.number).cloned(),
                number: e.number,
                at: e.at,
                actor: e.actor,
                event: e.event,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) use tests::example;
