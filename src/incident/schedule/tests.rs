use super::*;
use crate::incident::example::at;

fn incident(severity: usize) -> Incident {
    Incident {
        title: "t".into(),
        card_ts: None,
        ..crate::incident::example::incident(severity)
    }
}
use crate::incident::{Triage, update::StructuredUpdate};

fn set(arms: &[Arm], kind: &str) -> Option<DateTime<Utc>> {
    arms.iter().find_map(|a| match a {
        Arm::Set {
            kind: k, due_at, ..
        } if *k == kind => Some(*due_at),
        _ => None,
    })
}

fn cancels(arms: &[Arm], kind: &str) -> bool {
    arms.iter()
        .any(|a| matches!(a, Arm::Cancel { kind: k } if *k == kind))
}

#[test]
fn a_new_incident_gets_its_update_reminder_heads_up_and_ack_window() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let arms = plan(None, &incident(0), &s, &cfg, at(0));
    assert_eq!(set(&arms, kinds::UPDATE_DUE), Some(at(30)));
    assert_eq!(set(&arms, kinds::HEADS_UP), Some(at(25)));
    assert_eq!(set(&arms, kinds::ACK_OVERDUE), Some(at(15)));
    let short = ScheduleConfig {
        heads_up_lead: Duration::from_secs(11 * 60),
        ..cfg
    };
    let arms = plan(None, &incident(0), &s, &short, at(0));
    assert!(
        cancels(&arms, kinds::HEADS_UP),
        "a 30-minute cadence is shorter than three 11-minute leads"
    );
}

#[test]
fn only_a_moved_deadline_re_arms_the_update_reminder() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let before = incident(1);
    let mut acked = before.clone();
    acked.acknowledged_at = Some(at(5));
    let arms = plan(Some(&before), &acked, &s, &cfg, at(5));
    assert_eq!(
        set(&arms, kinds::UPDATE_DUE),
        None,
        "an overdue reminder keeps repeating"
    );
    assert!(cancels(&arms, kinds::ACK_OVERDUE));
    let mut updated = acked.clone();
    updated.next_update_due_at = Some(at(90));
    assert_eq!(
        set(
            &plan(Some(&acked), &updated, &s, &cfg, at(10)),
            kinds::UPDATE_DUE
        ),
        Some(at(90))
    );
}

#[test]
fn resolving_stops_update_reminders_and_arms_the_review_for_severe_incidents_only() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    for (severity, review) in [(0, true), (1, true), (2, false)] {
        let before = incident(severity);
        let mut resolved = before.clone();
        resolved.status = Status::Resolved;
        resolved.resolved_at = Some(at(60));
        resolved.next_update_due_at = None;
        // As resolving sets it (`lifecycle`), for the severities that call for a review.
        resolved.review.due_at =
            needs_review(&resolved.severity, &cfg).then(|| review_due_at(at(60), &cfg));
        let arms = plan(Some(&before), &resolved, &s, &cfg, at(60));
        assert!(
            cancels(&arms, kinds::UPDATE_DUE)
                && cancels(&arms, kinds::HEADS_UP)
                && cancels(&arms, kinds::ACK_OVERDUE)
        );
        // Resolved on Tuesday: five business days later is next Tuesday.
        assert_eq!(
            set(&arms, kinds::REVIEW_DUE),
            review.then(|| at(60) + Span::days(7)),
            "severity index {severity}"
        );
    }
}

#[test]
fn an_overdue_reminder_repeats_every_cadence_and_escalates_once_past_a_full_cadence() {
    let (s, cfg) = (
        Severities::builtin(),
        ScheduleConfig {
            escalation_group: Some(EscalationGroup::UserGroup("S1".into())),
            ..Default::default()
        },
    );
    let mut i = incident(0);
    i.latest_update = Some(StructuredUpdate {
        impact: "x".into(),
        current_action: "y".into(),
        owner: "UOWN".into(),
        next_update_at: at(30),
        posted_by: "U1".into(),
        posted_at: at(0),
    });
    let first = fire(
        kinds::UPDATE_DUE,
        &json!({ "deadline": at(30), "count": 0 }),
        &i,
        &s,
        &cfg,
        at(30),
    );
    match &first.post {
        Some(Reminder::UpdateOverdue {
            to, escalate: None, ..
        }) => assert_eq!(to, &Audience::Person("UOWN".into())),
        other => panic!("{other:?}"),
    }
    let (next_at, next_details) = first.next.clone().unwrap();
    assert_eq!(next_at, at(60));
    let second = fire(kinds::UPDATE_DUE, &next_details, &i, &s, &cfg, at(60));
    assert!(
        matches!(&second.post, Some(Reminder::UpdateOverdue { escalate: Some(Audience::Group(EscalationGroup::UserGroup(g))), .. }) if g == "S1")
    );
    let third = fire(
        kinds::UPDATE_DUE,
        &second.next.unwrap().1,
        &i,
        &s,
        &cfg,
        at(90),
    );
    assert!(
        matches!(
            &third.post,
            Some(Reminder::UpdateOverdue { escalate: None, .. })
        ),
        "escalated once"
    );
}

