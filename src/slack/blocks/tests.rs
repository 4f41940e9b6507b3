use super::*;
use crate::incident::Incident;

fn incident(title: &str) -> Incident {
    Incident {
        title: title.into(),
        incident_type: Some("payment_wallet".into()),
        impact: Some("Checkout <!channel> fails".into()),
        declared_by: "U123".into(),
        team_domain: Some("acme".into()),
        channel_id: "C0INC".into(),
        card_ts: None,
        ..crate::incident::example::incident(0)
    }
}
use crate::{
    config::ProcessConfig,
    slack::{card::incident_card, keys::Control},
};

#[test]
fn the_card_shows_the_incident_and_its_controls() {
    let card = incident_card(&incident("Payments API down"), &ProcessConfig::default());
    assert_eq!(
        card.text,
        "INC-20261124-001 [SEV-1] Payments API down — Investigating. Declared by <@U123>."
    );
    let json = serde_json::to_string(&card.blocks).unwrap();
    for needle in [
        "INC-20261124-001 · Payments API down",
        "*Status*\\nInvestigating",
        "<@U123>",
        "<!date^1795514400^",
        "<!date^1795516200^",
        Control::Acknowledge.action_id(),
        Control::Status.action_id(),
        Control::Severity.action_id(),
        Control::Roles.action_id(),
        Control::PostUpdate.action_id(),
        "Payment or wallet",
    ] {
        assert!(json.contains(needle), "missing {needle} in {json}");
    }
    assert!(
        json.contains("Checkout &lt;!channel&gt; fails"),
        "user text is escaped"
    );
}

#[test]
fn a_huge_title_is_cut_to_fit_every_limit() {
    let card = incident_card(&incident(&"x".repeat(10_000)), &ProcessConfig::default());
    let header = card.blocks[0]["text"]["text"].as_str().unwrap();
    assert_eq!(header.chars().count(), HEADER_MAX);
    assert!(card.text.chars().count() <= FALLBACK_MAX);
}

#[test]
fn a_closed_card_offers_only_follow_up_work_and_client_summaries_and_a_cancelled_one_nothing() {
    let mut closed = incident("x");
    closed.status = Status::Closed;
    let card = incident_card(&closed, &ProcessConfig::default());
    let controls: Vec<&serde_json::Value> = card
        .blocks
        .iter()
        .filter(|b| b["type"] == "actions")
        .collect();
    assert_eq!(controls.len(), 1);
    let elements = controls[0]["elements"].as_array().unwrap();
    assert_eq!(
        elements.len(),
        1,
        "no status, severity, roles or update: {elements:?}"
    );
    let options: Vec<&str> = elements[0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    // What clients are told goes on after the fire is out, like the follow-up work.
    assert_eq!(
        options,
        ["action:INC-20261124-001", "summary:INC-20261124-001"],
        "{options:?}"
    );
    let mut cancelled = incident("x");
    cancelled.status = Status::Cancelled;
    let card = incident_card(&cancelled, &ProcessConfig::default());
    assert!(card.blocks.iter().all(|b| b["type"] != "actions"));
}

#[test]
fn links_need_a_plausible_domain() {
    assert_eq!(
        message_link(Some("acme"), "C1", "1700000000.000100").as_deref(),
        Some("https://acme.slack.com/archives/C1/p1700000000000100")
    );
    assert_eq!(message_link(Some("evil.com/x"), "C1", "1.2"), None);
    assert_eq!(message_link(None, "C1", "1.2"), None);
}

#[test]
fn with_the_web_view_on_the_card_links_the_incident_s_page_and_its_overflow_stays_within_five() {
    let process = ProcessConfig {
        web_view_url: Some("https://warroom.example.com".into()),
        ..ProcessConfig::default()
    };
    let open = incident("Payments API down");
    let mut closed = incident("x");
    closed.status = crate::incident::Status::Closed;
    for card in [
        incident_card(&open, &process),
        incident_card(&closed, &process),
    ] {
        let actions = card.blocks.iter().find(|b| b["type"] == "actions").unwrap();
        let elements = actions["elements"].as_array().unwrap();
        let link = elements
            .iter()
            .find(|e| e["action_id"] == "open_in_browser")
            .unwrap();
        assert_eq!(
            link["url"],
            "https://warroom.example.com/incidents/INC-20261124-001"
        );
        assert_eq!(link["text"]["text"], "Open in browser");
        for e in elements.iter().filter(|e| e["type"] == "overflow") {
            assert!(e["options"].as_array().unwrap().len() <= 5);
        }
    }
    let show = crate::slack::answers::view(
        &crate::commands::View::Incident(Box::new(open.clone())),
        &process,
    );
    let json = serde_json::to_string(&show.blocks).unwrap();
    assert!(
        json.contains("<https://warroom.example.com/incidents/INC-20261124-001|Open in browser>"),
        "{json}"
    );
    let off = incident_card(&open, &ProcessConfig::default());
    assert!(
        !serde_json::to_string(&off.blocks)
            .unwrap()
            .contains("open_in_browser")
    );
}
