//! The `e2e` scenario: closed loop, a fixed number of declarers each sending a declare, waiting
//! until its card **and** its first thread reply have been accepted by the fake Slack, and
//! declaring again. Pacing off, the fake answers at once. In the same run, the database's own
//! ceilings (pgbench) and the fake's, so each figure is also a ratio to what this machine could
//! do at that moment.

use super::{
    Args, SECRET, Server, ceiling, fake_slack::FakeSlack, incident_of, report::percentile,
    requests::slash, summary,
};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::Notify;
use warroom::{config::Secret, slack::verify::Verifier};

/// When each incident's first thread reply was seen, filled in by [`watch`].
#[derive(Default)]
struct Seen {
    /// Card ts → incident.
    cards: HashMap<String, String>,
    done: HashMap<String, Instant>,
}

/// One level's figures.
struct Level {
    declarers: usize,
    completed: usize,
    turned_away: usize,
    elapsed: Duration,
    e2e_ms: Vec<f64>,
    ack_ms: Vec<f64>,
}

impl Level {
    fn rate(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64()
    }
}

/// Follows the fake's ledger and marks an incident done when a reply lands in its card's thread.
async fn watch(fake: FakeSlack, seen: Arc<Mutex<Seen>>, wake: Arc<Notify>) {
    let mut read = 0;
    loop {
        let new = fake.messages_after(read);
        read += new.len();
        if !new.is_empty() {
            let now = Instant::now();
            let mut seen = seen.lock().unwrap();
            for m in new {
                match &m.thread_ts {
                    None => {
                        if let Some(id) = incident_of(&m) {
                            seen.cards.insert(m.ts.clone(), id);
                        }
                    }
                    Some(card) => {
                        if let Some(id) = seen.cards.get(card).cloned() {
                            seen.done.entry(id).or_insert(now);
                        }
                    }
                }
            }
            drop(seen);
            wake.notify_waiters();
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
}

/// Runs `declarers` closed loops for `length`.
async fn level(
    base: &str,
    fake_base: &str,
    declarers: usize,
    length: Duration,
    seen: &Arc<Mutex<Seen>>,
    wake: &Arc<Notify>,
    next: &Arc<AtomicU64>,
) -> Level {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(declarers)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let stop_at = started + length;
    let mut tasks = Vec::new();
    for _ in 0..declarers {
        let (client, base, fake_base) = (client.clone(), base.to_owned(), fake_base.to_owned());
        let (seen, wake, next) = (seen.clone(), wake.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let verifier = Verifier::new(Secret::new(SECRET));
            let (mut e2e, mut acks, mut turned_away) = (Vec::new(), Vec::new(), 0);
            while Instant::now() < stop_at {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let (path, content_type, body) =
                    slash(&format!("declare sev2 End to end {n}"), n, &fake_base);
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let sent = Instant::now();
                let answer = client
                    .post(format!("{base}{path}"))
                    .header("content-type", content_type)
                    .header("x-slack-request-timestamp", ts.to_string())
                    .header("x-slack-signature", verifier.sign(ts, body.as_bytes()))
                    .body(body)
                    .send()
                    .await;
                let text = match answer {
                    Ok(r) if r.status().is_success() => r.text().await.unwrap_or_default(),
                    _ => String::new(),
                };
                acks.push(sent.elapsed().as_secs_f64() * 1000.0);
                let Some(id) = text
                    .split("Declaring *")
                    .nth(1)
                    .and_then(|t| t.split('*').next())
                    .map(|id| id.trim_end_matches('…').to_owned())
                else {
                    turned_away += 1;
                    continue;
                };
                let give_up = Instant::now() + Duration::from_secs(30);
                loop {
                    let woken = wake.notified();
                    tokio::pin!(woken);
                    woken.as_mut().enable();
                    if let Some(at) = seen.lock().unwrap().done.get(&id) {
                        if *at <= stop_at {
                            e2e.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                        }
                        break;
                    }
                    if Instant::now() > give_up {
                        break;
                    }
                    let _ = tokio::time::timeout(Duration::from_millis(50), woken).await;
                }
            }
            (e2e, acks, turned_away)
        }));
    }
    let mut out = Level {
        declarers,
        completed: 0,
        turned_away: 0,
        elapsed: length,
        e2e_ms: Vec::new(),
        ack_ms: Vec::new(),
    };
    for t in tasks {
        if let Ok((e2e, acks, turned_away)) = t.await {
            out.completed += e2e.len();
            out.e2e_ms.extend(e2e);
            out.ack_ms.extend(acks);
            out.turned_away += turned_away;
        }
    }
    out
}

