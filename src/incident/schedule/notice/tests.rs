use super::*;
use crate::incident::schedule::kinds;
use crate::incident::{
    Severities,
    example::{at, incident},
};

fn set_at(arms: &[Arm], kind: &str) -> Option<DateTime<Utc>> {
    arms.iter().find_map(|a| match a {
        Arm::Set {
            kind: k, due_at, ..
        } if k == kind => Some(*due_at),
        _ => None,
    })
}

#[test]
fn a_sev1_is_checked_an_hour_after_its_declaration_and_a_sev2_is_not() {
    let cfg = ScheduleConfig::default();
    let sev1 = incident(0);
    assert_eq!(
        set_at(
            &plan(None, &sev1, &cfg, at(0)),
            kinds::CUSTOMER_NOTICE_OUTAGE
        ),
        Some(at(60))
    );
    assert!(plan(None, &incident(1), &cfg, at(0)).is_empty());
    // Raised to SEV-1 later, the clock is armed then, still counted from the declaration.
    let s = Severities::builtin();
    let mut raised = incident(1);
    raised.severity = s.severity(s.rank_at(0));
    let arms = plan(Some(&incident(1)), &raised, &cfg, at(90));
    assert_eq!(set_at(&arms, kinds::CUSTOMER_NOTICE_OUTAGE), Some(at(90)));
}

#[test]
fn the_outage_clock_reminds_then_calls_the_group_in_unless_resolved_before_it_started() {
    let cfg = ScheduleConfig::default();
    let sev1 = incident(0);
    let first = fire(
        NoticeRule::Outage,
        &json!({ "step": 0 }),
        &sev1,
        &cfg,
        at(60),
    );
    assert!(matches!(
        first.post,
        Some(Reminder::CustomerNotice { overdue: false, .. })
    ));
    // The last call comes an hour before it runs out (due 4 h after the declaration).
    assert_eq!(first.next.as_ref().map(|(at, _)| *at), Some(at(180)));
    let last = fire(
        NoticeRule::Outage,
        &json!({ "step": 1 }),
        &sev1,
        &cfg,
        at(180),
    );
    assert_eq!(last.next.as_ref().map(|(at, _)| *at), Some(at(240)));
    let run_out = fire(
        NoticeRule::Outage,
        &json!({ "step": 2 }),
        &sev1,
        &cfg,
        at(240),
    );
    assert!(matches!(
        run_out.post,
        Some(Reminder::CustomerNotice { overdue: true, .. })
    ));
    assert!(run_out.post.as_ref().is_some_and(Reminder::escalates));
    assert_eq!(run_out.next, None);

    let mut resolved = sev1.clone();
    resolved.status = Status::Resolved;
    assert_eq!(
        fire(
            NoticeRule::Outage,
            &json!({ "step": 0 }),
            &resolved,
            &cfg,
            at(60)
        )
        .post,
        None
    );
    // Resolved after the clock started: the notification is still owed.
    assert!(
        fire(
            NoticeRule::Outage,
            &json!({ "step": 1 }),
            &resolved,
            &cfg,
            at(180)
        )
        .post
        .is_some()
    );
    let mut told = sev1;
    told.customers_notified_at = Some(at(30));
    assert_eq!(
        fire(
            NoticeRule::Outage,
            &json!({ "step": 1 }),
            &told,
            &cfg,
            at(180)
        )
        .post,
        None
    );
}

#[test]
fn a_breach_owes_customers_a_notice_within_72_hours_reminded_a_day_before() {
    let cfg = ScheduleConfig::default();
    let before = incident(1);
    let mut breached = before.clone();
    breached.breach_discovered_at = Some(at(0));
    let arms = plan(Some(&before), &breached, &cfg, at(0));
    assert_eq!(
        set_at(&arms, kinds::CUSTOMER_NOTICE_BREACH),
        Some(at(48 * 60)),
        "24 hours before the 72 run out"
    );
    let fired = fire(
        NoticeRule::Breach,
        &json!({ "step": 0 }),
        &breached,
        &cfg,
        at(48 * 60),
    );
    assert!(matches!(
        fired.post,
        Some(Reminder::CustomerNotice { rule: NoticeRule::Breach, overdue: false, due, .. }) if due == at(72 * 60)
    ));
    let mut told = breached;
    told.customers_notified_at = Some(at(10));
    let stop = plan(None, &told, &cfg, at(10));
    assert!(stop.iter().all(|a| matches!(a, Arm::Cancel { .. })) && stop.len() == 2);
}

#[test]
fn a_drill_runs_no_customer_notification_clock() {
    let cfg = ScheduleConfig::default();
    let mut drill = incident(0);
    drill.drill = true;
    drill.breach_discovered_at = Some(at(0));
    assert!(plan(None, &drill, &cfg, at(0)).is_empty());
    // Nor does a reminder of that kind, should one come due, say anything.
    for rule in [NoticeRule::Outage, NoticeRule::Breach] {
        let fired = fire(rule, &json!({ "step": 0 }), &drill, &cfg, at(60));
        assert!(fired.post.is_none() && fired.next.is_none());
    }
}
