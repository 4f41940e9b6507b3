use super::*;
use crate::incident::scope::{Detection, Environment};
use serde_json::json;

/// Rows exactly as earlier versions of warroom wrote them (the append-only trigger keeps them so).
fn old_rows() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "declared",
            json!({ "title": "Checkout down", "severity": "SEV-2", "raised_by_triage": false,
                    "incident_type": null, "impact": null,
                    "triage": { "production_down": null, "money_affected": null,
                                "personal_data_exposed": null, "tenant_isolation_broken": null },
                    "next_update_due_at": "2026-11-24T11:00:00Z", "via": "command",
                    "breach_discovered_at": null, "escalated": [] }),
        ),
        ("acknowledged", json!({ "seconds_after_declare": 600 })),
        (
            "status_changed",
            json!({ "from": "identified", "to": "investigating", "relapse": true }),
        ),
        (
            "resolved",
            json!({ "from": "recovering", "summary": "Rolled back" }),
        ),
        (
            "closed",
            json!({ "checklist": { "service_restored": "confirmed", "logs_preserved": "not_applicable" } }),
        ),
        (
            "cancelled",
            json!({ "from": "investigating", "reason": "Test alert" }),
        ),
        (
            "severity_changed",
            json!({ "from": "SEV-2", "to": "SEV-1", "reason": "Spreading", "direction": "raised" }),
        ),
        (
            "role_assigned",
            json!({ "role": "commander", "user": "U2", "previous": null }),
        ),
        (
            "update_posted",
            json!({ "update": { "impact": "EU users", "current_action": "Rolling back", "owner": "U2",
                                "next_update_at": "2026-11-24T11:00:00Z", "posted_by": "U1",
                                "posted_at": "2026-11-24T10:30:00Z" },
                    "status_change": { "from": "investigating", "to": "identified", "relapse": false } }),
        ),
        (
            "update_posted",
            json!({ "update": { "impact": "EU users", "current_action": "Rolling back", "owner": "U2",
                                "next_update_at": "2026-11-24T11:00:00Z", "posted_by": "U1",
                                "posted_at": "2026-11-24T10:30:00Z" },
                    "status_change": null }),
        ),
        (
            "edited",
            json!({ "title": { "from": "Old", "to": "New" },
                    "impact": { "from": null, "to": "Everyone" },
                    "incident_type": { "from": null, "to": "credential" } }),
        ),
        (
            "edited",
            json!({ "impact": { "from": "Some", "to": null } }),
        ),
        ("note", json!({ "text": "Paged the DBA" })),
        (
            "message_added",
            json!({ "author": "U3", "posted_at": "2026-11-24T10:05:00Z", "text": "Seeing 500s",
                    "link": null, "added_by": "U1" }),
        ),
        (
            "reminder_snoozed",
            json!({ "until": "2026-11-24T11:15:00Z", "seconds": 900 }),
        ),
        (
            "escalated",
            json!({ "triggers": ["production is down", "personal data may be exposed"] }),
        ),
        (
            "escalated",
            json!({ "reminder": "ack_overdue", "window_seconds": 900, "severity": "SEV-1" }),
        ),
        (
            "reminder_sent",
            json!({ "reminder": "update_due", "deadline": "2026-11-24T11:00:00Z", "repeat": 0, "escalated": false }),
        ),
        (
            "reminder_sent",
            json!({ "reminder": "breach_clock", "step": 1, "deadline": "2026-11-27T10:00:00Z" }),
        ),
        ("reminder_sent", json!({ "reminder": "review_due" })),
        (
            "breach_flagged",
            json!({ "discovered_at": "2026-11-24T09:00:00Z" }),
        ),
        (
            "authority_notified",
            json!({ "nature": "n", "data_subjects": "d", "data_categories": "c",
                    "likely_consequences": "l", "measures": "m", "contact_point": "p" }),
        ),
    ]
}

#[test]
fn every_row_shape_written_by_earlier_versions_reads_back_as_its_event() {
    for (kind, details) in old_rows() {
        let event = Event::from_stored(kind, details.clone())
            .unwrap_or_else(|e| panic!("{kind} {details} does not read: {e}"));
        assert_eq!(event.kind(), kind, "{details}");
    }
}

