//! What the scheduler posts: heads-ups, overdue-update reminders (with Post update and Snooze),
//! acknowledgement escalations, the breach clock, review reminders, a drill's injects and the
//! daily digest.

use super::{
    blocks::{Message, escape, mention, option, plain, section, slack_date},
    keys::Control,
};
use crate::incident::{
    Incident, drills,
    schedule::{NoticeRule, Reminder},
    truncate_chars,
};
use chrono::{DateTime, Utc};
use serde_json::json;

fn message(text: String, extra: Vec<serde_json::Value>) -> Message {
    let mut blocks = vec![section(&text)];
    blocks.extend(extra);
    Message {
        text: truncate_chars(&text, 3900),
        blocks,
    }
}

fn hours(d: std::time::Duration) -> String {
    humantime::format_duration(std::time::Duration::from_secs(d.as_secs())).to_string()
}

/// Renders a due reminder for the incident's thread.
pub fn reminder(incident: &Incident, reminder: &Reminder) -> Message {
    let id = &incident.id;
    match reminder {
        Reminder::HeadsUp { deadline, to } => message(
            format!(
                ":hourglass_flowing_sand: Heads-up {}: the next update on *{id}* is due {}.",
                mention(to),
                slack_date(*deadline)
            ),
            vec![],
        ),
        Reminder::UpdateOverdue {
            deadline,
            to,
            escalate,
        } => {
            let mut lines = Vec::new();
            if let Some(group) = escalate {
                lines.push(format!(":rotating_light: *Escalation* {}: the update is overdue by more than a full cadence.", mention(group)));
            }
            lines.push(format!(
                ":alarm_clock: {} — the update on *{id}* was due {}. Please post one.",
                mention(to),
                slack_date(*deadline)
            ));
            let latest = incident.latest_update.as_ref();
            let owner = format!("<@{}>", incident.owner());
            lines.extend([
                format!("*Incident ID:* {id}"),
                format!("*Severity:* {}", incident.severity),
                format!("*Status:* {}", incident.status),
                format!(
                    "*Impact:* {}",
                    latest
                        .map(|u| u.impact.as_str())
                        .or(incident.impact.as_deref())
                        .map_or_else(|| "not assessed yet".to_owned(), escape)
                ),
                format!(
                    "*Current action:* {}",
                    latest.map_or_else(|| "—".to_owned(), |u| escape(&u.current_action))
                ),
                format!("*Owner:* {owner}"),
                "*Next update:* overdue".to_owned(),
            ]);
            let snooze: Vec<_> = [
                ("15 minutes", "900"),
                ("30 minutes", "1800"),
                ("1 hour", "3600"),
            ]
            .iter()
            .map(|(l, v)| option(l, v))
            .collect();
            let controls = json!({
                "type": "actions", "block_id": format!("card:{id}"),
                "elements": [
                    { "type": "button", "action_id": Control::PostUpdate.action_id(), "value": id.as_str(), "style": "primary", "text": plain("Post update", 75) },
                    { "type": "static_select", "action_id": Control::Snooze.action_id(), "placeholder": plain("Snooze", 150), "options": snooze },
                ],
            });
            message(lines.join("\n"), vec![controls])
        }
        Reminder::AckOverdue { to, window } => message(
            format!(
                ":rotating_light: *Escalation* {}: *{id}* [{}] {} has not been acknowledged within {}.",
                mention(to),
                incident.severity,
                escape(&incident.title),
                hours(*window)
            ),
            vec![],
        ),
        Reminder::BreachClock { deadline, to } => message(
            format!(
                ":lock: *Breach clock* {}: the supervisory authority must be notified about *{id}* by {}. \
                 Record the notification from the card (⋯ → Record authority notified).",
                mention(to),
                slack_date(*deadline)
            ),
            vec![],
        ),
        Reminder::ActionDue {
            action,
            text,
            due_on,
            overdue,
            to,
        } => super::actions::reminder(incident, *action, text, *due_on, *overdue, to),
        Reminder::DrillInject {
            inject,
            after_seconds,
            text,
        } => message(
            format!(
                ":speech_balloon: *Inject {inject}* · {}: {}",
                drills::t_plus(*after_seconds),
                escape(text)
            ),
            vec![],
        ),
        Reminder::CustomerNotice {
            rule,
            due,
            overdue,
            to,
        } => {
            let why = match rule {
                NoticeRule::Outage => "this incident has gone on for more than an hour",
                NoticeRule::Breach => "personal data was exposed",
            };
            let text = if *overdue {
                format!(
                    ":rotating_light: *Escalation* {}: customers were to be notified about *{id}* by {} ({why}), and no client-safe summary for them has been approved.",
                    mention(to),
                    slack_date(*due)
                )
            } else {
                format!(
                    ":loudspeaker: {}: customers must be notified about *{id}* by {} ({why}). Draft a client-safe summary for them from the card (More ▾ Draft client-safe summary); its approval is the notification.",
                    mention(to),
                    slack_date(*due)
                )
            };
            message(text, vec![])
        }
        Reminder::ReviewDue { to } => message(
            format!(
                ":spiral_note_pad: {}: the post-incident review of *{id}* is due. Write it from the card (More ▾ Post-incident review); this reminder comes back daily until the review is complete.",
                mention(to)
            ),
            vec![],
        ),
    }
}

/// The daily digest of open incidents.
pub fn digest(open: &[Incident], now: DateTime<Utc>) -> Message {
    if open.is_empty() {
        return message(
            ":newspaper: *Daily incident digest*: no open incidents.".to_owned(),
            vec![],
        );
    }
    let lines: Vec<String> = open
        .iter()
        .map(|i| {
            let age = humantime::format_duration(std::time::Duration::from_secs(
                (now - i.declared_at).num_minutes().max(0) as u64 * 60,
            ));
            let owner = format!("<@{}>", i.owner());
            let due = i
                .next_update_due_at
                .map_or_else(|| "—".to_owned(), slack_date);
            format!(
                "• *{}* [{}] {} — {} · owner {owner} · open {age} · next update {due}",
                i.id,
                i.severity,
                escape(&truncate_chars(&i.title, 80)),
                i.status
            )
        })
        .collect();
    let mut text = format!(":newspaper: *Daily incident digest*: {} open", open.len());
    for line in lines {
        if text.len() + line.len() > 2900 {
            text.push_str("\n… and more: `/incident list`");
            break;
        }
        text.push('\n');
        text.push_str(&line);
    }
    message(text, vec![])
}
