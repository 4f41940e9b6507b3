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
//! | `review_due` | resolution + 5 business days (SEV-1/SEV-2) | the post-incident review reminder |
//! | `digest` | the configured time each day | the open-incident digest in the channel |

use super::{Incident, Severities, Status};
use chrono::{DateTime, Datelike, Duration as Span, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::time::Duration;

/// Reminder kinds, as stored.
pub mod kinds {
    pub const HEADS_UP: &str = "update_heads_up";
    pub const UPDATE_DUE: &str = "update_due";
    pub const ACK_OVERDUE: &str = "ack_overdue";
    pub const BREACH_CLOCK: &str = "breach_clock";
    pub const REVIEW_DUE: &str = "review_due";
    pub const DIGEST: &str = "digest";
    /// Every kind tied to one incident.
    pub const PER_INCIDENT: [&str; 5] =
        [HEADS_UP, UPDATE_DUE, ACK_OVERDUE, BREACH_CLOCK, REVIEW_DUE];
}

/// Who an escalation mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// The mention as Slack writes it.
    pub fn mention(&self) -> String {
        match self {
            Self::UserGroup(id) => format!("<!subteam^{id}>"),
            Self::Users(ids) => ids
                .iter()
                .map(|id| format!("<@{id}>"))
                .collect::<Vec<_>>()
                .join(" "),
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
    pub breach_window: Duration,
    /// Offsets from discovery at which the breach clock reminds.
    pub breach_reminders_at: Vec<Duration>,
    pub review_due: ReviewDue,
    pub digest_at: Option<NaiveTime>,
    pub timezone: Tz,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        let h = |n: u64| Duration::from_secs(n * 3600);
        Self {
            heads_up_lead: Duration::from_secs(5 * 60),
            escalation_group: None,
            breach_window: h(72),
            breach_reminders_at: vec![h(24), h(48), h(66), h(71)],
            review_due: ReviewDue::BusinessDays(5),
            digest_at: None,
            timezone: Tz::UTC,
        }
    }
}

fn span(d: Duration) -> Span {
    Span::from_std(d).unwrap_or(Span::days(365))
}

/// A reminder to arm (replacing any pending one of its kind) or to cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum Arm {
    Set {
        kind: &'static str,
        due_at: DateTime<Utc>,
        details: Value,
    },
    Cancel {
        kind: &'static str,
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
            .map(|kind| Arm::Cancel { kind })
            .collect();
    }
    let level = severities.get(severities.rank_at(after.severity_rank));
    // Updates are owed while the incident is open.
    match (after.status.is_open(), after.next_update_due_at) {
        (true, Some(deadline)) => {
            let changed = before
                .is_none_or(|b| !b.status.is_open() || b.next_update_due_at != Some(deadline));
            if changed {
                arms.push(Arm::Set {
                    kind: UPDATE_DUE,
                    due_at: deadline.max(now),
                    details: json!({ "deadline": deadline, "count": 0 }),
                });
                let lead = cfg.heads_up_lead;
                let heads_up_at = deadline - span(lead);
                if !lead.is_zero() && level.update_every >= lead * 3 && heads_up_at > now {
                    arms.push(Arm::Set {
                        kind: HEADS_UP,
                        due_at: heads_up_at,
                        details: json!({ "deadline": deadline }),
                    });
                } else {
                    arms.push(Arm::Cancel { kind: HEADS_UP });
                }
            }
        }
        _ => arms.extend([
            Arm::Cancel { kind: UPDATE_DUE },
            Arm::Cancel { kind: HEADS_UP },
        ]),
    }
    // The acknowledgement window, re-computed when the severity changes.
    if after.acknowledged_at.is_some() || !after.status.is_open() {
        arms.push(Arm::Cancel { kind: ACK_OVERDUE });
    } else if before.is_none_or(|b| b.severity != after.severity) {
        let due = (after.declared_at + span(level.ack_within)).max(now);
        arms.push(Arm::Set {
            kind: ACK_OVERDUE,
            due_at: due,
            details: json!({ "severity": after.severity }),
        });
    }
    // The post-incident review of severe incidents.
    let severe = after.severity_rank <= 1;
    match (after.status, after.resolved_at) {
        (Status::Resolved, Some(resolved))
            if severe && before.is_none_or(|b| b.status != Status::Resolved) =>
        {
            arms.push(Arm::Set {
                kind: REVIEW_DUE,
                due_at: review_due_at(resolved, cfg),
                details: json!({ "resolved_at": resolved }),
            });
        }
        (Status::Resolved, _) => {}
        _ => arms.push(Arm::Cancel { kind: REVIEW_DUE }),
    }
    // The breach clock runs from discovery until the authority is notified.
    match (after.breach_discovered_at, after.authority_notified_at) {
        (Some(discovered), None) if before.is_none_or(|b| b.breach_discovered_at.is_none()) => {
            if let Some(arm) = breach_step(discovered, 0, cfg) {
                arms.push(arm);
            }
        }
        (_, Some(_)) => arms.push(Arm::Cancel { kind: BREACH_CLOCK }),
        _ => {}
    }
    arms
}

