//! Who may steer an incident through which change, and the triage review.

use super::tests::{applied, incident, refused, run};
use super::*;
use crate::incident::{
    Triage,
    event::{Direction, StatusMove},
    example::at,
};

fn update_to(status: Option<Status>) -> Change {
    Change::PostUpdate {
        impact: "EU users".into(),
        current_action: "Watching".into(),
        owner: "U2".into(),
        next_update_in: chrono::Duration::minutes(30),
        status,
    }
}

fn record() -> BreachNotification {
    BreachNotification {
        nature: "n".into(),
        data_subjects: "d".into(),
        data_categories: "c".into(),
        likely_consequences: "l".into(),
        measures: "m".into(),
        contact_point: "p".into(),
    }
}

/// An incident led by UCMD, so neither the declarer nor a bystander steers it.
fn led() -> Incident {
    let mut i = incident();
    i.roles.insert(RoleKey::commander(), "UCMD".into());
    i
}

#[test]
fn every_path_that_steers_an_incident_is_refused_to_a_non_holder_and_allowed_to_a_holder() {
    let mut breach = led();
    breach.breach_discovered_at = Some(at(0));
    let mut resolved = led();
    resolved.status = Status::Resolved;
    resolved.resolved_at = Some(at(5));
    let edit = |title: &str, incident_type: Option<&str>| {
        Change::Edit(EditFields {
            title: title.into(),
            impact: None,
            incident_type: incident_type.map(str::to_owned),
            scope: incident().scope,
        })
    };
    let paths: Vec<(&str, Incident, Change)> = vec![
        (
            "status through Post update",
            led(),
            update_to(Some(Status::Contained)),
        ),
        ("title through Edit", led(), edit("Renamed", None)),
        (
            "type through Edit",
            led(),
            edit("Checkout down", Some("credential")),
        ),
        (
            "the breach clock through a notification record",
            breach,
            Change::AuthorityNotified { record: record() },
        ),
        (
            "reopening through Post update",
            resolved,
            update_to(Some(Status::Recovering)),
        ),
        (
            "the triage answers",
            led(),
            Change::ReviewTriage {
                triage: Triage::from_checked(["money_affected"]),
            },
        ),
    ];
    for (path, current, change) in paths {
        assert_eq!(
            refused(run(&current, change.clone(), "UBYSTANDER", true)),
            Refusal::NotPermitted,
            "{path} by a bystander"
        );
        assert_eq!(
            refused(run(&current, change.clone(), "UDECL", true)),
            Refusal::NotPermitted,
            "{path} by the declarer once a commander leads"
        );
        applied(run(&current, change.clone(), "UCMD", true));
        applied(run(&current, change, "UBYSTANDER", false));
    }
}

#[test]
fn anyone_may_post_an_update_that_changes_no_status_acknowledge_note_or_raise_a_breach() {
    for change in [
        update_to(None),
        update_to(Some(Status::Investigating)),
        Change::Acknowledge,
        Change::Note {
            text: "seen".into(),
        },
        Change::FlagBreach {
            discovered_at: at(1),
        },
    ] {
        applied(run(&led(), change, "UBYSTANDER", true));
    }
}

#[test]
fn reopening_through_post_update_clears_the_resolution_and_owes_updates_again() {
    let resolved = applied(run(
        &incident(),
        Change::Resolve {
            summary: "Rolled back".into(),
        },
        "U1",
        false,
    ))
    .incident;
    let reopened = applied(run(
        &resolved,
        update_to(Some(Status::Recovering)),
        "U1",
        false,
    ));
    assert_eq!(reopened.incident.status, Status::Recovering);
    assert_eq!(
        reopened.incident.resolved_at, None,
        "MTTR must not count it"
    );
    assert_eq!(reopened.incident.next_update_due_at, Some(at(40)));
    assert!(matches!(
        &reopened.events[..],
        [Event::UpdatePosted(u)] if u.status_change == Some(StatusMove::new(Status::Resolved, Status::Recovering))
    ));
}

#[test]
fn reviewing_the_triage_records_the_answers_raises_to_a_new_floor_and_lets_severity_drop_after() {
    let s = Severities::builtin();
    let mut quick = incident();
    quick.severity = s.severity(s.rank_at(2));
    let raised = applied(run(
        &quick,
        Change::ReviewTriage {
            triage: Triage::from_checked(["money_affected"]),
        },
        "U1",
        false,
    ));
    assert_eq!(raised.incident.severity.name().as_str(), "SEV-2");
    assert!(matches!(
        &raised.events[..],
        [
            Event::TriageReviewed { .. },
            Event::SeverityChanged(m),
            Event::Escalated(_)
        ] if m.direction == Direction::Raised && m.to.as_str() == "SEV-2"
    ));
    let lower = Change::SetSeverity {
        to: s.rank_at(2),
        reason: "Only test wallets".into(),
    };
    assert!(matches!(
        refused(run(&raised.incident, lower.clone(), "U1", false)),
        Refusal::BelowTriageFloor { .. }
    ));
    let cleared = applied(run(
        &raised.incident,
        Change::ReviewTriage {
            triage: Triage::from_checked([]),
        },
        "U1",
        false,
    ));
    assert_eq!(
        cleared.incident.severity.name().as_str(),
        "SEV-2",
        "a lower floor lowers nothing"
    );
    assert_eq!(cleared.events.len(), 1);
    let lowered = applied(run(&cleared.incident, lower, "U1", false));
    assert_eq!(lowered.incident.severity.name().as_str(), "SEV-3");
    assert!(matches!(
        run(
            &cleared.incident,
            Change::ReviewTriage {
                triage: Triage::from_checked([])
            },
            "U1",
            false
        ),
        Decision::NoOp
    ));
}

#[test]
fn triage_that_says_personal_data_starts_the_breach_clock_once() {
    let reviewed = applied(run(
        &incident(),
        Change::ReviewTriage {
            triage: Triage::from_checked(["personal_data_exposed"]),
        },
        "U1",
        false,
    ));
    assert_eq!(reviewed.incident.breach_discovered_at, Some(at(10)));
    assert_eq!(reviewed.incident.severity.name().as_str(), "SEV-1");
    assert!(
        reviewed
            .events
            .iter()
            .any(|e| matches!(e, Event::BreachFlagged { .. }))
    );
}

#[test]
fn an_escalation_trigger_is_announced_once_when_it_first_holds() {
    let edit = Change::Edit(EditFields {
        title: "Checkout down".into(),
        impact: None,
        incident_type: Some("credential".into()),
        scope: incident().scope,
    });
    let typed = applied(run(&incident(), edit, "U1", false));
    assert!(matches!(
        typed.events.last(),
        Some(Event::Escalated(Escalation::Triggers { triggers })) if triggers == &["credentials may be compromised"]
    ));
    let again = applied(run(
        &typed.incident,
        Change::Note { text: "x".into() },
        "U1",
        false,
    ));
    assert_eq!(again.events.len(), 1, "no second escalation");
}

#[test]
fn a_cancelled_incident_takes_no_more_changes() {
    let cancelled = applied(run(
        &incident(),
        Change::Cancel {
            reason: "Test alert".into(),
        },
        "U1",
        false,
    ))
    .incident;
    assert_eq!(cancelled.status, Status::Cancelled);
    assert!(matches!(
        refused(run(
            &cancelled,
            Change::Note { text: "x".into() },
            "U1",
            false
        )),
        Refusal::Cancelled { .. }
    ));
}
