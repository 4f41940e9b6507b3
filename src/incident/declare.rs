//! Declaring: the rules a new incident must pass, and the facts its declaration records.

use super::{
    Incident, IncidentId, MAX_IMPACT_CHARS, Severities, Severity, SeverityRank, Status, Title,
    Triage,
    catalog::IncidentType,
    drills,
    event::{Declared, DeclaredVia, Event, SourceMessage},
    schedule,
    scope::{Detection, Environment, MAX_SERVICES_CHARS, Scope},
    truncate_chars,
};
use chrono::{DateTime, Utc};

/// A user mistake in a declaration, explained to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclareError {
    #[error("An incident needs a title: `/incident declare sev2 Checkout is failing`.")]
    MissingTitle,
    #[error("The impact can't have started in the future.")]
    ImpactStartsInFuture,
    #[error(
        "Restricted incidents need a private channel, and none is configured: ask whoever runs warroom to set `[restricted] channel`. Declare it without `restricted` to use the incidents channel."
    )]
    NoRestrictedChannel,
}

/// Whether a declaration is restricted: when asked for, or — with a restricted channel
/// configured — when its type is a restricted (security) one. Asking for it without a channel is
/// refused rather than quietly declared in the open.
pub fn restriction(
    asked: bool,
    incident_type: Option<&IncidentType>,
    channel_configured: bool,
) -> Result<bool, DeclareError> {
    match (asked, channel_configured) {
        (true, false) => Err(DeclareError::NoRestrictedChannel),
        (true, true) => Ok(true),
        (false, configured) => Ok(configured && incident_type.is_some_and(|t| t.restricted)),
    }
}

/// What someone asked for when declaring.
#[derive(Debug, Clone)]
pub struct DeclareInput {
    pub title: String,
    pub severity: Option<SeverityRank>,
    pub incident_type: Option<String>,
    pub impact: Option<String>,
    pub triage: Triage,
    /// When the impact began, if the declarer knows; the declaration time otherwise.
    pub impact_started_at: Option<DateTime<Utc>>,
    pub detection: Option<Detection>,
    pub environment: Environment,
    pub affected_services: Option<String>,
    /// A drill (a tabletop exercise), not a real incident.
    pub drill: bool,
    /// The scenario a scripted drill runs: its injects are armed with the declaration.
    pub scenario: Option<drills::Scenario>,
    /// Decided by [`restriction`] before the declaration.
    pub restricted: bool,
    /// The message it is declared from, if any.
    pub source_message: Option<SourceMessage>,
}

impl DeclareInput {
    /// A declaration of `title`, with every other answer left to its default (a quick declare).
    pub fn quick(title: &str, severity: Option<SeverityRank>) -> Self {
        DeclareInput {
            title: title.to_owned(),
            severity,
            incident_type: None,
            impact: None,
            triage: Triage::default(),
            impact_started_at: None,
            detection: None,
            environment: Environment::default(),
            affected_services: None,
            drill: false,
            scenario: None,
            restricted: false,
            source_message: None,
        }
    }

    /// The drill that runs `scenario`: its title, type and severity (the configured default when
    /// it names none).
    pub fn scenario(scenario: &drills::Scenario) -> Self {
        DeclareInput {
            incident_type: scenario.incident_type.clone(),
            drill: true,
            scenario: Some(scenario.clone()),
            ..DeclareInput::quick(&scenario.title, scenario.severity)
        }
    }
}

/// A declaration that passed every rule and is ready to be stored.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: Title,
    pub severity: Severity,
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
    pub scope: Scope,
    pub drill: bool,
    /// The scenario a scripted drill runs, by name.
    pub scenario: Option<String>,
    /// A scenario's injects, armed with the declaration.
    pub injects: Vec<schedule::Arm>,
    pub restricted: bool,
    pub source_message: Option<SourceMessage>,
}

