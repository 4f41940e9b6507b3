use super::*;
use crate::incident::{
    Status,
    example::{at, incident},
    lifecycle::Refusal,
    schedule::{Arm, ScheduleConfig},
};
use chrono::{NaiveDate, TimeZone};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn add(due_on: NaiveDate) -> ActionChange {
    ActionChange::Add {
        text: "  Alert on pool saturation ".into(),
        owner: "UOWNER".into(),
        due_on,
        link: None,
    }
}

fn decide(
    existing: Option<&Action>,
    change: ActionChange,
    actor: &str,
    restrict: bool,
) -> ActionDecision {
    decide_action(
        &incident(1),
        existing,
        3,
        change,
        actor,
        at(0),
        &ScheduleConfig::default(),
        restrict,
    )
}

fn applied(d: ActionDecision) -> ActionApplied {
    match d {
        ActionDecision::Apply(a) => *a,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn refused(d: ActionDecision) -> Refusal {
    match d {
        ActionDecision::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn an_id_reads_back_in_any_case_and_refuses_what_is_not_one() {
    let id = ActionId::parse("inc-20261124-001-a12").unwrap();
    assert_eq!((id.incident.as_str(), id.number), ("INC-20261124-001", 12));
    assert_eq!(id.to_string(), "INC-20261124-001-A12");
    for bad in [
        "INC-20261124-001",
        "INC-20261124-001-A0",
        "INC-20261124-001-B1",
        "A1",
        "",
    ] {
        assert_eq!(ActionId::parse(bad), None, "{bad}");
    }
}

#[test]
fn an_added_action_takes_the_next_number_and_is_reminded_on_the_morning_it_is_due() {
    // Declared at 10:00 UTC on Tuesday the 24th: due the 26th, reminded at 09:00 that day.
    let added = applied(decide(None, add(day(26)), "UADDER", false));
    assert_eq!(added.action.number, 3);
    assert_eq!(added.action.text, "Alert on pool saturation");
    assert_eq!(added.action.status, ActionStatus::Open);
    match &added.arm {
        Arm::Set { kind, due_at, .. } => {
            assert_eq!(kind, "action_due:3");
            assert_eq!(
                *due_at,
                Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
            );
        }
        other => panic!("{other:?}"),
    }
    // Due today, added after the morning's reminder time: reminded the next morning.
    let today = applied(decide(None, add(day(24)), "UADDER", false));
    assert!(matches!(
        today.arm,
        Arm::Set { due_at, .. } if due_at == Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    ));
    assert_eq!(
        refused(decide(None, add(day(23)), "UADDER", false)),
        Refusal::DueInPast
    );
}

#[test]
fn the_reminder_time_follows_the_configured_time_zone() {
    let cfg = ScheduleConfig {
        timezone: chrono_tz::Europe::Berlin,
        ..ScheduleConfig::default()
    };
    // 09:00 in Berlin in November is 08:00 UTC.
    assert_eq!(
        next_reminder(day(26), at(0), &cfg),
        Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap()
    );
}

fn open_action() -> Action {
    applied(decide(None, add(day(26)), "UADDER", false)).action
}

#[test]
fn its_owner_closes_an_action_and_when_restricted_nobody_else_but_the_steering_people() {
    let action = open_action();
    let done = ActionChange::Done { number: 3 };
    assert_eq!(
        refused(decide(Some(&action), done.clone(), "UBYSTANDER", true)),
        Refusal::NotPermitted
    );
    let by_owner = applied(decide(Some(&action), done.clone(), "UOWNER", true));
    assert_eq!(by_owner.action.status, ActionStatus::Done);
    assert_eq!(by_owner.action.finished_by.as_deref(), Some("UOWNER"));
    assert!(matches!(by_owner.arm, Arm::Cancel { .. }));
    // The declarer steers until someone is commander.
    assert!(matches!(
        decide(Some(&action), done.clone(), "UDECL", true),
        ActionDecision::Apply(_)
    ));
    assert!(matches!(
        decide(Some(&by_owner.action), done, "UOWNER", false),
        ActionDecision::NoOp
    ));
    let wont = ActionChange::WontDo {
        number: 3,
        reason: "late".into(),
    };
    assert!(matches!(
        refused(decide(Some(&by_owner.action), wont, "UOWNER", false)),
        Refusal::ActionClosed { .. }
    ));
    assert!(matches!(
        refused(decide(None, ActionChange::Done { number: 9 }, "UOWNER", false)),
        Refusal::NoSuchAction { action } if action == "INC-20261124-001-A9"
    ));
}

#[test]
fn a_due_reminder_repeats_each_morning_and_stops_once_the_action_is_closed() {
    let cfg = ScheduleConfig::default();
    let mut action = open_action();
    let morning = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let fired = fire(&incident(1), &action, morning, &cfg);
    assert!(matches!(
        fired.post,
        Some(crate::incident::schedule::Reminder::ActionDue { overdue: true, .. })
    ));
    assert_eq!(
        fired.next.map(|(at, _)| at),
        Some(Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap())
    );
    action.status = ActionStatus::Done;
    assert_eq!(fire(&incident(1), &action, morning, &cfg).post, None);
    let mut cancelled = incident(1);
    cancelled.status = Status::Cancelled;
    assert_eq!(fire(&cancelled, &open_action(), morning, &cfg).post, None);
}
