//! The operator's TOML config file (WARROOM_CONFIG).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = warroom::config::ProcessConfig::from_toml(text);
    }
});
