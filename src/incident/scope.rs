//! Where an incident happened, what it touches, when its impact began and how it came to light:
//! the facts the report states and MTTD is measured from (impact started → detected, the
//! declaration being the moment warroom learned of it).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How the incident was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detection {
    MonitoringAlert,
    CustomerReport,
    InternalReport,
    SecurityReview,
    ThirdParty,
}

impl Detection {
    /// Every way, in the order the forms offer them.
    pub const ALL: [Detection; 5] = [
        Detection::MonitoringAlert,
        Detection::CustomerReport,
        Detection::InternalReport,
        Detection::SecurityReview,
        Detection::ThirdParty,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            Detection::MonitoringAlert => "monitoring_alert",
            Detection::CustomerReport => "customer_report",
            Detection::InternalReport => "internal_report",
            Detection::SecurityReview => "security_review",
            Detection::ThirdParty => "third_party",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Detection::MonitoringAlert => "Monitoring alert",
            Detection::CustomerReport => "Customer report",
            Detection::InternalReport => "Internal report",
            Detection::SecurityReview => "Security review or audit",
            Detection::ThirdParty => "Third party",
        }
    }

    /// The way stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key)
    }
}

/// The environment the incident is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    #[default]
    Production,
    Staging,
    Local,
}

impl Environment {
    /// Every environment, in the order the forms offer them.
    pub const ALL: [Environment; 3] = [
        Environment::Production,
        Environment::Staging,
        Environment::Local,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
            Environment::Local => "local",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Environment::Production => "Production",
            Environment::Staging => "Staging",
            Environment::Local => "Local",
        }
    }

    /// The environment stored (or typed) as `key`, in any case.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.key().eq_ignore_ascii_case(key.trim()))
    }
}

/// Longest list of affected services kept.
pub const MAX_SERVICES_CHARS: usize = 500;

/// Where the incident happened, what it touches, and how and since when it was known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// When the impact began, as the declarer knew it; `None` on incidents declared before it was
    /// asked, which count from their declaration.
    pub impact_started_at: Option<DateTime<Utc>>,
    pub detection: Option<Detection>,
    pub environment: Environment,
    pub affected_services: Option<String>,
}

/// A finding recorded during the incident: the confirmed root cause, or the fix deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub at: DateTime<Utc>,
}

/// The milestones after detection that the incident row keeps for the metrics and the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// When the incident first reached Contained (or went past it).
    pub contained_at: Option<DateTime<Utc>>,
    pub root_cause: Option<Finding>,
    pub fix: Option<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_back() {
        for d in Detection::ALL {
            assert_eq!(Detection::parse(d.key()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), serde_json::json!(d.key()));
        }
        for e in Environment::ALL {
            assert_eq!(Environment::parse(e.key()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), serde_json::json!(e.key()));
        }
        assert_eq!(Environment::parse(" Staging "), Some(Environment::Staging));
        assert_eq!(Environment::parse("prod"), None);
    }
}
