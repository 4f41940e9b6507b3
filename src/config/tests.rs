use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

const BASE: [(&str, &str); 3] = [
    ("SLACK_BOT_TOKEN", "xoxb-1-abc"),
    ("SLACK_SIGNING_SECRET", "s3cr3t-value"),
    ("WARROOM_INCIDENT_CHANNEL", "C0INCIDENTS"),
];

#[test]
fn defaults_apply_and_secrets_stay_out_of_debug() {
    let c = Config::from_lookup(env(&BASE)).unwrap();
    assert_eq!(c.slack_api_url, DEFAULT_SLACK_API_URL);
    assert_eq!(c.listen.to_string(), "0.0.0.0:3000");
    assert_eq!(c.process.default_severity.index(), 2);
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("xoxb-1-abc") && !debug.contains("s3cr3t-value"),
        "{debug}"
    );
}

#[test]
fn each_error_names_its_variable() {
    let missing = Config::from_lookup(env(&BASE[..2])).unwrap_err();
    assert!(
        missing.to_string().starts_with("WARROOM_INCIDENT_CHANNEL:"),
        "{missing}"
    );
    let mut bad = BASE.to_vec();
    bad.push(("WARROOM_LISTEN", "nowhere"));
    assert!(
        Config::from_lookup(env(&bad))
            .unwrap_err()
            .to_string()
            .starts_with("WARROOM_LISTEN:")
    );
    let mut bad = BASE.to_vec();
    bad.push(("WARROOM_ADMIN_LISTEN", "localhost"));
    assert!(
        Config::from_lookup(env(&bad))
            .unwrap_err()
            .to_string()
            .starts_with("WARROOM_ADMIN_LISTEN:")
    );
    let mut admin = BASE.to_vec();
    admin.push(("WARROOM_ADMIN_LISTEN", "127.0.0.1:9090"));
    let admin = Config::from_lookup(env(&admin)).unwrap().admin_listen;
    assert_eq!(
        admin.map(|a| a.to_string()).as_deref(),
        Some("127.0.0.1:9090")
    );
    assert!(
        Config::from_lookup(env(&BASE))
            .unwrap()
            .admin_listen
            .is_none()
    );
    let no_secret = Config::from_lookup(env(&[BASE[0], BASE[2]])).unwrap_err();
    assert!(no_secret.to_string().starts_with("SLACK_SIGNING_SECRET:"));
    let socket =
        Config::from_lookup(env(&[BASE[0], BASE[2], ("SLACK_APP_TOKEN", "xapp-1")])).unwrap();
    assert!(socket.slack_signing_secret.is_none());
}

#[test]
fn the_config_file_overrides_severities_and_timings() {
    let cfg = ProcessConfig::from_toml(
        r#"
        default_severity = "p2"
        [[severity]]
        name = "SEV-1"
        aliases = ["sev1", "p1"]
        description = "Critical"
        ack_within = "15m"
        update_every = "30m"
        [[severity]]
        name = "SEV-2"
        aliases = ["p2"]
        ack_within = "30m"
        update_every = "1h"
        [slack]
        channel_pace = "0s"
        "#,
    )
    .unwrap();
    assert_eq!(cfg.severities.iter().count(), 2);
    assert_eq!(cfg.default_severity.index(), 1);
    assert!(cfg.channel_pace.is_zero());
    let bad = ProcessConfig::from_toml("[slack]\nchannel_pace = \"soon\"").unwrap_err();
    assert!(bad.to_string().contains("slack.channel_pace"), "{bad}");
    assert!(ProcessConfig::from_toml("colour = 1").is_err());
}

#[test]
fn a_duration_that_must_pass_is_refused_at_zero_and_names_its_key() {
    for (toml, key) in [
        ("[outbox]\nlease = \"0s\"", "outbox.lease"),
        ("[integrations]\ntimeout = \"0s\"", "integrations.timeout"),
        ("[outbox]\nmax_backoff = \"0s\"", "outbox.max_backoff"),
        ("[slack]\ntimeout = \"0s\"", "slack.timeout"),
        (
            "[database]\nrequest_deadline = \"0s\"",
            "database.request_deadline",
        ),
        ("[breach]\nwindow = \"0s\"", "breach.window"),
        ("[http]\nheader_timeout = \"0s\"", "http.header_timeout"),
        ("[http]\nbody_timeout = \"0s\"", "http.body_timeout"),
        ("[retention]\nkeep = \"0s\"", "retention.keep"),
        ("[retention]\nevery = \"0s\"", "retention.every"),
        (
            "[[severity]]\nname = \"SEV-1\"\nack_within = \"0s\"\nupdate_every = \"30m\"",
            "ack_within",
        ),
        (
            "[[severity]]\nname = \"SEV-1\"\nack_within = \"15m\"\nupdate_every = \"0s\"",
            "update_every",
        ),
    ] {
        let err = ProcessConfig::from_toml(toml).expect_err(toml);
        assert!(err.to_string().contains(key), "{err} should name {key}");
        assert!(err.to_string().contains("longer than zero"), "{err}");
    }
    // Zero still switches pacing off.
    let cfg = ProcessConfig::from_toml("[slack]\nchannel_pace = \"0s\"").unwrap();
    assert!(cfg.channel_pace.is_zero());
}

