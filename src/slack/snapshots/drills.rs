//! A drill as Slack receives it: its card, marked DRILL and saying what a drill is, and posts
//! into its thread — an announcement, the runbook, an inject and an escalation that mentions only
//! its declarer — each starting with DRILL.

use super::super::{announce, card};
use crate::{
    config::ProcessConfig,
    delivery::Post,
    incident::{
        Event, Incident,
        event::Escalation,
        example::incident,
        schedule::{EscalationGroup, Reminder, ScheduleConfig},
    },
};
use serde_json::{Value, json};

fn drill() -> Incident {
    Incident {
        drill: true,
        incident_type: Some("payment_wallet".into()),
        ..incident(1)
    }
}

/// With an escalation group configured, which a drill's escalations still leave out.
fn process() -> ProcessConfig {
    ProcessConfig {
        schedule: ScheduleConfig {
            escalation_group: Some(EscalationGroup::UserGroup("S0MGMT".into())),
            ..ScheduleConfig::default()
        },
        ..ProcessConfig::default()
    }
}

fn message(m: &crate::slack::blocks::Message) -> Value {
    json!({ "text": m.text, "blocks": m.blocks })
}

#[test]
fn a_drills_card_and_thread_posts_say_drill() {
    let process = process();
    let card = card::incident_card(&drill(), &process);
    insta::with_settings!({ snapshot_path => "." }, {
        insta::assert_json_snapshot!("card_drill", message(&card));
    });
    let posts = [
        Post::Event {
            event: Event::Acknowledged {
                seconds_after_declare: 120,
            },
            actor: "UACK".into(),
        },
        Post::Runbook {
            incident_type: "payment_wallet".into(),
        },
        Post::Reminder {
            reminder: Reminder::DrillInject {
                inject: 3,
                after_seconds: 900,
                text: "Customers report double charges".into(),
            },
        },
        Post::Event {
            event: Event::Escalated(Escalation::Triggers {
                triggers: vec!["money or wallet integrity may be affected".into()],
            }),
            actor: "warroom".into(),
        },
    ];
    let rendered: Vec<Value> = posts
        .iter()
        .map(|p| message(&announce::thread_post(&drill(), p, &process).unwrap()))
        .collect();
    for post in &rendered {
        assert!(
            post["text"]
                .as_str()
                .unwrap()
                .starts_with(":test_tube: DRILL"),
            "{post}"
        );
        let first = post["blocks"][0].to_string();
        assert!(first.contains(":test_tube: *DRILL*"), "{first}");
        assert!(!post.to_string().contains("S0MGMT"), "{post}");
    }
    insta::with_settings!({ snapshot_path => "." }, {
        insta::assert_json_snapshot!("thread_posts_drill", rendered);
    });
    // A real incident's posts carry no such mark.
    let real = announce::thread_post(&incident(1), &posts[0], &process).unwrap();
    assert!(!real.text.contains("DRILL"));
}
