//! The `storm` scenario: declares (100 unless told) within 10 s into one channel, pacing on (one
//! post a second unless told), and when the SEV-1 cards and then all cards were posted, with the
//! pace kept at the start of the backlog and at its end.

use super::{Args, Server, fake_slack, open_loop, requests::slash, summary, unix_ms};
use std::time::{Duration, Instant};

pub(crate) async fn storm(
    args: &Args,
    base: &str,
    fake: &fake_slack::FakeSlack,
    fake_base: &str,
    servers: &[Server],
) {
    let n = args.declares;
    let pace = args.scenario_pace();
    let sev1_total = n.div_ceil(5) as usize;
    let started = unix_ms();
    let (results, elapsed) = open_loop(base, n.div_ceil(10), n, |i| {
        let severity = if i % 5 == 0 { "sev1" } else { "sev3" };
        slash(
            &format!("declare {severity} Storm incident {i}"),
            7_000_000 + i,
            fake_base,
        )
    })
    .await;
    // Twice the floor the pace sets for every card and its first thread reply, and ten minutes.
    let floor = pace.mul_f64(2.0 * n as f64);
    let deadline = Instant::now() + floor.max(Duration::from_secs(600));
    let (mut sev1_done, mut all_done) = (None, None);
    let mut cards = Vec::new();
    while all_done.is_none() && Instant::now() < deadline {
        cards = fake
            .messages()
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect();
        let sev1 = cards
            .iter()
            .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("[SEV-1]")))
            .count();
        if sev1 >= sev1_total && sev1_done.is_none() {
            sev1_done = Some(unix_ms() - started);
        }
        if cards.len() as u64 >= n {
            all_done = Some(unix_ms() - started);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Cards go before thread replies and SEV-1 before SEV-3: were they all posted first?
    let first_sev3 = cards
        .iter()
        .position(|m| m.text.as_deref().is_some_and(|t| t.contains("[SEV-3]")));
    let last_sev1 = cards
        .iter()
        .rposition(|m| m.text.as_deref().is_some_and(|t| t.contains("[SEV-1]")));
    let posts: Vec<u128> = fake.messages().iter().map(|m| m.accepted_at_ms).collect();
    println!(
        "storm: {n} declares sent in {:.1} s, {} acknowledged, non-2xx {}",
        elapsed.as_secs_f64(),
        results.declared_at_ms.len(),
        results.non_2xx
    );
    println!(
        "every SEV-1 card ({sev1_total}) posted after {sev1_done:?} ms; all {n} cards after {all_done:?} ms (pacing {pace:?} into one channel; the floors are {:?} and {:?})",
        pace.mul_f64(sev1_total as f64),
        pace.mul_f64(n as f64)
    );
    println!(
        "the last SEV-1 card is card {:?}, the first SEV-3 card is card {:?} (after a few cards posted before the backlog formed, every SEV-1 card first)",
        last_sev1.map(|i| i + 1),
        first_sev3.map(|i| i + 1)
    );
    println!(
        "posts/s into the channel over its first 100 posts: {:.2}; over its last 100: {:.2}; of {:.2} allowed",
        rate(posts.iter().take(100)),
        rate(posts.iter().rev().take(100)),
        1.0 / pace.as_secs_f64()
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

/// Posts per second over the posts accepted at these times (milliseconds).
fn rate<'a>(times: impl Iterator<Item = &'a u128>) -> f64 {
    let times: Vec<u128> = times.copied().collect();
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return 0.0;
    };
    if last == first {
        return 0.0;
    }
    (times.len() - 1) as f64 * 1000.0 / (last - first) as f64
}
