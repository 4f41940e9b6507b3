//! Drills in Slack: the list of tabletop scenarios (`/incident drill scenarios`) and what the
//! person who asks for a drill, or for a scenario that is not there, is told.

use super::blocks::{FALLBACK_MAX, Message, escape, sections};
use crate::{
    delivery::StartedScenario,
    incident::{
        Catalog, Severities,
        drills::{Scenarios, t_plus},
        truncate_chars,
    },
};

/// Each scenario: its name, severity, incident type and title, then its injects in order, and how
/// to run one.
pub fn scenarios(scenarios: &Scenarios, severities: &Severities, catalog: &Catalog) -> Message {
    let mut lines = vec![":test_tube: *Tabletop scenarios*".to_owned()];
    for s in scenarios.iter() {
        let severity = s
            .severity
            .map_or("the default severity", |rank| &severities.get(rank).name);
        let kind = s
            .incident_type
            .as_deref()
            .and_then(|k| catalog.incident_type(k))
            .map_or_else(String::new, |t| format!(" · {}", escape(&t.name)));
        lines.push(format!(
            "\n*{}* — {severity}{kind}: “{}”",
            escape(&s.name),
            escape(&s.title)
        ));
        for inject in &s.injects {
            lines.push(format!(
                "  • {}: {}",
                t_plus(inject.after.as_secs()),
                escape(&truncate_chars(&inject.text, 300))
            ));
        }
    }
    lines.push("\nRun one with `/incident drill scenario <name>`.".to_owned());
    let text = lines.join("\n");
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks: sections(lines),
    }
}

/// What the declarer of a drill is told at once.
pub fn declaring(id: &str, channel: &str, scenario: Option<&StartedScenario>) -> String {
    let mut text = format!(
        ":test_tube: Declaring drill *{id}*… its card will appear in <#{channel}> in a moment, marked DRILL."
    );
    if let Some(s) = scenario {
        let injects = if s.injects == 1 {
            "Its one inject".to_owned()
        } else {
            format!("Its {} injects", s.injects)
        };
        text.push_str(&format!(
            " Scenario *{}*: {injects} will be posted in its thread over the next {}.",
            escape(&s.name),
            humantime::format_duration(std::time::Duration::from_secs(s.over_seconds))
        ));
    }
    text
}

/// The configured scenarios' names, as commands to type.
pub fn known(names: &[String]) -> String {
    if names.is_empty() {
        return "No scenarios are configured (`[[drills.scenario]]` in the config file)."
            .to_owned();
    }
    let runs: Vec<String> = names
        .iter()
        .map(|n| format!("`/incident drill scenario {}`", escape(n)))
        .collect();
    format!("The scenarios are: {}.", runs.join(", "))
}
