use super::*;
use crate::incident::example::at;

pub(super) fn incident() -> Incident {
    crate::incident::example::incident(1)
}
use crate::incident::{SeverityName, Triage, actions::ActionsSummary, event::StatusMove};

pub(super) fn run(current: &Incident, change: Change, actor: &str, restrict: bool) -> Decision {
    let (s, c) = (Severities::builtin(), Catalog::builtin());
    let schedule = schedule::ScheduleConfig::default();
    decide(
        current,
        change,
        actor,
        at(10),
        Rules {
            severities: &s,
            catalog: &c,
            restrict_changes: restrict,
            schedule: &schedule,
        },
    )
}

pub(super) fn applied(d: Decision) -> Applied {
    match d {
        Decision::Apply(a) => *a,
        other => panic!("expected a change, got {other:?}"),
    }
}

pub(super) fn refused(d: Decision) -> Refusal {
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

pub(super) fn close_with(
    checklist: Vec<(String, ClosureAnswer)>,
    no_action_reason: Option<&str>,
    actions: ActionsSummary,
) -> Change {
    Change::Close {
        checklist,
        no_action_reason: no_action_reason.map(str::to_owned),
        actions,
    }
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
            close_with(complete.clone(), None, ActionsSummary::default()),
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
        close_with(partial, None, ActionsSummary::default()),
        "U1",
        false,
    )) {
        Refusal::ChecklistIncomplete { open } => assert_eq!(
            open,
            [
                "Root cause confirmed",
                "Data-exposure assessment done (if applicable)"
            ]
        ),
        other => panic!("{other:?}"),
    }
    let two = ActionsSummary {
        total: 2,
        open: 1,
        open_without_owner: 0,
    };
    let closed = applied(run(&resolved, close_with(complete, None, two), "U1", false)).incident;
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
            raised.incident.severity.name().as_str(),
            raised.incident.severity.rank().index()
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
    led.roles.insert(RoleKey::commander(), "UCMD".into());
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
            assert_eq!(
                posted.severity.as_ref().map(SeverityName::as_str),
                Some("SEV-2")
            );
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
    let edit = Change::Edit(EditFields {
        title: "Checkout down".into(),
        impact: None,
        incident_type: Some("payment_wallet".into()),
        scope: incident().scope,
    });
    assert_eq!(
        applied(run(&incident(), edit, "U1", false)).runbook_for(),
        Some("payment_wallet")
    );
    let same = Change::Edit(EditFields {
        title: "Checkout down".into(),
        impact: None,
        incident_type: None,
        scope: incident().scope,
    });
    assert!(matches!(
        run(&incident(), same, "U1", false),
        Decision::NoOp
    ));
}
