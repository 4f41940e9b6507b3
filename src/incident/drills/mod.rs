//! Drills: tabletop exercises run as incidents flagged `drill`. A drill goes through the same
//! lifecycle as a real incident, but everything it shows says DRILL, its escalations call in only
//! its declarer (unless configured otherwise), nothing about it leaves the company, and it stays
//! out of the metrics, the digest, search and the default lists.
//!
//! A **scenario** is a scripted drill: an incident type, a severity, a title and a few
//! **injects** — things that "happen" at set times after the declaration ("T+5m: customers report
//! double charges"), each armed as a reminder of its own (`drill_inject:N`) and posted into the
//! drill's thread when it comes due. The built-in scenarios are `scenarios.toml`; a config file's
//! `[[drills.scenario]]` list replaces them.

mod inject;
mod spec;

pub use inject::{arm_injects, fire_inject, inject_kind, inject_number, t_plus};
pub use spec::{InjectSpec, ScenarioError, ScenarioSpec};

use super::SeverityRank;
use std::time::Duration;

/// A scripted drill, checked against the configured severities and incident types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// What `/incident drill scenario <name>` names it by (matched in any case).
    pub name: String,
    pub incident_type: Option<String>,
    /// `None`: the configured default severity.
    pub severity: Option<SeverityRank>,
    pub title: String,
    /// In the order they come due, numbered from 1 in that order.
    pub injects: Vec<Inject>,
}

/// One thing that happens during a scenario, `after` the declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    pub after: Duration,
    pub text: String,
}

impl Scenario {
    /// How long the scenario runs: until its last inject.
    pub fn length(&self) -> Duration {
        self.injects
            .iter()
            .map(|i| i.after)
            .max()
            .unwrap_or_default()
    }
}

/// The configured scenarios, in the order they were written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scenarios(Vec<Scenario>);

impl Scenarios {
    /// The scenario called `name`, in any case.
    pub fn find(&self, name: &str) -> Option<&Scenario> {
        let name = name.trim();
        self.0.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Every scenario, in the configured order.
    pub fn iter(&self) -> impl Iterator<Item = &Scenario> {
        self.0.iter()
    }

    /// Every scenario's name, in the configured order.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|s| s.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests;
