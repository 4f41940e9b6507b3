//! The `warroom serve` processes a run measures: started on free ports, waited on until ready,
//! and sampled for memory.

use super::*;

/// A warroom process under test.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) peak_rss_kb: Arc<Mutex<u64>>,
    pub(crate) rss_kb: Arc<Mutex<Vec<u64>>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn spawn_server(
    args: &Args,
    db_url: &str,
    api_url: &str,
    config: &str,
) -> (Server, Duration) {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(&args.warroom_bin)
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_API_URL", api_url)
        .env("WARROOM_INCIDENT_CHANNEL", CHANNEL)
        .env("WARROOM_LISTEN", format!("127.0.0.1:{port}"))
        .env("WARROOM_CONFIG", config)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start warroom");
    let base = format!("http://127.0.0.1:{port}");
    let ready = wait_ready(&base, started);
    let server = Server {
        child,
        base,
        peak_rss_kb: Arc::default(),
        rss_kb: Arc::default(),
    };
    (server, ready)
}

/// Polls `GET /readyz` with a bare HTTP/1.1 request until it answers 200.
fn wait_ready(base: &str, started: Instant) -> Duration {
    let addr = base.trim_start_matches("http://").to_owned();
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return started.elapsed();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "warroom did not become ready"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(crate) fn sample_rss(server: &Server) {
    let (pid, peak, samples) = (
        server.child.id(),
        server.peak_rss_kb.clone(),
        server.rss_kb.clone(),
    );
    std::thread::spawn(move || {
        loop {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                return;
            };
            let field = |name: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(name))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
            };
            if let Some(hwm) = field("VmHWM:") {
                *peak.lock().unwrap() = hwm;
            }
            if let Some(rss) = field("VmRSS:") {
                samples.lock().unwrap().push(rss);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
}
