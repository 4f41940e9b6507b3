//! The parsers fed Slack's own payload samples, which live in the repository under
//! `tests/fixtures/slack/` (provenance in its `SOURCES.md`), and fed malformed input.

use super::*;
use crate::{
    commands::forms::{CardFields, Form, Input},
    slack::keys::{Callback, block_id},
};
use std::path::PathBuf;

/// Every sample these tests read. A missing or unlisted file fails a test instead of letting one
/// pass by finding nothing.
const SAMPLES: [&str; 7] = [
    "slash_command_form.txt",
    "block_actions_form.txt",
    "message_shortcut_form.txt",
    "view_submission.json",
    "view_closed.json",
    "url_verification.json",
    "event_callback_app_mention.json",
];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slack")
}

/// The exact bytes of a listed sample; panics when it cannot be read.
fn fixture(name: &str) -> Vec<u8> {
    assert!(SAMPLES.contains(&name), "{name} is not listed in SAMPLES");
    let path = fixtures().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("Slack sample {}: {e}", path.display()))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

#[test]
fn the_fixture_folder_holds_exactly_the_listed_samples_and_their_sources() {
    let mut found: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap_or_else(|e| panic!("{}: {e}", fixtures().display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut expected: Vec<String> = SAMPLES
        .iter()
        .chain(&["SOURCES.md"])
        .map(|s| (*s).to_owned())
        .collect();
    expected.sort();
    assert_eq!(found, expected);

    let sources = String::from_utf8(std::fs::read(fixtures().join("SOURCES.md")).unwrap()).unwrap();
    for name in SAMPLES {
        assert!(!fixture(name).is_empty(), "{name} is empty");
        assert!(
            sources.contains(name),
            "SOURCES.md does not say where {name} came from"
        );
    }
}

#[test]
fn slacks_slash_command_sample_parses_to_an_invocation() {
    let invocation = command_form(&fixture("slash_command_form.txt")).unwrap();
    assert_eq!(
        (invocation.user_id.as_str(), invocation.channel_id.as_str()),
        ("U2CERLKJA", "G8PSS9T3V")
    );
    assert_eq!(invocation.text, "");
    assert!(invocation.response_url.is_some() && invocation.trigger_id.is_some());
}

/// The JSON inside a sample's `payload=` form field.
fn form_payload(name: &str) -> Value {
    #[derive(serde::Deserialize)]
    struct Form {
        payload: String,
    }
    let form: Form = serde_urlencoded::from_bytes(&fixture(name)).unwrap();
    serde_json::from_str(&form.payload).unwrap()
}

#[test]
fn slacks_button_click_sample_parses_and_a_control_warroom_does_not_know_is_ignored() {
    let interaction = interaction_form(&fixture("block_actions_form.txt")).unwrap();
    assert!(
        matches!(interaction, Interaction::Ignored),
        "{interaction:?}"
    );
}

#[test]
fn slacks_button_click_sample_on_the_card_parses_to_its_card_action() {
    let mut payload = form_payload("block_actions_form.txt");
    let action = &mut payload["actions"][0];
    action["action_id"] = Value::from(Control::Acknowledge.action_id());
    action["block_id"] = Value::from("card:INC-20261124-001");
    let Interaction::Click { click, trigger_id } = interaction_json(payload.clone()).unwrap()
    else {
        panic!("expected a click");
    };
    assert_eq!(click.action, CardAction::Acknowledge);
    assert_eq!(click.incident.as_str(), "INC-20261124-001");
    assert_eq!(click.user_id, "W111");
    assert_eq!(click.channel_id.as_deref(), Some("C111"));
    assert!(trigger_id.is_some() && click.key.is_some());

    let action = &mut payload["actions"][0];
    action["action_id"] = Value::from(Control::More.action_id());
    action["selected_option"] = serde_json::json!({
        "text": { "type": "plain_text", "text": "Review triage" },
        "value": "triage:INC-20261124-002"
    });
    let Interaction::Click { click, .. } = interaction_json(payload).unwrap() else {
        panic!("expected a click");
    };
    assert_eq!(click.action, CardAction::ReviewTriage);
    assert_eq!(
        click.incident.as_str(),
        "INC-20261124-002",
        "the option names it"
    );
}

#[test]
fn slacks_message_shortcut_sample_parses_to_a_message_action() {
    let interaction = interaction_form(&fixture("message_shortcut_form.txt")).unwrap();
    let Interaction::MessageAction {
        callback_id,
        action,
        trigger_id,
    } = interaction
    else {
        panic!("expected a message action, got {interaction:?}");
    };
    assert_eq!(callback_id, "test-shortcut");
    assert!(trigger_id.is_some());
    assert_eq!(
        (action.channel_id.as_str(), action.message_ts.as_str()),
        ("C111", "1583636382.000300")
    );
}

#[test]
fn slacks_modal_submission_sample_parses_and_a_form_warroom_does_not_know_is_ignored() {
    let interaction = interaction_json(fixture_json("view_submission.json")).unwrap();
    assert!(
        matches!(interaction, Interaction::Ignored),
        "{interaction:?}"
    );
}

#[test]
fn slacks_modal_submission_sample_of_a_card_form_parses_to_its_fields() {
    let mut payload = fixture_json("view_submission.json");
    let view = &mut payload["view"];
    view["callback_id"] = Value::from(Callback::Resolve.id());
    view["private_metadata"] = Value::from("INC-20261124-001");
    let values = view["state"]["values"].as_object_mut().unwrap();
    let input = values.remove("hspI").unwrap();
    values.insert(block_id(&Input::Summary), input);
    let Interaction::Submission(submission) = interaction_json(payload).unwrap() else {
        panic!("expected a submission");
    };
    assert_eq!(submission.view_id, "V111");
    assert_eq!(submission.user_id, "W111");
    match submission.form {
        Form::Card {
            incident: Some(id),
            fields: CardFields::Resolve { summary },
        } => {
            assert_eq!(id.as_str(), "INC-20261124-001");
            assert_eq!(summary.as_deref(), Some("test"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn slacks_modal_closed_sample_is_ignored() {
    let interaction = interaction_json(fixture_json("view_closed.json")).unwrap();
    assert!(
        matches!(interaction, Interaction::Ignored),
        "{interaction:?}"
    );
}

#[test]
fn slacks_url_verification_sample_parses_to_its_challenge() {
    let event = event_body(&fixture("url_verification.json")).unwrap();
    assert_eq!(
        event,
        Event::UrlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".to_owned())
    );
}

#[test]
fn slacks_app_mention_sample_parses_to_a_mention() {
    let event = event_body(&fixture("event_callback_app_mention.json")).unwrap();
    let Event::Mention(mention) = event else {
        panic!("expected a mention, got {event:?}");
    };
    assert_eq!(mention.event_id, "Ev111");
    assert_eq!(
        (mention.channel.as_str(), mention.ts.as_str()),
        ("C111", "1595926230.009600")
    );
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    assert_eq!(
        command_form(b"text=declare").unwrap_err(),
        Malformed("slash command")
    );
    assert!(interaction_form(b"payload=%7Bnot-json").is_err());
    assert!(interaction_form(b"nopayload=1").is_err());
    assert!(interaction_json(serde_json::json!({ "type": "view_submission", "view": 7 })).is_err());
    assert!(event_body(b"{\"type\":").is_err());
    assert!(event_body(b"{\"type\":\"event_callback\"}").is_err());
}
