//! The incident domain: pure types and rules, no I/O. Every function here takes `now` instead of
//! reading a clock, so the rules are tested without a database or Slack.

pub mod catalog;
pub mod id;
pub mod lifecycle;
pub mod schedule;
pub mod severity;
pub mod status;
pub mod triage;
pub mod update;

pub use catalog::Catalog;
pub use id::IncidentId;
pub use severity::{Severities, SeverityLevel, SeverityRank};
pub use status::Status;
pub use triage::Triage;

use chrono::{DateTime, Utc};

/// Longest title kept; longer ones are cut at a character boundary with an ellipsis.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest impact statement kept.
pub const MAX_IMPACT_CHARS: usize = 2000;

/// An incident title: trimmed, never blank, at most [`MAX_TITLE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Trims and bounds a typed title; a blank one is refused.
    pub fn parse(s: &str) -> Result<Self, DeclareError> {
        let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(DeclareError::MissingTitle);
        }
        Ok(Self(truncate_chars(&collapsed, MAX_TITLE_CHARS)))
    }

    /// The title text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user mistake in a declaration, explained to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclareError {
    #[error("An incident needs a title: `/incident declare sev2 Checkout is failing`.")]
    MissingTitle,
}

/// What someone asked for when declaring.
#[derive(Debug, Clone)]
pub struct DeclareInput {
    pub title: String,
    pub severity: Option<SeverityRank>,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    pub triage: Triage,
}

/// A declaration that passed every rule and is ready to be stored.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: Title,
    pub severity: SeverityRank,
    /// Whether the triage answers raised the severity above what was asked.
    pub raised_by_triage: bool,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    pub triage: Triage,
    pub declared_at: DateTime<Utc>,
    pub next_update_due_at: DateTime<Utc>,
    /// Set when the triage says personal data may be exposed: the breach clock starts at once.
    pub breach_discovered_at: Option<DateTime<Utc>>,
    /// The escalation triggers this declaration meets.
    pub escalations: Vec<String>,
}

impl NewIncident {
    /// The incident as it will be stored (its ID not yet known), for planning its reminders.
    pub fn provisional(&self, severity_name: &str, declared_by: &str, channel: &str) -> Incident {
        Incident {
            id: IncidentId::from_stored("INC-PENDING".to_owned()),
            title: self.title.as_str().to_owned(),
            severity: severity_name.to_owned(),
            severity_rank: self.severity.index(),
            status: Status::Investigating,
            incident_type: self.incident_type.clone(),
            impact: self.impact.clone(),
            triage: self.triage,
            declared_by: declared_by.to_owned(),
            team_domain: None,
            channel_id: channel.to_owned(),
            card_ts: None,
            declared_at: self.declared_at,
            acknowledged_at: None,
            acknowledged_by: None,
            next_update_due_at: Some(self.next_update_due_at),
            resolved_at: None,
            closed_at: None,
            resolution_summary: None,
            roles: Default::default(),
            latest_update: None,
            breach_discovered_at: self.breach_discovered_at,
            authority_notified_at: None,
            escalations: self.escalations.clone(),
        }
    }
}

/// Decides a declaration: the title must be present; the severity is what was asked (or the
/// configured default), raised to the floor the triage answers imply; the first update is due one
/// cadence of that severity after declaring.
pub fn decide_declare(
    input: DeclareInput,
    severities: &Severities,
    default_severity: SeverityRank,
    now: DateTime<Utc>,
) -> Result<NewIncident, DeclareError> {
    let title = Title::parse(&input.title)?;
    let asked = input.severity.unwrap_or(default_severity);
    let severity = match input.triage.floor_index() {
        Some(floor) => asked.min(severities.rank_at(floor)),
        None => asked,
    };
    let cadence = severities.get(severity).update_every;
    let cadence = chrono::Duration::from_std(cadence).unwrap_or(chrono::Duration::days(1));
    let clean = |s: Option<String>, max: usize| {
        s.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .map(|s| truncate_chars(&s, max))
    };
    let incident_type = clean(input.incident_type, 100);
    let escalations = schedule::escalation_triggers(incident_type.as_deref(), &input.triage)
        .into_iter()
        .map(str::to_owned)
        .collect();
    Ok(NewIncident {
        breach_discovered_at: (input.triage.personal_data_exposed == Some(true)).then_some(now),
        escalations,
        title,
        severity,
        raised_by_triage: severity < asked,
        incident_type,
        impact: clean(input.impact, MAX_IMPACT_CHARS),
        triage: input.triage,
        declared_at: now,
        next_update_due_at: now + cadence,
    })
}

