//! Renders domain values as Block Kit: the incident card, thread posts, the declare modal and
//! command answers. Every message carries a plain `text` fallback, and every Block Kit limit is
//! respected by cutting user text, never by letting Slack reject the message.

use crate::incident::{
    Catalog, Incident, IncidentId, Severities, SeverityRank, Status, Triage,
    schedule::ScheduleConfig, truncate_chars,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Block Kit limits (docs.slack.dev/reference/block-kit).
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FALLBACK_MAX: usize = 3900;
const OPTION_TEXT_MAX: usize = 75;

/// Action IDs of the card's controls.
pub mod actions {
    pub const ACKNOWLEDGE: &str = "incident_acknowledge";
    pub const STATUS: &str = "incident_status";
    pub const SEVERITY: &str = "incident_severity";
    pub const ROLES: &str = "incident_roles";
    pub const POST_UPDATE: &str = "incident_post_update";
    /// The "More" menu: edit, cancel.
    pub const MORE: &str = "incident_more";
}

/// The declare modal's callback ID and its input blocks.
pub mod declare_modal {
    pub const CALLBACK_ID: &str = "declare_incident";
    pub const TITLE: &str = "title";
    pub const SEVERITY: &str = "severity";
    pub const TYPE: &str = "incident_type";
    pub const IMPACT: &str = "impact";
    pub const TRIAGE: &str = "triage";
    /// The action ID of the single element inside each input block.
    pub const VALUE: &str = "value";
}

/// A message: fallback text plus blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
}

impl Message {
    /// The JSON fields `chat.postMessage`, `chat.update` and response URLs share.
    pub fn to_json(&self) -> Value {
        json!({ "text": self.text, "blocks": self.blocks })
    }
}

/// Escapes user text for `mrkdwn`, so nobody can inject `<!channel>` or a fake link.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A time every reader sees in their own time zone, with a UTC fallback.
pub fn slack_date(at: DateTime<Utc>) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} at {{time}}|{}>",
        at.timestamp(),
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// A link to a posted message, when the workspace's domain is known.
pub fn message_link(team_domain: Option<&str>, channel: &str, ts: &str) -> Option<String> {
    let domain = team_domain
        .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))?;
    Some(format!(
        "https://{domain}.slack.com/archives/{channel}/p{}",
        ts.replace('.', "")
    ))
}

pub(crate) fn plain(text: &str, max: usize) -> Value {
    json!({ "type": "plain_text", "text": truncate_chars(text, max), "emoji": true })
}

pub(crate) fn mrkdwn(text: &str, max: usize) -> Value {
    json!({ "type": "mrkdwn", "text": truncate_chars(text, max) })
}

pub(crate) fn section(text: &str) -> Value {
    json!({ "type": "section", "text": mrkdwn(text, SECTION_MAX) })
}

pub(crate) fn option(text: &str, value: &str) -> Value {
    json!({ "text": plain(text, OPTION_TEXT_MAX), "value": value })
}

pub(crate) fn severity_options(severities: &Severities) -> Vec<Value> {
    severities
        .iter()
        .map(|(_, l)| option(&l.name, &l.name))
        .collect()
}

pub(crate) fn status_options() -> Vec<Value> {
    Status::ALL
        .iter()
        .filter(|s| **s != Status::Cancelled)
        .map(|s| option(&s.to_string(), s.as_str()))
        .collect()
}

fn type_label<'a>(catalog: &'a Catalog, key: &'a str) -> &'a str {
    catalog.incident_type(key).map_or(key, |t| t.name.as_str())
}

