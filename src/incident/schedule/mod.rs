//! When warroom must speak up without being asked: which reminders an incident's state calls for
//! ([`plan`]), and what a due reminder does ([`fire`]). Pure functions of (state, now, config);
//! the scheduler stores the plan in the same transaction as the change that caused it.
//!
//! | kind | armed at | fires |
//! |---|---|---|
//! | `update_heads_up` | the next-update deadline minus the lead (if the cadence is at least 3× the lead) | a heads-up in the thread |
//! | `update_due` | the deadline, then every cadence until an update lands | the overdue reminder; escalates once past a full cadence |
//! | `ack_overdue` | declare time + the severity's `ack_within` | escalation, broadcast to the channel |
//! | `breach_clock` | discovery + each configured offset (24 h, 48 h, 66 h, 71 h) | a countdown reminder until the authority is notified |
//! | `review_due` | resolution + 5 business days (SEV-1/SEV-2, or `[review] severities`) | the post-incident review reminder, then daily until the review is complete |
//! | `customer_notice_outage` | declare + 1 h for a SEV-1 (`[customer_notification]`) | if still unresolved, customers are owed a notification within 4 h of the declaration: reminders, then an escalation once it has run out |
//! | `customer_notice_breach` | 24 h before discovery + 72 h | affected customers are owed a notification: a reminder, a last call, then an escalation |
//! | `digest` | the configured time each day | the open-incident digest in the channel |
//! | `drill_inject:N` | a scenario drill's declaration + the inject's time | the inject, in the drill's thread |

use super::{Incident, Severities, Status};
use chrono::{DateTime, Datelike, Duration as Span, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::{borrow::Cow, time::Duration};

mod fire;
pub mod notice;

pub use fire::{Audience, Fired, Reminder, escalation_audience, fire};
pub use notice::{NoticeConfig, NoticeRule};

/// Reminder kinds, as stored.
pub mod kinds {
    pub const HEADS_UP: &str = "update_heads_up";
    pub const UPDATE_DUE: &str = "update_due";
    pub const ACK_OVERDUE: &str = "ack_overdue";
    pub const BREACH_CLOCK: &str = "breach_clock";
    pub const REVIEW_DUE: &str = "review_due";
    pub const DIGEST: &str = "digest";
    /// Followed by the action's number: one pending reminder per corrective action.
    pub const ACTION_DUE_PREFIX: &str = "action_due:";
    /// Followed by the inject's number: one reminder per inject of a scenario drill.
    pub const DRILL_INJECT_PREFIX: &str = "drill_inject:";
    /// The customer-notification clocks.
    pub const CUSTOMER_NOTICE_OUTAGE: &str = "customer_notice_outage";
    pub const CUSTOMER_NOTICE_BREACH: &str = "customer_notice_breach";
    /// Every kind tied to one incident.
    pub const PER_INCIDENT: [&str; 7] = [
        HEADS_UP,
        UPDATE_DUE,
        ACK_OVERDUE,
        BREACH_CLOCK,
        REVIEW_DUE,
        CUSTOMER_NOTICE_OUTAGE,
        CUSTOMER_NOTICE_BREACH,
    ];
}

/// Who an escalation mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "group", content = "ids", rename_all = "snake_case")]
pub enum EscalationGroup {
    /// A Slack user group (`S…`).
    UserGroup(String),
    /// Individual people (`U…` / `W…`).
    Users(Vec<String>),
}

impl EscalationGroup {
    /// One user-group ID, or one or more user IDs.
    pub fn parse(ids: &[String]) -> Result<Self, String> {
        let valid = |id: &str| {
            !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric())
        };
        match ids {
            [one] if one.starts_with('S') && valid(one) => Ok(Self::UserGroup(one.clone())),
            many if !many.is_empty()
                && many
                    .iter()
                    .all(|id| (id.starts_with('U') || id.starts_with('W')) && valid(id)) =>
            {
                Ok(Self::Users(many.to_vec()))
            }
            _ => Err("give one user-group ID (S…) or a list of user IDs (U…)".to_owned()),
        }
    }
}

/// When the post-incident review of a resolved SEV-1/SEV-2 is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDue {
    BusinessDays(u32),
    After(Duration),
}

