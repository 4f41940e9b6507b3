//! Interactivity bodies (`payload=<json>`) and their JSON, as Slack posts them to
//! /slack/interactions or sends them over Socket Mode.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = warroom::slack::parse::interaction_form(data);
    if let Ok(value) = serde_json::from_slice(data) {
        let _ = warroom::slack::parse::interaction_json(value);
    }
});