/// The live incident card: what it is, how bad, where it stands, who declared it, when the next
/// update is due, and the controls to run it.
pub fn incident_card(
    incident: &Incident,
    severities: &Severities,
    catalog: &Catalog,
    schedule: &ScheduleConfig,
) -> Message {
    let id = &incident.id;
    let title = escape(&incident.title);
    let severity_line = match severities.by_name(&incident.severity) {
        Some(rank) => format!(
            "{} · {}",
            incident.severity,
            escape(&severities.get(rank).description)
        ),
        None => incident.severity.clone(),
    };
    let next_update = incident
        .next_update_due_at
        .map_or_else(|| "—".to_owned(), slack_date);
    let acknowledged = match (&incident.acknowledged_by, incident.acknowledged_at) {
        (Some(user), Some(at)) => format!("Acknowledged by <@{user}> {}", slack_date(at)),
        _ => "Not acknowledged yet".to_owned(),
    };
    let fields = [
        format!("*Severity*\n{severity_line}"),
        format!("*Status*\n{}", incident.status),
        format!("*Declared by*\n<@{}>", incident.declared_by),
        format!("*Declared*\n{}", slack_date(incident.declared_at)),
        format!("*Next update due*\n{next_update}"),
        format!("*Acknowledgement*\n{acknowledged}"),
    ];
    let mut blocks = vec![
        json!({ "type": "header", "text": plain(&format!("{id} · {}", incident.title), HEADER_MAX) }),
        json!({ "type": "section", "fields": fields.iter().map(|f| mrkdwn(f, FIELD_MAX)).collect::<Vec<_>>() }),
    ];
    if let Some(summary) = &incident.resolution_summary
        && incident.status >= Status::Resolved
    {
        blocks.push(section(&format!("*Resolution:* {}", escape(summary))));
    }
    if let Some(update) = &incident.latest_update {
        blocks.push(section(&format!(
            "*Latest update* ({} by <@{}>)\n*Impact:* {}\n*Current action:* {}\n*Owner:* <@{}>",
            slack_date(update.posted_at),
            update.posted_by,
            escape(&update.impact),
            escape(&update.current_action),
            update.owner
        )));
    }
    let mut roles: Vec<String> = catalog
        .roles
        .iter()
        .filter_map(|r| {
            incident
                .roles
                .get(&r.key)
                .map(|user| format!("{}: <@{user}>", r.name))
        })
        .collect();
    let missing = catalog.missing_roles(incident.incident_type.as_deref(), &incident.roles);
    if !missing.is_empty() && incident.status.is_open() {
        let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
        roles.push(format!(":warning: Still needed: {}", names.join(", ")));
    }
    if !roles.is_empty() {
        blocks.push(
            json!({ "type": "context", "elements": [mrkdwn(&roles.join("  ·  "), FIELD_MAX)] }),
        );
    }
    if let Some(discovered) = incident.breach_discovered_at {
        let line = match incident.authority_notified_at {
            Some(at) => format!(
                ":lock: Personal-data breach discovered {} · authority notified {}",
                slack_date(discovered),
                slack_date(at)
            ),
            None => format!(
                ":lock: *Personal-data breach* discovered {} · authority notification due {}",
                slack_date(discovered),
                slack_date(crate::incident::schedule::breach_deadline(
                    discovered, schedule
                ))
            ),
        };
        blocks.push(section(&line));
    }
    let mut context = Vec::new();
    if let Some(kind) = &incident.incident_type {
        context.push(format!("Type: {}", escape(type_label(catalog, kind))));
    }
    if let Some(impact) = &incident.impact {
        context.push(format!("Impact: {}", escape(impact)));
    }
    if !context.is_empty() {
        blocks.push(
            json!({ "type": "context", "elements": [mrkdwn(&context.join("  ·  "), FIELD_MAX)] }),
        );
    }
    if incident.status != Status::Closed && incident.status != Status::Cancelled {
        blocks.push(card_controls(incident, severities));
    }
    let text = format!(
        "{id} [{}] {title} — {}. Declared by <@{}>.",
        incident.severity, incident.status, incident.declared_by
    );
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks,
    }
}

fn card_controls(incident: &Incident, severities: &Severities) -> Value {
    let id = incident.id.as_str();
    let mut elements = Vec::new();
    if incident.acknowledged_at.is_none() {
        elements.push(json!({ "type": "button", "action_id": actions::ACKNOWLEDGE, "value": id, "style": "primary", "text": plain("Acknowledge", 75) }));
    }
    elements.push(json!({
        "type": "static_select", "action_id": actions::STATUS, "placeholder": plain("Status", 150),
        "options": status_options(),
        "initial_option": option(&incident.status.to_string(), incident.status.as_str()),
    }));
    let mut severity_select = json!({
        "type": "static_select", "action_id": actions::SEVERITY, "placeholder": plain("Severity", 150),
        "options": severity_options(severities),
    });
    if severities.by_name(&incident.severity).is_some() {
        severity_select["initial_option"] = option(&incident.severity, &incident.severity);
    }
    elements.push(severity_select);
    elements.push(json!({ "type": "button", "action_id": actions::ROLES, "value": id, "text": plain("Assign roles", 75) }));
    elements.push(json!({ "type": "button", "action_id": actions::POST_UPDATE, "value": id, "text": plain("Post update", 75) }));
    elements.push(json!({
        "type": "overflow", "action_id": actions::MORE,
        "options": more_options(incident),
    }));
    json!({ "type": "actions", "block_id": format!("card:{id}"), "elements": elements })
}

