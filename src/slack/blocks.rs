//! Renders domain values as Block Kit: the incident card, thread posts, the declare modal and
//! command answers. Every message carries a plain `text` fallback, and every Block Kit limit is
//! respected by cutting user text, never by letting Slack reject the message.

use crate::incident::{
    Catalog, IncidentId, Severities, Status,
    event::Declared,
    schedule::{Audience, EscalationGroup},
    truncate_chars,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Block Kit limits (docs.slack.dev/reference/block-kit).
pub(crate) const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
pub(crate) const FIELD_MAX: usize = 2000;
pub(crate) const FALLBACK_MAX: usize = 3900;
const OPTION_TEXT_MAX: usize = 75;

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

    /// The body of a private answer posted to a `response_url`: shown only to that person, added
    /// beside the message it answers rather than replacing it.
    pub fn private_reply(&self) -> Value {
        let mut body = self.to_json();
        body["response_type"] = json!("ephemeral");
        body["replace_original"] = json!(false);
        body
    }
}

/// What every message about a drill starts with, so nobody takes an exercise for the real thing.
pub const DRILL_MARK: &str = ":test_tube: DRILL";

impl Message {
    /// The same message marked as being about a drill: its fallback text and its first block start
    /// with DRILL (a first block that is not a section gets a line of its own above it).
    pub fn drill(mut self) -> Message {
        self.text = truncate_chars(&format!("{DRILL_MARK} · {}", self.text), FALLBACK_MAX);
        let marked = ":test_tube: *DRILL*";
        match self.blocks.first_mut() {
            Some(first) if first["type"] == "section" && first["text"]["type"] == "mrkdwn" => {
                let text = first["text"]["text"].as_str().unwrap_or_default();
                first["text"] = mrkdwn(&format!("{marked} · {text}"), SECTION_MAX);
            }
            _ => self.blocks.insert(
                0,
                json!({ "type": "context", "elements": [mrkdwn(marked, FIELD_MAX)] }),
            ),
        }
        self
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

/// The first reply in the incident's thread: who declared it, the impact and the triage answers.
pub fn declared_note(declared_by: &str, d: &Declared) -> Message {
    let raised = if d.raised_by_triage {
        " (raised by the triage answers)"
    } else {
        ""
    };
    let mut lines = vec![format!(
        ":rotating_light: *Declared by <@{declared_by}>* as *{}*{raised}.",
        d.severity
    )];
    if d.drill {
        lines.push(match &d.scenario {
            Some(scenario) => format!(
                "*A drill* running scenario *{}*: its injects follow in this thread at their times. Respond as you would for real.",
                escape(scenario)
            ),
            None => "*A drill*, a tabletop exercise: respond as you would for real.".to_owned(),
        });
    }
    lines.push(format!(
        "*Impact:* {}",
        d.impact
            .as_deref()
            .map_or_else(|| "not assessed yet".to_owned(), escape)
    ));
    let mut scope = Vec::new();
    if let Some(environment) = d.environment {
        scope.push(format!("*Environment:* {}", environment.label()));
    }
    if let Some(services) = &d.affected_services {
        scope.push(format!("*Affected services:* {}", escape(services)));
    }
    if let Some(started) = d.impact_started_at {
        scope.push(format!("*Impact started:* {}", slack_date(started)));
    }
    if let Some(detection) = d.detection {
        scope.push(format!("*Detected by:* {}", detection.label()));
    }
    if !scope.is_empty() {
        lines.push(scope.join("  ·  "));
    }
    if let Some(source) = &d.source_message {
        let what = if source.from_bot { "alert" } else { "message" };
        lines.push(match &source.link {
            Some(link) => format!(
                "*Declared from:* <{link}|the {what} in <#{}>>",
                source.channel
            ),
            None => format!("*Declared from:* the {what} in <#{}>", source.channel),
        });
    }
    if d.triage.was_asked() {
        let answers: Vec<String> = d
            .triage
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

/// How Slack writes a mention of `audience`.
pub fn mention(audience: &Audience) -> String {
    match audience {
        Audience::Person(user) => format!("<@{user}>"),
        Audience::Group(EscalationGroup::UserGroup(id)) => format!("<!subteam^{id}>"),
        Audience::Group(EscalationGroup::Users(ids)) => ids
            .iter()
            .map(|id| format!("<@{id}>"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Splits lines into sections of at most Slack's section size, never cutting a line.
pub(crate) fn sections(lines: impl IntoIterator<Item = String>) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut chunk = String::new();
    for line in lines {
        if !chunk.is_empty() && chunk.len() + line.len() + 1 > SECTION_MAX {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        chunk.push_str(&line);
        chunk.push('\n');
    }
    if !chunk.is_empty() {
        blocks.push(section(&chunk));
    }
    blocks
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
mod tests;
