//! Deciding a change to an incident's client-safe summaries: a new draft (linted, and taking
//! the place of the drafts still pending), an approval, or a request for changes. Pure, like the
//! lifecycle's rules: the caller locks the incident and its drafts, asks, and writes.

use super::{
    CommsConfig, MAX_SUMMARY_CHARS, MAX_SUMMARY_TITLE_CHARS, PublicSummary, Summary, SummaryId,
    SummaryState,
    kinds::{Audience, PublicStatus},
    lint::{self, Report},
    sha256_hex,
};
use crate::incident::{
    Catalog, Incident, Status,
    event::{Event, SummaryApproved, SummaryDrafted},
    lifecycle::Refusal,
    truncate_chars,
};
use chrono::{DateTime, Utc};

/// What someone asked to do with the incident's summaries.
#[derive(Debug, Clone)]
pub enum SummaryChange {
    /// A new draft; `acknowledged` when its author checked that the lint's warnings stand.
    Draft {
        title: String,
        text: String,
        status: PublicStatus,
        audience: Audience,
        acknowledged: bool,
    },
    Approve {
        number: u32,
    },
    RequestChanges {
        number: u32,
        reason: String,
    },
}

/// An accepted change: the drafts it changed (new or not), its event, and what the public is to
/// read when it was an approval.
#[derive(Debug, Clone)]
pub struct SummaryApplied {
    pub changed: Vec<Summary>,
    pub event: Event,
    pub public: Option<PublicSummary>,
}

/// The verdict on a summary change.
#[derive(Debug, Clone)]
pub enum SummaryDecision {
    Apply(Box<SummaryApplied>),
    /// It is already so.
    NoOp,
    Refused(Refusal),
    /// The draft holds what must not leave, or warnings its author has not acknowledged;
    /// nothing is recorded.
    Rejected(Report),
}

/// The approver roles' names, as a person reads them: "Incident Commander or Communications
/// Owner".
pub fn approver_names(catalog: &Catalog, comms: &CommsConfig) -> String {
    let names: Vec<&str> = comms
        .approver_roles
        .iter()
        .map(|key| catalog.role(key.as_str()).map_or(key.as_str(), |r| &r.name))
        .collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "approvers".to_owned(),
    }
}

/// Talking to clients goes on after an incident closes, but not about one declared in error.
fn cancelled(incident: &Incident) -> Option<Refusal> {
    (incident.status == Status::Cancelled).then(|| Refusal::Cancelled {
        id: incident.id.to_string(),
    })
}

/// Whether `actor` holds one of the approver roles on `incident`.
fn holds_approver_role(incident: &Incident, comms: &CommsConfig, actor: &str) -> bool {
    comms.approver_roles.iter().any(|role| {
        incident
            .roles
            .get(role)
            .is_some_and(|holder| holder == actor)
    })
}

/// Decides `change` by `actor` at `now`. `drafts` are the incident's summaries as they stand
/// (locked by the caller); a new draft takes the next number after them.
pub fn decide_summary(
    incident: &Incident,
    drafts: &[Summary],
    change: SummaryChange,
    actor: &str,
    now: DateTime<Utc>,
    catalog: &Catalog,
    comms: &CommsConfig,
) -> SummaryDecision {
    let (number, reason) = match change {
        SummaryChange::Draft {
            title,
            text,
            status,
            audience,
            acknowledged,
        } => {
            let draft = Draft {
                title,
                text,
                status,
                audience,
                acknowledged,
            };
            return draft.decide(incident, drafts, actor, now, comms);
        }
        SummaryChange::Approve { number } => (number, None),
        SummaryChange::RequestChanges { number, reason } => (number, Some(reason)),
    };
    let approving = reason.is_none();
    let current = match may_decide(incident, drafts, number, approving, actor, catalog, comms) {
        Ok(Some(current)) => current,
        Ok(None) => return SummaryDecision::NoOp,
        Err(refusal) => return SummaryDecision::Refused(refusal),
    };
    let mut next = current.clone();
    next.decided_by = Some(actor.to_owned());
    next.decided_at = Some(now);
    let event = match reason {
        None => {
            let sha256 = sha256_hex(&current.text);
            next.state = SummaryState::Approved;
            next.sha256 = Some(sha256.clone());
            Event::SummaryApproved(SummaryApproved {
                summary: number,
                title: current.title.clone(),
                text: current.text.clone(),
                status: current.status,
                audience: current.audience,
                sha256,
                author: current.author.clone(),
            })
        }
        Some(reason) => {
            let reason = reason.trim();
            if reason.is_empty() {
                return SummaryDecision::Refused(Refusal::Empty {
                    what: "The reason".to_owned(),
                });
            }
            let reason = truncate_chars(reason, 1000);
            next.state = SummaryState::ChangesRequested;
            next.reason = Some(reason.clone());
            Event::SummaryChangesRequested {
                summary: number,
                reason,
            }
        }
    };
    let public = (next.state == SummaryState::Approved).then(|| PublicSummary {
        title: next.title.clone(),
        status: next.status,
        text: next.text.clone(),
    });
    SummaryDecision::Apply(Box::new(SummaryApplied {
        changed: vec![next],
        event,
        public,
    }))
}

