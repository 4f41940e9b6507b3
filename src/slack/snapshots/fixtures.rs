//! One of each event, for the snapshot of every thread post.

use crate::incident::{
    Detection, Environment, Event, Status, Triage,
    event::{
        ActionAdded, BreachNotification, Changed, Declared, DeclaredVia, Direction, Edits,
        Escalation, ReminderSent, SeverityMove, StatusMove, SummaryApproved, SummaryDrafted,
        UpdatePosted,
    },
    example::at,
    review::{AgendaItem, ReviewNotes},
    summaries::{Audience, PublicStatus, Summary, SummaryState, lint::Rule, sha256_hex},
    update::{ClosureAnswer, StructuredUpdate},
};

/// The text of the example client-safe summary: two lines, one with characters to escape.
pub(super) const TOLD: &str = "Some card payments failed between 10:00 and 10:40 UTC.\nWe rolled back the change & <payments> work again; we are monitoring.";

/// The example draft: S2, superseding S1, its author standing by a warning.
pub(super) fn drafted() -> SummaryDrafted {
    SummaryDrafted {
        summary: 2,
        title: "Card payments <delayed>".into(),
        text: TOLD.into(),
        status: PublicStatus::Monitoring,
        audience: Audience::Customers,
        acknowledged: vec![Rule::UnconfirmedClaim],
        supersedes: vec![1],
    }
}

/// The example draft, sent back for changes by the commander.
pub(super) fn sent_back() -> Summary {
    let d = drafted();
    Summary {
        number: d.summary,
        title: d.title,
        text: d.text,
        status: d.status,
        audience: d.audience,
        state: SummaryState::ChangesRequested,
        author: "UAUTHOR".into(),
        created_at: at(40),
        acknowledged: d.acknowledged,
        decided_by: Some("UCMD".into()),
        decided_at: Some(at(45)),
        reason: Some("Name the <regions>".into()),
        superseded_by: None,
        sha256: None,
    }
}

