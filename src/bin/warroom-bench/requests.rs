//! Slack requests as Slack builds them: slash commands and card clicks.

use super::CHANNEL;
use serde_json::json;

/// A signed Slack request: (path, content type, body).
pub(crate) fn slash(text: &str, n: u64, fake: &str) -> (&'static str, &'static str, String) {
    let form = serde_urlencoded::to_string([
        ("team_id", "T0001"),
        ("team_domain", "bench"),
        ("channel_id", "C0GENERAL"),
        ("user_id", &format!("U{n:07}")),
        ("command", "/incident"),
        ("text", text),
        ("response_url", &format!("{fake}/response/r{n}")),
        ("trigger_id", &format!("{n}.bench.trigger")),
    ])
    .unwrap();
    ("/slack/commands", "application/x-www-form-urlencoded", form)
}

pub(crate) fn click(
    incident: &str,
    card_ts: &str,
    n: u64,
    fake: &str,
) -> (&'static str, &'static str, String) {
    let statuses = ["identified", "contained", "recovering", "investigating"];
    let mut action = json!({ "action_id": "incident_acknowledge", "block_id": format!("card:{incident}"), "type": "button", "value": incident, "action_ts": format!("{}.{:06}", 1_700_000_000 + n / 1_000_000, n % 1_000_000) });
    if n % 2 == 1 {
        let to = statuses[(n / 2 % 4) as usize];
        action = json!({ "action_id": "incident_status", "block_id": format!("card:{incident}"), "type": "static_select", "action_ts": action["action_ts"],
            "selected_option": { "text": { "type": "plain_text", "text": to }, "value": to } });
    }
    let payload = json!({
        "type": "block_actions", "user": { "id": format!("U9{n:06}") }, "api_app_id": "A0001", "team": { "id": "T0001", "domain": "bench" },
        "container": { "type": "message", "message_ts": card_ts, "channel_id": CHANNEL }, "trigger_id": format!("{n}.click"),
        "channel": { "id": CHANNEL }, "response_url": format!("{fake}/response/c{n}"), "actions": [action],
    });
    (
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap(),
    )
}