/// The fake's own ceiling: posts answered per second at `clients` concurrent callers.
async fn fake_ceiling(fake: &FakeSlack, clients: usize, length: Duration) -> f64 {
    let client = reqwest::Client::new();
    let url = format!("{}/chat.postMessage", fake.api_url());
    let stop_at = Instant::now() + length;
    let done = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let (client, url, done) = (client.clone(), url.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < stop_at {
                    let body =
                        serde_json::json!({ "channel": format!("C0FAKE{i}"), "text": "ceiling" });
                    if client.post(&url).json(&body).send().await.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / length.as_secs_f64()
}

/// The `e2e` scenario; `servers[0]` is the warroom under test.
pub(crate) async fn e2e(
    args: &Args,
    fake: &FakeSlack,
    fake_base: &str,
    servers: &[Server],
    db_url: &str,
) -> anyhow::Result<()> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let wake = Arc::new(Notify::new());
    let watcher = tokio::spawn(watch(fake.clone(), seen.clone(), wake.clone()));
    let next = Arc::new(AtomicU64::new(1));
    let base = &servers[0].base;
    let mut levels = Vec::new();
    for &declarers in &args.declarers {
        // A short warm-up at this level, not counted.
        level(
            base,
            fake_base,
            declarers,
            Duration::from_secs(2),
            &seen,
            &wake,
            &next,
        )
        .await;
        let l = level(
            base,
            fake_base,
            declarers,
            args.duration,
            &seen,
            &wake,
            &next,
        )
        .await;
        println!(
            "e2e {declarers:>3} declarers: {} declares in {:.1} s = {:.0} declares/s (card and first reply accepted); {} turned away",
            l.completed,
            l.elapsed.as_secs_f64(),
            l.rate(),
            l.turned_away
        );
        println!(
            "  {}",
            summary("declare → first thread reply (ms)", l.e2e_ms.clone())
        );
        println!("  {}", summary("ack (ms)", l.ack_ms.clone()));
        levels.push(l);
    }
    watcher.abort();
    println!(
        "warroom peak RSS: {} kB",
        servers[0].peak_rss_kb.lock().unwrap()
    );
    let fake_rate = fake_ceiling(fake, 16, Duration::from_secs(3)).await;
    println!("fake Slack's own ceiling: {fake_rate:.0} posts/s at 16 callers");
    let length = args.duration.min(Duration::from_secs(15));
    let mut ceilings = Vec::new();
    for script in [ceiling::Script::Warroom, ceiling::Script::Minimal] {
        let mut best: f64 = 0.0;
        for l in &levels {
            let tps = ceiling::pgbench(db_url, script, l.declarers, length).await?;
            println!(
                "pgbench {} at {} clients: {tps:.0} declares/s",
                script.label(),
                l.declarers
            );
            best = best.max(tps);
        }
        ceilings.push((script, best));
    }
    println!(
        "\n| declarers | declares/s | e2e p50 | e2e p99 | ÷ warroom's statements | ÷ minimal declare |"
    );
    println!("|---|---|---|---|---|---|");
    for l in &levels {
        let mut sorted = l.e2e_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |p: f64| percentile(&sorted, p);
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.2} | {:.2} |",
            l.declarers,
            l.rate(),
            at(0.5),
            at(0.99),
            l.rate() / ceilings[0].1,
            l.rate() / ceilings[1].1
        );
    }
    println!(
        "ceilings (best over the levels): warroom's declare statements {:.0}/s, minimal declare {:.0}/s; fake {fake_rate:.0} posts/s",
        ceilings[0].1, ceilings[1].1
    );
    Ok(())
}