/// One of each event, as the thread hears of it.
pub(super) fn events(update: StructuredUpdate) -> Vec<Event> {
    let moved = StatusMove::new(Status::Identified, Status::Investigating);
    vec![
        Event::Declared(Declared {
            title: "Checkout down".into(),
            severity: "SEV-1".into(),
            raised_by_triage: true,
            incident_type: Some("payment_wallet".into()),
            impact: Some("All card payments".into()),
            triage: Triage::from_checked(["money_affected", "production_down"]),
            next_update_due_at: Some(at(30)),
            via: DeclaredVia::Form,
            breach_discovered_at: None,
            escalated: vec![],
            impact_started_at: Some(at(-20)),
            detection: Some(Detection::CustomerReport),
            environment: Some(Environment::Production),
            affected_services: Some("checkout, payments-api".into()),
            drill: false,
            scenario: None,
            restricted: false,
            source_message: None,
        }),
        Event::Acknowledged {
            seconds_after_declare: 300,
        },
        Event::StatusChanged(moved),
        Event::SeverityChanged(SeverityMove {
            from: "SEV-2".into(),
            to: "SEV-1".into(),
            reason: "Spreading to <!here> all regions".into(),
            direction: Direction::Raised,
        }),
        Event::RoleAssigned {
            role: "tech_lead".into(),
            user: "UTECH".into(),
            previous: None,
        },
        Event::UpdatePosted(UpdatePosted {
            update,
            status_change: None,
            severity: Some("SEV-1".into()),
            status: Some(Status::Identified),
        }),
        Event::Note {
            text: "Paged the DBA".into(),
        },
        Event::ReminderSnoozed {
            until: at(45),
            seconds: 900,
        },
        Event::Escalated(Escalation::Triggers {
            triggers: vec!["production is down".into()],
        }),
        Event::BreachFlagged {
            discovered_at: at(10),
        },
        Event::AuthorityNotified(BreachNotification {
            nature: "n".into(),
            data_subjects: "d".into(),
            data_categories: "c".into(),
            likely_consequences: "l".into(),
            measures: "m".into(),
            contact_point: "p".into(),
        }),
        Event::Resolved {
            from: Status::Recovering,
            summary: "Rolled back".into(),
        },
        Event::Closed {
            checklist: [("service_restored".to_owned(), ClosureAnswer::Confirmed)]
                .into_iter()
                .collect(),
            no_action_reason: Some("A one-off typo in a config".into()),
        },
        Event::ActionAdded(ActionAdded {
            action: 1,
            text: "Alert on <pool> saturation".into(),
            owner: "UOWNER".into(),
            due_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            link: Some("https://tickets.example.com/OPS-7".into()),
        }),
        Event::ActionDone {
            action: 1,
            text: "Alert on pool saturation".into(),
        },
        Event::ActionWontDo {
            action: 2,
            text: "Rewrite the pool".into(),
            reason: "Superseded by the new driver".into(),
        },
        Event::ReviewSaved(ReviewNotes {
            answers: [(AgendaItem::RootCause, "Pool capped at 10".to_owned())]
                .into_iter()
                .collect(),
            follow_up_deadline: None,
        }),
        Event::ReviewCompleted { on_time: false },
        Event::ActionSnoozed {
            action: 3,
            until: at(60 * 24),
        },
        Event::Cancelled {
            from: Status::Investigating,
            reason: "Test alert".into(),
        },
        Event::Edited(Edits {
            title: Some(Changed {
                from: "Old".into(),
                to: "New".into(),
            }),
            impact: Some(Changed {
                from: None,
                to: Some("Everyone".into()),
            }),
            incident_type: Some(Changed {
                from: None,
                to: Some("credential".into()),
            }),
            impact_started_at: Some(Changed {
                from: Some(at(0)),
                to: Some(at(-20)),
            }),
            detection: Some(Changed {
                from: None,
                to: Some(Detection::MonitoringAlert),
            }),
            environment: Some(Changed {
                from: Environment::Production,
                to: Environment::Staging,
            }),
            affected_services: Some(Changed {
                from: None,
                to: Some("search".into()),
            }),
        }),
        Event::RootCauseIdentified {
            cause: "A connection-pool limit of 10 under <load>".into(),
        },
        Event::FixDeployed {
            what: "Raised the pool to 50".into(),
            link: Some("https://git.example.com/pr/42".into()),
        },
        Event::Corrected {
            entry: 3,
            text: "Acknowledged by the on-call, not the declarer".into(),
        },
        Event::TriageReviewed {
            from: Triage::default(),
            to: Triage::from_checked(["money_affected"]),
        },
        Event::ReminderSent(ReminderSent::UpdateDue {
            deadline: at(30),
            repeat: 0,
            escalated: false,
        }),
        Event::SummaryDrafted(drafted()),
        Event::SummaryApproved(SummaryApproved {
            summary: 2,
            title: "Card payments delayed".into(),
            text: TOLD.into(),
            status: PublicStatus::Monitoring,
            audience: Audience::Customers,
            sha256: sha256_hex(TOLD),
            author: "UAUTHOR".into(),
        }),
        Event::SummaryChangesRequested {
            summary: 3,
            reason: "Say which <regions>".into(),
        },
    ]
}

/// The declare form as the "Declare incident from message" shortcut opens it on an alert.
pub(super) fn declare_from_alert(
    process: &crate::config::ProcessConfig,
) -> crate::commands::forms::FormRequest {
    let source = crate::incident::event::SourceMessage {
        channel: "C0ALERTS".into(),
        ts: "1764680000.000100".into(),
        link: Some("https://acme.slack.com/archives/C0ALERTS/p1764680000000100".into()),
        from_bot: true,
    };
    crate::commands::forms::FormRequest::Declare {
        severity: process.default_severity,
        restricted: false,
        origin: crate::commands::forms::Origin {
            channel: Some("C0ALERTS".into()),
            response_url: None,
            team_domain: Some("acme".into()),
            source: Some(Box::new(source)),
        },
        drill: false,
        prefill: Some(Box::new(crate::commands::forms::Prefill {
            title: "[FIRING:1] Payments API 5xx above 5%".into(),
            impact: Some("[FIRING:1] Payments API 5xx above 5%\nService: payments-api".into()),
            detection: Some(crate::incident::Detection::MonitoringAlert),
        })),
    }
}