/// Schedule settings (see the README's config reference).
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    pub heads_up_lead: Duration,
    pub escalation_group: Option<EscalationGroup>,
    /// Whether a drill's escalations call in the escalation group too (`[drills]
    /// page_escalation_group`); by default they mention only the drill's declarer.
    pub page_drill_escalations: bool,
    pub breach_window: Duration,
    /// Offsets from discovery at which the breach clock reminds.
    pub breach_reminders_at: Vec<Duration>,
    pub review_due: ReviewDue,
    /// Severities whose incidents get a post-incident review, by name; `None`: the two most
    /// severe levels.
    pub review_severities: Option<Vec<String>>,
    /// The local time of day at which corrective actions are reminded.
    pub action_reminder_at: NaiveTime,
    /// The customer-notification clocks.
    pub notice: NoticeConfig,
    pub digest_at: Option<NaiveTime>,
    pub timezone: Tz,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        let h = |n: u64| Duration::from_secs(n * 3600);
        Self {
            heads_up_lead: Duration::from_secs(5 * 60),
            escalation_group: None,
            page_drill_escalations: false,
            breach_window: h(72),
            breach_reminders_at: vec![h(24), h(48), h(66), h(71)],
            review_due: ReviewDue::BusinessDays(5),
            review_severities: None,
            action_reminder_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            notice: NoticeConfig::default(),
            digest_at: None,
            timezone: Tz::UTC,
        }
    }
}

pub(super) fn span(d: Duration) -> Span {
    Span::from_std(d).unwrap_or(Span::days(365))
}

/// A reminder to arm (replacing any pending one of its kind) or to cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum Arm {
    Set {
        kind: Cow<'static, str>,
        due_at: DateTime<Utc>,
        details: Value,
    },
    Cancel {
        kind: Cow<'static, str>,
    },
}

/// The reminders `after` calls for, given what `before` (if any) had called for. Only what changed
/// is re-armed, so an overdue reminder keeps repeating until an update actually moves the deadline.
pub fn plan(
    before: Option<&Incident>,
    after: &Incident,
    severities: &Severities,
    cfg: &ScheduleConfig,
    now: DateTime<Utc>,
) -> Vec<Arm> {
    use kinds::*;
    let mut arms = Vec::new();
    if after.status == Status::Cancelled {
        return kinds::PER_INCIDENT
            .iter()
            .map(|kind| Arm::Cancel {
                kind: (*kind).into(),
            })
            .collect();
    }
    let level = severities.get(after.severity.rank());
    // Updates are owed while the incident is open.
    match (after.status.is_open(), after.next_update_due_at) {
        (true, Some(deadline)) => {
            let changed = before
                .is_none_or(|b| !b.status.is_open() || b.next_update_due_at != Some(deadline));
            if changed {
                arms.push(Arm::Set {
                    kind: UPDATE_DUE.into(),
                    due_at: deadline.max(now),
                    details: json!({ "deadline": deadline, "count": 0 }),
                });
                let lead = cfg.heads_up_lead;
                let heads_up_at = deadline - span(lead);
                if !lead.is_zero() && level.update_every >= lead * 3 && heads_up_at > now {
                    arms.push(Arm::Set {
                        kind: HEADS_UP.into(),
                        due_at: heads_up_at,
                        details: json!({ "deadline": deadline }),
                    });
                } else {
                    arms.push(Arm::Cancel {
                        kind: HEADS_UP.into(),
                    });
                }
            }
        }
        _ => arms.extend([
            Arm::Cancel {
                kind: UPDATE_DUE.into(),
            },
            Arm::Cancel {
                kind: HEADS_UP.into(),
            },
        ]),
    }
    // The acknowledgement window, re-computed when the severity changes.
    if after.acknowledged_at.is_some() || !after.status.is_open() {
        arms.push(Arm::Cancel {
            kind: ACK_OVERDUE.into(),
        });
    } else if before.is_none_or(|b| b.severity.name() != after.severity.name()) {
        let due = (after.declared_at + span(level.ack_within)).max(now);
        arms.push(Arm::Set {
            kind: ACK_OVERDUE.into(),
            due_at: due,
            details: json!({ "severity": after.severity.name() }),
        });
    }
    // The post-incident review: due after resolution, reminded until it is complete, whether the
    // incident is closed meanwhile or not.
    match (after.status, after.review.due_at) {
        (Status::Resolved | Status::Closed, Some(due)) if !after.review.is_complete() => {
            if before.is_none_or(|b| b.review.due_at != Some(due)) {
                arms.push(Arm::Set {
                    kind: REVIEW_DUE.into(),
                    due_at: due,
                    details: json!({ "due_at": due }),
                });
            }
        }
        _ => arms.push(Arm::Cancel {
            kind: REVIEW_DUE.into(),
        }),
    }
    arms.extend(notice::plan(before, after, cfg, now));
    // The breach clock runs from discovery until the authority is notified.
    match (after.breach_discovered_at, after.authority_notified_at) {
        (Some(discovered), None) if before.is_none_or(|b| b.breach_discovered_at.is_none()) => {
            if let Some(arm) = breach_step(discovered, 0, cfg) {
                arms.push(arm);
            }
        }
        (_, Some(_)) => arms.push(Arm::Cancel {
            kind: BREACH_CLOCK.into(),
        }),
        _ => {}
    }
    arms
}

