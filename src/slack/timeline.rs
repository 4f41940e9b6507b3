//! `/incident timeline`: every entry, oldest first, as one line each — when, who, what —
//! rendered from the typed events.

use super::blocks::{Message, escape, section, sections, slack_date};
use crate::{
    incident::{IncidentId, event::Recorded, truncate_chars},
    narrative,
};

/// Slack refuses a message whose blocks hold much more than this much text (about 13,000
/// characters); the answer stays well inside it.
const TEXT_BUDGET: usize = 11_000;
/// Blocks one message may hold, less the heading and the note on what was left out.
const LINE_BLOCKS: usize = 48;

/// One incident's timeline, oldest first: when, who, what. When it is too long for one
/// message, the newest entries are kept and the answer says how many older ones were left out.
pub fn timeline(id: &IncidentId, entries: &[Recorded], total: usize) -> Message {
    let corrections = narrative::corrections(entries);
    let mut lines: Vec<String> = Vec::new();
    let mut used = 0;
    for e in entries.iter().rev() {
        let who = if e.actor.starts_with('U') || e.actor.starts_with('W') {
            format!("<@{}>", e.actor)
        } else {
            escape(&e.actor)
        };
        let said = escape(&truncate_chars(&narrative::line(&e.event), 600));
        let what = match corrections.get(&e.number) {
            Some((by, text)) => format!(
                "{} _(corrected in #{by}; originally: {said})_",
                escape(&truncate_chars(text, 600))
            ),
            None => said,
        };
        let line = format!("• #{} {} {who} — {what}", e.number, slack_date(e.at));
        if used + line.len() + 1 > TEXT_BUDGET {
            break;
        }
        used += line.len() + 1;
        lines.push(line);
    }
    lines.reverse();
    let mut body = sections(lines.iter().cloned());
    while body.len() > LINE_BLOCKS {
        // Sections fill unevenly; drop the oldest until the message fits.
        lines.remove(0);
        body = sections(lines.iter().cloned());
    }
    let total = total.max(entries.len());
    let left_out = total - lines.len();
    let mut blocks = vec![section(&format!("*Timeline of {id}* ({total} entries)"))];
    if left_out > 0 {
        blocks.push(section(&format!(
            "_The {left_out} oldest entries are left out of this answer; the newest {} follow._",
            lines.len()
        )));
    }
    blocks.extend(body);
    let text = format!("Timeline of {id}: {total} entries");
    Message { text, blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::example::at;
    use crate::incident::{
        Event,
        event::{Recorded, Stored},
    };

    fn note(n: usize) -> Recorded {
        Recorded {
            number: n as u32 + 1,
            at: at(n as i64),
            actor: "U1".into(),
            event: Stored::Known(Event::Note {
                text: format!("note {n}: {}", "<long & escaped> ".repeat(20)),
            }),
        }
    }

    #[test]
    fn a_long_timeline_keeps_the_newest_entries_within_slacks_limits_and_says_what_is_left_out() {
        let entries: Vec<Recorded> = (0..500).map(note).collect();
        let message = timeline(
            &IncidentId::parse("INC-20261124-001").unwrap(),
            &entries,
            900,
        );
        let texts: Vec<&str> = message
            .blocks
            .iter()
            .map(|b| b["text"]["text"].as_str().unwrap())
            .collect();
        let total: usize = texts.iter().map(|t| t.chars().count()).sum();
        assert!(total <= 12_000, "{total} characters");
        assert!(message.blocks.len() <= 50);
        let all = texts.join("\n");
        assert!(all.contains("note 499:"), "the newest entry is shown");
        assert!(!all.contains("note 0:"), "the oldest is left out");
        assert!(all.contains("oldest entries are left out"), "{}", texts[1]);
        assert!(
            texts[0].contains("(900 entries)"),
            "the count is of the whole timeline"
        );
    }

    #[test]
    fn a_short_timeline_is_shown_whole() {
        let entries: Vec<Recorded> = (0..3).map(note).collect();
        let message = timeline(&IncidentId::parse("INC-20261124-001").unwrap(), &entries, 3);
        let all = serde_json::to_string(&message.blocks).unwrap();
        assert!(all.contains("note 0:") && all.contains("note 2:"));
        assert!(!all.contains("left out"));
    }

    #[test]
    fn a_corrected_entry_shows_the_corrected_value_marked_and_what_it_said_before() {
        let mut entries: Vec<Recorded> = (0..3).map(note).collect();
        entries.push(Recorded {
            number: 4,
            at: at(9),
            actor: "U2".into(),
            event: Stored::Known(Event::Corrected {
                entry: 2,
                text: "Paged the DBA at 10:05, not 10:01".into(),
            }),
        });
        let message = timeline(&IncidentId::parse("INC-20261124-001").unwrap(), &entries, 4);
        let lines: Vec<&str> = message.blocks[1]["text"]["text"]
            .as_str()
            .unwrap()
            .lines()
            .collect();
        assert!(lines[0].starts_with("• #1 "), "{}", lines[0]);
        assert!(
            lines[1].starts_with("• #2 ")
                && lines[1].contains("— Paged the DBA at 10:05, not 10:01 _(corrected in #4; originally: note: note 1:"),
            "{}",
            lines[1]
        );
        assert!(!lines[0].contains("corrected") && !lines[2].contains("corrected"));
        assert!(lines[3].contains("#4 ") && lines[3].contains("correction of #2: Paged the DBA"));
    }
}
