//! Every change a responder makes to an incident, decided against its current state: apply it
//! (with the timeline entry and the thread announcement it causes), ignore it (it is already so),
//! or refuse it with an explanation. Pure: the caller locks the incident row, asks, and writes.

use super::{
    Incident, Severities, SeverityRank, Status, Title,
    catalog::Catalog,
    truncate_chars,
    update::{ClosureAnswer, StructuredUpdate, open_criteria},
};
use crate::slack::blocks::escape;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What someone asked to change.
#[derive(Debug, Clone)]
pub enum Change {
    Acknowledge,
    /// Move to an active status (Investigating … Recovering); Resolved and Closed have their own.
    SetStatus(Status),
    Resolve {
        summary: String,
    },
    Close {
        checklist: Vec<(String, ClosureAnswer)>,
    },
    Cancel {
        reason: String,
    },
    SetSeverity {
        to: SeverityRank,
        reason: String,
    },
    AssignRole {
        role: String,
        user: String,
    },
    /// A structured update; the next one is due `next_update_in` after it is posted.
    PostUpdate {
        impact: String,
        current_action: String,
        owner: String,
        next_update_in: chrono::Duration,
        status: Option<Status>,
    },
    Edit {
        title: String,
        impact: Option<String>,
        incident_type: Option<String>,
    },
    Note {
        text: String,
    },
    /// Flag the incident as a personal-data breach discovered at `discovered_at`: the 72-hour
    /// notification clock starts.
    FlagBreach {
        discovered_at: DateTime<Utc>,
    },
    /// The supervisory authority was notified, with the notification record.
    AuthorityNotified {
        record: BreachNotification,
    },
    /// A Slack message added to the timeline with the message shortcut.
    AddMessage {
        author: String,
        posted_at: DateTime<Utc>,
        text: String,
        link: Option<String>,
    },
}

/// Why a change was refused; the `Display` is what the person is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{0} is closed; closed incidents do not change. Declare a new incident if it has come back."
    )]
    Closed(String),
    #[error("{0} was cancelled (declared in error).")]
    Cancelled(String),
    #[error("{0} can be closed only once it is Resolved.")]
    NotResolved(String),
    #[error("{0} is not Resolved, so there is nothing to reopen from.")]
    NothingToReopen(String),
    #[error("Close needs every criterion confirmed or not applicable. Still open: {}.", .0.join("; "))]
    ChecklistIncomplete(Vec<&'static str>),
    #[error(
        "The triage answers hold this incident at {floor} or above until they are confirmed otherwise."
    )]
    BelowTriageFloor { floor: String },
    #[error(
        "Only the incident's role holders (or its declarer, until a commander is assigned) may do that here."
    )]
    NotPermitted,
    #[error("`{0}` is not a configured role.")]
    UnknownRole(String),
    #[error("`{0}` is not a configured incident type.")]
    UnknownType(String),
    #[error("{0} cannot be empty.")]
    Empty(&'static str),
    #[error("{0} is not flagged as a personal-data breach.")]
    NotABreach(String),
    #[error("Discovery can't be in the future.")]
    DiscoveryInFuture,
    #[error("Choose when the next update is due.")]
    NextUpdateInPast,
}

/// An accepted change: the incident's new state and what it causes.
#[derive(Debug, Clone)]
pub struct Applied {
    pub incident: Incident,
    pub entry_kind: &'static str,
    pub details: Value,
    /// Posted in the incident's thread.
    pub announcement: Option<String>,
    /// Whether the card shows something new.
    pub card_changed: bool,
    /// A runbook to post, when the incident type was set.
    pub runbook_for: Option<String>,
}

/// The verdict on a change.
#[derive(Debug, Clone)]
pub enum Decision {
    Apply(Box<Applied>),
    /// It is already so: nothing is written, posted or edited.
    NoOp,
    Refused(Refusal),
}

/// What a personal-data breach notification to the authority says (GDPR Art. 33).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BreachNotification {
    pub nature: String,
    pub data_subjects: String,
    pub data_categories: String,
    pub likely_consequences: String,
    pub measures: String,
    pub contact_point: String,
}

impl BreachNotification {
    /// The fields, with their stable keys and labels, in the order the form shows them.
    pub const FIELDS: [(&'static str, &'static str); 6] = [
        ("nature", "Nature of the breach"),
        (
            "data_subjects",
            "Categories and approximate number of data subjects",
        ),
        ("data_categories", "Categories of personal data"),
        ("likely_consequences", "Likely consequences"),
        ("measures", "Measures taken or proposed"),
        ("contact_point", "Contact point"),
    ];

