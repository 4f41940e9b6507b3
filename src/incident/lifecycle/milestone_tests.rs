//! The milestones after detection: containment, the review's due date, the root cause, the fix,
//! and corrections of the timeline.

use super::tests::{applied, incident, run};
use super::*;
use crate::incident::{
    actions::ActionsSummary,
    event::Stored,
    example::{self, at},
    update::ClosureAnswer,
};

fn refused(d: Decision) -> Refusal {
    match d {
        Decision::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn resolving_a_severe_incident_sets_when_its_review_is_due_and_reopening_clears_it() {
    let resolve = || Change::Resolve {
        summary: "Rolled back".into(),
    };
    let severe = applied(run(&incident(), resolve(), "U1", false)).incident;
    // Resolved at 10:10 on Tuesday 2026-11-24: five business days later is next Tuesday.
    assert_eq!(
        severe.review.due_at,
        Some(at(10) + chrono::Duration::days(7))
    );
    let minor = applied(run(&example::incident(2), resolve(), "U1", false)).incident;
    assert_eq!(minor.review.due_at, None, "SEV-3 gets no review by default");
    let reopened = applied(run(
        &severe,
        Change::SetStatus(Status::Investigating),
        "U1",
        false,
    ));
    assert_eq!(reopened.incident.review.due_at, None);
}

#[test]
fn skipping_past_contained_starts_containment_and_a_relapse_keeps_the_first_time() {
    let recovering = applied(run(
        &incident(),
        Change::SetStatus(Status::Recovering),
        "U1",
        false,
    ));
    assert_eq!(recovering.incident.findings.contained_at, Some(at(10)));
    let mut later = recovering.incident.clone();
    later.findings.contained_at = Some(at(3));
    let back = applied(run(
        &later,
        Change::SetStatus(Status::Investigating),
        "U1",
        false,
    ));
    let again = applied(run(
        &back.incident,
        Change::SetStatus(Status::Contained),
        "U1",
        false,
    ));
    assert_eq!(again.incident.findings.contained_at, Some(at(3)));
}

#[test]
fn a_root_cause_and_a_fix_are_recorded_once_and_a_bad_link_is_refused() {
    let cause = || Change::RecordRootCause {
        cause: "  Pool capped at 10 ".into(),
    };
    let found = applied(run(&incident(), cause(), "U1", false));
    let recorded = found.incident.findings.root_cause.clone().unwrap();
    assert_eq!(
        (recorded.text.as_str(), recorded.at),
        ("Pool capped at 10", at(10))
    );
    assert!(matches!(
        run(&found.incident, cause(), "U1", false),
        Decision::NoOp
    ));
    let blank = Change::RecordRootCause { cause: " ".into() };
    assert!(matches!(
        refused(run(&incident(), blank, "U1", false)),
        Refusal::Empty { .. }
    ));

    let fix = |link: &str| Change::RecordFix {
        what: "Pool raised".into(),
        link: Some(link.into()),
    };
    for bad in ["ftp://x", "javascript:alert(1)", "https://a b"] {
        assert_eq!(
            refused(run(&incident(), fix(bad), "U1", false)),
            Refusal::NotALink,
            "{bad}"
        );
    }
    let fixed = applied(run(
        &incident(),
        fix("https://git.example.com/pr/1"),
        "U1",
        false,
    ));
    assert!(matches!(
        &fixed.events[..],
        [Event::FixDeployed { link: Some(l), .. }] if l == "https://git.example.com/pr/1"
    ));
    // Root cause and fix are steering facts: a bystander cannot record them when restricted.
    assert_eq!(
        refused(run(&incident(), cause(), "UBYSTANDER", true)),
        Refusal::NotPermitted
    );
}

#[test]
fn a_correction_needs_an_existing_entry_that_is_not_itself_a_correction() {
    let note = Stored::Known(Event::Note {
        text: "Paged".into(),
    });
    let correction = Stored::Known(Event::Corrected {
        entry: 1,
        text: "x".into(),
    });
    let correct = |target: Option<Stored>| Change::Correct {
        entry: 2,
        target: target.map(Box::new),
        text: "Paged at 10:05".into(),
    };
    assert_eq!(
        refused(run(&incident(), correct(None), "U1", false)),
        Refusal::NoSuchEntry { entry: 2 }
    );
    assert_eq!(
        refused(run(&incident(), correct(Some(correction)), "U1", false)),
        Refusal::CorrectionOfACorrection { entry: 2 }
    );
    let mut closed = incident();
    closed.status = Status::Closed;
    let done = applied(run(&closed, correct(Some(note)), "U1", false));
    assert_eq!(
        done.events,
        [Event::Corrected {
            entry: 2,
            text: "Paged at 10:05".into()
        }],
        "a closed incident's record can still be corrected"
    );
    assert!(!done.card_changed());
}

#[test]
fn a_severe_incident_closes_only_with_a_corrective_action_or_a_reason_for_none() {
    let resolve = Change::Resolve {
        summary: "Fixed".into(),
    };
    let resolved = applied(run(&incident(), resolve, "U1", false)).incident;
    let complete: Vec<(String, ClosureAnswer)> = crate::incident::update::CLOSURE_CRITERIA
        .iter()
        .map(|(k, _)| (k.to_string(), ClosureAnswer::Confirmed))
        .collect();
    let none = ActionsSummary::default();
    let close =
        |reason: Option<&str>, actions| super::tests::close_with(complete.clone(), reason, actions);
    assert!(matches!(
        refused(run(&resolved, close(None, none), "U1", false)),
        Refusal::NoCorrectiveActions { .. }
    ));
    assert!(
        matches!(
            refused(run(&resolved, close(Some("  "), none), "U1", false)),
            Refusal::NoCorrectiveActions { .. }
        ),
        "a blank reason is no reason"
    );
    let without = applied(run(
        &resolved,
        close(Some("A one-off typo"), none),
        "U1",
        false,
    ));
    match &without.events[..] {
        [
            Event::Closed {
                checklist,
                no_action_reason,
            },
        ] => {
            assert_eq!(no_action_reason.as_deref(), Some("A one-off typo"));
            assert_eq!(
                checklist["corrective_actions_documented"],
                ClosureAnswer::NotApplicable
            );
            assert_eq!(checklist["follow_up_owners"], ClosureAnswer::NotApplicable);
            assert_eq!(checklist.len(), 8);
        }
        other => panic!("{other:?}"),
    }
    let unowned = ActionsSummary {
        total: 1,
        open: 1,
        open_without_owner: 1,
    };
    assert!(matches!(
        refused(run(&resolved, close(None, unowned), "U1", false)),
        Refusal::FollowUpWithoutOwner { .. }
    ));
    // A minor incident owes no follow-up action.
    let mut minor = resolved.clone();
    minor.severity = example::incident(3).severity;
    let closed = applied(run(&minor, close(None, none), "U1", false));
    assert_eq!(closed.incident.status, Status::Closed);
}

#[test]
fn a_review_is_saved_as_a_draft_and_completed_only_with_every_item_answered() {
    use crate::incident::review::{AgendaItem, ReviewNotes};
    let notes = |items: &[AgendaItem]| ReviewNotes {
        answers: items
            .iter()
            .map(|i| (*i, format!(" {} ", i.key())))
            .collect(),
        follow_up_deadline: None,
    };
    let save = |items: &[AgendaItem], complete| Change::SaveReview {
        notes: notes(items),
        complete,
    };
    assert!(matches!(
        refused(run(
            &incident(),
            save(&[AgendaItem::Timeline], false),
            "U1",
            false
        )),
        Refusal::ReviewBeforeResolved { .. }
    ));
    let resolve = Change::Resolve {
        summary: "Fixed".into(),
    };
    let resolved = applied(run(&incident(), resolve, "U1", false)).incident;
    let draft = applied(run(
        &resolved,
        save(&[AgendaItem::Timeline], false),
        "U1",
        false,
    ));
    assert!(
        matches!(&draft.events[..], [Event::ReviewSaved(n)] if n.answer(AgendaItem::Timeline) == Some("timeline"))
    );
    assert!(matches!(
        run(
            &draft.incident,
            save(&[AgendaItem::Timeline], false),
            "U1",
            false
        ),
        Decision::NoOp
    ));
    match refused(run(
        &draft.incident,
        save(&[AgendaItem::Timeline], true),
        "U1",
        false,
    )) {
        Refusal::ReviewIncomplete { blank } => assert_eq!(blank.len(), 7),
        other => panic!("{other:?}"),
    }
    let done = applied(run(
        &draft.incident,
        save(&AgendaItem::ALL, true),
        "U2",
        false,
    ));
    assert_eq!(done.incident.review.completed_by.as_deref(), Some("U2"));
    assert!(matches!(
        done.events.last(),
        Some(Event::ReviewCompleted { on_time: true })
    ));
    assert!(matches!(
        refused(run(
            &done.incident,
            save(&AgendaItem::ALL, false),
            "U2",
            false
        )),
        Refusal::ReviewAlreadyComplete { .. }
    ));
    assert_eq!(
        refused(run(
            &draft.incident,
            save(&AgendaItem::ALL, true),
            "UBYSTANDER",
            true
        )),
        Refusal::NotPermitted
    );
}
