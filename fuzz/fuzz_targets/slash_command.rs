//! Slash-command form bodies, as Slack posts them to /slack/commands.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = warroom::slack::parse::command_form(data);
    if let Ok(value) = serde_json::from_slice(data) {
        let _ = warroom::slack::parse::command_json(value);
    }
});