#[test]
fn a_reminder_whose_deadline_moved_or_whose_incident_resolved_is_stale() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let i = incident(0);
    assert_eq!(
        fire(
            kinds::UPDATE_DUE,
            &json!({ "deadline": at(20), "count": 0 }),
            &i,
            &s,
            &cfg,
            at(30)
        ),
        Fired::stale()
    );
    let mut resolved = i.clone();
    resolved.status = Status::Resolved;
    assert_eq!(
        fire(
            kinds::UPDATE_DUE,
            &json!({ "deadline": at(30), "count": 0 }),
            &resolved,
            &s,
            &cfg,
            at(30)
        ),
        Fired::stale()
    );
    let mut acked = i;
    acked.acknowledged_at = Some(at(1));
    assert_eq!(
        fire(kinds::ACK_OVERDUE, &json!({}), &acked, &s, &cfg, at(15)),
        Fired::stale()
    );
}

#[test]
fn a_heads_up_that_comes_due_after_its_deadline_is_dropped() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let i = incident(0);
    let details = json!({ "deadline": at(30) });
    assert!(
        fire(kinds::HEADS_UP, &details, &i, &s, &cfg, at(25))
            .post
            .is_some()
    );
    assert_eq!(
        fire(kinds::HEADS_UP, &details, &i, &s, &cfg, at(31)),
        Fired::stale()
    );
}

#[test]
fn the_breach_clock_reminds_at_each_offset_until_the_authority_is_notified() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let before = incident(0);
    let mut flagged = before.clone();
    flagged.breach_discovered_at = Some(at(0));
    assert_eq!(
        set(
            &plan(Some(&before), &flagged, &s, &cfg, at(0)),
            kinds::BREACH_CLOCK
        ),
        Some(at(24 * 60))
    );
    let fired = fire(
        kinds::BREACH_CLOCK,
        &json!({ "step": 3 }),
        &flagged,
        &s,
        &cfg,
        at(71 * 60),
    );
    assert!(
        matches!(fired.post, Some(Reminder::BreachClock { deadline, .. }) if deadline == at(72 * 60))
    );
    assert_eq!(fired.next, None, "71 h is the last reminder");
    let step0 = fire(
        kinds::BREACH_CLOCK,
        &json!({ "step": 0 }),
        &flagged,
        &s,
        &cfg,
        at(24 * 60),
    );
    assert_eq!(step0.next.unwrap().0, at(48 * 60));
    let mut notified = flagged.clone();
    notified.authority_notified_at = Some(at(100));
    assert!(cancels(
        &plan(Some(&flagged), &notified, &s, &cfg, at(100)),
        kinds::BREACH_CLOCK
    ));
    assert_eq!(
        fire(
            kinds::BREACH_CLOCK,
            &json!({ "step": 1 }),
            &notified,
            &s,
            &cfg,
            at(48 * 60)
        ),
        Fired::stale()
    );
}

#[test]
fn business_days_skip_weekends_in_the_configured_time_zone() {
    let cfg = ScheduleConfig {
        timezone: chrono_tz::Europe::Berlin,
        ..Default::default()
    };
    // Friday 2026-11-27 16:00 UTC → five business days → Friday 2026-12-04.
    let friday = Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap();
    assert_eq!(
        review_due_at(friday, &cfg),
        Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap()
    );
    // Friday 23:30 UTC is already Saturday 00:30 in Berlin: counting starts from Berlin's
    // Saturday and ends on Friday 00:30 Berlin time, which is Thursday 23:30 UTC.
    let late_friday_utc = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
    assert_eq!(
        review_due_at(late_friday_utc, &cfg),
        Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).unwrap()
    );
}

