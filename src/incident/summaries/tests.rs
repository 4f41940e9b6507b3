use super::*;
use crate::incident::{
    Catalog, Event, Incident, Status,
    example::{at, incident},
    lifecycle::Refusal,
};

const AUTHOR: &str = "UAUTHOR";
const COMMANDER: &str = "UCMD";
const COMMS: &str = "UCOMMS";

fn led() -> Incident {
    let mut i = incident(1);
    i.roles.insert(RoleKey::commander(), COMMANDER.into());
    i.roles
        .insert(RoleKey::from("communications"), COMMS.into());
    i.roles.insert(RoleKey::from("tech_lead"), "UTECH".into());
    i
}

fn draft(text: &str, acknowledged: bool) -> SummaryChange {
    SummaryChange::Draft {
        title: "Card payments delayed".into(),
        text: text.into(),
        status: PublicStatus::Investigating,
        audience: Audience::Customers,
        acknowledged,
    }
}

fn decide(i: &Incident, drafts: &[Summary], change: SummaryChange, actor: &str) -> SummaryDecision {
    decide_summary(
        i,
        drafts,
        change,
        actor,
        at(30),
        &Catalog::builtin(),
        &CommsConfig::default(),
    )
}

fn applied(d: SummaryDecision) -> SummaryApplied {
    match d {
        SummaryDecision::Apply(a) => *a,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn refused(d: SummaryDecision) -> Refusal {
    match d {
        SummaryDecision::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Draft number `n`, pending, by the author.
fn pending(n: u32) -> Summary {
    let mut drafted = applied(decide(
        &led(),
        &[],
        draft("Payments are delayed.", false),
        AUTHOR,
    ));
    let mut s = drafted.changed.pop().unwrap();
    s.number = n;
    s
}

#[test]
fn an_id_reads_back_in_any_case_and_refuses_what_is_not_one() {
    let id = SummaryId::parse("inc-20261124-001-s3").unwrap();
    assert_eq!((id.incident.as_str(), id.number), ("INC-20261124-001", 3));
    assert_eq!(id.to_string(), "INC-20261124-001-S3");
    for bad in [
        "INC-20261124-001-S0",
        "INC-20261124-001-A3",
        "INC-20261124-001",
        "S3",
    ] {
        assert!(SummaryId::parse(bad).is_none(), "{bad}");
    }
}

#[test]
fn a_clean_draft_takes_the_next_number_and_supersedes_only_the_drafts_still_pending() {
    let mut approved = pending(1);
    approved.state = SummaryState::Approved;
    let older = [approved, pending(2), pending(3)];
    let a = applied(decide(
        &led(),
        &older,
        draft("  Payments are delayed.  ", false),
        "UANYONE",
    ));
    let states: Vec<(u32, SummaryState, Option<u32>)> = a
        .changed
        .iter()
        .map(|s| (s.number, s.state, s.superseded_by))
        .collect();
    assert_eq!(
        states,
        [
            (2, SummaryState::Superseded, Some(4)),
            (3, SummaryState::Superseded, Some(4)),
            (4, SummaryState::Pending, None)
        ]
    );
    let Event::SummaryDrafted(drafted) = &a.event else {
        panic!("{:?}", a.event)
    };
    assert_eq!(
        (drafted.summary, drafted.text.as_str()),
        (4, "Payments are delayed.")
    );
    assert_eq!(drafted.supersedes, [2, 3]);
    assert_eq!(a.changed[2].author, "UANYONE");
    assert!(a.public.is_none(), "nothing leaves before approval");
}

#[test]
fn a_draft_with_an_error_is_rejected_even_acknowledged_and_warnings_need_the_acknowledgement() {
    let leaked = decide(&led(), &[], draft("Host 10.0.0.7 failed.", true), AUTHOR);
    let SummaryDecision::Rejected(report) = leaked else {
        panic!("{leaked:?}")
    };
    assert!(report.has_errors());
    let unsure = "We think a deploy caused it.";
    assert!(matches!(
        decide(&led(), &[], draft(unsure, false), AUTHOR),
        SummaryDecision::Rejected(r) if !r.has_errors()
    ));
    let a = applied(decide(&led(), &[], draft(unsure, true), AUTHOR));
    assert_eq!(a.changed[0].acknowledged, [lint::Rule::UnconfirmedClaim]);
}

#[test]
fn all_clear_wording_is_a_warning_until_the_incident_is_resolved_and_its_review_complete() {
    let green = "Payments are fixed.";
    let mut resolved = led();
    resolved.status = Status::Resolved;
    for i in [led(), resolved.clone()] {
        assert!(matches!(
            decide(&i, &[], draft(green, false), AUTHOR),
            SummaryDecision::Rejected(_)
        ));
    }
    resolved.review.completed_at = Some(at(20));
    let a = applied(decide(&resolved, &[], draft(green, false), AUTHOR));
    assert!(a.changed[0].acknowledged.is_empty());
}

#[test]
fn only_an_approver_who_did_not_write_it_approves_and_the_approval_records_the_texts_sha256() {
    let drafts = [pending(1)];
    let approve = || SummaryChange::Approve { number: 1 };
    let own = refused(decide(&led(), &drafts, approve(), AUTHOR));
    assert!(matches!(own, Refusal::OwnSummary { .. }));
    assert!(
        own.to_string()
            .contains("Incident Commander or Communications Owner"),
        "{own}"
    );
    let mut author_commands = led();
    author_commands
        .roles
        .insert(RoleKey::commander(), AUTHOR.into());
    assert!(matches!(
        refused(decide(&author_commands, &drafts, approve(), AUTHOR)),
        Refusal::OwnSummary { .. }
    ));
    for bystander in ["UTECH", "UNOBODY"] {
        assert!(matches!(
            refused(decide(&led(), &drafts, approve(), bystander)),
            Refusal::NotAnApprover { .. }
        ));
    }
    for approver in [COMMANDER, COMMS] {
        let a = applied(decide(&led(), &drafts, approve(), approver));
        let s = &a.changed[0];
        assert_eq!(s.state, SummaryState::Approved);
        assert_eq!(s.decided_by.as_deref(), Some(approver));
        let Event::SummaryApproved(approved) = &a.event else {
            panic!("{:?}", a.event)
        };
        assert_eq!(approved.sha256, sha256_hex("Payments are delayed."));
        assert_eq!(s.sha256.as_ref(), Some(&approved.sha256));
        assert_eq!(approved.author, AUTHOR);
        assert_eq!(
            a.public,
            Some(PublicSummary {
                title: "Card payments delayed".into(),
                status: PublicStatus::Investigating,
                text: "Payments are delayed.".into(),
            })
        );
    }
    // The hash is SHA-256 itself: the standard's own test vector.
    assert_eq!(
        sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn a_decided_or_superseded_draft_is_refused_in_words_and_a_repeat_changes_nothing() {
    let mut approved = pending(1);
    approved.state = SummaryState::Approved;
    let mut superseded = pending(2);
    superseded.state = SummaryState::Superseded;
    superseded.superseded_by = Some(3);
    let mut sent_back = pending(3);
    sent_back.state = SummaryState::ChangesRequested;
    let drafts = [approved, superseded, sent_back];
    let approve = |number| SummaryChange::Approve { number };
    let back = |number| SummaryChange::RequestChanges {
        number,
        reason: "Say when".into(),
    };
    assert!(matches!(
        decide(&led(), &drafts, approve(1), COMMANDER),
        SummaryDecision::NoOp
    ));
    assert!(matches!(
        decide(&led(), &drafts, back(3), COMMANDER),
        SummaryDecision::NoOp
    ));
    let superseded = refused(decide(&led(), &drafts, approve(2), COMMANDER));
    assert_eq!(
        superseded.to_string(),
        "INC-20261124-001-S2 was superseded by INC-20261124-001-S3; only the latest draft can be approved or sent back."
    );
    assert!(matches!(
        refused(decide(&led(), &drafts, approve(3), COMMANDER)),
        Refusal::SummaryDecided { .. }
    ));
    assert!(matches!(
        refused(decide(&led(), &drafts, back(1), COMMANDER)),
        Refusal::SummaryDecided { .. }
    ));
    assert!(matches!(
        refused(decide(&led(), &drafts, approve(9), COMMANDER)),
        Refusal::NoSuchSummary { .. }
    ));
}

#[test]
fn changes_are_asked_for_by_an_approver_or_the_author_with_a_reason() {
    let drafts = [pending(1)];
    let back = |reason: &str| SummaryChange::RequestChanges {
        number: 1,
        reason: reason.into(),
    };
    assert!(matches!(
        refused(decide(&led(), &drafts, back("No"), "UTECH")),
        Refusal::NotAReviewer { .. }
    ));
    assert!(matches!(
        refused(decide(&led(), &drafts, back("  "), COMMS)),
        Refusal::Empty { .. }
    ));
    for who in [COMMS, AUTHOR] {
        let a = applied(decide(&led(), &drafts, back(" Name the regions "), who));
        assert_eq!(a.changed[0].state, SummaryState::ChangesRequested);
        assert_eq!(a.changed[0].reason.as_deref(), Some("Name the regions"));
        assert!(a.public.is_none());
    }
}

#[test]
fn a_cancelled_incident_takes_no_summary_but_a_closed_one_does() {
    let mut cancelled = led();
    cancelled.status = Status::Cancelled;
    assert!(matches!(
        refused(decide(
            &cancelled,
            &[],
            draft("Payments are delayed.", false),
            AUTHOR
        )),
        Refusal::Cancelled { .. }
    ));
    let mut closed = led();
    closed.status = Status::Closed;
    applied(decide(
        &closed,
        &[],
        draft("Payments are delayed.", false),
        AUTHOR,
    ));
}
