use super::*;
use crate::incident::{
    RoleKey,
    event::{Declared, DeclaredVia, StatusMove, SummaryApproved, SummaryDrafted},
    example::{at, incident},
    scope::Finding,
    summaries::sha256_hex,
};

const TOLD: &str = "Some card payments failed between 10:00 and 11:40 UTC.\nPayments work again; we are monitoring.";

fn entry(number: u32, minutes: i64, actor: &str, event: Event) -> Recorded {
    Recorded {
        number,
        at: at(minutes),
        actor: actor.into(),
        event: Stored::Known(event),
    }
}

/// A SEV-2 that was declared, contained, found, fixed, resolved and had one entry corrected.
pub(crate) fn example() -> (Incident, Vec<Recorded>, Vec<Action>) {
    let mut i = incident(1);
    i.scope.impact_started_at = Some(at(-20));
    i.scope.detection = Some(Detection::CustomerReport);
    i.scope.affected_services = Some("checkout | payments-api".into());
    i.impact = Some("EU card payments fail".into());
    i.status = Status::Resolved;
    i.resolved_at = Some(at(100));
    i.resolution_summary = Some("Rolled back; error rate at baseline for 30 min".into());
    i.findings.root_cause = Some(Finding {
        text: "Pool capped at 10".into(),
        link: None,
        at: at(60),
    });
    i.roles.insert(RoleKey::commander(), "UCMD".into());
    i.review.due_at = Some(at(60 * 24 * 7));
    let declared = Event::Declared(Declared {
        title: "Checkout down".into(),
        severity: "SEV-2".into(),
        raised_by_triage: false,
        incident_type: None,
        impact: Some("EU card payments fail".into()),
        triage: Default::default(),
        next_update_due_at: None,
        via: DeclaredVia::Form,
        breach_discovered_at: None,
        escalated: vec![],
        impact_started_at: Some(at(-20)),
        detection: Some(Detection::CustomerReport),
        environment: Some(Environment::Production),
        affected_services: None,
        drill: false,
        scenario: None,
        restricted: false,
        source_message: None,
    });
    let entries = vec![
        entry(1, 0, "UDECL", declared),
        entry(
            2,
            5,
            "UCMD",
            Event::Note {
                text: "Paged the DBA at 10:01".into(),
            },
        ),
        entry(
            3,
            30,
            "UCMD",
            Event::StatusChanged(StatusMove::new(Status::Investigating, Status::Contained)),
        ),
        entry(
            4,
            60,
            "UCMD",
            Event::RootCauseIdentified {
                cause: "Pool capped at 10".into(),
            },
        ),
        entry(
            5,
            70,
            "UOPS",
            Event::Corrected {
                entry: 2,
                text: "Paged the DBA at 10:05".into(),
            },
        ),
        entry(
            6,
            100,
            "UCMD",
            Event::Resolved {
                from: Status::Contained,
                summary: "Rolled back; error rate at baseline for 30 min".into(),
            },
        ),
        entry(
            7,
            105,
            "UOPS",
            Event::SummaryDrafted(SummaryDrafted {
                summary: 1,
                title: "Card payments failed".into(),
                text: TOLD.into(),
                status: PublicStatus::Monitoring,
                audience: Audience::Customers,
                acknowledged: vec![],
                supersedes: vec![],
            }),
        ),
        entry(
            8,
            108,
            "UCMD",
            Event::SummaryApproved(SummaryApproved {
                summary: 1,
                title: "Card payments failed".into(),
                text: TOLD.into(),
                status: PublicStatus::Monitoring,
                audience: Audience::Customers,
                sha256: sha256_hex(TOLD),
                author: "UOPS".into(),
            }),
        ),
    ];
    let actions = vec![Action {
        number: 1,
        text: "Alert on pool saturation".into(),
        owner: "UOPS".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        link: None,
        status: ActionStatus::Open,
        reason: None,
        created_by: "UCMD".into(),
        created_at: at(110),
        finished_at: None,
        finished_by: None,
    }];
    (i, entries, actions)
}

