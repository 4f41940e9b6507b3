//! Turning a run's samples into the figures it prints.

use super::*;

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub(crate) fn summary(label: &str, mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "{label}: n={} p50={:.1} p95={:.1} p99={:.1} p99.9={:.1} max={:.1}",
        values.len(),
        percentile(&values, 0.5),
        percentile(&values, 0.95),
        percentile(&values, 0.99),
        percentile(&values, 0.999),
        values.last().copied().unwrap_or(f64::NAN)
    )
}

pub(crate) fn report(args: &Args, (results, elapsed): (Results, Duration), servers: &[Server]) {
    let sent = results.latencies_ms.len();
    println!(
        "scenario {:?}: {sent} requests in {:.1} s = {:.0} req/s (target {} req/s)",
        args.scenario,
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        args.rate
    );
    println!(
        "non-2xx: {}, over 1 s: {}",
        results.non_2xx, results.over_1s
    );
    println!(
        "{}",
        summary(
            "ack latency (ms, from intended send time)",
            results.latencies_ms
        )
    );
    let rss = servers[0].rss_kb.lock().unwrap().clone();
    // Growth is measured from the end of the warm-up (the first tenth of the run) to the end.
    let (Some(&start), Some(&warm), Some(&last)) =
        (rss.first(), rss.get(rss.len() / 10), rss.last())
    else {
        return;
    };
    println!(
        "warroom peak RSS: {} kB; RSS at start {} kB, after warm-up {warm} kB, at end {last} kB ({:+.1} % since warm-up)",
        servers[0].peak_rss_kb.lock().unwrap(),
        start,
        (last as f64 - warm as f64) * 100.0 / warm as f64
    );
}
