//! One incident for unit tests, shaped as a declaration leaves it; each test changes only what
//! it is about (`Incident { title: …, ..example::incident(1) }`).

use super::{Incident, IncidentId, Scope, Severities, Status, Triage};
use chrono::{DateTime, TimeZone, Utc};

/// `minutes` after 10:00 UTC on Tuesday 2026-11-24, when the example incident is declared.
pub(crate) fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// `INC-20261124-001`, "Checkout down", at the built-in severity of index `rank`, declared at
/// [`at`]`(0)` by `UDECL` into channel `C1`, its card posted, its first update due one cadence on.
pub(crate) fn incident(rank: usize) -> Incident {
    let s = Severities::builtin();
    let level = s.get(s.rank_at(rank));
    let cadence = chrono::Duration::from_std(level.update_every).unwrap();
    Incident {
        id: IncidentId::parse("INC-20261124-001").unwrap(),
        title: "Checkout down".into(),
        severity: s.severity(s.rank_at(rank)),
        status: Status::Investigating,
        incident_type: None,
        impact: None,
        triage: Triage::default(),
        declared_by: "UDECL".into(),
        team_domain: None,
        channel_id: "C1".into(),
        card_ts: Some("1.1".into()),
        declared_at: at(0),
        acknowledged_at: None,
        acknowledged_by: None,
        next_update_due_at: Some(at(0) + cadence),
        resolved_at: None,
        closed_at: None,
        resolution_summary: None,
        roles: Default::default(),
        latest_update: None,
        breach_discovered_at: None,
        authority_notified_at: None,
        escalations: Vec::new(),
        scope: Scope {
            impact_started_at: Some(at(0)),
            ..Scope::default()
        },
        findings: Default::default(),
        review: Default::default(),
        drill: false,
        restricted: false,
        customers_notified_at: None,
        version: 1,
    }
}