/// Whether `actor` may approve draft `number` (or, not `approving`, send it back): the draft as
/// it stands when they may, `None` when it is already as asked (a double click), or why not.
/// Only a holder of an approver role approves, and never the draft's author (four eyes); an
/// approver or the author sends a draft back. Only a pending draft is either.
pub fn may_decide<'a>(
    incident: &Incident,
    drafts: &'a [Summary],
    number: u32,
    approving: bool,
    actor: &str,
    catalog: &Catalog,
    comms: &CommsConfig,
) -> Result<Option<&'a Summary>, Refusal> {
    let id = |number| {
        SummaryId {
            incident: incident.id.clone(),
            number,
        }
        .to_string()
    };
    if let Some(refusal) = cancelled(incident) {
        return Err(refusal);
    }
    let Some(current) = drafts.iter().find(|d| d.number == number) else {
        return Err(Refusal::NoSuchSummary {
            summary: id(number),
        });
    };
    let decided = |state: &str| Refusal::SummaryDecided {
        summary: id(number),
        state: state.to_owned(),
        asked: if approving { "approved" } else { "sent back" }.to_owned(),
    };
    match (current.state, approving) {
        (SummaryState::Pending, _) => {}
        // A double click, or a retry: the draft is already as asked.
        (SummaryState::Approved, true) | (SummaryState::ChangesRequested, false) => {
            return Ok(None);
        }
        (SummaryState::Approved, false) => return Err(decided("approved")),
        (SummaryState::ChangesRequested, true) => return Err(decided("sent back for changes")),
        (SummaryState::Superseded, _) => {
            let by = current
                .superseded_by
                .map_or_else(|| "a later draft".to_owned(), id);
            return Err(Refusal::SummarySuperseded {
                summary: id(number),
                by,
            });
        }
    }
    let approver = holds_approver_role(incident, comms, actor);
    let approvers = || approver_names(catalog, comms);
    match (approving, current.author == actor) {
        (true, true) => Err(Refusal::OwnSummary {
            summary: id(number),
            approvers: approvers(),
        }),
        (true, false) if !approver => Err(Refusal::NotAnApprover {
            approvers: approvers(),
        }),
        (false, false) if !approver => Err(Refusal::NotAReviewer {
            approvers: approvers(),
        }),
        _ => Ok(Some(current)),
    }
}

/// A new draft, as submitted.
struct Draft {
    title: String,
    text: String,
    status: PublicStatus,
    audience: Audience,
    acknowledged: bool,
}

impl Draft {
    fn decide(
        self,
        incident: &Incident,
        drafts: &[Summary],
        actor: &str,
        now: DateTime<Utc>,
        comms: &CommsConfig,
    ) -> SummaryDecision {
        if let Some(refusal) = cancelled(incident) {
            return SummaryDecision::Refused(refusal);
        }
        let title = truncate_chars(self.title.trim(), MAX_SUMMARY_TITLE_CHARS);
        let text = truncate_chars(self.text.trim(), MAX_SUMMARY_CHARS);
        for (value, what) in [(&title, "The public title"), (&text, "The summary")] {
            if value.is_empty() {
                return SummaryDecision::Refused(Refusal::Empty {
                    what: what.to_owned(),
                });
            }
        }
        let cx = lint::Context {
            internal_domains: &comms.internal_domains,
            green_allowed: super::green_allowed(incident),
        };
        let report = lint::lint(&title, &text, self.status, &cx);
        let warnings = report.warnings();
        if report.has_errors() || (!warnings.is_empty() && !self.acknowledged) {
            return SummaryDecision::Rejected(report);
        }
        let number = drafts.iter().map(|d| d.number).max().unwrap_or(0) + 1;
        let mut changed = Vec::new();
        for pending in drafts.iter().filter(|d| d.state == SummaryState::Pending) {
            let mut superseded = pending.clone();
            superseded.state = SummaryState::Superseded;
            superseded.superseded_by = Some(number);
            superseded.decided_at = Some(now);
            changed.push(superseded);
        }
        let supersedes = changed.iter().map(|d| d.number).collect();
        changed.push(Summary {
            number,
            title: title.clone(),
            text: text.clone(),
            status: self.status,
            audience: self.audience,
            state: SummaryState::Pending,
            author: actor.to_owned(),
            created_at: now,
            acknowledged: warnings.clone(),
            decided_by: None,
            decided_at: None,
            reason: None,
            superseded_by: None,
            sha256: None,
        });
        let event = Event::SummaryDrafted(SummaryDrafted {
            summary: number,
            title,
            text,
            status: self.status,
            audience: self.audience,
            acknowledged: warnings,
            supersedes,
        });
        SummaryDecision::Apply(Box::new(SummaryApplied {
            changed,
            event,
            public: None,
        }))
    }
}
