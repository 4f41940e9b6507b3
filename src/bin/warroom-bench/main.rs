//! `warroom-bench`: measures a running `warroom serve` on this machine. Open loop: requests are
//! sent at fixed intervals and each latency counts from its intended send time, so a slow server
//! cannot hide its queueing. Requests are signed exactly as Slack signs them; Slack's Web API is
//! the test suite's fake, in this process. Bounded in count and time; loopback only.
//!
//! ```text
//! warroom-bench --scenario declare --rate 1500 --duration 60s
//! warroom-bench --scenario storm            # 100 declares in 10 s into one channel, one post a second
//! warroom-bench --scenario reminders --incidents 10000 --replicas 3
//! warroom-bench --scenario e2e --duration 20s   # closed loop at 4, 16 and 64 declarers
//! warroom-bench --scenario stats            # /incident stats over 100,000 seeded incidents
//! warroom-bench --scenario report           # the report of an incident with 5,000 entries
//! warroom-bench --db-ceiling                # pgbench: warroom's declare statements, a minimal declare
//! ```

mod args;
mod backlog;
mod ceiling;
mod document;
mod e2e;
#[path = "../../../tests/api/fake_slack.rs"]
#[expect(
    dead_code,
    reason = "the test fake carries helpers only the test suite uses"
)]
#[expect(
    unreachable_pub,
    reason = "the test fake's items are public to the test suite"
)]
mod fake_slack;
mod reminders;
mod report;
mod requests;
mod server;
mod stats;
mod storm;

use args::{Args, Scenario};
use report::{report, summary};
use server::{Server, sample_rss, spawn_server};

