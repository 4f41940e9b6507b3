//! The `storm` scenario: 100 declares within 10 s into one channel, pacing on, and when the
//! SEV-1 cards and then all cards were posted.

use super::{Server, fake_slack, open_loop, requests::slash, summary, unix_ms};
use std::time::{Duration, Instant};

pub(crate) async fn storm(
    base: &str,
    fake: &fake_slack::FakeSlack,
    fake_base: &str,
    servers: &[Server],
) {
    let started = unix_ms();
    let (results, elapsed) = open_loop(base, 10, 100, |n| {
        let severity = if n % 5 == 0 { "sev1" } else { "sev3" };
        slash(
            &format!("declare {severity} Storm incident {n}"),
            7_000_000 + n,
            fake_base,
        )
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(600);
    let (mut sev1_done, mut all_done) = (None, None);
    while all_done.is_none() && Instant::now() < deadline {
        let cards: Vec<_> = fake
            .messages()
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect();
        let sev1 = cards
            .iter()
            .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("[SEV-1]")))
            .count();
        if sev1 >= 20 && sev1_done.is_none() {
            sev1_done = Some(unix_ms() - started);
        }
        if cards.len() >= 100 {
            all_done = Some(unix_ms() - started);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "storm: 100 declares sent in {:.1} s, {} acknowledged, non-2xx {}",
        elapsed.as_secs_f64(),
        results.declared_at_ms.len(),
        results.non_2xx
    );
    println!(
        "every SEV-1 card posted after {sev1_done:?} ms; all 100 cards after {all_done:?} ms (pacing 1 post/s into one channel)"
    );
    println!(
        "{}",
        summary("storm ack latency (ms)", results.latencies_ms)
    );
    println!(
        "warroom peak RSS: {} kB",
        servers[0].peak_rss_kb.lock().unwrap()
    );
}