#[test]
fn metric_targets_take_any_spelling_of_a_severity_and_replace_that_metrics_defaults() {
    use crate::incident::stats::Metric;
    let minutes = |m: u64| Some(Duration::from_secs(m * 60));
    let cfg = ProcessConfig::from_toml(
        r#"
        [metrics.targets]
        mtta = { "sev1" = "10m", "P3" = "1h" }
        mttc = { "SEV-1" = "2h" }
        "#,
    )
    .unwrap();
    let targets = &cfg.metric_targets;
    assert_eq!(targets.get(Metric::Mtta, "SEV-1"), minutes(10));
    assert_eq!(targets.get(Metric::Mtta, "SEV-3"), minutes(60));
    // The table replaces the metric's defaults: SEV-2 is no longer held to 30 minutes.
    assert_eq!(targets.get(Metric::Mtta, "SEV-2"), None);
    assert_eq!(targets.get(Metric::Mttc, "SEV-1"), minutes(120));
    // A metric the file leaves alone keeps the guide's targets.
    assert_eq!(targets.get(Metric::Mttr, "SEV-1"), minutes(240));
    assert_eq!(targets.get(Metric::Mttr, "SEV-2"), minutes(480));
    assert_eq!(targets.get(Metric::Mttd, "SEV-1"), None);

    let defaults = ProcessConfig::default().metric_targets;
    assert_eq!(defaults.get(Metric::Mtta, "SEV-1"), minutes(15));
    assert_eq!(defaults.get(Metric::Mtta, "SEV-2"), minutes(30));
    assert_eq!(defaults.get(Metric::Mtta, "SEV-3"), None);
}

#[test]
fn with_severities_of_its_own_the_guides_targets_go_to_its_two_most_severe_levels() {
    use crate::incident::stats::Metric;
    let cfg = ProcessConfig::from_toml(
        r#"
        [[severity]]
        name = "Critical"
        ack_within = "10m"
        update_every = "30m"
        [[severity]]
        name = "Major"
        ack_within = "30m"
        update_every = "1h"
        [[severity]]
        name = "Minor"
        ack_within = "1d"
        update_every = "1d"
        "#,
    )
    .unwrap();
    let t = &cfg.metric_targets;
    assert_eq!(
        t.get(Metric::Mttr, "Critical"),
        Some(Duration::from_secs(4 * 3600))
    );
    assert_eq!(
        t.get(Metric::Mtta, "Major"),
        Some(Duration::from_secs(1800))
    );
    assert_eq!(t.get(Metric::Mtta, "Minor"), None);
    assert_eq!(t.get(Metric::Mtta, "SEV-1"), None);
}

#[test]
fn a_bad_metric_target_stops_start_up_naming_its_key() {
    for (toml, names, problem) in [
        (
            "[metrics.targets]\nmtta = { \"SEV-9\" = \"15m\" }",
            "metrics.targets.mtta.\"SEV-9\"",
            "not a configured severity",
        ),
        (
            "[metrics.targets]\nmttr = { \"SEV-1\" = \"soon\" }",
            "metrics.targets.mttr.\"SEV-1\"",
            "not a duration",
        ),
        (
            "[metrics.targets]\nmttc = { \"p2\" = \"0s\" }",
            "metrics.targets.mttc.\"p2\"",
            "longer than zero",
        ),
        (
            "[metrics.targets]\nmtta = { \"SEV-1\" = \"15m\", \"p1\" = \"10m\" }",
            "metrics.targets.mtta",
            "SEV-1 is given a target twice",
        ),
        (
            "[metrics.targets]\nmtbf = { \"SEV-1\" = \"1d\" }",
            "mtbf",
            "unknown field",
        ),
        ("[metrics]\ntarget = 1", "target", "unknown field"),
    ] {
        let err = ProcessConfig::from_toml(toml).expect_err(toml).to_string();
        assert!(err.starts_with("WARROOM_CONFIG"), "{err}");
        assert!(err.contains(names), "{err} should name {names}");
        assert!(err.contains(problem), "{err} should say {problem}");
    }
}

#[test]
fn the_reports_need_the_database_and_the_config_file_but_no_slack_setting() {
    let report = ReportConfig::from_lookup(env(&[])).unwrap();
    assert_eq!(report.database_url.expose(), DEFAULT_DATABASE_URL);
    let report =
        ReportConfig::from_lookup(env(&[("DATABASE_URL", "postgres://h/warroom")])).unwrap();
    assert_eq!(report.database_url.expose(), "postgres://h/warroom");
    let bad = ReportConfig::from_lookup(env(&[("DATABASE_URL", "mysql://h/w")])).unwrap_err();
    assert!(bad.to_string().starts_with("DATABASE_URL:"), "{bad}");
    let missing =
        ReportConfig::from_lookup(env(&[("WARROOM_CONFIG", "/nonexistent/w.toml")])).unwrap_err();
    assert!(
        missing.to_string().starts_with("WARROOM_CONFIG:"),
        "{missing}"
    );
    assert!(!format!("{report:?}").contains("postgres://h"));
}

