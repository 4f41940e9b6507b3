use super::*;
use crate::incident::{
    IncidentId, Triage,
    event::{Direction, StatusMove},
};
use chrono::TimeZone;

fn at(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap() + chrono::Duration::minutes(min)
}

fn incident() -> Incident {
    Incident {
        id: IncidentId::parse("INC-20261124-001").unwrap(),
        title: "Checkout down".into(),
        severity: "SEV-2".into(),
        severity_rank: 1,
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
        next_update_due_at: Some(at(60)),
        resolved_at: None,
        closed_at: None,
        resolution_summary: None,
        roles: Default::default(),
        latest_update: None,
        breach_discovered_at: None,
        authority_notified_at: None,
        escalations: Vec::new(),
    }
}

fn run(current: &Incident, change: Change, actor: &str, restrict: bool) -> Decision {
    let (s, c) = (Severities::builtin(), Catalog::builtin());
    decide(
        current,
        change,
        actor,
        at(10),
        Rules {
            severities: &s,
            catalog: &c,
            restrict_changes: restrict,
        },
    )
}

fn applied(d: Decision) -> Applied {
    match d {
        Decision::Apply(a) => *a,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn refused(d: Decision) -> Refusal {
    match d {
        Decision::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn acknowledging_records_who_and_when_once() {
    let a = applied(run(&incident(), Change::Acknowledge, "U1", false));
    assert_eq!(a.incident.acknowledged_by.as_deref(), Some("U1"));
    assert_eq!(a.incident.acknowledged_at, Some(at(10)));
    assert_eq!(
        a.events,
        [Event::Acknowledged {
            seconds_after_declare: 600
        }]
    );
    assert!(matches!(
        run(&a.incident, Change::Acknowledge, "U2", false),
        Decision::NoOp
    ));
}

#[test]
fn status_moves_forward_back_as_a_relapse_and_the_same_status_is_a_no_op() {
    let forward = applied(run(
        &incident(),
        Change::SetStatus(Status::Contained),
        "U1",
        false,
    ));
    assert_eq!(forward.incident.status, Status::Contained);
    assert_eq!(
        forward.events,
        [Event::StatusChanged(StatusMove {
            from: Status::Investigating,
            to: Status::Contained,
            relapse: false
        })]
    );
    let back = applied(run(
        &forward.incident,
        Change::SetStatus(Status::Investigating),
        "U1",
        false,
    ));
    assert!(matches!(
        back.events[..],
        [Event::StatusChanged(StatusMove { relapse: true, .. })]
    ));
    assert!(matches!(
        run(
            &incident(),
            Change::SetStatus(Status::Investigating),
            "U1",
            false
        ),
        Decision::NoOp
    ));
}

#[test]
fn resolving_needs_a_summary_stops_updates_and_reopening_restarts_them() {
    assert_eq!(
        refused(run(
            &incident(),
            Change::Resolve {
                summary: "  ".into()
            },
            "U1",
            false
        )),
        Refusal::Empty {
            what: "The resolution summary".into()
        }
    );
    let resolved = applied(run(
        &incident(),
        Change::Resolve {
            summary: "Rolled back".into(),
        },
        "U1",
        false,
    ))
    .incident;
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(resolved.next_update_due_at, None);
    let reopened = applied(run(
        &resolved,
        Change::SetStatus(Status::Recovering),
        "U1",
        false,
    ))
    .incident;
    assert_eq!(reopened.resolved_at, None);
    assert_eq!(reopened.next_update_due_at, Some(at(10 + 60)));
}

#[test]
fn close_needs_resolved_and_a_complete_checklist_and_is_final() {
    let complete: Vec<(String, ClosureAnswer)> = super::super::update::CLOSURE_CRITERIA
        .iter()
        .map(|(k, _)| (k.to_string(), ClosureAnswer::Confirmed))
        .collect();
    assert!(matches!(
        refused(run(
            &incident(),
            Change::Close {
                checklist: complete.clone()
            },
            "U1",
            false
        )),
        Refusal::NotResolved { .. }
    ));
    let resolved = applied(run(
        &incident(),
        Change::Resolve {
            summary: "Fixed".into(),
        },
        "U1",
        false,
    ))
    .incident;
    let mut partial = complete.clone();
    partial[1].1 = ClosureAnswer::UnderReview;
    partial.pop();
    match refused(run(
        &resolved,
        Change::Close { checklist: partial },
        "U1",
        false,
    )) {
        Refusal::ChecklistIncomplete { open } => assert_eq!(
            open,
            [
                "Root cause confirmed",
                "An owner assigned for each follow-up action"
            ]
        ),
        other => panic!("{other:?}"),
    }
    let closed = applied(run(
        &resolved,
        Change::Close {
            checklist: complete,
        },
        "U1",
        false,
    ))
    .incident;
    assert_eq!(closed.status, Status::Closed);
    assert!(matches!(
        refused(run(&closed, Change::Acknowledge, "U1", false)),
        Refusal::Closed { .. }
    ));
    assert!(matches!(
        refused(run(
            &closed,
            Change::SetStatus(Status::Investigating),
            "U1",
            false
        )),
        Refusal::Closed { .. }
    ));
}

#[test]
fn severity_changes_need_a_reason_keep_the_triage_floor_and_recompute_the_deadline() {
    let s = Severities::builtin();
    let raised = applied(run(
        &incident(),
        Change::SetSeverity {
            to: s.rank_at(0),
            reason: "Spreading".into(),
        },
        "U1",
        false,
    ));
    assert_eq!(
        (
            raised.incident.severity.as_str(),
            raised.incident.severity_rank
        ),
        ("SEV-1", 0)
    );
    assert_eq!(
        raised.incident.next_update_due_at,
        Some(at(30)),
        "declared at 0, SEV-1 cadence 30 min"
    );
    assert!(matches!(
        run(
            &incident(),
            Change::SetSeverity {
                to: s.rank_at(1),
                reason: "x".into()
            },
            "U1",
            false
        ),
        Decision::NoOp
    ));
    assert_eq!(
        refused(run(
            &incident(),
            Change::SetSeverity {
                to: s.rank_at(2),
                reason: " ".into()
            },
            "U1",
            false
        )),
        Refusal::Empty {
            what: "The reason".into()
        }
    );
    let mut money = incident();
    money.triage = Triage::from_checked(["money_affected"]);
    assert_eq!(
        refused(run(
            &money,
            Change::SetSeverity {
                to: s.rank_at(2),
                reason: "calmer".into()
            },
            "U1",
            false
        )),
        Refusal::BelowTriageFloor {
            floor: "SEV-2".into()
        }
    );
}

#[test]
fn restricted_mode_lets_only_role_holders_and_the_declarer_before_a_commander_steer() {
    let to = Change::SetStatus(Status::Identified);
    assert_eq!(
        refused(run(&incident(), to.clone(), "UOTHER", true)),
        Refusal::NotPermitted
    );
    applied(run(&incident(), to.clone(), "UDECL", true));
    let mut led = incident();
    led.roles.insert("commander".into(), "UCMD".into());
    assert_eq!(
        refused(run(&led, to.clone(), "UDECL", true)),
        Refusal::NotPermitted
    );
    applied(run(&led, to.clone(), "UCMD", true));
    applied(run(&incident(), Change::Acknowledge, "UOTHER", true));
    applied(run(&incident(), to, "UOTHER", false));
}

#[test]
fn an_update_sets_the_next_deadline_and_can_change_status() {
    let change = Change::PostUpdate {
        impact: "EU users".into(),
        current_action: "Rolling back".into(),
        owner: "U2".into(),
        next_update_in: chrono::Duration::minutes(30),
        status: Some(Status::Identified),
    };
    let a = applied(run(&incident(), change, "U1", false));
    assert_eq!(a.incident.next_update_due_at, Some(at(40)));
    assert_eq!(a.incident.status, Status::Identified);
    match &a.events[..] {
        [Event::UpdatePosted(posted)] => {
            assert_eq!(posted.severity.as_deref(), Some("SEV-2"));
            assert_eq!(posted.status, Some(Status::Identified));
            assert_eq!(posted.update.owner, "U2");
            assert_eq!(posted.update.next_update_at, at(40));
            assert_eq!(
                posted.status_change,
                Some(StatusMove::new(Status::Investigating, Status::Identified))
            );
        }
        other => panic!("{other:?}"),
    }
    let past = Change::PostUpdate {
        impact: "x".into(),
        current_action: "y".into(),
        owner: "U2".into(),
        next_update_in: chrono::Duration::zero(),
        status: None,
    };
    assert_eq!(
        refused(run(&incident(), past, "U1", false)),
        Refusal::NextUpdateInPast
    );
}

#[test]
fn roles_and_types_must_be_configured_and_setting_a_type_posts_its_runbook() {
    assert_eq!(
        refused(run(
            &incident(),
            Change::AssignRole {
                role: "wizard".into(),
                user: "U2".into()
            },
            "U1",
            false
        )),
        Refusal::UnknownRole {
            role: "wizard".into()
        }
    );
    let assigned = applied(run(
        &incident(),
        Change::AssignRole {
            role: "tech_lead".into(),
            user: "U2".into(),
        },
        "U1",
        false,
    ))
    .incident;
    assert!(matches!(
        run(
            &assigned,
            Change::AssignRole {
                role: "tech_lead".into(),
                user: "U2".into()
            },
            "U1",
            false
        ),
        Decision::NoOp
    ));
    let edit = Change::Edit {
        title: "Checkout down".into(),
        impact: None,
        incident_type: Some("payment_wallet".into()),
    };
    assert_eq!(
        applied(run(&incident(), edit, "U1", false)).runbook_for(),
        Some("payment_wallet")
    );
    let same = Change::Edit {
        title: "Checkout down".into(),
        impact: None,
        incident_type: None,
    };
    assert!(matches!(
        run(&incident(), same, "U1", false),
        Decision::NoOp
    ));
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
    i.roles.insert("commander".into(), "UCMD".into());
    i
}

#[test]
fn every_path_that_steers_an_incident_is_refused_to_a_non_holder_and_allowed_to_a_holder() {
    let mut breach = led();
    breach.breach_discovered_at = Some(at(0));
    let mut resolved = led();
    resolved.status = Status::Resolved;
    resolved.resolved_at = Some(at(5));
    let edit = |title: &str, incident_type: Option<&str>| Change::Edit {
        title: title.into(),
        impact: None,
        incident_type: incident_type.map(str::to_owned),
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
    quick.severity = "SEV-3".into();
    quick.severity_rank = 2;
    let raised = applied(run(
        &quick,
        Change::ReviewTriage {
            triage: Triage::from_checked(["money_affected"]),
        },
        "U1",
        false,
    ));
    assert_eq!(raised.incident.severity, "SEV-2");
    assert!(matches!(
        &raised.events[..],
        [
            Event::TriageReviewed { .. },
            Event::SeverityChanged(m),
            Event::Escalated(_)
        ] if m.direction == Direction::Raised && m.to == "SEV-2"
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
        cleared.incident.severity, "SEV-2",
        "a lower floor lowers nothing"
    );
    assert_eq!(cleared.events.len(), 1);
    let lowered = applied(run(&cleared.incident, lower, "U1", false));
    assert_eq!(lowered.incident.severity, "SEV-3");
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
    assert_eq!(reviewed.incident.severity, "SEV-1");
    assert!(
        reviewed
            .events
            .iter()
            .any(|e| matches!(e, Event::BreachFlagged { .. }))
    );
}

#[test]
fn an_escalation_trigger_is_announced_once_when_it_first_holds() {
    let edit = Change::Edit {
        title: "Checkout down".into(),
        impact: None,
        incident_type: Some("credential".into()),
    };
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