#[test]
fn old_rows_keep_their_meaning() {
    let rows = old_rows();
    let read = |i: usize| Event::from_stored(rows[i].0, rows[i].1.clone()).unwrap();
    assert_eq!(
        read(2),
        Event::StatusChanged(StatusMove {
            from: Status::Identified,
            to: Status::Investigating,
            relapse: true
        })
    );
    assert!(matches!(
        read(16),
        Event::Escalated(Escalation::AckOverdue {
            window_seconds: 900,
            ..
        })
    ));
    assert!(matches!(
        read(15),
        Event::Escalated(Escalation::Triggers { triggers }) if triggers.len() == 2
    ));
    match read(8) {
        Event::UpdatePosted(u) => {
            assert_eq!(u.update.current_action, "Rolling back");
            assert_eq!(u.severity, None, "older rows did not record it");
            assert_eq!(u.status_change.map(|m| m.to), Some(Status::Identified));
        }
        other => panic!("{other:?}"),
    }
    match read(11) {
        Event::Edited(e) => {
            assert_eq!(e.title, None);
            assert_eq!(
                e.impact,
                Some(Changed {
                    from: Some("Some".into()),
                    to: None
                })
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn events_written_now_read_back_unchanged() {
    for (kind, details) in old_rows() {
        let event = Event::from_stored(kind, details).unwrap();
        let again = Event::from_stored(event.kind(), event.details()).unwrap();
        assert_eq!(again, event);
    }
    let heads_up = Event::ReminderSent(ReminderSent::UpdateHeadsUp {
        deadline: "2026-11-24T11:00:00Z".parse().unwrap(),
    });
    assert_eq!(heads_up.details()["reminder"], "update_heads_up");
    assert_eq!(
        Event::from_stored("reminder_sent", heads_up.details()).unwrap(),
        heads_up
    );
}

#[test]
fn a_row_of_a_kind_this_version_does_not_know_is_kept_not_lost() {
    let stored = Stored::read("postmortem_scheduled", json!({ "at": "tomorrow" }));
    assert_eq!(
        stored,
        Stored::Unknown {
            kind: "postmortem_scheduled".into(),
            details: json!({ "at": "tomorrow" })
        }
    );
}

#[test]
fn the_findings_corrections_and_scope_read_back_as_written() {
    let at: DateTime<Utc> = "2026-11-24T09:40:00Z".parse().unwrap();
    let written = [
        Event::RootCauseIdentified {
            cause: "Pool capped at 10".into(),
        },
        Event::FixDeployed {
            what: "Pool raised to 50".into(),
            link: Some("https://git.example.com/pr/42".into()),
        },
        Event::Corrected {
            entry: 3,
            text: "It was 10:05".into(),
        },
        Event::Edited(Edits {
            environment: Some(Changed {
                from: Environment::Production,
                to: Environment::Staging,
            }),
            impact_started_at: Some(Changed {
                from: None,
                to: Some(at),
            }),
            detection: Some(Changed {
                from: None,
                to: Some(Detection::ThirdParty),
            }),
            ..Edits::default()
        }),
    ];
    for event in written {
        let again = Event::from_stored(event.kind(), event.details()).unwrap();
        assert_eq!(again, event);
    }
    // A declaration from before the scope was asked has none of it, rather than a guess.
    let old = Event::from_stored("declared", json!({ "title": "t", "severity": "SEV-2" })).unwrap();
    let Event::Declared(d) = old else {
        panic!("{old:?}")
    };
    assert_eq!(
        (d.environment, d.impact_started_at, d.detection),
        (None, None, None)
    );
}

#[test]
fn a_declaration_from_before_drills_reads_back_as_no_drill_and_a_drills_keeps_its_flag() {
    let old = Event::from_stored("declared", json!({ "title": "t", "severity": "SEV-2" })).unwrap();
    let Event::Declared(d) = &old else {
        panic!("{old:?}")
    };
    assert!(!d.drill && d.scenario.is_none());
    // A real incident's declaration is written as before: no drill field at all.
    assert_eq!(old.details().get("drill"), None);
    let drill = Event::from_stored(
        "declared",
        json!({ "title": "t", "severity": "SEV-2", "drill": true, "scenario": "database-outage" }),
    )
    .unwrap();
    let Event::Declared(d) = &drill else {
        panic!("{drill:?}")
    };
    assert!(d.drill);
    assert_eq!(d.scenario.as_deref(), Some("database-outage"));
    assert_eq!(
        Event::from_stored("declared", drill.details()).unwrap(),
        drill
    );
    let inject = Event::DrillInjected {
        inject: 2,
        after_seconds: 300,
        text: "Customers report double charges".into(),
    };
    assert_eq!(inject.kind(), "drill_injected");
    assert_eq!(
        Event::from_stored("drill_injected", inject.details()).unwrap(),
        inject
    );
}

#[test]
fn pages_and_failed_pages_are_stored_and_read_back() {
    let paged = Event::Paged(Page {
        service: "PagerDuty".into(),
        action: PageAction::Trigger,
        dedup_key: "INC-20261202-001".into(),
    });
    assert_eq!(paged.kind(), "paged");
    assert_eq!(
        paged.details(),
        serde_json::json!({"service": "PagerDuty", "action": "trigger", "dedup_key": "INC-20261202-001"})
    );
    assert_eq!(Event::from_stored("paged", paged.details()).unwrap(), paged);
    let failed = Event::PageFailed(PageFailure {
        service: "PagerDuty".into(),
        action: PageAction::Resolve,
        reason: "HTTP 400: invalid routing key".into(),
    });
    assert_eq!(failed.kind(), "page_failed");
    assert_eq!(
        Event::from_stored("page_failed", failed.details()).unwrap(),
        failed
    );
    assert!(paged.is_warroom_own() && failed.is_warroom_own());
    assert!(!paged.changes_card() && !failed.changes_card());
}