fn more_options(incident: &Incident) -> Vec<Value> {
    let id = incident.id.as_str();
    let mut options = vec![option("Edit title, impact or type", &format!("edit:{id}"))];
    match (
        incident.breach_discovered_at,
        incident.authority_notified_at,
    ) {
        (None, _) => options.push(option("Flag personal-data breach", &format!("breach:{id}"))),
        (Some(_), None) => options.push(option(
            "Record authority notified",
            &format!("notified:{id}"),
        )),
        _ => {}
    }
    options.push(option(
        "Cancel (declared in error)",
        &format!("cancel:{id}"),
    ));
    options
}

/// The first reply in the incident's thread: who declared it, the impact and the triage answers.
pub fn declared_note(
    declared_by: &str,
    severity: &str,
    raised_by_triage: bool,
    impact: Option<&str>,
    triage: &Triage,
) -> Message {
    let raised = if raised_by_triage {
        " (raised by the triage answers)"
    } else {
        ""
    };
    let mut lines = vec![format!(
        ":rotating_light: *Declared by <@{declared_by}>* as *{severity}*{raised}."
    )];
    lines.push(format!(
        "*Impact:* {}",
        impact.map_or_else(|| "not assessed yet".to_owned(), escape)
    ));
    if triage.was_asked() {
        let answers: Vec<String> = triage
            .answers()
            .iter()
            .map(|(q, a)| format!("• {q}: {}", if *a == Some(true) { "*yes*" } else { "no" }))
            .collect();
        lines.push(format!("*Triage:*\n{}", answers.join("\n")));
    } else {
        lines.push("*Triage:* not answered yet".to_owned());
    }
    let text = lines.join("\n");
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks: vec![section(&text)],
    }
}

/// The declare modal; `prefill` carries what the slash command already said.
pub fn declare_modal(
    severities: &Severities,
    catalog: &Catalog,
    severity: SeverityRank,
    title: Option<&str>,
    private_metadata: &str,
) -> Value {
    use declare_modal as m;
    let mut title_input = json!({ "type": "plain_text_input", "action_id": m::VALUE, "max_length": 150,
        "placeholder": plain("Payments API returns 500s", 150) });
    if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
        title_input["initial_value"] = json!(truncate_chars(t.trim(), 150));
    }
    let chosen = &severities.get(severity).name;
    let triage_options: Vec<Value> = Triage::QUESTIONS
        .iter()
        .map(|(key, label)| option(label, key))
        .collect();
    json!({
        "type": "modal",
        "callback_id": m::CALLBACK_ID,
        "private_metadata": truncate_chars(private_metadata, 3000),
        "title": plain("Declare an incident", 24),
        "submit": plain("Declare", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            { "type": "input", "block_id": m::TITLE, "label": plain("Title", 2000), "element": title_input },
            { "type": "input", "block_id": m::SEVERITY, "label": plain("Severity", 2000), "element": {
                "type": "static_select", "action_id": m::VALUE, "options": severity_options(severities),
                "initial_option": option(chosen, chosen) } },
            { "type": "input", "block_id": m::TYPE, "optional": true, "label": plain("Incident type", 2000), "element": {
                "type": "static_select", "action_id": m::VALUE, "placeholder": plain("Choose a type", 150),
                "options": type_options(catalog) } },
            { "type": "input", "block_id": m::IMPACT, "optional": true, "label": plain("Impact", 2000), "element": {
                "type": "plain_text_input", "action_id": m::VALUE, "multiline": true, "max_length": 2000,
                "placeholder": plain("Who is affected and how", 150) } },
            { "type": "input", "block_id": m::TRIAGE, "optional": true, "label": plain("Triage", 2000),
              "hint": plain("Any box checked raises the severity to its floor until confirmed otherwise.", 2000),
              "element": { "type": "checkboxes", "action_id": m::VALUE, "options": triage_options } },
        ],
    })
}

