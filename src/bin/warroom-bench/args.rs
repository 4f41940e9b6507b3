//! What `warroom-bench` is told: the scenario and its settings.

use clap::{Parser, ValueEnum};
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
pub(crate) enum Scenario {
    /// `/incident list`: reads only.
    List,
    /// `/incident declare`: one transaction each.
    Declare,
    /// Acknowledge and status clicks on existing incidents.
    Click,
    /// 70 % clicks, 20 % lists, 10 % declares.
    Mix,
    /// `--declares` (100 unless told) within 10 s into one channel, pacing on at `--pace`.
    Storm,
    /// Open incidents whose update reminders come due, several replicas.
    Reminders,
    /// Closed loop: each declarer waits for its card and first thread reply, then declares
    /// again; with the database's and the fake's ceilings measured in the same run.
    E2e,
    /// `--pending N` posts already queued for one channel, pacing on at `--pace`.
    Backlog,
    /// The stats report over `--incidents` seeded incidents (100,000 unless told), no server.
    Stats,
    /// The post-incident report of one incident with `--entries` timeline entries, no server.
    Report,
}

/// Measures warroom on this machine.
#[derive(Parser)]
pub(crate) struct Args {
    #[arg(long, value_enum, default_value = "declare")]
    pub(crate) scenario: Scenario,
    /// Requests per second, sent open loop.
    #[arg(long, default_value_t = 500)]
    pub(crate) rate: u64,
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub(crate) duration: Duration,
    /// Per-channel pacing on (one post a second) instead of off.
    #[arg(long)]
    pub(crate) pacing: bool,
    #[arg(long, default_value = "target/release/warroom")]
    pub(crate) warroom_bin: String,
    /// For `reminders`: open incidents (1,000 unless told) and replicas; for `stats`: incidents
    /// seeded (100,000 unless told).
    #[arg(long)]
    pub(crate) incidents: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub(crate) replicas: usize,
    /// For `reminders`: the span over which their due times are spread.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub(crate) spread: Duration,
    /// For `e2e`: the numbers of concurrent declarers, one level after another.
    #[arg(long, value_delimiter = ',', default_values_t = [4, 16, 64])]
    pub(crate) declarers: Vec<usize>,
    /// For `backlog`: posts queued for the incidents channel before the run.
    #[arg(long, default_value_t = 1000)]
    pub(crate) pending: usize,
    /// The pace into one channel, for `backlog` (100 ms unless told) and `storm` (1 s unless told).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub(crate) pace: Option<Duration>,
    /// For `storm`: declares sent within 10 s (every fifth a SEV-1).
    #[arg(long, default_value_t = 100)]
    pub(crate) declares: u64,
    /// How warroom and pgbench reach Postgres: `prefer` (TLS when the server offers it, as
    /// libpq and sqlx do by default) or `disable` (plain TCP on loopback).
    #[arg(long, default_value = "prefer")]
    pub(crate) db_sslmode: String,
    /// For `stats`: reports computed per period; for `report`: reports built.
    #[arg(long, default_value_t = 200)]
    pub(crate) iterations: usize,
    /// For `report`: the incident's timeline entries.
    #[arg(long, default_value_t = 5000)]
    pub(crate) entries: usize,
    /// Measure the database ceilings of a declaration with pgbench instead.
    #[arg(long)]
    pub(crate) db_ceiling: bool,
}

impl Args {
    /// The pace the scenario runs at: `--pace`, or the scenario's own.
    pub(crate) fn scenario_pace(&self) -> Duration {
        let own = match self.scenario {
            Scenario::Storm => Duration::from_secs(1),
            _ => Duration::from_millis(100),
        };
        self.pace.unwrap_or(own)
    }
}
