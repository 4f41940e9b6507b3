//! `fake-slack`: the test suite's fake Slack Web API as a process of its own, for the benchmark
//! and the chaos run. Loopback only. Random faults per write, optional per-channel pace
//! enforcement, and `GET /_ledger`, `GET /_stats`, `POST /_faults` for inspection and control.
//!
//! ```text
//! fake-slack --listen 127.0.0.1:3499 --rate-limited 0.05 --server-error 0.05 --reset 0.02
//! ```

#[path = "../../tests/api/fake_slack.rs"]
#[expect(
    dead_code,
    reason = "the test fake carries helpers only the test suite uses"
)]
#[expect(
    unreachable_pub,
    reason = "the test fake's items are public to the test suite"
)]
mod fake_slack;

use clap::Parser;
use std::{net::SocketAddr, time::Duration};

/// A fake Slack Web API on loopback.
#[derive(Parser)]
struct Args {
    /// Where to listen (loopback only).
    #[arg(long, default_value = "127.0.0.1:3499")]
    listen: SocketAddr,
    /// Share of writes answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    rate_limited: f64,
    /// Share of writes answered 503.
    #[arg(long, default_value_t = 0.0)]
    server_error: f64,
    /// Share of writes processed but answered only after --slow-accept-ms.
    #[arg(long, default_value_t = 0.0)]
    slow_accept: f64,
    #[arg(long, default_value_t = 20_000)]
    slow_accept_ms: u64,
    /// Share of writes processed and then answered with a broken connection.
    #[arg(long, default_value_t = 0.0)]
    reset: f64,
    /// Share of writes refused for good (channel_not_found).
    #[arg(long, default_value_t = 0.0)]
    permanent: f64,
    /// The Retry-After the 429s carry.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Refuse posts into a channel sooner than this after the previous one (0: off).
    #[arg(long, default_value_t = 0)]
    channel_pace_ms: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if !args.listen.ip().is_loopback() {
        eprintln!("fake-slack: listens on loopback addresses only");
        std::process::exit(2);
    }
    let fake = fake_slack::FakeSlack::start_on(args.listen).await;
    fake.set_fault_mix(fake_slack::FaultMix {
        rate_limited: args.rate_limited,
        server_error: args.server_error,
        slow_accept: args.slow_accept,
        slow_accept_ms: args.slow_accept_ms,
        reset: args.reset,
        permanent: args.permanent,
        retry_after_secs: args.retry_after,
    });
    fake.enforce_channel_pace(Duration::from_millis(args.channel_pace_ms));
    println!("listening on {}", fake.api_url().trim_end_matches("/api"));
    let _ = tokio::signal::ctrl_c().await;
}
