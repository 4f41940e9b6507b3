use super::*;
use crate::incident::{
    Catalog, Event, Status,
    example::{at, incident},
    schedule::{Arm, Audience, EscalationGroup, Reminder, ScheduleConfig, escalation_audience},
};
use serde_json::json;

fn spec(name: &str, injects: &[(&str, &str)]) -> ScenarioSpec {
    ScenarioSpec {
        name: name.to_owned(),
        incident_type: Some("payment_wallet".to_owned()),
        severity: Some("sev2".to_owned()),
        title: "Double charges".to_owned(),
        injects: injects
            .iter()
            .map(|(at, text)| InjectSpec {
                at: (*at).to_owned(),
                text: (*text).to_owned(),
            })
            .collect(),
    }
}

fn check(specs: Vec<ScenarioSpec>) -> Result<Scenarios, ScenarioError> {
    Scenarios::from_specs(specs, &Severities::builtin(), &Catalog::builtin())
}

use crate::incident::Severities;

#[test]
fn the_built_in_scenarios_are_a_payment_a_credential_and_a_database_drill_of_about_half_an_hour() {
    let s = Severities::builtin();
    let scenarios = Scenarios::builtin(&s, &Catalog::builtin());
    let types: Vec<Option<&str>> = scenarios
        .iter()
        .map(|s| s.incident_type.as_deref())
        .collect();
    assert_eq!(
        types,
        [Some("payment_wallet"), Some("credential"), Some("database")]
    );
    for scenario in scenarios.iter() {
        assert!((3..=5).contains(&scenario.injects.len()), "{scenario:?}");
        let length = scenario.length().as_secs();
        assert!((25 * 60..=35 * 60).contains(&length), "{length} s");
        assert!(scenario.severity.is_some(), "{}", scenario.name);
    }
    assert_eq!(
        scenarios.find("WALLET-mismatch").map(|s| s.name.as_str()),
        Some("wallet-mismatch")
    );
    assert!(scenarios.find("nosuch").is_none());
}

#[test]
fn built_in_scenarios_fall_back_to_the_defaults_when_the_configuration_replaced_their_severity_or_type()
 {
    let severities = Severities::new(vec![crate::incident::SeverityLevel {
        name: "Critical".into(),
        aliases: vec![],
        description: String::new(),
        ack_within: std::time::Duration::from_secs(600),
        update_every: std::time::Duration::from_secs(1800),
    }])
    .unwrap();
    let catalog = Catalog::new(Catalog::builtin().roles, vec![]).unwrap();
    let scenarios = Scenarios::builtin(&severities, &catalog);
    assert_eq!(scenarios.names().len(), 3);
    assert!(
        scenarios
            .iter()
            .all(|s| s.severity.is_none() && s.incident_type.is_none())
    );
}

#[test]
fn a_scenario_is_read_with_its_injects_in_the_order_they_come_due() {
    let scenarios = check(vec![spec(
        "double-charge",
        &[("10m", "second"), ("90s", "first"), ("1h", "third")],
    )])
    .unwrap();
    let scenario = scenarios.find("double-charge").unwrap();
    let texts: Vec<&str> = scenario.injects.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["first", "second", "third"]);
    assert_eq!(scenario.injects[0].after.as_secs(), 90);
    assert_eq!(scenario.severity, Severities::builtin().parse("SEV-2"));
    assert_eq!(scenario.length().as_secs(), 3600);
}