#[test]
fn the_fields_come_from_the_facts_and_what_is_unknown_stays_unknown() {
    let (i, entries, actions) = example();
    let r = build(&i, entries.clone(), &actions);
    assert_eq!(r.start, at(-20), "from when the impact started");
    assert_eq!(r.end, Some(at(100)));
    assert_eq!(r.duration_seconds, Some(120 * 60));
    assert_eq!(r.root_cause.as_deref(), Some("Pool capped at 10"));
    assert_eq!(r.owner, "UCMD");
    assert_eq!(r.data_exposure, Exposure::UnderReview, "nobody assessed it");
    assert_eq!(r.financial_impact, None);
    assert_eq!(r.affected_users, None, "no review answer yet");
    assert_eq!(r.actions[0].id, "INC-20261124-001-A1");
    assert!(r.review.is_some());
}

#[test]
fn milestones_take_the_first_containment_and_the_latest_finding_and_carry_corrections() {
    let (i, entries, actions) = example();
    let r = build(&i, entries.clone(), &actions);
    let by = |k: MilestoneKind| r.milestones.iter().find(|m| m.kind == k).unwrap().clone();
    assert_eq!(
        by(MilestoneKind::Detected).notes.as_deref(),
        Some("Customer report")
    );
    assert_eq!(by(MilestoneKind::ContainmentStarted).at, Some(at(30)));
    assert_eq!(
        by(MilestoneKind::RootCauseIdentified).owner.as_deref(),
        Some("UCMD")
    );
    assert_eq!(by(MilestoneKind::FixDeployed).at, None);
    assert_eq!(by(MilestoneKind::ServiceRecovered).at, Some(at(100)));
    assert_eq!(by(MilestoneKind::Closed).at, None);
    assert_eq!(
        r.timeline[1].corrected,
        Some(Correction {
            by_entry: 5,
            text: "Paged the DBA at 10:05".to_owned()
        })
    );
    assert_eq!(
        r.timeline.iter().filter(|e| e.corrected.is_some()).count(),
        1
    );
}

#[test]
fn data_exposure_is_yes_with_a_breach_and_no_only_once_assessed() {
    let (mut i, mut entries, actions) = example();
    i.triage.personal_data_exposed = Some(false);
    assert_eq!(
        build(&i, entries.clone(), &actions).data_exposure,
        Exposure::UnderReview
    );
    entries.push(entry(
        9,
        200,
        "UCMD",
        Event::Closed {
            checklist: [(
                "data_exposure_assessed".to_owned(),
                ClosureAnswer::Confirmed,
            )]
            .into_iter()
            .collect(),
            no_action_reason: None,
        },
    ));
    assert_eq!(
        build(&i, entries.clone(), &actions).data_exposure,
        Exposure::No
    );
    i.breach_discovered_at = Some(at(3));
    assert_eq!(
        build(&i, entries.clone(), &actions).data_exposure,
        Exposure::Yes
    );
}

#[test]
fn the_report_lists_only_approved_summaries_with_who_approved_them_when_and_the_hash() {
    let (i, mut entries, actions) = example();
    // A later draft, never approved, is not in the report.
    entries.push(entry(
        9,
        120,
        "UOPS",
        Event::SummaryDrafted(SummaryDrafted {
            summary: 2,
            title: "Never approved".into(),
            text: "Not for the public yet.".into(),
            status: PublicStatus::Resolved,
            audience: Audience::Regulator,
            acknowledged: vec![],
            supersedes: vec![],
        }),
    ));
    let r = build(&i, entries, &actions);
    assert_eq!(r.summaries.len(), 1);
    let s = &r.summaries[0];
    assert_eq!(s.id, "INC-20261124-001-S1");
    assert_eq!(
        (s.audience, s.status),
        (Audience::Customers, PublicStatus::Monitoring)
    );
    assert_eq!((s.approved_by.as_str(), s.approved_at), ("UCMD", at(108)));
    assert_eq!(s.text, TOLD);
    assert_eq!(s.sha256, sha256_hex(TOLD));
}
