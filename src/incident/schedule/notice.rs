//! The customer-notification clocks of the response plan: a severe incident still unresolved an
//! hour after it was declared owes its customers a notification within four hours of the
//! declaration, and a personal-data breach owes the affected customers one within 72 hours of
//! discovery. An approved client-safe summary for a customer-facing audience satisfies both.
//! The thread is reminded before a clock runs out, and the escalation group called in once it has.
//! A drill runs no clock.

use super::{Arm, Audience, Fired, Reminder, ScheduleConfig, escalation_audience, span};
use crate::incident::{
    Incident, Status,
    event::{Event, ReminderSent},
};
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::{Value, json};
use std::time::Duration;

/// Which clock: a module of its own, so the timeline's events can name it without importing
/// these rules, which record those events (that would close an import circle).
pub mod rule;

pub use rule::NoticeRule;

/// The clocks' settings (`[customer_notification]`), with the response plan's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeConfig {
    /// The severities the outage clock applies to, by name; `None`: the most severe level.
    pub outage_severities: Option<Vec<String>>,
    pub outage_after: Duration,
    pub outage_within: Duration,
    pub breach_within: Duration,
}

impl Default for NoticeConfig {
    fn default() -> Self {
        let h = |n: u64| Duration::from_secs(n * 3600);
        Self {
            outage_severities: None,
            outage_after: h(1),
            outage_within: h(4),
            breach_within: h(72),
        }
    }
}

/// When the outage clock of `incident` would run out, if its severity is one the clock applies to.
pub fn outage_due(incident: &Incident, cfg: &NoticeConfig) -> Option<DateTime<Utc>> {
    let applies = match &cfg.outage_severities {
        Some(names) => names.iter().any(|n| n == incident.severity.name().as_str()),
        None => incident.severity.rank().index() == 0,
    };
    applies.then(|| incident.declared_at + span(cfg.outage_within))
}

/// When the breach clock of `incident` runs out, once a breach was discovered.
pub fn breach_due(incident: &Incident, cfg: &NoticeConfig) -> Option<DateTime<Utc>> {
    incident
        .breach_discovered_at
        .map(|discovered| discovered + span(cfg.breach_within))
}

fn step(due_at: DateTime<Utc>, rule: NoticeRule, step: u64) -> Arm {
    Arm::Set {
        kind: rule.kind().into(),
        due_at,
        details: json!({ "step": step }),
    }
}

/// The clocks `after` calls for, given `before`: armed when they may start, cancelled once
/// customers were told or the incident was cancelled.
pub(super) fn plan(
    before: Option<&Incident>,
    after: &Incident,
    cfg: &ScheduleConfig,
    now: DateTime<Utc>,
) -> Vec<Arm> {
    let notice = &cfg.notice;
    // A drill tells no customer anything: its clocks never start.
    if after.drill {
        return Vec::new();
    }
    if after.customers_notified_at.is_some() {
        return [NoticeRule::Outage, NoticeRule::Breach]
            .map(|r| Arm::Cancel {
                kind: r.kind().into(),
            })
            .to_vec();
    }
    let mut arms = Vec::new();
    // The outage clock starts being checked when the severity first calls for it.
    let was = before.and_then(|b| outage_due(b, notice));
    if let Some(due) = outage_due(after, notice)
        && was.is_none()
        && after.status.is_open()
    {
        let check = (after.declared_at + span(notice.outage_after)).max(now);
        arms.push(step(check.min(due), NoticeRule::Outage, 0));
    }
    // The breach clock starts with the breach: a day before it runs out comes the first reminder.
    if let Some(due) = breach_due(after, notice)
        && before.is_none_or(|b| b.breach_discovered_at.is_none())
    {
        let first = (due - Span::hours(24)).max(now);
        arms.push(step(first.min(due), NoticeRule::Breach, 0));
    }
    arms
}

/// What a due customer-notification reminder does: remind the owner (step 0, then an hour
/// before it runs out), then, once it has, call the escalation group in.
pub(super) fn fire(
    rule: NoticeRule,
    details: &Value,
    incident: &Incident,
    cfg: &ScheduleConfig,
    now: DateTime<Utc>,
) -> Fired {
    let notice = &cfg.notice;
    let due = match rule {
        NoticeRule::Outage => outage_due(incident, notice),
        NoticeRule::Breach => breach_due(incident, notice),
    };
    let told = incident.customers_notified_at.is_some();
    let live = !told && !incident.drill && incident.status != Status::Cancelled;
    let Some(due) = due.filter(|_| live) else {
        return Fired::stale();
    };
    let step = details["step"].as_u64().unwrap_or(0);
    // The outage clock starts only if the incident is still unresolved when it is checked.
    if rule == NoticeRule::Outage && step == 0 && !incident.status.is_open() {
        return Fired::stale();
    }
    let overdue = now >= due;
    let next = if overdue {
        None
    } else {
        let last_call = due - Span::hours(1);
        let (at, next_step) = if step == 0 && last_call > now {
            (last_call, 1)
        } else {
            (due, 2)
        };
        Some((at, json!({ "step": next_step })))
    };
    let to = if overdue {
        escalation_audience(incident, cfg)
    } else {
        Audience::Person(incident.owner().to_owned())
    };
    Fired {
        post: Some(Reminder::CustomerNotice {
            rule,
            due,
            overdue,
            to,
        }),
        entry: Some(Event::ReminderSent(ReminderSent::CustomerNotice {
            rule,
            due,
            overdue,
        })),
        next,
    }
}

#[cfg(test)]
mod tests;
