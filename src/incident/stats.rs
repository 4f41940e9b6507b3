//! Incident metrics as a report: for each severity how many incidents were declared in a period
//! and how long they took to be detected, acknowledged, contained and resolved (MTTD, MTTA, MTTC,
//! MTTR) against their targets; then breach-notification compliance, post-incident review
//! completion and the corrective actions still open. The figures are computed by the database
//! (`store::stats`); this is their shape, what counts as a target met, and how a period is asked
//! for.
//!
//! How an incident that has not reached a point yet counts against its target: once its target
//! has passed (an open incident never acknowledged within 15 minutes) it has missed it; while it
//! is still inside its target it is not counted, neither met nor missed. Cancelled incidents are
//! left out of every figure.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::time::Duration;

pub mod range;
pub mod targets;

pub use range::{Period, RangeError, StatsRange};
pub use targets::{Metric, Targets};

/// The whole report, as `/incident stats` and `warroom stats` give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    /// Incidents declared in this period are counted.
    pub period: Period,
    /// The moment the figures were computed at: what "still inside its target" is judged by.
    pub generated_at: DateTime<Utc>,
    /// The configured severities in their order, then any severity an incident still carries that
    /// is no longer configured.
    pub severities: Vec<SeverityStats>,
    /// Personal-data breaches discovered in the period.
    pub breach_notification: BreachCompliance,
    /// The customer-notification clocks.
    pub customer_notification: CustomerNotification,
    /// Post-incident reviews of the incidents declared in the period that are due one.
    pub review_completion: Compliance,
    /// Corrective actions of the incidents declared in the period.
    pub corrective_actions: ActionCounts,
}

/// The figures of one severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityStats {
    /// Its configured name.
    pub severity: String,
    /// Incidents declared in the period, open ones included.
    pub incidents: u64,
    pub mttd: Figure,
    pub mtta: Figure,
    pub mttc: Figure,
    pub mttr: Figure,
}

impl SeverityStats {
    /// The figure of `metric`.
    pub fn figure(&self, metric: Metric) -> &Figure {
        match metric {
            Metric::Mttd => &self.mttd,
            Metric::Mtta => &self.mtta,
            Metric::Mttc => &self.mttc,
            Metric::Mttr => &self.mttr,
        }
    }
}

/// What the database measured of one metric over one severity's incidents.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measured {
    /// Incidents that have reached the point measured.
    pub reached: u64,
    /// Mean, median and 90th percentile in seconds, over those that reached it.
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    /// Reached within the target.
    pub met: u64,
    /// Reached after the target, or not reached while the target has passed.
    pub missed: u64,
}

/// One metric of one severity: its mean, median and 90th percentile over the incidents that
/// reached the point measured, and how many of them met the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub reached: u64,
    pub mean_seconds: Option<f64>,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub target_seconds: Option<u64>,
    pub met: u64,
    pub missed: u64,
    /// `met` out of `met + missed`, from 0 to 100; `None` without a target or with nothing decided.
    pub met_percent: Option<f64>,
}

impl Figure {
    /// The figure for what was measured, beside its target (met and missed count only with one).
    pub fn new(measured: Measured, target: Option<Duration>) -> Self {
        let (met, missed) = match target {
            Some(_) => (measured.met, measured.missed),
            None => (0, 0),
        };
        Figure {
            reached: measured.reached,
            mean_seconds: measured.mean.map(millis),
            p50_seconds: measured.p50.map(millis),
            p90_seconds: measured.p90.map(millis),
            target_seconds: target.map(|t| t.as_secs()),
            met,
            missed,
            met_percent: percent(met, missed),
        }
    }
}

/// How many of a set of deadlines were kept, missed, or are still running.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Compliance {
    /// Every incident the figure is about: `met + missed + pending`.
    pub incidents: u64,
    pub met: u64,
    pub missed: u64,
    /// Not done yet, and not due yet.
    pub pending: u64,
    /// `met` out of `met + missed`, from 0 to 100; `None` when nothing is decided yet.
    pub met_percent: Option<f64>,
}

impl Compliance {
    /// From the counts of each outcome.
    pub fn new(met: u64, missed: u64, pending: u64) -> Self {
        Compliance {
            incidents: met + missed + pending,
            met,
            missed,
            pending,
            met_percent: percent(met, missed),
        }
    }
}

/// Breach notifications: the authority notified within the window of discovery.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BreachCompliance {
    /// The configured window (72 hours unless `breach.window` says otherwise).
    pub window_seconds: u64,
    #[serde(flatten)]
    pub compliance: Compliance,
}

/// The customer-notification clocks: customers told, by an approved client-safe summary, in time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerNotification {
    /// Severe incidents still unresolved `outage_after_seconds` after their declaration, to be
    /// told within `outage_within_seconds` of it.
    pub outage_after_seconds: u64,
    pub outage_within_seconds: u64,
    pub outage: Compliance,
    /// Personal-data breaches (by discovery), to be told within `breach_within_seconds` of it.
    pub breach_within_seconds: u64,
    pub breach: Compliance,
}

/// Corrective actions still open, and those of them past their due date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionCounts {
    pub open: u64,
    /// Open, with a due date before `today`.
    pub overdue: u64,
    /// The day the report was made, in `timezone`.
    pub today: NaiveDate,
    pub timezone: String,
}

