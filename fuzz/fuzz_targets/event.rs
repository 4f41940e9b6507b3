//! Events API bodies, as Slack posts them to /slack/events.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = warroom::slack::parse::event_body(data);
});
