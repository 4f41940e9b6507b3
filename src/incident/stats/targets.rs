//! The four times measured for each incident, and the target each severity sets for them.

use crate::incident::Severities;
use std::{collections::BTreeMap, time::Duration};

/// One of the times measured for each incident, from one moment of its life to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Impact started → detected (the declaration).
    Mttd,
    /// Declared → acknowledged.
    Mtta,
    /// Declared → contained.
    Mttc,
    /// Detected (declared) → resolved.
    Mttr,
}

impl Metric {
    /// Every metric, in the order reports show them.
    pub const ALL: [Metric; 4] = [Metric::Mttd, Metric::Mtta, Metric::Mttc, Metric::Mttr];

    /// Its key in the config file and in JSON: `mttd`, `mtta`, `mttc`, `mttr`.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Mttd => "mttd",
            Metric::Mtta => "mtta",
            Metric::Mttc => "mttc",
            Metric::Mttr => "mttr",
        }
    }

    /// Its abbreviation as people write it.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Metric::Mttd => "MTTD",
            Metric::Mtta => "MTTA",
            Metric::Mttc => "MTTC",
            Metric::Mttr => "MTTR",
        }
    }

    /// How an incident that reached this point is said to be: "acknowledged" and so on.
    pub fn reached(self) -> &'static str {
        match self {
            Metric::Mttd => "detected",
            Metric::Mtta => "acknowledged",
            Metric::Mttc => "contained",
            Metric::Mttr => "resolved",
        }
    }
}

/// The target time of each metric for each severity, by the severity's configured name. A
/// severity without a target for a metric is reported without one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Targets(BTreeMap<Metric, BTreeMap<String, Duration>>);

impl Targets {
    /// The incident-response guide's targets: acknowledged within 15 minutes and resolved within
    /// 4 hours for the most severe level, 30 minutes and 8 hours for the next; none for the
    /// others, and none for detection and containment.
    pub fn guide(severities: &Severities) -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let mut targets = Targets::default();
        for ((_, level), (ack, resolve)) in severities.iter().zip([(15, 240), (30, 480)]) {
            targets.set(Metric::Mtta, level.name.clone(), minutes(ack));
            targets.set(Metric::Mttr, level.name.clone(), minutes(resolve));
        }
        targets
    }

    /// The target of `metric` for the severity named `severity` (as configured), if it has one.
    pub fn get(&self, metric: Metric, severity: &str) -> Option<Duration> {
        self.0.get(&metric)?.get(severity).copied()
    }

    /// Replaces every target of `metric` with `by_severity` (configured names).
    pub fn replace(&mut self, metric: Metric, by_severity: BTreeMap<String, Duration>) {
        self.0.insert(metric, by_severity);
    }

    fn set(&mut self, metric: Metric, severity: String, target: Duration) {
        self.0.entry(metric).or_default().insert(severity, target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_sets_acknowledge_and_resolve_targets_for_the_two_most_severe_levels_only() {
        let targets = Targets::guide(&Severities::builtin());
        let minutes = |m: u64| Some(Duration::from_secs(m * 60));
        assert_eq!(targets.get(Metric::Mtta, "SEV-1"), minutes(15));
        assert_eq!(targets.get(Metric::Mtta, "SEV-2"), minutes(30));
        assert_eq!(targets.get(Metric::Mttr, "SEV-1"), minutes(240));
        assert_eq!(targets.get(Metric::Mttr, "SEV-2"), minutes(480));
        for severity in ["SEV-3", "SEV-4"] {
            for metric in Metric::ALL {
                assert_eq!(targets.get(metric, severity), None, "{metric:?} {severity}");
            }
        }
        for metric in [Metric::Mttd, Metric::Mttc] {
            assert_eq!(targets.get(metric, "SEV-1"), None);
        }
    }
}