#[test]
fn each_mistake_in_a_scenario_names_its_key() {
    let cases = [
        (
            vec![spec("a", &[("5m", "ok"), ("soon", "when?")])],
            "scenario \"a\".injects[2].at",
            "not a duration",
        ),
        (
            vec![spec("a", &[("0s", "now")])],
            "scenario \"a\".injects[1].at",
            "longer than zero",
        ),
        (
            vec![spec("a", &[("5m", "  ")])],
            "scenario \"a\".injects[1].text",
            "needs a text",
        ),
        (
            vec![spec("a", &[])],
            "scenario \"a\".injects",
            "at least one inject",
        ),
        (
            vec![spec("same", &[("1m", "x")]), spec("SAME", &[("1m", "y")])],
            "scenario \"SAME\".name",
            "another scenario has this name",
        ),
        (
            vec![spec("two words", &[("1m", "x")])],
            "scenario[1].name",
            "one word",
        ),
    ];
    for (specs, key, problem) in cases {
        let err = check(specs).expect_err(key);
        assert_eq!(err.key, key);
        assert!(err.problem.contains(problem), "{err}");
    }
    let mut unknown = spec("a", &[("1m", "x")]);
    unknown.severity = Some("SEV-9".into());
    let err = check(vec![unknown]).unwrap_err();
    assert_eq!(err.key, "scenario \"a\".severity");
    let mut unknown = spec("a", &[("1m", "x")]);
    unknown.incident_type = Some("volcano".into());
    let err = check(vec![unknown]).unwrap_err();
    assert_eq!(err.key, "scenario \"a\".incident_type");
}

#[test]
fn each_inject_is_armed_as_a_reminder_of_its_own_at_its_time_after_the_declaration() {
    let scenarios = check(vec![spec(
        "a",
        &[
            ("5m", "Customers report double charges"),
            ("20m", "Finance asks"),
        ],
    )])
    .unwrap();
    let arms = arm_injects(scenarios.find("a").unwrap(), at(0));
    assert_eq!(
        arms,
        [
            Arm::Set {
                kind: "drill_inject:1".into(),
                due_at: at(5),
                details: json!({ "inject": 1, "after_seconds": 300, "text": "Customers report double charges" }),
            },
            Arm::Set {
                kind: "drill_inject:2".into(),
                due_at: at(20),
                details: json!({ "inject": 2, "after_seconds": 1200, "text": "Finance asks" }),
            },
        ]
    );
    assert_eq!(inject_number("drill_inject:2"), Some(2));
    assert_eq!(inject_number(&inject_kind(17)), Some(17));
    assert_eq!(inject_number("action_due:2"), None);
    assert_eq!(t_plus(300), "T+5m");
    assert_eq!(t_plus(5400), "T+1h 30m");
}

#[test]
fn a_due_inject_is_posted_and_recorded_while_the_drill_is_open_and_dropped_once_it_is_over() {
    let details =
        json!({ "inject": 2, "after_seconds": 300, "text": "Customers report double charges" });
    let drill = crate::incident::Incident {
        drill: true,
        ..incident(1)
    };
    let fired = fire_inject(&drill, 2, &details);
    assert_eq!(
        fired.post,
        Some(Reminder::DrillInject {
            inject: 2,
            after_seconds: 300,
            text: "Customers report double charges".into(),
        })
    );
    assert_eq!(
        fired.entry,
        Some(Event::DrillInjected {
            inject: 2,
            after_seconds: 300,
            text: "Customers report double charges".into(),
        })
    );
    assert_eq!(fired.next, None, "each inject fires once");
    for status in [Status::Resolved, Status::Closed, Status::Cancelled] {
        let over = crate::incident::Incident {
            status,
            ..drill.clone()
        };
        let fired = fire_inject(&over, 2, &details);
        assert!(fired.post.is_none() && fired.entry.is_none(), "{status}");
    }
    // Never into a real incident's thread, whatever a reminder row says.
    assert!(fire_inject(&incident(1), 2, &details).post.is_none());
}

#[test]
fn a_drills_escalations_call_in_only_its_declarer_unless_the_group_takes_part() {
    let group = EscalationGroup::UserGroup("S0MANAGERS".into());
    let mut cfg = ScheduleConfig {
        escalation_group: Some(group.clone()),
        ..ScheduleConfig::default()
    };
    let drill = crate::incident::Incident {
        drill: true,
        ..incident(0)
    };
    assert_eq!(
        escalation_audience(&drill, &cfg),
        Audience::Person("UDECL".into())
    );
    assert_eq!(
        escalation_audience(&incident(0), &cfg),
        Audience::Group(group.clone())
    );
    cfg.page_drill_escalations = true;
    assert_eq!(escalation_audience(&drill, &cfg), Audience::Group(group));
}