#[test]
fn comms_reads_its_domains_approvers_and_channel_and_names_the_key_at_fault() {
    let default = ProcessConfig::default().comms;
    assert_eq!(
        default.approver_roles,
        ["commander", "communications"].map(crate::incident::RoleKey::from)
    );
    assert!(default.internal_domains.contains(&"internal".to_owned()));
    let c = ProcessConfig::from_toml(
        "[comms]\ninternal_domains = [\".Corp.Example.com\", \"internal\"]\napprover_roles = [\"communications\"]\nexternal_channel = \"C0CUSTOMERS\"\n",
    )
    .unwrap()
    .comms;
    assert_eq!(c.internal_domains, ["corp.example.com", "internal"]);
    assert_eq!(
        c.approver_roles,
        [crate::incident::RoleKey::from("communications")]
    );
    assert_eq!(c.external_channel.as_deref(), Some("C0CUSTOMERS"));
    for (toml, key) in [
        (
            "[comms]\napprover_roles = [\"comms\"]",
            "comms.approver_roles",
        ),
        ("[comms]\napprover_roles = []", "comms.approver_roles"),
        (
            "[comms]\nexternal_channel = \"#customers\"",
            "comms.external_channel",
        ),
        (
            "[comms]\ninternal_domains = [\"corp example\"]",
            "comms.internal_domains",
        ),
    ] {
        let e = ProcessConfig::from_toml(toml).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("WARROOM_CONFIG ({key})")),
            "{toml}: {e}"
        );
    }
    // Replacing the roles keeps the built-in approvers that still exist, and refuses none left.
    let roles = |key: &str| {
        format!(
            "[[role]]\nkey = \"{key}\"\nname = \"Lead\"\n[[incident_type]]\nkey = \"other\"\nname = \"Other\"\n"
        )
    };
    let c = ProcessConfig::from_toml(&roles("commander")).unwrap().comms;
    assert_eq!(c.approver_roles, [crate::incident::RoleKey::commander()]);
    let e = ProcessConfig::from_toml(&roles("lead")).unwrap_err();
    assert!(e.to_string().contains("comms.approver_roles"), "{e}");
}

#[test]
fn drills_take_the_scenarios_of_the_config_file_in_place_of_the_built_in_ones() {
    let builtin = ProcessConfig::default();
    assert_eq!(
        builtin.scenarios.names(),
        [
            "wallet-mismatch",
            "credential-compromise",
            "database-outage"
        ]
    );
    assert!(!builtin.schedule.page_drill_escalations);
    let cfg = ProcessConfig::from_toml(
        r#"
        [drills]
        page_escalation_group = true
        [[drills.scenario]]
        name = "card-testing"
        incident_type = "payment_wallet"
        severity = "p1"
        title = "Card testing attack on checkout"
        injects = [{ at = "5m", text = "Thousands of $1 authorisations" }, { at = "1m", text = "Fraud alert" }]
        "#,
    )
    .unwrap();
    assert!(cfg.schedule.page_drill_escalations);
    assert_eq!(cfg.scenarios.names(), ["card-testing"]);
    let scenario = cfg.scenarios.find("card-testing").unwrap();
    assert_eq!(scenario.severity, cfg.severities.parse("SEV-1"));
    assert_eq!(scenario.injects[0].text, "Fraud alert");
}

#[test]
fn a_scenario_that_cannot_run_stops_start_up_naming_its_key() {
    let scenario = |name: &str, injects: &str| {
        format!("[[drills.scenario]]\nname = \"{name}\"\ntitle = \"Drill\"\n{injects}\n")
    };
    for (toml, key) in [
        (
            scenario("late", "injects = [{ at = \"in a bit\", text = \"x\" }]"),
            "drills.scenario \"late\".injects[1].at",
        ),
        (
            scenario("quiet", "injects = []"),
            "drills.scenario \"quiet\".injects",
        ),
        (scenario("silent", ""), "drills.scenario \"silent\".injects"),
        (
            scenario("twice", "injects = [{ at = \"1m\", text = \"x\" }]")
                + &scenario("Twice", "injects = [{ at = \"1m\", text = \"y\" }]"),
            "drills.scenario \"Twice\".name",
        ),
    ] {
        let err = ProcessConfig::from_toml(&toml).expect_err(&toml);
        assert!(
            err.to_string()
                .starts_with(&format!("WARROOM_CONFIG ({key})")),
            "{err} should name {key}"
        );
    }
    let unknown = ProcessConfig::from_toml("[drills]\npage_everyone = true").unwrap_err();
    assert!(unknown.to_string().contains("page_everyone"), "{unknown}");
}

/// `[pagerduty]` and `[[webhook]]`.
mod integrations;