pub(super) fn breach_step(
    discovered: DateTime<Utc>,
    step: usize,
    cfg: &ScheduleConfig,
) -> Option<Arm> {
    let offset = cfg.breach_reminders_at.get(step)?;
    Some(Arm::Set {
        kind: kinds::BREACH_CLOCK.into(),
        due_at: discovered + span(*offset),
        details: json!({ "step": step }),
    })
}

/// The breach clock's deadline.
pub fn breach_deadline(discovered: DateTime<Utc>, cfg: &ScheduleConfig) -> DateTime<Utc> {
    discovered + span(cfg.breach_window)
}

/// Whether incidents of `severity` get a post-incident review.
pub fn needs_review(severity: &super::Severity, cfg: &ScheduleConfig) -> bool {
    match &cfg.review_severities {
        Some(names) => names.iter().any(|n| n == severity.name().as_str()),
        None => severity.rank().index() <= 1,
    }
}

/// Resolution plus the review delay, counting business days (Monday to Friday) in the
/// configured time zone.
pub fn review_due_at(resolved: DateTime<Utc>, cfg: &ScheduleConfig) -> DateTime<Utc> {
    match cfg.review_due {
        ReviewDue::After(d) => resolved + span(d),
        ReviewDue::BusinessDays(days) => {
            let mut local = resolved.with_timezone(&cfg.timezone);
            let mut left = days;
            while left > 0 {
                local += Span::days(1);
                if !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
                    left -= 1;
                }
            }
            local.with_timezone(&Utc)
        }
    }
}

/// The digest after the one that was due at `fired`: counted from that slot, so a replica whose
/// clock is behind the database's cannot arm the slot that just fired a second time.
pub fn next_digest_after(
    cfg: &ScheduleConfig,
    fired: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    next_digest_at(cfg, fired.max(now))
}

/// The next time the daily digest is due after `now`, if it is configured.
pub fn next_digest_at(cfg: &ScheduleConfig, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let at = cfg.digest_at?;
    let local_now = now.with_timezone(&cfg.timezone);
    (0..3).find_map(|days| {
        let date = local_now.date_naive() + Span::days(days);
        let candidate = cfg
            .timezone
            .from_local_datetime(&date.and_time(at))
            .earliest()?
            .with_timezone(&Utc);
        (candidate > now).then_some(candidate)
    })
}

/// The escalation triggers an incident meets: production down, money, personal data, tenant
/// isolation (from triage), credentials and backup/restore (from its type).
pub fn escalation_triggers(
    incident_type: Option<&str>,
    triage: &super::Triage,
) -> Vec<&'static str> {
    let yes = |a: Option<bool>| a == Some(true);
    let mut out = Vec::new();
    if yes(triage.production_down) {
        out.push("production is down");
    }
    if yes(triage.money_affected) || incident_type == Some("payment_wallet") {
        out.push("money or wallet integrity may be affected");
    }
    if yes(triage.personal_data_exposed) || incident_type == Some("security_data_exposure") {
        out.push("personal data may be exposed");
    }
    if yes(triage.tenant_isolation_broken) || incident_type == Some("tenant_isolation") {
        out.push("tenant isolation may be broken");
    }
    if incident_type == Some("credential") {
        out.push("credentials may be compromised");
    }
    if incident_type == Some("backup_failure") {
        out.push("backup or restore is impaired");
    }
    out
}

#[cfg(test)]
mod tests;
