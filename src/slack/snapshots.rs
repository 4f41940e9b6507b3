//! Snapshots of everything warroom shows in Slack — the card in each state, every thread post,
//! every reminder and every form — so a change to what people see is reviewed as a diff of
//! `src/slack/snapshots/*.snap`. Regenerate deliberately with `INSTA_UPDATE=always cargo test`.

use super::{announce, card, modals, reminders, summaries};
use crate::{
    commands::forms::{CardForm, FormRequest, MessageAction, Origin},
    config::ProcessConfig,
    incident::{
        Environment, Incident, RoleKey, Status,
        actions::ActionsSummary,
        example::{at, incident},
        review::{AgendaItem, ReviewNotes},
        schedule::{Audience, EscalationGroup, Reminder},
        scope::Finding,
        summaries::{PublicStatus, PublicSummary},
        update::StructuredUpdate,
    },
};

mod drills;
mod fixtures;
use serde_json::{Value, json};

fn update() -> StructuredUpdate {
    StructuredUpdate {
        impact: "EU card payments fail".into(),
        current_action: "Rolling back release 42".into(),
        owner: "UOWNER".into(),
        next_update_at: at(60),
        posted_by: "UPOSTER".into(),
        posted_at: at(30),
    }
}

/// The example incident, well under way: acknowledged, led, updated, a breach flagged.
fn busy() -> Incident {
    let mut i = Incident {
        incident_type: Some("payment_wallet".into()),
        impact: Some("Checkout <!channel> fails".into()),
        acknowledged_at: Some(at(5)),
        acknowledged_by: Some("UACK".into()),
        latest_update: Some(update()),
        breach_discovered_at: Some(at(10)),
        status: Status::Identified,
        ..incident(0)
    };
    i.roles.insert(RoleKey::commander(), "UCMD".into());
    i
}

fn card_json(i: &Incident) -> Value {
    let message = card::incident_card(i, &ProcessConfig::default());
    json!({ "text": message.text, "blocks": message.blocks })
}

#[test]
fn the_card_in_each_state() {
    let mut resolved = busy();
    resolved.status = Status::Resolved;
    resolved.resolution_summary = Some("Rolled back; error rate at baseline".into());
    resolved.authority_notified_at = Some(at(50));
    resolved.scope.environment = Environment::Staging;
    resolved.scope.affected_services = Some("checkout, payments-api".into());
    resolved.findings.root_cause = Some(Finding {
        text: "Connection pool capped at 10".into(),
        link: None,
        at: at(40),
    });
    resolved.findings.fix = Some(Finding {
        text: "Pool raised to 50".into(),
        link: Some("https://git.example.com/pr/42".into()),
        at: at(45),
    });
    resolved.review.due_at = Some(at(60 * 24 * 7));
    resolved.review.notes = Some(ReviewNotes {
        answers: [(
            AgendaItem::Timeline,
            "Declared 10:00, rolled back 10:40".to_owned(),
        )]
        .into_iter()
        .collect(),
        follow_up_deadline: None,
    });
    let mut closed = resolved.clone();
    closed.status = Status::Closed;
    insta::assert_json_snapshot!("card_new", card_json(&incident(2)));
    insta::assert_json_snapshot!("card_under_way", card_json(&busy()));
    insta::assert_json_snapshot!("card_resolved", card_json(&resolved));
    insta::assert_json_snapshot!("card_closed", card_json(&closed));
}