fn breach_step(discovered: DateTime<Utc>, step: usize, cfg: &ScheduleConfig) -> Option<Arm> {
    let offset = cfg.breach_reminders_at.get(step)?;
    Some(Arm::Set {
        kind: kinds::BREACH_CLOCK,
        due_at: discovered + span(*offset),
        details: json!({ "step": step }),
    })
}

/// The breach clock's deadline.
pub fn breach_deadline(discovered: DateTime<Utc>, cfg: &ScheduleConfig) -> DateTime<Utc> {
    discovered + span(cfg.breach_window)
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

/// What a due reminder asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Reminder {
    /// The deadline is near.
    HeadsUp {
        deadline: DateTime<Utc>,
        mention: String,
    },
    /// The update is overdue; `escalate` mentions the escalation group too.
    UpdateOverdue {
        deadline: DateTime<Utc>,
        mention: String,
        escalate: Option<String>,
    },
    /// Not acknowledged in time.
    AckOverdue { mention: String, window: Duration },
    /// The breach clock's countdown.
    BreachClock {
        deadline: DateTime<Utc>,
        mention: String,
    },
    /// The review of a resolved incident is due.
    ReviewDue { mention: String },
}

/// The outcome of a due reminder: what to post, what to record, and when to fire again.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub post: Option<Reminder>,
    pub entry: Option<(&'static str, Value)>,
    pub next: Option<(DateTime<Utc>, Value)>,
}

impl Fired {
    /// Nothing to do: the state moved on since the reminder was armed.
    pub fn stale() -> Self {
        Fired {
            post: None,
            entry: None,
            next: None,
        }
    }
}

/// Who a reminder speaks to: the latest update's owner, else the commander, else the declarer.
pub fn owner(incident: &Incident) -> String {
    let user = incident
        .latest_update
        .as_ref()
        .map(|u| u.owner.clone())
        .or_else(|| incident.roles.get("commander").cloned())
        .unwrap_or_else(|| incident.declared_by.clone());
    format!("<@{user}>")
}

fn escalation_mention(incident: &Incident, cfg: &ScheduleConfig) -> String {
    match &cfg.escalation_group {
        Some(group) => group.mention(),
        None => {
            let commander = incident
                .roles
                .get("commander")
                .unwrap_or(&incident.declared_by);
            format!("<@{commander}>")
        }
    }
}