    fn validate(&self) -> Result<(), Refusal> {
        let values = [
            &self.nature,
            &self.data_subjects,
            &self.data_categories,
            &self.likely_consequences,
            &self.measures,
            &self.contact_point,
        ];
        match values.iter().position(|v| v.trim().is_empty()) {
            Some(i) => Err(Refusal::Empty(Self::FIELDS[i].1)),
            None => Ok(()),
        }
    }
}

/// The configuration a decision depends on.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub severities: &'a Severities,
    pub catalog: &'a Catalog,
    pub restrict_changes: bool,
}

/// Decides `change` by `actor` at `now` against the incident's current state.
pub fn decide(
    current: &Incident,
    change: Change,
    actor: &str,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> Decision {
    match current.status {
        Status::Closed => return Decision::Refused(Refusal::Closed(current.id.to_string())),
        Status::Cancelled => return Decision::Refused(Refusal::Cancelled(current.id.to_string())),
        _ => {}
    }
    let guarded = matches!(
        change,
        Change::SetStatus(_)
            | Change::Resolve { .. }
            | Change::Close { .. }
            | Change::Cancel { .. }
            | Change::SetSeverity { .. }
            | Change::AssignRole { .. }
    );
    if guarded && rules.restrict_changes && !may_steer(current, actor) {
        return Decision::Refused(Refusal::NotPermitted);
    }
    match decide_change(current, change, actor, now, rules) {
        Ok(Some(applied)) => Decision::Apply(Box::new(applied)),
        Ok(None) => Decision::NoOp,
        Err(refusal) => Decision::Refused(refusal),
    }
}

/// Role holders steer; the declarer does too until someone is commander.
pub fn may_steer(incident: &Incident, actor: &str) -> bool {
    incident.roles.values().any(|holder| holder == actor)
        || (!incident.roles.contains_key("commander") && incident.declared_by == actor)
}

fn cadence(rules: Rules<'_>, rank: SeverityRank) -> chrono::Duration {
    chrono::Duration::from_std(rules.severities.get(rank).update_every)
        .unwrap_or(chrono::Duration::days(1))
}

fn apply(
    incident: Incident,
    kind: &'static str,
    details: Value,
    announcement: String,
) -> Result<Option<Applied>, Refusal> {
    Ok(Some(Applied {
        incident,
        entry_kind: kind,
        details,
        announcement: Some(announcement),
        card_changed: true,
        runbook_for: None,
    }))
}

fn non_empty(text: &str, what: &'static str, max: usize) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        Err(Refusal::Empty(what))
    } else {
        Ok(truncate_chars(t, max))
    }
}

