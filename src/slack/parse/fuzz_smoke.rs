//! A stable-toolchain smoke of the `cargo fuzz` targets in `fuzz/`: the same parsers, fed
//! arbitrary bytes and mutations of Slack's own payloads, must never panic.
use super::*;
use proptest::prelude::*;

const SEEDS: [&str; 4] = [
    "token=x&team_id=T1&channel_id=C1&user_id=U1&command=%2Fincident&text=declare+sev1+x&response_url=https%3A%2F%2Fx&trigger_id=1.2.3",
    r#"{"type":"block_actions","user":{"id":"U1"},"api_app_id":"A1","team":{"id":"T1"},"container":{"type":"message","message_ts":"1.2","channel_id":"C1"},"trigger_id":"1.2.3","actions":[{"type":"button","action_id":"incident_acknowledge","block_id":"card:INC-20261124-001","value":"INC-20261124-001","action_ts":"1.2"}]}"#,
    r#"{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V1","team_id":"T1","type":"modal","title":{"type":"plain_text","text":"t"},"blocks":[],"callback_id":"declare_incident","state":{"values":{"title":{"value":{"type":"plain_text_input","value":"x"}}}},"hash":"h"}}"#,
    r#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","channel":"C1","ts":"1.2"}}"#,
];

fn mutate(seed: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    for (at, byte) in edits {
        let i = at % (bytes.len() + 1);
        if byte % 3 == 0 && i < bytes.len() {
            bytes.remove(i);
        } else {
            bytes.insert(i, *byte);
        }
    }
    bytes
}

fn all_parsers(bytes: &[u8]) {
    let _ = command_form(bytes);
    let _ = interaction_form(bytes);
    let _ = event_body(bytes);
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        let _ = interaction_json(value.clone());
        let _ = event_json(value.clone());
        let _ = command_json(value);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = crate::config::ProcessConfig::from_toml(text);
        let form = serde_urlencoded::to_string([("payload", text)]).unwrap_or_default();
        let _ = interaction_form(form.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        all_parsers(&bytes);
    }

    #[test]
    fn mutated_slack_payloads_never_panic(seed in 0usize..4, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8)) {
        all_parsers(&mutate(SEEDS[seed], &edits));
    }
}
