//! The settings of the outward integrations: paging and webhooks.

use super::*;

#[test]
fn pagerduty_pages_the_two_most_severe_by_default_and_names_a_bad_key() {
    let default = ProcessConfig::default().pagerduty;
    assert!(default.pages("SEV-1", 0) && default.pages("SEV-2", 1));
    assert!(!default.pages("SEV-3", 2));
    assert_eq!(
        default.events_url,
        "https://events.pagerduty.com/v2/enqueue"
    );
    let chosen = ProcessConfig::from_toml(
        "[pagerduty]\nseverities = [\"sev1\"]\nevents_url = \"http://127.0.0.1:9/v2/enqueue\"\nrestricted_details = true",
    )
    .unwrap()
    .pagerduty;
    assert_eq!(chosen.severities, Some(vec!["SEV-1".to_owned()]));
    assert!(chosen.pages("SEV-1", 0) && !chosen.pages("SEV-2", 1));
    assert!(chosen.restricted_details);
    for (toml, key) in [
        (
            "[pagerduty]\nseverities = [\"SEV-9\"]",
            "pagerduty.severities",
        ),
        (
            "[pagerduty]\nevents_url = \"events.pagerduty.com\"",
            "pagerduty.events_url",
        ),
        // The routing key is a secret: never from the file.
        ("[pagerduty]\nrouting_key = \"abc\"", "routing_key"),
    ] {
        let e = ProcessConfig::from_toml(toml).unwrap_err().to_string();
        assert!(e.contains(key), "{toml}: {e}");
    }
}

#[test]
fn the_pagerduty_routing_key_is_a_secret_from_the_environment() {
    let key = "R0UT1NGKEY-never-printed";
    let mut pairs = BASE.to_vec();
    pairs.push(("PAGERDUTY_ROUTING_KEY", key));
    let cfg = Config::from_lookup(env(&pairs)).unwrap();
    assert_eq!(cfg.pagerduty_routing_key.as_ref().unwrap().expose(), key);
    assert!(!format!("{cfg:?}").contains(key));
    let off = Config::from_lookup(env(&BASE)).unwrap();
    assert!(off.pagerduty_routing_key.is_none());
}

#[test]
fn webhooks_are_checked_and_their_secrets_come_from_the_variables_they_name() {
    let hook = |extra: &str| {
        format!(
            "[[webhook]]\nname = \"audit\"\nurl = \"https://hooks.example.com/warroom\"\nsecret = \"AUDIT_SECRET\"\n{extra}"
        )
    };
    let cfg = ProcessConfig::from_toml(&hook("events = [\"incident.declared\"]")).unwrap();
    assert_eq!(cfg.webhooks.len(), 1);
    assert!(cfg.webhooks[0].wants("incident.declared") && !cfg.webhooks[0].wants("incident.note"));
    assert!(!cfg.webhooks[0].restricted);
    for (toml, key) in [
        (
            hook("events = [\"incident.exploded\"]"),
            "webhook[0].events",
        ),
        (
            hook("").replace("AUDIT_SECRET", "whsec_abc"),
            "webhook[0].secret",
        ),
        (hook("").replace("https://hooks", "hooks"), "webhook[0].url"),
        (format!("{}\n{}", hook(""), hook("")), "webhook[1].name"),
    ] {
        let e = ProcessConfig::from_toml(&toml).unwrap_err().to_string();
        assert!(e.contains(key), "{toml}: {e}");
    }
    let path = std::env::temp_dir().join(format!("warroom-hooks-{}.toml", std::process::id()));
    std::fs::write(&path, hook("")).unwrap();
    let path = path.display().to_string();
    let mut pairs = BASE.to_vec();
    pairs.push(("WARROOM_CONFIG", &path));
    let missing = Config::from_lookup(env(&pairs)).unwrap_err();
    assert_eq!(missing.variable, "AUDIT_SECRET");
    pairs.push(("AUDIT_SECRET", "short"));
    let short = Config::from_lookup(env(&pairs)).unwrap_err();
    assert!(short.problem.contains("too short"), "{short}");
    pairs.pop();
    pairs.push(("AUDIT_SECRET", "0123456789abcdef0123456789abcdef"));
    let cfg = Config::from_lookup(env(&pairs)).unwrap();
    assert_eq!(
        cfg.webhook_secrets["audit"].expose(),
        "0123456789abcdef0123456789abcdef"
    );
    assert!(!format!("{cfg:?}").contains("0123456789abcdef0123456789abcdef"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_status_page_needs_its_page_its_key_variable_and_known_incident_types() {
    let page = |extra: &str| {
        format!("[statuspage]\npage_id = \"pg1\"\napi_key_env = \"STATUSPAGE_API_KEY\"\n{extra}")
    };
    let cfg = ProcessConfig::from_toml(&page("components = { payment_wallet = [\"cmp1\"] }"))
        .unwrap()
        .statuspage
        .unwrap();
    assert_eq!(cfg.api_url, "https://api.statuspage.io/v1");
    assert_eq!(cfg.components["payment_wallet"], ["cmp1"]);
    for (toml, key) in [
        (
            page("components = { teleporter = [\"cmp1\"] }"),
            "statuspage.components",
        ),
        (
            page("").replace("STATUSPAGE_API_KEY", "sk_live_123"),
            "statuspage.api_key_env",
        ),
        (page("").replace("pg1", "pg 1"), "statuspage.page_id"),
    ] {
        let e = ProcessConfig::from_toml(&toml).unwrap_err().to_string();
        assert!(e.contains(key), "{toml}: {e}");
    }
    let path = std::env::temp_dir().join(format!("warroom-page-{}.toml", std::process::id()));
    std::fs::write(&path, page("")).unwrap();
    let path = path.display().to_string();
    let mut pairs = BASE.to_vec();
    pairs.push(("WARROOM_CONFIG", &path));
    assert_eq!(
        Config::from_lookup(env(&pairs)).unwrap_err().variable,
        "STATUSPAGE_API_KEY"
    );
    pairs.push(("STATUSPAGE_API_KEY", "key-never-printed"));
    let cfg = Config::from_lookup(env(&pairs)).unwrap();
    assert_eq!(
        cfg.statuspage_api_key.as_ref().unwrap().expose(),
        "key-never-printed"
    );
    assert!(!format!("{cfg:?}").contains("key-never-printed"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn the_capture_reaction_is_an_emojis_name_with_or_without_colons() {
    assert_eq!(ProcessConfig::default().capture_reaction, "pushpin");
    let cfg =
        ProcessConfig::from_toml("[timeline]\ncapture_reaction = \":round_pushpin:\"").unwrap();
    assert_eq!(cfg.capture_reaction, "round_pushpin");
    let e = ProcessConfig::from_toml("[timeline]\ncapture_reaction = \"📌 pin\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("timeline.capture_reaction"), "{e}");
}