/// Every option list of every overflow menu on the card.
fn overflow_sizes(card: &Value) -> Vec<usize> {
    card["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["type"] == "overflow")
        .map(|e| e["options"].as_array().unwrap().len())
        .collect()
}

#[test]
fn the_card_never_renders_an_overflow_menu_with_more_than_five_options() {
    for status in Status::ALL {
        for breach in [None, Some(at(1))] {
            for notified in [None, Some(at(2))] {
                for acknowledged in [None, Some(at(3))] {
                    let i = Incident {
                        status,
                        breach_discovered_at: breach,
                        authority_notified_at: notified,
                        acknowledged_at: acknowledged,
                        ..busy()
                    };
                    let sizes = overflow_sizes(&card_json(&i));
                    assert!(sizes.iter().all(|n| *n <= card::OVERFLOW_MAX), "{sizes:?}");
                }
            }
        }
    }
    // Past five, the secondary controls move to a "More…" menu, which holds up to 100.
    let six = [super::keys::More::Edit; 6];
    let menu = card::more_menu("INC-20261124-001", &six);
    assert_eq!(menu["type"], "static_select");
    assert_eq!(menu["placeholder"]["text"], "More…");
    let five = card::more_menu("INC-20261124-001", &six[..5]);
    assert_eq!(five["type"], "overflow");
}

#[test]
fn every_thread_post() {
    let process = ProcessConfig {
        schedule: crate::incident::schedule::ScheduleConfig {
            escalation_group: Some(EscalationGroup::UserGroup("S0MGMT".into())),
            ..Default::default()
        },
        ..ProcessConfig::default()
    };
    let posts: Vec<Value> = fixtures::events(update())
        .iter()
        .map(|e| {
            let text = announce::announcement(&busy(), e, "UACTOR", &process).map(|m| m.text);
            json!({ "event": e.kind(), "post": text })
        })
        .collect();
    insta::assert_json_snapshot!("thread_posts", posts);
}

#[test]
fn every_reminder() {
    let person = || Audience::Person("UOWNER".into());
    let group = || Audience::Group(EscalationGroup::UserGroup("S0MGMT".into()));
    let all = [
        Reminder::HeadsUp {
            deadline: at(60),
            to: person(),
        },
        Reminder::UpdateOverdue {
            deadline: at(60),
            to: person(),
            escalate: Some(group()),
        },
        Reminder::AckOverdue {
            to: group(),
            window: std::time::Duration::from_secs(900),
        },
        Reminder::BreachClock {
            deadline: at(72 * 60),
            to: group(),
        },
        Reminder::ReviewDue { to: person() },
        Reminder::CustomerNotice {
            rule: crate::incident::schedule::NoticeRule::Outage,
            due: at(240),
            overdue: false,
            to: person(),
        },
        Reminder::CustomerNotice {
            rule: crate::incident::schedule::NoticeRule::Breach,
            due: at(72 * 60),
            overdue: true,
            to: group(),
        },
        Reminder::ActionDue {
            action: 2,
            text: "Alert on pool saturation".into(),
            due_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            overdue: true,
            to: person(),
        },
    ];
    let rendered: Vec<Value> = all
        .iter()
        .map(|r| {
            let m = reminders::reminder(&busy(), r);
            json!({ "text": m.text, "blocks": m.blocks })
        })
        .collect();
    insta::assert_json_snapshot!("reminders", rendered);
    let digest = reminders::digest(&[busy(), incident(3)], at(120));
    insta::assert_json_snapshot!(
        "digest",
        json!({ "text": digest.text, "blocks": digest.blocks })
    );
}

#[test]
fn every_form() {
    let process = ProcessConfig::default();
    let card = |form| FormRequest::Card {
        incident: Box::new(busy()),
        form,
    };
    let forms = [
        (
            "declare",
            FormRequest::Declare {
                severity: process.default_severity,
                restricted: false,
                origin: Origin {
                    channel: Some("C0GENERAL".into()),
                    response_url: Some("https://hooks.slack.com/actions/T/1/x".into()),
                    team_domain: Some("acme".into()),
                    source: None,
                },
                drill: false,
                prefill: None,
            },
        ),
        ("declare_from_alert", fixtures::declare_from_alert(&process)),
        (
            "pick_incident",
            FormRequest::PickIncident {
                open: vec![busy(), incident(3)],
                message: Box::new(MessageAction {
                    user_id: "U1".into(),
                    channel_id: "C0GENERAL".into(),
                    message_ts: "1700000000.000100".into(),
                    author: "U2".into(),
                    text: "Seeing 500s from checkout".into(),
                    ..MessageAction::default()
                }),
            },
        ),
        ("resolve", card(CardForm::Resolve)),
        (
            "close",
            card(CardForm::Close {
                actions: ActionsSummary::default(),
                owed: true,
            }),
        ),
        (
            "close_with_actions",
            card(CardForm::Close {
                actions: ActionsSummary {
                    total: 3,
                    open: 2,
                    open_without_owner: 0,
                },
                owed: true,
            }),
        ),
        (
            "add_action",
            card(CardForm::AddAction {
                owner: "UCMD".into(),
                due: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            }),
        ),
        ("review", {
            let mut draft = incident(1);
            draft.status = Status::Resolved;
            draft.review.notes = Some(ReviewNotes {
                answers: [(AgendaItem::RootCause, "Pool capped at 10".to_owned())]
                    .into_iter()
                    .collect(),
                follow_up_deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 15),
            });
            FormRequest::Card {
                incident: Box::new(draft),
                form: CardForm::Review,
            }
        }),
        (
            "action_wont_do",
            card(CardForm::WontDo {
                number: 2,
                text: "Alert on pool saturation".into(),
            }),
        ),
        (
            "severity",
            card(CardForm::Severity {
                chosen: "SEV-2".into(),
            }),
        ),
        ("roles", card(CardForm::Roles)),
        (
            "update",
            card(CardForm::Update {
                owner: "UCMD".into(),
            }),
        ),
        ("cancel", card(CardForm::Cancel)),
        ("edit", card(CardForm::Edit)),
        ("flag_breach", card(CardForm::FlagBreach)),
        ("authority_notified", card(CardForm::RecordNotified)),
        ("review_triage", card(CardForm::ReviewTriage)),
        ("root_cause", card(CardForm::RootCause)),
        ("fix_deployed", card(CardForm::FixDeployed)),
        (
            "summary",
            card(CardForm::DraftSummary {
                status: PublicStatus::Identified,
                previous: None,
            }),
        ),
        (
            "summary_again",
            card(CardForm::DraftSummary {
                status: PublicStatus::Identified,
                previous: Some(Box::new(fixtures::sent_back())),
            }),
        ),
        (
            "summary_changes",
            card(CardForm::RequestChanges {
                summary: Box::new(fixtures::sent_back()),
            }),
        ),
    ];
    for (name, request) in forms {
        let view = modals::view(&request, &process);
        assert!(view["title"]["text"].as_str().unwrap().chars().count() <= 24);
        assert!(view["private_metadata"].as_str().unwrap().len() <= 3000);
        insta::assert_json_snapshot!(format!("form_{name}"), view);
    }
}

