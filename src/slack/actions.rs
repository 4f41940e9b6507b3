//! Corrective actions in Slack: how the thread hears of them, how the timeline and the lists
//! show them, and the reminder their owner gets with **Mark done**, **Won't do…** and **Snooze**.

use super::{
    blocks::{
        FALLBACK_MAX, Message, escape, mention, option, plain, section, sections, slack_date,
    },
    keys::Control,
};
use crate::{
    commands::actions::ActionsHeading,
    incident::{
        Incident,
        actions::{ActionId, ActionStatus, ListedAction},
        event::{ActionAdded, Event},
        schedule::Audience,
        truncate_chars,
    },
};
use chrono::NaiveDate;
use serde_json::json;

/// A due date as people read it ("Thu 10 Dec 2026"): a date, the same in every time zone.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

fn id(incident: &Incident, number: u32) -> String {
    ActionId {
        incident: incident.id.clone(),
        number,
    }
    .to_string()
}

/// The thread's announcement of an action event by `who` (a mention), if it is one.
pub(crate) fn announcement(incident: &Incident, event: &Event, who: &str) -> Option<String> {
    Some(match event {
        Event::ActionAdded(ActionAdded {
            action,
            text,
            owner,
            due_on,
            link,
        }) => {
            let link = link
                .as_deref()
                .map_or_else(String::new, |l| format!(" (<{}|link>)", escape(l)));
            format!(
                ":clipboard: {who} added follow-up action *{}*: {}{link} — owner <@{owner}>, due {}.",
                id(incident, *action),
                escape(text),
                day(*due_on)
            )
        }
        Event::ActionDone { action, text } => format!(
            ":white_check_mark: {who} marked follow-up action *{}* done: {}",
            id(incident, *action),
            escape(text)
        ),
        Event::ActionWontDo {
            action,
            text,
            reason,
        } => format!(
            ":heavy_minus_sign: {who} closed follow-up action *{}* as won't do: {}. Reason: {}",
            id(incident, *action),
            escape(text),
            escape(reason)
        ),
        Event::ActionSnoozed { action, until } => format!(
            ":zzz: {who} put off the reminder for follow-up action *{}* until {}.",
            id(incident, *action),
            slack_date(*until)
        ),
        _ => return None,
    })
}

/// The reminder to an action's owner, with its buttons.
pub(crate) fn reminder(
    incident: &Incident,
    number: u32,
    text: &str,
    due_on: NaiveDate,
    overdue: bool,
    to: &Audience,
) -> Message {
    let action = id(incident, number);
    let when = if overdue {
        format!("was due {} and is *overdue*", day(due_on))
    } else {
        "is due today".to_owned()
    };
    let said = format!(
        ":alarm_clock: {}: follow-up action *{action}* {when}.\n>{}\nMark it done once it is, or say why it won't be.",
        mention(to),
        escape(&truncate_chars(text, 1000))
    );
    let snooze: Vec<_> = [("1 day", 86_400), ("3 days", 259_200), ("1 week", 604_800)]
        .iter()
        .map(|(label, secs)| option(label, &format!("{secs}:{action}")))
        .collect();
    let controls = json!({
        "type": "actions", "block_id": format!("action:{action}"),
        "elements": [
            { "type": "button", "action_id": Control::ActionDone.action_id(), "value": action, "style": "primary", "text": plain("Mark done", 75) },
            { "type": "button", "action_id": Control::ActionWontDo.action_id(), "value": action, "text": plain("Won't do…", 75) },
            { "type": "static_select", "action_id": Control::ActionSnooze.action_id(), "placeholder": plain("Snooze", 150), "options": snooze },
        ],
    });
    Message {
        text: truncate_chars(&said, FALLBACK_MAX),
        blocks: vec![section(&said), controls],
    }
}

/// `/incident actions`: one line per action, linked to its incident's card.
pub(crate) fn list(
    heading: &ActionsHeading,
    actions: &[ListedAction],
    today: NaiveDate,
) -> Message {
    let title = match heading {
        ActionsHeading::Mine => "Your open follow-up actions".to_owned(),
        ActionsHeading::Incident(id) => format!("Follow-up actions of {id}"),
        ActionsHeading::Overdue => "Overdue follow-up actions".to_owned(),
    };
    if actions.is_empty() {
        let none = match heading {
            ActionsHeading::Mine => {
                ":white_check_mark: You have no open follow-up actions.".to_owned()
            }
            ActionsHeading::Incident(id) => format!(
                ":clipboard: {id} has no follow-up actions yet. Add one from its card (More ▾ Add follow-up action) or with `/incident action {id} @owner in 5d <what>`."
            ),
            ActionsHeading::Overdue => {
                ":white_check_mark: No follow-up action is overdue.".to_owned()
            }
        };
        return Message {
            text: none.clone(),
            blocks: vec![section(&none)],
        };
    }
    let lines = actions.iter().map(|listed| {
        let a = &listed.action;
        let status = match a.status {
            ActionStatus::Open if a.is_overdue(today) => {
                format!("*overdue* since {}", day(a.due_on))
            }
            ActionStatus::Open => format!("due {}", day(a.due_on)),
            ActionStatus::Done => "done".to_owned(),
            ActionStatus::WontDo => format!(
                "won't do ({})",
                escape(&truncate_chars(a.reason.as_deref().unwrap_or(""), 200))
            ),
        };
        format!(
            "• *{}* {} — owner <@{}> · {status}{}",
            listed.id(),
            escape(&truncate_chars(&a.text, 200)),
            a.owner,
            match heading {
                ActionsHeading::Incident(_) => String::new(),
                _ => format!(" · {}", escape(&truncate_chars(&listed.incident_title, 80))),
            }
        )
    });
    let heading = format!("*{title} ({})*", actions.len());
    let mut blocks = vec![section(&heading)];
    blocks.extend(sections(lines));
    Message {
        text: truncate_chars(&heading, FALLBACK_MAX),
        blocks,
    }
}