/// An incident as stored: its current state (the timeline holds how it got there).
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    pub severity: String,
    pub severity_rank: usize,
    pub status: Status,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    pub triage: Triage,
    pub declared_by: String,
    pub team_domain: Option<String>,
    pub channel_id: String,
    pub card_ts: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub next_update_due_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution_summary: Option<String>,
    /// Role key → Slack user ID of its holder.
    pub roles: std::collections::BTreeMap<String, String>,
    pub latest_update: Option<update::StructuredUpdate>,
    /// When a personal-data breach was discovered (the 72-hour clock starts here).
    pub breach_discovered_at: Option<DateTime<Utc>>,
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// Escalation triggers already announced, so each is announced once.
    pub escalations: Vec<String>,
}

/// The structured update as posted in the thread: all seven fields, in the guide's order.
pub fn format_update(incident: &Incident, update: &update::StructuredUpdate) -> String {
    use crate::slack::blocks::{escape, slack_date};
    [
        format!(":mega: *Update* from <@{}>", update.posted_by),
        format!("*Incident ID:* {}", incident.id),
        format!("*Severity:* {}", incident.severity),
        format!("*Status:* {}", incident.status),
        format!("*Impact:* {}", escape(&update.impact)),
        format!("*Current action:* {}", escape(&update.current_action)),
        format!("*Owner:* <@{}>", update.owner),
        format!("*Next update:* {}", slack_date(update.next_update_at)),
    ]
    .join("\n")
}

/// Cuts `s` to at most `max` characters, ending with `…` when something was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(title: &str, severity: Option<usize>, triage: Triage) -> DeclareInput {
        let s = Severities::builtin();
        DeclareInput {
            title: title.into(),
            severity: severity.map(|i| s.rank_at(i)),
            incident_type: None,
            impact: Some("  ".into()),
            triage,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_declaration_without_severity_takes_the_default_and_its_cadence() {
        let s = Severities::builtin();
        let d = decide_declare(
            input(" Payments  API down ", None, Triage::default()),
            &s,
            s.rank_at(2),
            now(),
        )
        .unwrap();
        assert_eq!(d.title.as_str(), "Payments API down");
        assert_eq!(d.severity.index(), 2);
        assert_eq!(d.next_update_due_at, now() + chrono::Duration::hours(4));
        assert_eq!(d.impact, None, "a blank impact is no impact statement");
        assert!(!d.raised_by_triage);
    }

    #[test]
    fn triage_answers_raise_the_severity_to_their_floor_but_never_lower_it() {
        let s = Severities::builtin();
        let money = Triage::from_checked(["money_affected"]);
        let d = decide_declare(input("x", Some(3), money), &s, s.rank_at(2), now()).unwrap();
        assert_eq!(d.severity.index(), 1);
        assert!(d.raised_by_triage);
        let d = decide_declare(input("x", Some(0), money), &s, s.rank_at(2), now()).unwrap();
        assert_eq!(d.severity.index(), 0);
        assert!(!d.raised_by_triage);
    }

    #[test]
    fn a_blank_title_is_refused_and_a_long_one_is_cut() {
        let s = Severities::builtin();
        let err = decide_declare(
            input(" \n ", None, Triage::default()),
            &s,
            s.rank_at(2),
            now(),
        );
        assert_eq!(err.unwrap_err(), DeclareError::MissingTitle);
        let long = "é".repeat(500);
        let d = decide_declare(
            input(&long, None, Triage::default()),
            &s,
            s.rank_at(2),
            now(),
        )
        .unwrap();
        assert_eq!(d.title.as_str().chars().count(), MAX_TITLE_CHARS);
        assert!(d.title.as_str().ends_with('…'));
    }
}