impl NewIncident {
    /// The incident as it will be stored (its ID not yet known), for planning its reminders.
    pub fn provisional(&self, declared_by: &str, channel: &str) -> Incident {
        Incident {
            id: IncidentId::from_stored("INC-PENDING".to_owned()),
            title: self.title.clone(),
            severity: self.severity.clone(),
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
            scope: self.scope.clone(),
            findings: Default::default(),
            review: Default::default(),
            drill: self.drill,
            restricted: self.restricted,
            customers_notified_at: None,
            version: 1,
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
    if input.impact_started_at.is_some_and(|at| at > now) {
        return Err(DeclareError::ImpactStartsInFuture);
    }
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
        severity: severities.severity(severity),
        raised_by_triage: severity < asked,
        incident_type,
        impact: clean(input.impact, MAX_IMPACT_CHARS),
        triage: input.triage,
        scope: Scope {
            impact_started_at: Some(input.impact_started_at.unwrap_or(now)),
            detection: input.detection,
            environment: input.environment,
            affected_services: clean(input.affected_services, MAX_SERVICES_CHARS),
        },
        declared_at: now,
        next_update_due_at: now + cadence,
        // A scenario is always a drill, whatever else was asked.
        drill: input.drill || input.scenario.is_some(),
        injects: input
            .scenario
            .as_ref()
            .map(|s| drills::arm_injects(s, now))
            .unwrap_or_default(),
        scenario: input.scenario.map(|s| s.name),
        restricted: input.restricted,
        source_message: input.source_message,
    })
}

impl NewIncident {
    /// The `declared` event: what was declared, how, and what it set in motion.
    pub fn event(&self, via: DeclaredVia) -> Event {
        Event::Declared(Declared {
            title: self.title.as_str().to_owned(),
            severity: self.severity.name().clone(),
            raised_by_triage: self.raised_by_triage,
            incident_type: self.incident_type.clone(),
            impact: self.impact.clone(),
            triage: self.triage,
            next_update_due_at: Some(self.next_update_due_at),
            via,
            breach_discovered_at: self.breach_discovered_at,
            escalated: self.escalations.clone(),
            impact_started_at: self.scope.impact_started_at,
            detection: self.scope.detection,
            environment: Some(self.scope.environment),
            affected_services: self.scope.affected_services.clone(),
            drill: self.drill,
            scenario: self.scenario.clone(),
            restricted: self.restricted,
            source_message: self.source_message.clone().map(Box::new),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::MAX_TITLE_CHARS;
    use chrono::TimeZone;

    fn input(title: &str, severity: Option<usize>, triage: Triage) -> DeclareInput {
        let s = Severities::builtin();
        DeclareInput {
            impact: Some("  ".into()),
            triage,
            ..DeclareInput::quick(title, severity.map(|i| s.rank_at(i)))
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
        assert_eq!(d.severity.rank().index(), 2);
        assert_eq!(d.next_update_due_at, now() + chrono::Duration::hours(4));
        assert_eq!(d.impact, None, "a blank impact is no impact statement");
        assert!(!d.raised_by_triage);
    }

    #[test]
    fn triage_answers_raise_the_severity_to_their_floor_but_never_lower_it() {
        let s = Severities::builtin();
        let money = Triage::from_checked(["money_affected"]);
        let d = decide_declare(input("x", Some(3), money), &s, s.rank_at(2), now()).unwrap();
        assert_eq!(d.severity.rank().index(), 1);
        assert_eq!(d.severity.name().as_str(), "SEV-2");
        assert!(d.raised_by_triage);
        let d = decide_declare(input("x", Some(0), money), &s, s.rank_at(2), now()).unwrap();
        assert_eq!(d.severity.rank().index(), 0);
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

    #[test]
    fn a_declaration_is_restricted_when_asked_or_by_its_type_and_only_with_a_channel() {
        let catalog = crate::incident::Catalog::builtin();
        let credential = catalog.incident_type("credential");
        let database = catalog.incident_type("database");
        assert_eq!(restriction(true, None, true), Ok(true));
        assert_eq!(restriction(false, credential, true), Ok(true));
        assert_eq!(restriction(false, database, true), Ok(false));
        assert_eq!(restriction(false, credential, false), Ok(false));
        assert_eq!(
            restriction(true, database, false),
            Err(DeclareError::NoRestrictedChannel)
        );
    }
}