#[test]
fn a_summary_pending_approval_and_what_the_customer_facing_channel_reads() {
    let process = ProcessConfig {
        comms: crate::incident::summaries::CommsConfig {
            external_channel: Some("C0CUSTOMERS".into()),
            ..Default::default()
        },
        ..ProcessConfig::default()
    };
    let drafted = crate::incident::Event::SummaryDrafted(fixtures::drafted());
    let pending = announce::announcement(&busy(), &drafted, "UAUTHOR", &process).unwrap();
    insta::assert_json_snapshot!(
        "summary_pending",
        json!({ "text": pending.text, "blocks": pending.blocks })
    );
    let public = summaries::public_message(&PublicSummary {
        title: "Card payments <delayed>".into(),
        status: PublicStatus::Monitoring,
        text: fixtures::TOLD.into(),
    });
    let public = json!({ "text": public.text, "blocks": public.blocks });
    // Nothing internal reaches the customer-facing channel: no incident, no person, no link.
    let shown = public.to_string();
    for internal in ["INC-", "<@", "<#", "UAUTHOR", "C1"] {
        assert!(!shown.contains(internal), "{internal} in {shown}");
    }
    insta::assert_json_snapshot!("summary_public", public);
}

#[test]
fn the_incident_picker_keeps_its_message_within_slacks_metadata_limit() {
    // Quotes and newlines double in JSON; the text is cut after serialising, not before.
    let message = MessageAction {
        text: "\"\n".repeat(2000),
        ..MessageAction::default()
    };
    let view = modals::view(
        &FormRequest::PickIncident {
            open: vec![],
            message: Box::new(message),
        },
        &ProcessConfig::default(),
    );
    let metadata = view["private_metadata"].as_str().unwrap();
    assert!(metadata.len() <= 3000, "{}", metadata.len());
    let back: MessageAction = serde_json::from_str(metadata).unwrap();
    assert!(back.text.starts_with("\"\n\"\n") && back.text.ends_with('…'));
}
