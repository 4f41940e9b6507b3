//! Process counters exported at `/metrics` in Prometheus' text format.

use std::fmt::Write;

/// The series labelled by severity: incidents declared, time to acknowledge and to resolve.
pub mod by_severity;

pub use by_severity::BySeverity;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters; each is monotonic for the life of the process.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests_accepted: AtomicU64,
    pub requests_bad_signature: AtomicU64,
    pub requests_malformed: AtomicU64,
    pub requests_database_unavailable: AtomicU64,
    pub incidents_declared: AtomicU64,
    pub slack_calls_ok: AtomicU64,
    pub slack_rate_limited: AtomicU64,
    pub slack_transient_failures: AtomicU64,
    pub slack_permanent_failures: AtomicU64,
    pub outbox_delivered: AtomicU64,
    pub outbox_failed: AtomicU64,
    pub outbox_duplicates_avoided: AtomicU64,
    pub requests_shed: AtomicU64,
    pub outbox_lease_renewal_failures: AtomicU64,
    pub outbox_claims_lost: AtomicU64,
    pub worker_restarts: AtomicU64,
    pub readiness_probes: AtomicU64,
    /// Slack requests being handled right now (a gauge, not a counter).
    requests_in_flight: AtomicU64,
    /// When the delivery loop last claimed outbox rows without an error (milliseconds since the
    /// Unix epoch), and how many claims have failed in a row since.
    outbox_last_claim_ok_ms: AtomicU64,
    outbox_claim_failures_in_a_row: AtomicU64,
    /// Incidents declared, and times to acknowledge and resolve, per configured severity.
    pub by_severity: BySeverity,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Counts one Slack request as in flight until dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.requests_in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Counters, with per-severity series for each of these severity names (most severe first).
    pub fn for_severities(names: Vec<String>) -> Self {
        Self {
            by_severity: BySeverity::new(names),
            ..Self::default()
        }
    }

    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The delivery loop claimed rows (or found none) without an error.
    pub fn claim_succeeded(&self) {
        self.outbox_last_claim_ok_ms
            .store(now_ms(), Ordering::Relaxed);
        self.outbox_claim_failures_in_a_row
            .store(0, Ordering::Relaxed);
    }

    /// A claim failed (the database refused, timed out or had no connection to give).
    pub fn claim_failed(&self) {
        Self::inc(&self.outbox_claim_failures_in_a_row);
    }

    /// Time since the last successful claim.
    pub fn since_last_claim(&self) -> std::time::Duration {
        let last = self.outbox_last_claim_ok_ms.load(Ordering::Relaxed);
        std::time::Duration::from_millis(now_ms().saturating_sub(last))
    }

    /// Whether claims have kept failing for longer than `patience`. Paced or rate-limited
    /// channels never count: those claims succeed and merely return less.
    pub fn claims_failing(&self, patience: std::time::Duration) -> bool {
        self.outbox_claim_failures_in_a_row.load(Ordering::Relaxed) > 0
            && self.since_last_claim() > patience
    }

    /// Marks a Slack request in flight for as long as the guard lives.
    pub fn request_started(&self) -> InFlight<'_> {
        self.requests_in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Like [`Metrics::request_started`], unless `limit` requests are in flight already.
    pub fn try_request_started(&self, limit: u64) -> Option<InFlight<'_>> {
        let admitted = self
            .requests_in_flight
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok();
        if admitted {
            Some(InFlight(self))
        } else {
            Self::inc(&self.requests_shed);
            None
        }
    }

    /// Slack requests being handled right now.
    pub fn requests_in_flight(&self) -> u64 {
        self.requests_in_flight.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &AtomicU64); 16] = [
            (
                "warroom_requests_shed_total",
                "Slash commands and events turned away because too many requests were in flight",
                &self.requests_shed,
            ),
            (
                "warroom_requests_accepted_total",
                "Slack requests verified and handled",
                &self.requests_accepted,
            ),
            (
                "warroom_requests_bad_signature_total",
                "Slack requests refused for a bad, missing or stale signature",
                &self.requests_bad_signature,
            ),
            (
                "warroom_requests_malformed_total",
                "Slack requests refused as malformed",
                &self.requests_malformed,
            ),
            (
                "warroom_requests_database_unavailable_total",
                "Slack requests answered while the database was unreachable",
                &self.requests_database_unavailable,
            ),
            (
                "warroom_slack_calls_ok_total",
                "Slack Web API calls and response_url posts that succeeded",
                &self.slack_calls_ok,
            ),
            (
                "warroom_slack_rate_limited_total",
                "Slack Web API calls answered with a rate limit",
                &self.slack_rate_limited,
            ),
            (
                "warroom_slack_transient_failures_total",
                "Slack Web API calls that failed and will be retried",
                &self.slack_transient_failures,
            ),
            (
                "warroom_slack_permanent_failures_total",
                "Slack Web API calls that failed for good",
                &self.slack_permanent_failures,
            ),
            (
                "warroom_outbox_delivered_total",
                "Outbox rows delivered",
                &self.outbox_delivered,
            ),
            (
                "warroom_outbox_failed_total",
                "Outbox rows given up on",
                &self.outbox_failed,
            ),
            (
                "warroom_outbox_lease_renewal_failures_total",
                "Lease renewals that failed",
                &self.outbox_lease_renewal_failures,
            ),
            (
                "warroom_worker_restarts_total",
                "Background loops (delivery, scheduler, housekeeping) started again after a panic",
                &self.worker_restarts,
            ),
            (
                "warroom_outbox_claims_lost_total",
                "Posts not made because another replica had taken the row over",
                &self.outbox_claims_lost,
            ),
            (
                "warroom_readiness_probes_total",
                "Database checks run for /readyz (at most one a second, however often it is asked)",
                &self.readiness_probes,
            ),
            (
                "warroom_outbox_duplicates_avoided_total",
                "Posts found already in Slack after an ambiguous failure",
                &self.outbox_duplicates_avoided,
            ),
        ];
        let mut out = String::new();
        for (name, help, value) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        // The unlabelled sample counts every declaration, as it did before the labelled ones
        // were added; sum the labelled samples alone (`{severity!=""}`) to avoid counting twice.
        let declared = "warroom_incidents_declared_total";
        let _ = writeln!(
            out,
            "# HELP {declared} Incidents declared: without a label all of them, with one those of each configured severity\n# TYPE {declared} counter\n{declared} {}",
            self.incidents_declared.load(Ordering::Relaxed)
        );
        self.by_severity.render_declared(&mut out, declared);
        self.by_severity.render_histograms(&mut out);
        let _ = writeln!(
            out,
            "# HELP warroom_requests_in_flight Slack requests being handled\n# TYPE warroom_requests_in_flight gauge\nwarroom_requests_in_flight {}",
            self.requests_in_flight()
        );
        let _ = writeln!(
            out,
            "# HELP warroom_outbox_seconds_since_last_claim Seconds since this replica last claimed outbox rows without an error\n# TYPE warroom_outbox_seconds_since_last_claim gauge\nwarroom_outbox_seconds_since_last_claim {:.3}",
            self.since_last_claim().as_secs_f64()
        );
        out
    }
}
