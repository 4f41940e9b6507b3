//! warroom's Home tab for one person: their open incidents (those they declared or hold a role
//! in), their open follow-up actions, the incidents they declared this week, and a **Declare
//! incident** button.

use super::blocks::{escape, message_link, plain, section, slack_date};
use crate::{
    config::ProcessConfig,
    incident::{Incident, actions::ListedAction},
    slack::keys::HOME_DECLARE,
};
use serde_json::{Value, json};

/// What a Home shows.
pub struct Home<'a> {
    pub user: &'a str,
    pub open: &'a [Incident],
    pub actions: &'a [ListedAction],
    pub declared_this_week: &'a [Incident],
}

/// The Home view for `views.publish`.
pub fn view(home: &Home<'_>, process: &ProcessConfig) -> Value {
    let mut blocks = vec![
        json!({ "type": "actions", "block_id": "home", "elements": [{
            "type": "button", "action_id": HOME_DECLARE, "style": "primary",
            "text": plain("Declare incident", 75), "value": "declare" }] }),
        header("Your open incidents"),
    ];
    if home.open.is_empty() {
        blocks.push(section("Nothing open that you declared or hold a role in."));
    }
    for incident in home.open.iter().take(20) {
        let roles: Vec<&str> = incident
            .roles
            .iter()
            .filter(|(_, holder)| holder.as_str() == home.user)
            .map(|(key, _)| {
                process
                    .catalog
                    .role(key.as_str())
                    .map_or(key.as_str(), |r| r.name.as_str())
            })
            .collect();
        let role = if roles.is_empty() {
            "you declared it".to_owned()
        } else {
            format!("your role: {}", roles.join(", "))
        };
        let due = incident
            .next_update_due_at
            .map(|at| format!(" · next update due {}", slack_date(at)))
            .unwrap_or_default();
        blocks.push(section(&format!(
            "{} · *{}* · {} · {role}{due}\n{}",
            name(incident, process),
            incident.severity.name(),
            incident.status,
            escape(incident.title.as_str())
        )));
    }
    blocks.push(header("Your follow-up actions"));
    if home.actions.is_empty() {
        blocks.push(section("No open follow-up actions are yours."));
    }
    for listed in home.actions.iter().take(20) {
        blocks.push(section(&format!(
            "*{}* due {}: {}",
            listed.id(),
            listed.action.due_on,
            escape(&listed.action.text)
        )));
    }
    blocks.push(header("Declared by you this week"));
    if home.declared_this_week.is_empty() {
        blocks.push(section("None."));
    }
    for incident in home.declared_this_week.iter().take(20) {
        blocks.push(section(&format!(
            "{} · *{}* · {} · {}",
            name(incident, process),
            incident.severity.name(),
            incident.status,
            escape(incident.title.as_str())
        )));
    }
    json!({ "type": "home", "blocks": blocks })
}

fn header(text: &str) -> Value {
    json!({ "type": "header", "text": plain(text, 150) })
}

/// The incident's ID, linked to its page in the web view, or else to its card.
fn name(incident: &Incident, process: &ProcessConfig) -> String {
    let id = incident.id.as_str();
    let link = match &process.web_view_url {
        Some(base) => Some(format!("{}/incidents/{id}", base.trim_end_matches('/'))),
        None => incident
            .card_ts
            .as_deref()
            .and_then(|ts| message_link(incident.team_domain.as_deref(), &incident.channel_id, ts)),
    };
    match link {
        Some(link) => format!("*<{link}|{id}>*"),
        None => format!("*{id}*"),
    }
}