use ceiling::{db_ceiling, drop_database};
use clap::Parser;
use reminders::REMINDER_SEVERITIES;
use requests::{click, slash};
use sqlx::{Connection, PgConnection};
use std::{
    collections::HashMap,
    process::{Child, Command},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use warroom::{config::Secret, slack::verify::Verifier};

const SECRET: &str = "bench-signing-secret";
const CHANNEL: &str = "C0BENCH";
const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

#[derive(Default)]
struct Results {
    latencies_ms: Vec<f64>,
    non_2xx: usize,
    over_1s: usize,
    declared_at_ms: HashMap<String, u128>,
}

/// Sends `total` requests open loop at `rate`, each built by `make(n)`.
async fn open_loop(
    base: &str,
    rate: u64,
    total: u64,
    make: impl Fn(u64) -> (&'static str, &'static str, String),
) -> (Results, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let verifier = Verifier::new(Secret::new(SECRET));
    let results = Arc::new(Mutex::new(Results::default()));
    let start = tokio::time::Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let intended = start + interval * n as u32;
        tokio::time::sleep_until(intended).await;
        let (path, content_type, body) = make(n);
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let request = client
            .post(format!("{base}{path}"))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", verifier.sign(ts, body.as_bytes()))
            .body(body);
        let results = results.clone();
        tasks.push(tokio::spawn(async move {
            let answer = request.send().await;
            let elapsed = intended.elapsed();
            let (ok, text) = match answer {
                Ok(r) => (r.status().is_success(), r.text().await.unwrap_or_default()),
                Err(_) => (false, String::new()),
            };
            let mut r = results.lock().unwrap();
            r.latencies_ms.push(elapsed.as_secs_f64() * 1000.0);
            r.non_2xx += usize::from(!ok);
            r.over_1s += usize::from(elapsed > Duration::from_secs(1));
            if let Some(id) = text
                .split("Declaring *")
                .nth(1)
                .and_then(|t| t.split('*').next())
            {
                r.declared_at_ms
                    .insert(id.trim_end_matches('…').to_owned(), unix_ms());
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let results = Arc::try_unwrap(results).ok().unwrap().into_inner().unwrap();
    (results, elapsed)
}

fn config_file(pace: &str, extra: &str) -> String {
    let path = std::env::temp_dir().join(format!("warroom-bench-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        format!("{extra}\n[slack]\nchannel_pace = \"{pace}\"\n[database]\nmax_connections = 16\n"),
    )
    .unwrap();
    path.display().to_string()
}

fn incident_of(message: &fake_slack::Message) -> Option<String> {
    let id = message
        .metadata
        .as_ref()?
        .get("event_payload")?
        .get("incident_id")?;
    Some(id.as_str()?.to_owned())
}

async fn card_latencies(
    fake: &fake_slack::FakeSlack,
    declared: &HashMap<String, u128>,
) -> Vec<f64> {
    let deadline = Instant::now() + Duration::from_secs(300);
    let (mut cards, mut seen) = (HashMap::new(), 0);
    loop {
        let new = fake.messages_after(seen);
        seen += new.len();
        cards.extend(
            new.into_iter()
                .filter(|m| m.thread_ts.is_none())
                .filter_map(|m| Some((incident_of(&m)?, m.accepted_at_ms))),
        );
        if declared.keys().all(|id| cards.contains_key(id)) || Instant::now() > deadline {
            return declared
                .iter()
                .filter_map(|(id, at)| cards.get(id).map(|c| c.saturating_sub(*at) as f64))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Loopback only, but reqwest still wants a TLS provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db_name = format!("warroom_bench_{}", std::process::id());
    let db_url = format!(
        "postgres://postgres@127.0.0.1:5432/{db_name}?sslmode={}",
        args.db_sslmode
    );
    let fake = fake_slack::FakeSlack::start().await;
    let fake_base = fake.api_url().trim_end_matches("/api").to_owned();
    if args.db_ceiling {
        return db_ceiling(&db_url, &args).await;
    }
    if matches!(args.scenario, Scenario::Stats | Scenario::Report) {
        let measured = match args.scenario {
            Scenario::Stats => stats::stats(&db_url, &args).await,
            _ => document::report(&db_url, &args).await,
        };
        drop_database(&db_name).await?;
        return measured;
    }
    let extra = if args.scenario == Scenario::Reminders {
        REMINDER_SEVERITIES
    } else {
        ""
    };
    let pace = match args.scenario {
        Scenario::Backlog | Scenario::Storm => format!("{}ms", args.scenario_pace().as_millis()),
        _ if args.pacing => "1s".to_owned(),
        _ => "0s".to_owned(),
    };
    let config = config_file(&pace, extra);
    let mut servers = Vec::new();
    let (first, ready) = spawn_server(&args, &db_url, &fake.api_url(), &config);
    println!(
        "ready after start: {:.0} ms (database created and migrated)",
        ready.as_secs_f64() * 1000.0
    );
    sample_rss(&first);
    servers.push(first);
    for _ in 1..args.replicas {
        let (server, _) = spawn_server(&args, &db_url, &fake.api_url(), &config);
        servers.push(server);
    }
    let base = servers[0].base.clone();
    let mut db = PgConnection::connect(&db_url).await?;
    let total = (args.rate as f64 * args.duration.as_secs_f64()) as u64;
    match args.scenario {
        Scenario::List => report(
            &args,
            open_loop(&base, args.rate, total, |n| slash("list", n, &fake_base)).await,
            &servers,
        ),
        Scenario::Declare => {
            let (results, elapsed) = open_loop(&base, args.rate, total, |n| {
                slash(&format!("declare sev2 Bench incident {n}"), n, &fake_base)
            })
            .await;
            let persisted: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
                .fetch_one(&mut db)
                .await?;
            println!(
                "declares acknowledged: {}, persisted: {persisted}",
                results.declared_at_ms.len()
            );
            let sample: HashMap<String, u128> = results
                .declared_at_ms
                .iter()
                .take(2000)
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            let e2e = card_latencies(&fake, &sample).await;
            report(&args, (results, elapsed), &servers);
            println!(
                "{}",
                summary(
                    "declare → card posted (ms, sample of 2000, pacing off)",
                    e2e
                )
            );
        }
        Scenario::Click | Scenario::Mix => {
            let cards = prepare_cards(&base, &fake_base, &mut db, 200).await?;
            let mix = args.scenario == Scenario::Mix;
            let make = |n: u64| {
                let (id, ts) = &cards[(n as usize * 7919) % cards.len()];
                match (mix, n % 10) {
                    (true, 0) => slash(
                        &format!("declare sev3 Mixed {n}"),
                        1_000_000 + n,
                        &fake_base,
                    ),
                    (true, 1 | 2) => slash("list", n, &fake_base),
                    _ => click(id, ts, n, &fake_base),
                }
            };
            report(
                &args,
                open_loop(&base, args.rate, total, make).await,
                &servers,
            );
        }
        Scenario::Storm => storm::storm(&args, &base, &fake, &fake_base, &servers).await,
        Scenario::Backlog => {
            // Slack allows short bursts; posts closer than half the pace are counted as violations.
            fake.enforce_channel_pace(args.scenario_pace().mul_f64(0.5));
            backlog::backlog(&args, &fake, &mut db).await?;
        }
        Scenario::E2e => e2e::e2e(&args, &fake, &fake_base, &servers, &db_url).await?,
        Scenario::Reminders => reminders::reminders(&args, &fake, &mut db).await?,
        Scenario::Stats | Scenario::Report => unreachable!("measured without a server, above"),
    }
    for mut s in servers {
        let _ = Command::new("kill").arg(s.child.id().to_string()).status();
        let _ = s.child.wait();
    }
    drop(db);
    drop_database(&db_name).await
}
/// Declares `n` incidents and waits until their cards are posted: (incident, card ts).
async fn prepare_cards(
    base: &str,
    fake_base: &str,
    db: &mut PgConnection,
    n: u64,
) -> anyhow::Result<Vec<(String, String)>> {
    let _ = open_loop(base, 200, n, |i| {
        slash(
            &format!("declare sev3 Click target {i}"),
            5_000_000 + i,
            fake_base,
        )
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, card_ts FROM incidents WHERE card_ts IS NOT NULL")
                .fetch_all(&mut *db)
                .await?;
        if rows.len() as u64 >= n || Instant::now() > deadline {
            return Ok(rows);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