fn decide_change(
    current: &Incident,
    change: Change,
    actor: &str,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> Result<Option<Applied>, Refusal> {
    let mut next = current.clone();
    let who = format!("<@{actor}>");
    match change {
        Change::Acknowledge => {
            if current.acknowledged_at.is_some() {
                return Ok(None);
            }
            next.acknowledged_at = Some(now);
            next.acknowledged_by = Some(actor.to_owned());
            let after = (now - current.declared_at).num_seconds().max(0);
            apply(
                next,
                "acknowledged",
                json!({ "seconds_after_declare": after }),
                format!(":eyes: Acknowledged by {who}."),
            )
        }
        Change::SetStatus(to) => {
            if to == current.status {
                return Ok(None);
            }
            let relapse = to < current.status;
            next.status = to;
            if current.status == Status::Resolved {
                // Reopened: the incident owes updates again.
                next.resolved_at = None;
                next.next_update_due_at = Some(now + cadence(rules, severity_rank(current, rules)));
            }
            let note = if relapse { " (relapse)" } else { "" };
            let details =
                json!({ "from": current.status.as_str(), "to": to.as_str(), "relapse": relapse });
            apply(
                next,
                "status_changed",
                details,
                format!(
                    ":arrows_counterclockwise: Status: *{}* → *{to}*{note}, by {who}.",
                    current.status
                ),
            )
        }
        Change::Resolve { summary } => {
            if current.status == Status::Resolved {
                return Ok(None);
            }
            let summary = non_empty(&summary, "The resolution summary", 2000)?;
            next.status = Status::Resolved;
            next.resolved_at = Some(now);
            next.resolution_summary = Some(summary.clone());
            next.next_update_due_at = None;
            let details = json!({ "from": current.status.as_str(), "summary": summary });
            apply(
                next,
                "resolved",
                details,
                format!(
                    ":white_check_mark: *Resolved* by {who}.\n*Resolution:* {}",
                    escape(&summary)
                ),
            )
        }
        Change::Close { checklist } => {
            if current.status != Status::Resolved {
                return Err(Refusal::NotResolved(current.id.to_string()));
            }
            let open = open_criteria(&checklist);
            if !open.is_empty() {
                return Err(Refusal::ChecklistIncomplete(open));
            }
            next.status = Status::Closed;
            next.closed_at = Some(now);
            let answers: Value = checklist
                .iter()
                .map(|(k, a)| (k.clone(), json!(a)))
                .collect::<serde_json::Map<_, _>>()
                .into();
            let lines: Vec<String> = super::update::CLOSURE_CRITERIA
                .iter()
                .map(|(key, label)| {
                    let answer = checklist
                        .iter()
                        .find(|(k, _)| k == key)
                        .map_or("—", |(_, a)| a.label());
                    format!("• {label}: {answer}")
                })
                .collect();
            apply(
                next,
                "closed",
                json!({ "checklist": answers }),
                format!(":lock: *Closed* by {who}.\n{}", lines.join("\n")),
            )
        }
        Change::Cancel { reason } => {
            let reason = non_empty(&reason, "The reason", 1000)?;
            next.status = Status::Cancelled;
            next.next_update_due_at = None;
            let details = json!({ "from": current.status.as_str(), "reason": reason });
            apply(
                next,
                "cancelled",
                details,
                format!(
                    ":no_entry_sign: *Cancelled* by {who} (declared in error): {}",
                    escape(&reason)
                ),
            )
        }
        Change::SetSeverity { to, reason } => {
            let target = rules.severities.get(to).name.clone();
            if target == current.severity {
                return Ok(None);
            }
            if let Some(floor) = current
                .triage
                .floor_index()
                .map(|i| rules.severities.rank_at(i))
                && to > floor
            {
                return Err(Refusal::BelowTriageFloor {
                    floor: rules.severities.get(floor).name.clone(),
                });
            }
            let reason = non_empty(&reason, "The reason", 1000)?;
            next.severity = target.clone();
            next.severity_rank = to.index();
            if next.status.is_open() {
                next.next_update_due_at = Some(recomputed_due(current, to, now, rules));
            }
            let direction = if to.index() < current.severity_rank {
                "raised"
            } else {
                "lowered"
            };
            let details = json!({ "from": current.severity, "to": target, "reason": reason, "direction": direction });
            let text = format!(
                ":rotating_light: Severity {direction}: *{}* → *{target}* by {who}. Reason: {}",
                current.severity,
                escape(&reason)
            );
            apply(next, "severity_changed", details, text)
        }
        Change::AssignRole { role, user } => {
            let Some(role_def) = rules.catalog.role(&role) else {
                return Err(Refusal::UnknownRole(role));
            };
            if current.roles.get(&role) == Some(&user) {
                return Ok(None);
            }
            let previous = next.roles.insert(role.clone(), user.clone());
            let details = json!({ "role": role, "user": user, "previous": previous });
            apply(
                next,
                "role_assigned",
                details,
                format!(
                    ":bust_in_silhouette: <@{user}> is now *{}* (assigned by {who}).",
                    role_def.name
                ),
            )
        }
        Change::PostUpdate {
            impact,
            current_action,
            owner,
            next_update_in,
            status,
        } => {
            let impact = non_empty(&impact, "Impact", 2000)?;
            let current_action = non_empty(&current_action, "Current action", 2000)?;
            if next_update_in <= chrono::Duration::zero() {
                return Err(Refusal::NextUpdateInPast);
            }
            let next_update_at = now + next_update_in;
            let mut status_note = None;
            if let Some(to) = status.filter(|s| *s != current.status && s.is_open()) {
                status_note = Some(
                    json!({ "from": current.status.as_str(), "to": to.as_str(), "relapse": to < current.status }),
                );
                next.status = to;
            }
            let update = StructuredUpdate {
                impact,
                current_action,
                owner,
                next_update_at,
                posted_by: actor.to_owned(),
                posted_at: now,
            };
            next.latest_update = Some(update.clone());
            next.next_update_due_at = Some(next_update_at);
            let details = json!({ "update": update, "status_change": status_note });
            let text = super::format_update(&next, &update);
            apply(next, "update_posted", details, text)
        }
        Change::Edit {
            title,
            impact,
            incident_type,
        } => {
            let title = Title::parse(&title)
                .map_err(|_| Refusal::Empty("The title"))?
                .as_str()
                .to_owned();
            let impact = impact
                .map(|i| i.trim().to_owned())
                .filter(|i| !i.is_empty())
                .map(|i| truncate_chars(&i, super::MAX_IMPACT_CHARS));
            if let Some(t) = &incident_type
                && rules.catalog.incident_type(t).is_none()
            {
                return Err(Refusal::UnknownType(t.clone()));
            }
            let incident_type = incident_type.or_else(|| current.incident_type.clone());
            if title == current.title
                && impact == current.impact
                && incident_type == current.incident_type
            {
                return Ok(None);
            }
            let mut changed = Vec::new();
            let mut details = serde_json::Map::new();
            if title != current.title {
                changed.push(format!(
                    "title: “{}” → “{}”",
                    escape(&current.title),
                    escape(&title)
                ));
                details.insert(
                    "title".into(),
                    json!({ "from": current.title, "to": title }),
                );
            }
            if impact != current.impact {
                changed.push(format!(
                    "impact: {}",
                    impact.as_deref().map_or("cleared".into(), escape)
                ));
                details.insert(
                    "impact".into(),
                    json!({ "from": current.impact, "to": impact }),
                );
            }
            let type_changed = incident_type != current.incident_type;
            if type_changed {
                let name = incident_type
                    .as_deref()
                    .and_then(|t| rules.catalog.incident_type(t))
                    .map_or("—", |t| t.name.as_str());
                changed.push(format!("type: {name}"));
                details.insert(
                    "incident_type".into(),
                    json!({ "from": current.incident_type, "to": incident_type }),
                );
            }
            next.title = title;
            next.impact = impact;
            next.incident_type = incident_type.clone();
            let text = format!(
                ":pencil2: {who} edited the incident — {}.",
                changed.join("; ")
            );
            let mut applied = apply(next, "edited", details.into(), text)?.expect("applied");
            applied.runbook_for = incident_type.filter(|_| type_changed);
            Ok(Some(applied))
        }
        Change::Note { text } => {
            let text = non_empty(&text, "The note", 3000)?;
            let announcement = format!(":memo: Note from {who}: {}", escape(&text));
            Ok(Some(Applied {
                incident: next,
                entry_kind: "note",
                details: json!({ "text": text }),
                announcement: Some(announcement),
                card_changed: false,
                runbook_for: None,
            }))
        }
        Change::FlagBreach { discovered_at } => {
            if current.breach_discovered_at.is_some() {
                return Ok(None);
            }
            if discovered_at > now {
                return Err(Refusal::DiscoveryInFuture);
            }
            next.breach_discovered_at = Some(discovered_at);
            let details = json!({ "discovered_at": discovered_at });
            let text = format!(
                ":lock: {who} flagged a *personal-data breach* discovered {}. The supervisory authority must be notified within 72 hours of discovery; warroom will remind the thread as the clock runs.",
                crate::slack::blocks::slack_date(discovered_at)
            );
            apply(next, "breach_flagged", details, text)
        }
        Change::AuthorityNotified { record } => {
            if current.breach_discovered_at.is_none() {
                return Err(Refusal::NotABreach(current.id.to_string()));
            }
            if current.authority_notified_at.is_some() {
                return Ok(None);
            }
            record.validate()?;
            next.authority_notified_at = Some(now);
            let details = serde_json::to_value(&record).unwrap_or_default();
            apply(
                next,
                "authority_notified",
                details,
                format!(
                    ":white_check_mark: {who} recorded that the supervisory authority was notified. The breach clock has stopped."
                ),
            )
        }
        Change::AddMessage {
            author,
            posted_at,
            text,
            link,
        } => {
            let details = json!({ "author": author, "posted_at": posted_at, "text": truncate_chars(&text, 3000), "link": link, "added_by": actor });
            Ok(Some(Applied {
                incident: next,
                entry_kind: "message_added",
                details,
                announcement: None,
                card_changed: false,
                runbook_for: None,
            }))
        }
    }
}

fn severity_rank(incident: &Incident, rules: Rules<'_>) -> SeverityRank {
    rules
        .severities
        .by_name(&incident.severity)
        .unwrap_or_else(|| rules.severities.rank_at(incident.severity_rank))
}

/// After a severity change the next update is due one new cadence after the last update (or the
/// declaration), but never later than an update already promised.
fn recomputed_due(
    current: &Incident,
    to: SeverityRank,
    now: DateTime<Utc>,
    rules: Rules<'_>,
) -> DateTime<Utc> {
    let base = current
        .latest_update
        .as_ref()
        .map_or(current.declared_at, |u| u.posted_at);
    let by_cadence = (base + cadence(rules, to)).max(now);
    match &current.latest_update {
        Some(u) => by_cadence.min(u.next_update_at.max(now)),
        None => by_cadence,
    }
}

#[cfg(test)]
mod tests;
