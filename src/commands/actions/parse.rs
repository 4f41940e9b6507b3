//! Reading `/incident action …`: who owns it (a Slack mention), when it is due (a date, or "in 5d"),
//! and what it is; or which action is done or won't be done, and why.

use crate::{
    delivery::Answer,
    incident::{IncidentId, actions::ActionId},
};
use chrono::NaiveDate;

/// When an action is due, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    On(NaiveDate),
    /// Days from today (in the configured time zone).
    InDays(i64),
}

/// A parsed `/incident action …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ActionCommand<'a> {
    Add {
        incident: IncidentId,
        owner: String,
        due: Due,
        text: &'a str,
    },
    Done(ActionId),
    WontDo(ActionId, &'a str),
}

/// The first word of `s` and what follows it, trimmed.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim();
    let (first, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    (first, rest.trim())
}

/// A Slack user mention as a slash command carries it: `<@U123|name>` or `<@U123>`.
pub(super) fn mention(token: &str) -> Option<String> {
    let inner = token.strip_prefix("<@")?.strip_suffix('>')?;
    let id = inner.split('|').next()?;
    let valid = !id.is_empty()
        && id.len() <= 32
        && (id.starts_with('U') || id.starts_with('W'))
        && id.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| id.to_owned())
}

/// A due date at the start of `s` (`2026-12-20`, `in 5d`, `in 2w`, `today`, `tomorrow`, each
/// optionally after `due:`), and what follows it.
pub(super) fn due(s: &str) -> Option<(Due, &str)> {
    let (first, rest) = word(s);
    let first = first.strip_prefix("due:").unwrap_or(first);
    let (first, rest) = if first.is_empty() {
        word(rest)
    } else {
        (first, rest)
    };
    match first.to_ascii_lowercase().as_str() {
        "today" => return Some((Due::InDays(0), rest)),
        "tomorrow" => return Some((Due::InDays(1), rest)),
        "in" => {
            let (amount, rest) = word(rest);
            let (digits, unit) = amount.split_at(amount.find(|c: char| !c.is_ascii_digit())?);
            let n: i64 = digits.parse().ok()?;
            let days = match unit.to_ascii_lowercase().as_str() {
                "d" | "day" | "days" => n,
                "w" | "week" | "weeks" => n.checked_mul(7)?,
                _ => return None,
            };
            return (days <= 3650).then_some((Due::InDays(days), rest));
        }
        _ => {}
    }
    NaiveDate::parse_from_str(first, "%Y-%m-%d")
        .ok()
        .map(|d| (Due::On(d), rest))
}

/// Reads the text after `/incident action`.
pub(super) fn action(rest: &str) -> Result<ActionCommand<'_>, Answer> {
    let (verb, after) = word(rest);
    match verb.to_ascii_lowercase().as_str() {
        "done" => {
            let (id, _) = word(after);
            ActionId::parse(id)
                .map(ActionCommand::Done)
                .ok_or(Answer::HowToAddAction)
        }
        "wontdo" | "wont-do" | "won't" | "wont" => {
            let after = after.strip_prefix("do ").unwrap_or(after);
            let (id, reason) = word(after);
            let id = ActionId::parse(id).ok_or(Answer::HowToAddAction)?;
            if reason.is_empty() {
                return Err(Answer::WontDoNeedsReason);
            }
            Ok(ActionCommand::WontDo(id, reason))
        }
        _ => {
            let incident = IncidentId::parse(verb).ok_or(Answer::HowToAddAction)?;
            let (owner, after) = word(after);
            let owner = mention(owner).ok_or(Answer::ActionNeedsOwner)?;
            let (due, text) = due(after).ok_or(Answer::ActionNeedsDueDate)?;
            if text.is_empty() {
                return Err(Answer::HowToAddAction);
            }
            Ok(ActionCommand::Add {
                incident,
                owner,
                due,
                text,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "INC-20261124-001";

    #[test]
    fn an_action_names_its_incident_owner_due_date_and_text() {
        let typed = format!("{ID} <@U0OWNER|ana> 2026-12-20 Alert on pool saturation");
        let parsed = action(&typed);
        assert_eq!(
            parsed,
            Ok(ActionCommand::Add {
                incident: IncidentId::parse(ID).unwrap(),
                owner: "U0OWNER".into(),
                due: Due::On(NaiveDate::from_ymd_opt(2026, 12, 20).unwrap()),
                text: "Alert on pool saturation",
            })
        );
        let typed = format!("{ID} <@U0OWNER> in 2w Load test");
        let relative = action(&typed);
        assert!(matches!(
            relative,
            Ok(ActionCommand::Add {
                due: Due::InDays(14),
                text: "Load test",
                ..
            })
        ));
        let typed = format!("{ID} <@U0OWNER> due: tomorrow Runbook");
        let prefixed = action(&typed);
        assert!(matches!(
            prefixed,
            Ok(ActionCommand::Add {
                due: Due::InDays(1),
                ..
            })
        ));
    }

    #[test]
    fn a_malformed_action_says_what_is_missing() {
        assert_eq!(
            action(&format!("{ID} ana 2026-12-20 x")),
            Err(Answer::ActionNeedsOwner)
        );
        assert_eq!(
            action(&format!("{ID} <@U1> someday x")),
            Err(Answer::ActionNeedsDueDate)
        );
        assert_eq!(
            action(&format!("{ID} <@U1> in 5y x")),
            Err(Answer::ActionNeedsDueDate)
        );
        assert_eq!(
            action(&format!("{ID} <@U1> 2026-02-30 x")),
            Err(Answer::ActionNeedsDueDate)
        );
        assert_eq!(
            action(&format!("{ID} <@U1> in 5d")),
            Err(Answer::HowToAddAction)
        );
        assert_eq!(action("frobnicate"), Err(Answer::HowToAddAction));
        assert_eq!(action(""), Err(Answer::HowToAddAction));
        assert_eq!(
            action(&format!("wontdo {ID}-A1")),
            Err(Answer::WontDoNeedsReason)
        );
        assert_eq!(action("done INC-1-A1"), Err(Answer::HowToAddAction));
    }

    #[test]
    fn done_and_wont_do_name_the_action() {
        let id = ActionId::parse(&format!("{ID}-A2")).unwrap();
        assert_eq!(
            action(&format!("done {ID}-a2")),
            Ok(ActionCommand::Done(id.clone()))
        );
        assert_eq!(
            action(&format!("won't do {ID}-A2 Superseded by the new pool")),
            Ok(ActionCommand::WontDo(id, "Superseded by the new pool"))
        );
        assert_eq!(mention("<@W0ABC|x>").as_deref(), Some("W0ABC"));
        assert_eq!(mention("<#C0ABC|general>"), None);
    }
}
