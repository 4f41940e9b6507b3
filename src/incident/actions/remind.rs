//! When a corrective action's owner is reminded: the morning it is due (at the configured time, in
//! the configured time zone), then every morning while it stays open.

use super::{Action, ActionStatus};
use crate::incident::{
    Incident, Status,
    event::{Event, ReminderSent},
    schedule::{Arm, Audience, Fired, Reminder, ScheduleConfig, kinds},
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;

/// The reminder kind of action `number` (one pending reminder per action).
pub fn reminder_kind(number: u32) -> String {
    format!("{}{number}", kinds::ACTION_DUE_PREFIX)
}

/// The action a reminder kind is about.
pub fn reminder_action(kind: &str) -> Option<u32> {
    kind.strip_prefix(kinds::ACTION_DUE_PREFIX)?.parse().ok()
}

/// `day` at the configured reminder time, in the configured time zone.
fn reminder_time(day: NaiveDate, cfg: &ScheduleConfig) -> DateTime<Utc> {
    cfg.timezone
        .from_local_datetime(&day.and_time(cfg.action_reminder_at))
        .earliest()
        .map_or_else(
            || day.and_time(cfg.action_reminder_at).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// The first reminder time on or after `due_on` that is still ahead of `now`: the morning it is
/// due, or — for an action added after that — the next morning.
pub fn next_reminder(due_on: NaiveDate, now: DateTime<Utc>, cfg: &ScheduleConfig) -> DateTime<Utc> {
    let mut day = due_on;
    loop {
        let at = reminder_time(day, cfg);
        if at > now {
            return at;
        }
        day += Duration::days(1);
    }
}

/// Today's date in the configured time zone.
pub fn today(now: DateTime<Utc>, cfg: &ScheduleConfig) -> NaiveDate {
    now.with_timezone(&cfg.timezone).date_naive()
}

pub(super) fn arm(number: u32, at: DateTime<Utc>) -> Arm {
    Arm::Set {
        kind: reminder_kind(number).into(),
        due_at: at,
        details: json!({ "action": number }),
    }
}

/// What a due action reminder does for the action as it is now: remind its owner in the thread,
/// and again the next morning; nothing once the action is closed or the incident cancelled.
pub fn fire(
    incident: &Incident,
    action: &Action,
    now: DateTime<Utc>,
    cfg: &ScheduleConfig,
) -> Fired {
    if action.status != ActionStatus::Open || incident.status == Status::Cancelled {
        return Fired::stale();
    }
    let today = today(now, cfg);
    let next = next_reminder(today + Duration::days(1), now, cfg);
    Fired {
        post: Some(Reminder::ActionDue {
            action: action.number,
            text: action.text.clone(),
            due_on: action.due_on,
            overdue: action.due_on < today,
            to: Audience::Person(action.owner.clone()),
        }),
        entry: Some(Event::ReminderSent(ReminderSent::ActionDue {
            action: action.number,
            due_on: action.due_on,
        })),
        next: Some((next, json!({ "action": action.number }))),
    }
}
