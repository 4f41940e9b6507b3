//! The config file's keys about when warroom speaks up: reminders, escalation, the breach clock,
//! the review, the digest, follow-up actions and the customer-notification clocks.

use super::{ConfigError, duration, err, positive};
use crate::incident::Severities;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileActions {
    pub(super) remind_at: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileReminders {
    heads_up: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEscalation {
    group: Option<EscalationGroupFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EscalationGroupFile {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileBreach {
    window: Option<String>,
    reminders_at: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileReview {
    due_after_business_days: Option<u32>,
    due_after: Option<String>,
    severities: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDigest {
    at: Option<String>,
}

pub(super) fn apply_schedule(
    s: &mut crate::incident::schedule::ScheduleConfig,
    reminders: FileReminders,
    escalation: FileEscalation,
    breach: FileBreach,
    review: FileReview,
    digest: FileDigest,
    timezone: Option<String>,
) -> Result<(), ConfigError> {
    use crate::incident::schedule::{EscalationGroup, ReviewDue};
    if let Some(v) = reminders.heads_up {
        s.heads_up_lead = duration("reminders.heads_up", &v)?;
    }
    if let Some(group) = escalation.group {
        let ids = match group {
            EscalationGroupFile::One(id) => vec![id],
            EscalationGroupFile::Many(ids) => ids,
        };
        s.escalation_group = Some(
            EscalationGroup::parse(&ids)
                .map_err(|e| err("WARROOM_CONFIG (escalation.group)", e))?,
        );
    }
    if let Some(v) = breach.window {
        s.breach_window = positive("breach.window", &v)?;
    }
    if let Some(list) = breach.reminders_at {
        s.breach_reminders_at = list
            .iter()
            .map(|v| duration("breach.reminders_at", v))
            .collect::<Result<_, _>>()?;
        s.breach_reminders_at.sort();
    }
    if let Some(days) = review.due_after_business_days {
        s.review_due = ReviewDue::BusinessDays(days);
    }
    if let Some(v) = review.due_after {
        s.review_due = ReviewDue::After(duration("review.due_after", &v)?);
    }
    s.review_severities = review.severities;
    if let Some(v) = digest.at {
        let at = time_of_day("digest.at", &v)?;
        s.digest_at = Some(at);
    }
    if let Some(tz) = timezone {
        s.timezone = tz.parse().map_err(|_| {
            err(
                "WARROOM_CONFIG (timezone)",
                format!("`{tz}` is not a time zone such as \"Europe/Berlin\""),
            )
        })?;
    }
    Ok(())
}

/// The canonical names of severities written in any spelling under the config key `key`.
pub(super) fn severity_names(
    severities: &Severities,
    key: &str,
    names: &[String],
) -> Result<Vec<String>, ConfigError> {
    names
        .iter()
        .map(|n| {
            severities
                .parse(n)
                .map(|rank| severities.get(rank).name.clone())
                .ok_or_else(|| {
                    err(
                        &format!("WARROOM_CONFIG ({key})"),
                        format!("`{n}` is not a configured severity"),
                    )
                })
        })
        .collect()
}

/// `[customer_notification]`: when customers are owed a notification.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileNotice {
    outage_severities: Option<Vec<String>>,
    outage_after: Option<String>,
    outage_within: Option<String>,
    breach_within: Option<String>,
}

impl FileNotice {
    pub(super) fn apply(
        self,
        severities: &Severities,
    ) -> Result<crate::incident::schedule::NoticeConfig, ConfigError> {
        let mut notice = crate::incident::schedule::NoticeConfig::default();
        if let Some(names) = self.outage_severities {
            notice.outage_severities = Some(severity_names(
                severities,
                "customer_notification.outage_severities",
                &names,
            )?);
        }
        if let Some(v) = self.outage_after {
            notice.outage_after = positive("customer_notification.outage_after", &v)?;
        }
        if let Some(v) = self.outage_within {
            notice.outage_within = positive("customer_notification.outage_within", &v)?;
        }
        if let Some(v) = self.breach_within {
            notice.breach_within = positive("customer_notification.breach_within", &v)?;
        }
        Ok(notice)
    }
}

/// A time of day such as "09:00" for the config key `key`.
pub(super) fn time_of_day(key: &str, v: &str) -> Result<chrono::NaiveTime, ConfigError> {
    chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M:%S"))
        .map_err(|_| {
            err(
                &format!("WARROOM_CONFIG ({key})"),
                format!("`{v}` is not a time of day such as \"09:00\""),
            )
        })
}