/// The configured incident types as select options.
pub(crate) fn type_options(catalog: &Catalog) -> Vec<Value> {
    catalog
        .types
        .iter()
        .take(100)
        .map(|t| option(&t.name, &t.key))
        .collect()
}

/// The type's runbook as a checklist for the incident's thread.
pub fn runbook(catalog: &Catalog, type_key: &str) -> Option<Message> {
    let t = catalog.incident_type(type_key)?;
    let mut text = format!(":clipboard: *Runbook: {}*", escape(&t.name));
    for (heading, items) in [
        ("Symptoms", &t.symptoms),
        ("First checks", &t.first_checks),
        ("Containment", &t.containment),
        ("Recovery", &t.recovery),
    ] {
        if items.is_empty() {
            continue;
        }
        let lines: Vec<String> = items.iter().map(|i| format!("☐ {}", escape(i))).collect();
        text.push_str(&format!("\n*{heading}*\n{}", lines.join("\n")));
    }
    Some(notice(&text))
}

/// The answer to `/incident list`.
pub fn open_list(incidents: &[Incident]) -> Message {
    if incidents.is_empty() {
        return Message {
            text: "No open incidents.".into(),
            blocks: vec![section(":white_check_mark: No open incidents.")],
        };
    }
    let lines: Vec<String> = incidents
        .iter()
        .map(|i| {
            let link = i
                .card_ts
                .as_deref()
                .and_then(|ts| message_link(i.team_domain.as_deref(), &i.channel_id, ts));
            let id = match link {
                Some(url) => format!("<{url}|{}>", i.id),
                None => i.id.to_string(),
            };
            format!(
                "• *{id}* [{}] {} — {} · declared {}",
                i.severity,
                escape(&truncate_chars(&i.title, 120)),
                i.status,
                slack_date(i.declared_at)
            )
        })
        .collect();
    let mut blocks = vec![section(&format!("*Open incidents ({})*", incidents.len()))];
    // Sections hold 3000 characters; group lines so nothing is cut mid-list.
    let mut chunk = String::new();
    for line in lines {
        if chunk.len() + line.len() + 1 > SECTION_MAX {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        chunk.push_str(&line);
        chunk.push('\n');
    }
    blocks.push(section(&chunk));
    blocks.truncate(50);
    let text = incidents
        .iter()
        .map(|i| format!("{} [{}] {}", i.id, i.severity, i.title))
        .collect::<Vec<_>>()
        .join("\n");
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks,
    }
}

/// One incident's timeline, oldest first: when, who, what.
pub fn timeline(id: &IncidentId, entries: &[crate::store::incidents::TimelineEntry]) -> Message {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let who = if e.actor.starts_with('U') || e.actor.starts_with('W') {
                format!("<@{}>", e.actor)
            } else {
                escape(&e.actor)
            };
            format!(
                "• {} {who} — {}",
                slack_date(e.at),
                escape(&entry_summary(&e.kind, &e.details))
            )
        })
        .collect();
    let mut blocks = vec![section(&format!(
        "*Timeline of {id}* ({} entries)",
        entries.len()
    ))];
    let mut chunk = String::new();
    for line in lines {
        if chunk.len() + line.len() + 1 > SECTION_MAX {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        chunk.push_str(&line);
        chunk.push('\n');
    }
    if !chunk.is_empty() {
        blocks.push(section(&chunk));
    }
    if blocks.len() > 50 {
        blocks.truncate(49);
        blocks.push(section(
            "… the rest is in the database; this answer shows the first entries.",
        ));
    }
    let text = format!("Timeline of {id}: {} entries", entries.len());
    Message { text, blocks }
}

/// A one-line summary of a timeline entry.
fn entry_summary(kind: &str, d: &Value) -> String {
    let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    match kind {
        "declared" => format!("declared {} “{}”", s("severity"), s("title")),
        "acknowledged" => "acknowledged".to_owned(),
        "status_changed" => format!(
            "status {} → {}{}",
            s("from"),
            s("to"),
            if d["relapse"] == true {
                " (relapse)"
            } else {
                ""
            }
        ),
        "resolved" => format!("resolved: {}", s("summary")),
        "closed" => "closed (checklist complete)".to_owned(),
        "cancelled" => format!("cancelled: {}", s("reason")),
        "severity_changed" => format!("severity {} → {}: {}", s("from"), s("to"), s("reason")),
        "role_assigned" => format!("{} assigned to {}", s("role"), s("user")),
        "update_posted" => format!(
            "update: {}",
            d["update"]["current_action"].as_str().unwrap_or("")
        ),
        "edited" => "edited title, impact or type".to_owned(),
        "note" => format!("note: {}", s("text")),
        "message_added" => format!("message by {} added: {}", s("author"), s("text")),
        other => other.replace('_', " "),
    }
}

