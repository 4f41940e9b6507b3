//! A scenario's injects as reminders: armed at the declaration, one pending reminder per inject
//! (`drill_inject:N`), each carrying its time and text so that what fires is what was declared,
//! whatever the configuration says by then. The scheduler fires each exactly once.

use super::Scenario;
use crate::incident::{
    Event, Incident,
    schedule::{Arm, Fired, Reminder, kinds},
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::Duration;

/// The reminder kind of inject `number` (counted from 1).
pub fn inject_kind(number: u32) -> String {
    format!("{}{number}", kinds::DRILL_INJECT_PREFIX)
}

/// The inject a reminder kind is about.
pub fn inject_number(kind: &str) -> Option<u32> {
    kind.strip_prefix(kinds::DRILL_INJECT_PREFIX)?.parse().ok()
}

/// How an inject's time reads: `T+5m`, `T+1h 30m`.
pub fn t_plus(after_seconds: u64) -> String {
    format!(
        "T+{}",
        humantime::format_duration(Duration::from_secs(after_seconds))
    )
}

/// One reminder per inject of `scenario`, due its time after `declared_at`.
pub fn arm_injects(scenario: &Scenario, declared_at: DateTime<Utc>) -> Vec<Arm> {
    (1u32..)
        .zip(&scenario.injects)
        .map(|(number, inject)| Arm::Set {
            kind: inject_kind(number).into(),
            due_at: declared_at + crate::incident::schedule::span(inject.after),
            details: json!({
                "inject": number,
                "after_seconds": inject.after.as_secs(),
                "text": inject.text,
            }),
        })
        .collect()
}

/// What a due inject does: posted into the drill's thread and recorded on its timeline while the
/// drill is still open; nothing once it is resolved, closed or cancelled (the exercise is over).
pub fn fire_inject(incident: &Incident, number: u32, details: &Value) -> Fired {
    let text = details["text"].as_str().unwrap_or_default();
    if !incident.drill || !incident.status.is_open() || text.is_empty() {
        return Fired::stale();
    }
    let after_seconds = details["after_seconds"].as_u64().unwrap_or(0);
    Fired {
        post: Some(Reminder::DrillInject {
            inject: number,
            after_seconds,
            text: text.to_owned(),
        }),
        entry: Some(Event::DrillInjected {
            inject: number,
            after_seconds,
            text: text.to_owned(),
        }),
        next: None,
    }
}