/// Seconds, to the millisecond.
fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// `part` out of `part + rest`, as a percentage to one decimal; `None` out of nothing.
fn percent(part: u64, rest: u64) -> Option<f64> {
    let whole = part + rest;
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// A deadline window as the guides state it: `72h` in whole hours, else as [`short_duration`].
pub fn window(seconds: u64) -> String {
    if seconds > 0 && seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else {
        short_duration(seconds as f64)
    }
}

/// A duration in seconds as people read it: `45s`, `12m 5s`, `3h 20m`, `2d 4h`.
pub fn short_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (days, hours, minutes, secs) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, _) if secs == 0 => format!("{minutes}m"),
        (0, 0, _) => format!("{minutes}m {secs}s"),
        (0, _, 0) => format!("{hours}h"),
        (0, _, _) => format!("{hours}h {minutes}m"),
        (_, 0, _) => format!("{days}d"),
        _ => format!("{days}d {hours}h"),
    }
}

/// A report with a little of everything, for the renderings' tests.
#[cfg(test)]
pub(crate) fn example() -> StatsReport {
    let now: DateTime<Utc> = "2026-12-03T10:00:00Z".parse().expect("a time");
    let measured = |reached, mean, p50, p90, met, missed| Measured {
        reached,
        mean: Some(mean),
        p50: Some(p50),
        p90: Some(p90),
        met,
        missed,
    };
    let minutes = |m: u64| Some(Duration::from_secs(m * 60));
    let none = Figure::new(Measured::default(), None);
    StatsReport {
        period: StatsRange::LastDays(30).period(now),
        generated_at: now,
        severities: vec![
            SeverityStats {
                severity: "SEV-1".into(),
                incidents: 3,
                mttd: Figure::new(measured(3, 600.0, 300.0, 1500.0, 0, 0), None),
                mtta: Figure::new(measured(3, 520.0, 240.0, 1210.0, 2, 1), minutes(15)),
                mttc: Figure::new(measured(2, 2700.0, 2700.0, 3420.0, 1, 1), minutes(60)),
                mttr: Figure::new(measured(1, 9000.0, 9000.0, 9000.0, 1, 0), minutes(240)),
            },
            SeverityStats {
                severity: "SEV-2".into(),
                incidents: 1,
                mttd: Figure::new(measured(1, 0.0, 0.0, 0.0, 0, 0), None),
                mtta: Figure::new(Measured::default(), minutes(30)),
                mttc: none,
                mttr: Figure::new(Measured::default(), minutes(480)),
            },
            SeverityStats {
                severity: "SEV-3".into(),
                incidents: 0,
                mttd: none,
                mtta: none,
                mttc: none,
                mttr: none,
            },
        ],
        breach_notification: BreachCompliance {
            window_seconds: 72 * 3600,
            compliance: Compliance::new(2, 1, 1),
        },
        customer_notification: CustomerNotification {
            outage_after_seconds: 3600,
            outage_within_seconds: 4 * 3600,
            outage: Compliance::new(1, 1, 0),
            breach_within_seconds: 72 * 3600,
            breach: Compliance::new(0, 0, 1),
        },
        review_completion: Compliance::new(0, 0, 0),
        corrective_actions: ActionCounts {
            open: 4,
            overdue: 1,
            today: now.date_naive(),
            timezone: "Europe/Berlin".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_counts_met_and_missed_only_against_a_target() {
        let measured = Measured {
            reached: 3,
            mean: Some(100.123_456),
            p50: Some(90.0),
            p90: Some(200.0),
            met: 2,
            missed: 1,
        };
        let with = Figure::new(measured, Some(Duration::from_secs(900)));
        assert_eq!(
            (with.target_seconds, with.met, with.missed, with.met_percent),
            (Some(900), 2, 1, Some(66.7))
        );
        assert_eq!(with.mean_seconds, Some(100.123));
        let without = Figure::new(measured, None);
        assert_eq!(
            (
                without.target_seconds,
                without.met,
                without.missed,
                without.met_percent
            ),
            (None, 0, 0, None)
        );
        assert_eq!(without.reached, 3);
    }

    #[test]
    fn compliance_is_the_share_of_decided_deadlines_that_were_kept() {
        let c = Compliance::new(3, 1, 2);
        assert_eq!((c.incidents, c.met_percent), (6, Some(75.0)));
        assert_eq!(Compliance::new(0, 0, 4).met_percent, None);
        assert_eq!(Compliance::new(0, 2, 0).met_percent, Some(0.0));
    }

    #[test]
    fn durations_read_in_their_two_largest_units() {
        for (seconds, text) in [
            (0.4, "0s"),
            (45.0, "45s"),
            (600.0, "10m"),
            (725.0, "12m 5s"),
            (3600.0, "1h"),
            (12_000.0, "3h 20m"),
            (172_800.0, "2d"),
            (187_200.0, "2d 4h"),
            (-5.0, "0s"),
        ] {
            assert_eq!(short_duration(seconds), text, "{seconds}");
        }
        assert_eq!(window(72 * 3600), "72h");
        assert_eq!(window(90 * 60), "1h 30m");
    }
}