#[test]
fn the_digest_is_due_at_the_configured_local_time_each_day() {
    let cfg = ScheduleConfig {
        digest_at: NaiveTime::from_hms_opt(9, 0, 0),
        timezone: chrono_tz::America::New_York,
        ..Default::default()
    };
    // 10:00 UTC is 05:00 in New York: today's 09:00 there (14:00 UTC) is next.
    assert_eq!(
        next_digest_at(&cfg, at(0)),
        Some(Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap())
    );
    assert_eq!(
        next_digest_at(&cfg, at(5 * 60)),
        Some(Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap())
    );
    assert_eq!(next_digest_at(&ScheduleConfig::default(), at(0)), None);
}

#[test]
fn escalation_triggers_come_from_triage_and_type() {
    let t = Triage::from_checked(["production_down", "personal_data_exposed"]);
    assert_eq!(
        escalation_triggers(None, &t),
        ["production is down", "personal data may be exposed"]
    );
    assert_eq!(
        escalation_triggers(Some("backup_failure"), &Triage::default()),
        ["backup or restore is impaired"]
    );
    assert!(escalation_triggers(Some("queue_backlog"), &Triage::default()).is_empty());
    assert!(EscalationGroup::parse(&["S0AB".into()]).is_ok());
    assert_eq!(
        EscalationGroup::parse(&["U1".into(), "U2".into()]),
        Ok(EscalationGroup::Users(vec!["U1".into(), "U2".into()]))
    );
    assert!(EscalationGroup::parse(&["#managers".into()]).is_err());
}

#[test]
fn the_digest_after_one_that_fired_is_the_next_days_even_when_this_clock_is_behind() {
    let cfg = ScheduleConfig {
        digest_at: NaiveTime::from_hms_opt(9, 0, 0),
        ..Default::default()
    };
    let fired = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    let tomorrow = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
    // The database said it was due; this replica's clock still reads 08:59:58.
    let behind = fired - Span::seconds(2);
    assert_eq!(
        next_digest_at(&cfg, behind),
        Some(fired),
        "counted from this clock, the slot that just fired would be armed again"
    );
    assert_eq!(next_digest_after(&cfg, fired, behind), Some(tomorrow));
    assert_eq!(
        next_digest_after(&cfg, fired, fired + Span::minutes(3)),
        Some(tomorrow)
    );
}

#[test]
fn the_review_reminder_repeats_daily_until_the_review_is_complete_closed_or_not() {
    let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
    let mut resolved = incident(0);
    resolved.status = Status::Resolved;
    resolved.resolved_at = Some(at(60));
    resolved.review.due_at = Some(at(60) + Span::days(7));
    let details = json!({ "due_at": resolved.review.due_at });
    let due = at(60) + Span::days(7);
    let fired = fire(kinds::REVIEW_DUE, &details, &resolved, &s, &cfg, due);
    assert!(fired.post.is_some());
    assert_eq!(fired.next.map(|(at, _)| at), Some(due + Span::days(1)));

    let mut closed = resolved.clone();
    closed.status = Status::Closed;
    let arms = plan(Some(&resolved), &closed, &s, &cfg, due);
    assert!(
        !cancels(&arms, kinds::REVIEW_DUE),
        "closing leaves the review owed"
    );
    assert!(
        fire(kinds::REVIEW_DUE, &details, &closed, &s, &cfg, due)
            .post
            .is_some()
    );

    let mut reviewed = closed.clone();
    reviewed.review.completed_at = Some(due);
    assert!(cancels(
        &plan(Some(&closed), &reviewed, &s, &cfg, due),
        kinds::REVIEW_DUE
    ));
    let stale = fire(kinds::REVIEW_DUE, &details, &reviewed, &s, &cfg, due);
    assert_eq!((stale.post, stale.next), (None, None));
}

#[test]
fn configured_review_severities_replace_the_two_most_severe() {
    let s = Severities::builtin();
    let cfg = ScheduleConfig {
        review_severities: Some(vec!["SEV-1".into(), "SEV-3".into()]),
        ..Default::default()
    };
    let needs = |i: usize| needs_review(&s.severity(s.rank_at(i)), &cfg);
    assert_eq!(
        (needs(0), needs(1), needs(2), needs(3)),
        (true, false, true, false)
    );
    let default = ScheduleConfig::default();
    assert!(needs_review(&s.severity(s.rank_at(1)), &default));
    assert!(!needs_review(&s.severity(s.rank_at(2)), &default));
}
