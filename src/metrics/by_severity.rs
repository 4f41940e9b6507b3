//! The series labelled by severity: incidents declared, and histograms of the time to acknowledge
//! and to resolve, each observed when the event happens. The label values are the configured
//! severities' names, fixed when the process starts, so the series cannot grow without bound.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// The histograms' bucket bounds in seconds, from a minute to a week: acknowledgements take
/// minutes, resolutions hours to days.
pub const BUCKETS: [f64; 12] = [
    60.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0, 28_800.0, 86_400.0, 259_200.0,
    604_800.0,
];

/// Observations of one duration: a count per bucket (the last for those beyond every bound) and
/// their sum.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_millis: AtomicU64,
}

impl Histogram {
    fn observe(&self, seconds: f64) {
        let seconds = seconds.max(0.0);
        let bucket = BUCKETS
            .iter()
            .position(|le| seconds <= *le)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_millis
            .fetch_add((seconds * 1000.0).round() as u64, Ordering::Relaxed);
    }

    /// `_bucket`, `_sum` and `_count` lines of one series. The count is the sum of the buckets as
    /// read, so the `+Inf` bucket and `_count` always agree with the finite buckets.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = BUCKETS
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let sum = self.sum_millis.load(Ordering::Relaxed) as f64 / 1000.0;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
    }
}

/// Per-severity counters and histograms, indexed by the severity's rank in the configured list.
#[derive(Debug, Default)]
pub struct BySeverity {
    names: Vec<String>,
    declared: Vec<AtomicU64>,
    to_acknowledge: Vec<Histogram>,
    to_resolve: Vec<Histogram>,
}

const ACKNOWLEDGE: &str = "warroom_time_to_acknowledge_seconds";
const RESOLVE: &str = "warroom_time_to_resolve_seconds";

impl BySeverity {
    /// Series for each of these severity names, most severe first.
    pub fn new(names: Vec<String>) -> Self {
        fn each<T: Default>(names: &[String]) -> Vec<T> {
            names.iter().map(|_| T::default()).collect()
        }
        Self {
            declared: each(&names),
            to_acknowledge: each(&names),
            to_resolve: each(&names),
            names,
        }
    }

    /// An incident of the severity at `rank` was declared. A rank outside the list is not
    /// counted: it has no configured name to be labelled with.
    pub fn declared(&self, rank: usize) {
        if let Some(counter) = self.declared.get(rank) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An incident of the severity at `rank` was acknowledged `seconds` after its declaration.
    pub fn acknowledged_after(&self, rank: usize, seconds: f64) {
        if let Some(h) = self.to_acknowledge.get(rank) {
            h.observe(seconds);
        }
    }

    /// An incident of the severity at `rank` was resolved `seconds` after its declaration.
    pub fn resolved_after(&self, rank: usize, seconds: f64) {
        if let Some(h) = self.to_resolve.get(rank) {
            h.observe(seconds);
        }
    }

    /// One `name{severity="…"} n` line per severity, for the declared counter's family.
    pub fn render_declared(&self, out: &mut String, name: &str) {
        for (severity, counter) in self.names.iter().zip(&self.declared) {
            let _ = writeln!(
                out,
                "{name}{{{}}} {}",
                label(severity),
                counter.load(Ordering::Relaxed)
            );
        }
    }

    /// Both histograms, with their `HELP` and `TYPE` lines.
    pub fn render_histograms(&self, out: &mut String) {
        for (name, help, histograms) in [
            (
                ACKNOWLEDGE,
                "Seconds from an incident's declaration to its acknowledgement, observed when it is acknowledged",
                &self.to_acknowledge,
            ),
            (
                RESOLVE,
                "Seconds from an incident's declaration to its resolution, observed each time it is resolved",
                &self.to_resolve,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
            for (severity, histogram) in self.names.iter().zip(histograms) {
                histogram.render(out, name, &label(severity));
            }
        }
    }
}

/// `severity="…"`, escaped as the text format requires.
fn label(severity: &str) -> String {
    let value = severity
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("severity=\"{value}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(series: &BySeverity) -> String {
        let mut out = String::new();
        series.render_histograms(&mut out);
        out
    }

    #[test]
    fn a_histogram_counts_each_observation_in_every_bucket_from_its_own_upward() {
        let series = BySeverity::new(vec!["SEV-1".into(), "SEV-2".into()]);
        series.acknowledged_after(0, 42.0);
        series.acknowledged_after(0, 600.0);
        series.acknowledged_after(0, 2_000_000.0);
        series.resolved_after(1, 5400.5);
        let text = rendered(&series);
        let a = "warroom_time_to_acknowledge_seconds";
        for line in [
            format!("# TYPE {a} histogram"),
            format!("{a}_bucket{{severity=\"SEV-1\",le=\"60\"}} 1"),
            format!("{a}_bucket{{severity=\"SEV-1\",le=\"300\"}} 1"),
            // A bound is inclusive: 600 s falls in le="600".
            format!("{a}_bucket{{severity=\"SEV-1\",le=\"600\"}} 2"),
            format!("{a}_bucket{{severity=\"SEV-1\",le=\"604800\"}} 2"),
            format!("{a}_bucket{{severity=\"SEV-1\",le=\"+Inf\"}} 3"),
            format!("{a}_sum{{severity=\"SEV-1\"}} 2000642"),
            format!("{a}_count{{severity=\"SEV-1\"}} 3"),
            format!("{a}_bucket{{severity=\"SEV-2\",le=\"+Inf\"}} 0"),
            format!("{a}_count{{severity=\"SEV-2\"}} 0"),
            "warroom_time_to_resolve_seconds_bucket{severity=\"SEV-2\",le=\"3600\"} 0".into(),
            "warroom_time_to_resolve_seconds_bucket{severity=\"SEV-2\",le=\"7200\"} 1".into(),
            "warroom_time_to_resolve_seconds_sum{severity=\"SEV-2\"} 5400.5".into(),
            "warroom_time_to_resolve_seconds_count{severity=\"SEV-2\"} 1".into(),
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line} in\n{text}");
        }
        // Every severity has every bucket, in ascending order, each count at least the one before.
        let sev1: Vec<u64> = text
            .lines()
            .filter(|l| l.starts_with(&format!("{a}_bucket{{severity=\"SEV-1\"")))
            .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(sev1.len(), BUCKETS.len() + 1);
        assert!(sev1.windows(2).all(|w| w[0] <= w[1]), "{sev1:?}");
        assert_eq!(text.matches("# TYPE").count(), 2);
    }

    #[test]
    fn a_rank_outside_the_configured_list_adds_no_series_and_names_are_escaped() {
        let series = BySeverity::new(vec!["P\"1\\".into()]);
        series.declared(0);
        series.declared(7);
        series.acknowledged_after(7, 1.0);
        let mut out = String::new();
        series.render_declared(&mut out, "d");
        assert_eq!(out, "d{severity=\"P\\\"1\\\\\"} 1\n");
        assert!(!rendered(&series).contains("_count{severity=\"P\\\"1\\\\\"} 1"));
    }
}