/// Decides what a due reminder of `kind` does for the incident as it is now.
pub fn fire(
    kind: &str,
    details: &Value,
    incident: &Incident,
    severities: &Severities,
    cfg: &ScheduleConfig,
    now: DateTime<Utc>,
) -> Fired {
    use kinds::*;
    let deadline_matches = || {
        let armed: Option<DateTime<Utc>> = serde_json::from_value(details["deadline"].clone()).ok();
        incident.status.is_open() && armed.is_some() && incident.next_update_due_at == armed
    };
    let level = severities.get(severities.rank_at(incident.severity_rank));
    match kind {
        // A heads-up after its deadline (the scheduler was down) would only be noise.
        HEADS_UP if deadline_matches() && incident.next_update_due_at.is_some_and(|d| d > now) => {
            let deadline = incident.next_update_due_at.expect("matched");
            Fired {
                post: Some(Reminder::HeadsUp {
                    deadline,
                    mention: owner(incident),
                }),
                entry: None,
                next: None,
            }
        }
        UPDATE_DUE if deadline_matches() => {
            let deadline = incident.next_update_due_at.expect("matched");
            let count = details["count"].as_u64().unwrap_or(0);
            let already = details["escalated"].as_bool().unwrap_or(false);
            let cadence = span(level.update_every);
            let escalate =
                (!already && now - deadline >= cadence).then(|| escalation_mention(incident, cfg));
            let escalated = already || escalate.is_some();
            let entry = json!({ "reminder": UPDATE_DUE, "deadline": deadline, "repeat": count, "escalated": escalate.is_some() });
            let next = (
                now + cadence,
                json!({ "deadline": deadline, "count": count + 1, "escalated": escalated }),
            );
            let post = Reminder::UpdateOverdue {
                deadline,
                mention: owner(incident),
                escalate,
            };
            Fired {
                post: Some(post),
                entry: Some(("reminder_sent", entry)),
                next: Some(next),
            }
        }
        ACK_OVERDUE if incident.acknowledged_at.is_none() && incident.status.is_open() => {
            let entry = json!({ "reminder": ACK_OVERDUE, "window_seconds": level.ack_within.as_secs(), "severity": incident.severity });
            let post = Reminder::AckOverdue {
                mention: escalation_mention(incident, cfg),
                window: level.ack_within,
            };
            Fired {
                post: Some(post),
                entry: Some(("escalated", entry)),
                next: None,
            }
        }
        BREACH_CLOCK => match (
            incident.breach_discovered_at,
            incident.authority_notified_at,
        ) {
            (Some(discovered), None) => {
                let step = details["step"].as_u64().unwrap_or(0) as usize;
                let deadline = breach_deadline(discovered, cfg);
                let next = breach_step(discovered, step + 1, cfg).and_then(|arm| match arm {
                    Arm::Set {
                        due_at, details, ..
                    } => Some((due_at, details)),
                    Arm::Cancel { .. } => None,
                });
                let entry = json!({ "reminder": BREACH_CLOCK, "step": step, "deadline": deadline });
                let mention = escalation_mention(incident, cfg);
                Fired {
                    post: Some(Reminder::BreachClock { deadline, mention }),
                    entry: Some(("reminder_sent", entry)),
                    next,
                }
            }
            _ => Fired::stale(),
        },
        REVIEW_DUE if incident.status == Status::Resolved => {
            let entry = json!({ "reminder": REVIEW_DUE });
            Fired {
                post: Some(Reminder::ReviewDue {
                    mention: owner(incident),
                }),
                entry: Some(("reminder_sent", entry)),
                next: None,
            }
        }
        _ => Fired::stale(),
    }
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
mod tests {
    use super::*;
    use crate::incident::{IncidentId, Triage, update::StructuredUpdate};

    fn at(min: i64) -> DateTime<Utc> {
        // A Tuesday.
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap() + Span::minutes(min)
    }

    fn incident(severity: usize) -> Incident {
        let s = Severities::builtin();
        let level = s.get(s.rank_at(severity));
        Incident {
            id: IncidentId::parse("INC-20261124-001").unwrap(),
            title: "t".into(),
            severity: level.name.clone(),
            severity_rank: severity,
            status: Status::Investigating,
            incident_type: None,
            impact: None,
            triage: Triage::default(),
            declared_by: "UDECL".into(),
            team_domain: None,
            channel_id: "C1".into(),
            card_ts: None,
            declared_at: at(0),
            acknowledged_at: None,
            acknowledged_by: None,
            next_update_due_at: Some(at(0) + span(level.update_every)),
            resolved_at: None,
            closed_at: None,
            resolution_summary: None,
            roles: Default::default(),
            latest_update: None,
            breach_discovered_at: None,
            authority_notified_at: None,
            escalations: vec![],
        }
    }

    fn set(arms: &[Arm], kind: &str) -> Option<DateTime<Utc>> {
        arms.iter().find_map(|a| match a {
            Arm::Set {
                kind: k, due_at, ..
            } if *k == kind => Some(*due_at),
            _ => None,
        })
    }

    fn cancels(arms: &[Arm], kind: &str) -> bool {
        arms.iter()
            .any(|a| matches!(a, Arm::Cancel { kind: k } if *k == kind))
    }

    #[test]
    fn a_new_incident_gets_its_update_reminder_heads_up_and_ack_window() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        let arms = plan(None, &incident(0), &s, &cfg, at(0));
        assert_eq!(set(&arms, kinds::UPDATE_DUE), Some(at(30)));
        assert_eq!(set(&arms, kinds::HEADS_UP), Some(at(25)));
        assert_eq!(set(&arms, kinds::ACK_OVERDUE), Some(at(15)));
        let short = ScheduleConfig {
            heads_up_lead: Duration::from_secs(11 * 60),
            ..cfg
        };
        let arms = plan(None, &incident(0), &s, &short, at(0));
        assert!(
            cancels(&arms, kinds::HEADS_UP),
            "a 30-minute cadence is shorter than three 11-minute leads"
        );
    }

    #[test]
    fn only_a_moved_deadline_re_arms_the_update_reminder() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        let before = incident(1);
        let mut acked = before.clone();
        acked.acknowledged_at = Some(at(5));
        let arms = plan(Some(&before), &acked, &s, &cfg, at(5));
        assert_eq!(
            set(&arms, kinds::UPDATE_DUE),
            None,
            "an overdue reminder keeps repeating"
        );
        assert!(cancels(&arms, kinds::ACK_OVERDUE));
        let mut updated = acked.clone();
        updated.next_update_due_at = Some(at(90));
        assert_eq!(
            set(
                &plan(Some(&acked), &updated, &s, &cfg, at(10)),
                kinds::UPDATE_DUE
            ),
            Some(at(90))
        );
    }

    #[test]
    fn resolving_stops_update_reminders_and_arms_the_review_for_severe_incidents_only() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        for (severity, review) in [(0, true), (1, true), (2, false)] {
            let before = incident(severity);
            let mut resolved = before.clone();
            resolved.status = Status::Resolved;
            resolved.resolved_at = Some(at(60));
            resolved.next_update_due_at = None;
            let arms = plan(Some(&before), &resolved, &s, &cfg, at(60));
            assert!(
                cancels(&arms, kinds::UPDATE_DUE)
                    && cancels(&arms, kinds::HEADS_UP)
                    && cancels(&arms, kinds::ACK_OVERDUE)
            );
            // Resolved on Tuesday: five business days later is next Tuesday.
            assert_eq!(
                set(&arms, kinds::REVIEW_DUE),
                review.then(|| at(60) + Span::days(7)),
                "severity index {severity}"
            );
        }
    }

    #[test]
    fn an_overdue_reminder_repeats_every_cadence_and_escalates_once_past_a_full_cadence() {
        let (s, cfg) = (
            Severities::builtin(),
            ScheduleConfig {
                escalation_group: Some(EscalationGroup::UserGroup("S1".into())),
                ..Default::default()
            },
        );
        let mut i = incident(0);
        i.latest_update = Some(StructuredUpdate {
            impact: "x".into(),
            current_action: "y".into(),
            owner: "UOWN".into(),
            next_update_at: at(30),
            posted_by: "U1".into(),
            posted_at: at(0),
        });
        let first = fire(
            kinds::UPDATE_DUE,
            &json!({ "deadline": at(30), "count": 0 }),
            &i,
            &s,
            &cfg,
            at(30),
        );
        match &first.post {
            Some(Reminder::UpdateOverdue {
                mention,
                escalate: None,
                ..
            }) => assert_eq!(mention, "<@UOWN>"),
            other => panic!("{other:?}"),
        }
        let (next_at, next_details) = first.next.clone().unwrap();
        assert_eq!(next_at, at(60));
        let second = fire(kinds::UPDATE_DUE, &next_details, &i, &s, &cfg, at(60));
        assert!(
            matches!(&second.post, Some(Reminder::UpdateOverdue { escalate: Some(g), .. }) if g == "<!subteam^S1>")
        );
        let third = fire(
            kinds::UPDATE_DUE,
            &second.next.unwrap().1,
            &i,
            &s,
            &cfg,
            at(90),
        );
        assert!(
            matches!(
                &third.post,
                Some(Reminder::UpdateOverdue { escalate: None, .. })
            ),
            "escalated once"
        );
    }

    #[test]
    fn a_reminder_whose_deadline_moved_or_whose_incident_resolved_is_stale() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        let i = incident(0);
        assert_eq!(
            fire(
                kinds::UPDATE_DUE,
                &json!({ "deadline": at(20), "count": 0 }),
                &i,
                &s,
                &cfg,
                at(30)
            ),
            Fired::stale()
        );
        let mut resolved = i.clone();
        resolved.status = Status::Resolved;
        assert_eq!(
            fire(
                kinds::UPDATE_DUE,
                &json!({ "deadline": at(30), "count": 0 }),
                &resolved,
                &s,
                &cfg,
                at(30)
            ),
            Fired::stale()
        );
        let mut acked = i;
        acked.acknowledged_at = Some(at(1));
        assert_eq!(
            fire(kinds::ACK_OVERDUE, &json!({}), &acked, &s, &cfg, at(15)),
            Fired::stale()
        );
    }

    #[test]
    fn a_heads_up_that_comes_due_after_its_deadline_is_dropped() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        let i = incident(0);
        let details = json!({ "deadline": at(30) });
        assert!(
            fire(kinds::HEADS_UP, &details, &i, &s, &cfg, at(25))
                .post
                .is_some()
        );
        assert_eq!(
            fire(kinds::HEADS_UP, &details, &i, &s, &cfg, at(31)),
            Fired::stale()
        );
    }

    #[test]
    fn the_breach_clock_reminds_at_each_offset_until_the_authority_is_notified() {
        let (s, cfg) = (Severities::builtin(), ScheduleConfig::default());
        let before = incident(0);
        let mut flagged = before.clone();
        flagged.breach_discovered_at = Some(at(0));
        assert_eq!(
            set(
                &plan(Some(&before), &flagged, &s, &cfg, at(0)),
                kinds::BREACH_CLOCK
            ),
            Some(at(24 * 60))
        );
        let fired = fire(
            kinds::BREACH_CLOCK,
            &json!({ "step": 3 }),
            &flagged,
            &s,
            &cfg,
            at(71 * 60),
        );
        assert!(
            matches!(fired.post, Some(Reminder::BreachClock { deadline, .. }) if deadline == at(72 * 60))
        );
        assert_eq!(fired.next, None, "71 h is the last reminder");
        let step0 = fire(
            kinds::BREACH_CLOCK,
            &json!({ "step": 0 }),
            &flagged,
            &s,
            &cfg,
            at(24 * 60),
        );
        assert_eq!(step0.next.unwrap().0, at(48 * 60));
        let mut notified = flagged.clone();
        notified.authority_notified_at = Some(at(100));
        assert!(cancels(
            &plan(Some(&flagged), &notified, &s, &cfg, at(100)),
            kinds::BREACH_CLOCK
        ));
        assert_eq!(
            fire(
                kinds::BREACH_CLOCK,
                &json!({ "step": 1 }),
                &notified,
                &s,
                &cfg,
                at(48 * 60)
            ),
            Fired::stale()
        );
    }

    #[test]
    fn business_days_skip_weekends_in_the_configured_time_zone() {
        let cfg = ScheduleConfig {
            timezone: chrono_tz::Europe::Berlin,
            ..Default::default()
        };
        // Friday 2026-11-27 16:00 UTC → five business days → Friday 2026-12-04.
        let friday = Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap();
        assert_eq!(
            review_due_at(friday, &cfg),
            Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap()
        );
        // Friday 23:30 UTC is already Saturday 00:30 in Berlin: counting starts from Berlin's
        // Saturday and ends on Friday 00:30 Berlin time, which is Thursday 23:30 UTC.
        let late_friday_utc = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
        assert_eq!(
            review_due_at(late_friday_utc, &cfg),
            Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).unwrap()
        );
    }

    #[test]
    fn the_digest_is_due_at_the_configured_local_time_each_day() {
        let cfg = ScheduleConfig {
            digest_at: NaiveTime::from_hms_opt(9, 0, 0),
            timezone: chrono_tz::America::New_York,
            ..Default::default()
        };
        // 10:00 UTC is 05:00 in New York: today's 09:00 there (14:00 UTC) is next.
        assert_eq!(
            next_digest_at(&cfg, at(0)),
            Some(Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap())
        );
        assert_eq!(
            next_digest_at(&cfg, at(5 * 60)),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap())
        );
        assert_eq!(next_digest_at(&ScheduleConfig::default(), at(0)), None);
    }

    #[test]
    fn escalation_triggers_come_from_triage_and_type() {
        let t = Triage::from_checked(["production_down", "personal_data_exposed"]);
        assert_eq!(
            escalation_triggers(None, &t),
            ["production is down", "personal data may be exposed"]
        );
        assert_eq!(
            escalation_triggers(Some("backup_failure"), &Triage::default()),
            ["backup or restore is impaired"]
        );
        assert!(escalation_triggers(Some("queue_backlog"), &Triage::default()).is_empty());
        assert!(EscalationGroup::parse(&["S0AB".into()]).is_ok());
        assert!(
            EscalationGroup::parse(&["U1".into(), "U2".into()])
                .unwrap()
                .mention()
                == "<@U1> <@U2>"
        );
        assert!(EscalationGroup::parse(&["#managers".into()]).is_err());
    }
}