/// An escalation for management: what the incident is and why it needs attention now.
pub fn escalation(incident: &Incident, mention: &str, triggers: &[String]) -> Message {
    // A thread reply under the card (also shown in the channel), so the card names the incident.
    let text = format!(
        ":rotating_light: *Escalation* {mention}: [{}] {} — {}.",
        incident.severity,
        escape(&incident.title),
        triggers.join("; ")
    );
    notice(&text)
}

/// Where the declarer finds the card once it is posted.
pub fn card_link(id: &IncidentId, link: Option<&str>, channel: &str) -> Message {
    let text = match link {
        Some(url) => format!(
            ":white_check_mark: <{url}|{id}> is open in <#{channel}>. Updates go to its thread."
        ),
        None => {
            format!(":white_check_mark: {id} is open in <#{channel}>. Updates go to its thread.")
        }
    };
    Message {
        text: text.clone(),
        blocks: vec![section(&text)],
    }
}

/// Plain text as a one-section message.
pub fn notice(text: &str) -> Message {
    Message {
        text: truncate_chars(text, FALLBACK_MAX),
        blocks: vec![section(text)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn incident(title: &str) -> Incident {
        Incident {
            id: IncidentId::parse("INC-20261124-001").unwrap(),
            title: title.into(),
            severity: "SEV-1".into(),
            severity_rank: 0,
            status: Status::Investigating,
            incident_type: Some("payment_wallet".into()),
            impact: Some("Checkout <!channel> fails".into()),
            triage: Triage::default(),
            declared_by: "U123".into(),
            team_domain: Some("acme".into()),
            channel_id: "C0INC".into(),
            card_ts: None,
            declared_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap(),
            acknowledged_at: None,
            acknowledged_by: None,
            next_update_due_at: Some(Utc.with_ymd_and_hms(2026, 11, 24, 10, 30, 0).unwrap()),
            resolved_at: None,
            closed_at: None,
            resolution_summary: None,
            roles: Default::default(),
            latest_update: None,
            breach_discovered_at: None,
            authority_notified_at: None,
            escalations: Vec::new(),
        }
    }

    #[test]
    fn the_card_shows_the_incident_and_its_controls() {
        let card = incident_card(
            &incident("Payments API down"),
            &Severities::builtin(),
            &Catalog::builtin(),
            &ScheduleConfig::default(),
        );
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
            actions::ACKNOWLEDGE,
            actions::STATUS,
            actions::SEVERITY,
            actions::ROLES,
            actions::POST_UPDATE,
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
        let card = incident_card(
            &incident(&"x".repeat(10_000)),
            &Severities::builtin(),
            &Catalog::builtin(),
            &ScheduleConfig::default(),
        );
        let header = card.blocks[0]["text"]["text"].as_str().unwrap();
        assert_eq!(header.chars().count(), HEADER_MAX);
        assert!(card.text.chars().count() <= FALLBACK_MAX);
    }

    #[test]
    fn a_closed_card_offers_no_controls() {
        let mut closed = incident("x");
        closed.status = Status::Closed;
        let card = incident_card(
            &closed,
            &Severities::builtin(),
            &Catalog::builtin(),
            &ScheduleConfig::default(),
        );
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
    fn the_modal_respects_slacks_limits() {
        let s = Severities::builtin();
        let modal = declare_modal(
            &s,
            &Catalog::builtin(),
            s.rank_at(0),
            Some(&"t".repeat(400)),
            &"m".repeat(5000),
        );
        assert!(modal["title"]["text"].as_str().unwrap().chars().count() <= 24);
        assert!(modal["private_metadata"].as_str().unwrap().chars().count() <= 3000);
        assert_eq!(
            modal["blocks"][0]["element"]["initial_value"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            150
        );
        assert_eq!(
            modal["blocks"][1]["element"]["initial_option"]["value"],
            "SEV-1"
        );
    }
}
