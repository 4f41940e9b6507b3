//! `/incident stats` end to end: incidents declared, acknowledged, contained, resolved and
//! cancelled through signed commands and card clicks, then the figures the private answer gives
//! per severity against the targets; breach notifications, reviews and corrective actions; bad
//! periods; and the labelled counter and histograms at `/metrics`.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use chrono::{Duration as Span, Utc};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";

/// The test settings, with an MTTD target for SEV-2 and an MTTC target for SEV-1 besides the
/// guide's MTTA and MTTR targets (SEV-1: 15 min and 4 h; SEV-2: 30 min and 8 h).
const STATS_CONFIG: &str = r#"
[metrics.targets]
mttd = { "SEV-2" = "10m" }
mttc = { "sev1" = "1h" }
"#;

/// An app with the test settings and `top`, top-level keys (which TOML wants before any table).
async fn spawn(slack: &FakeSlack, top: &str) -> (TestApp, TestDb) {
    let db = TestDb::fresh();
    let toml = format!("{top}{TEST_CONFIG}{STATS_CONFIG}");
    let app = TestApp::spawn_on(&db, slack, &toml).await;
    (app, db)
}

/// Each section of an answer's blocks, in order.
fn sections(answer: &Value) -> Vec<String> {
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    answer["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_owned())
        .collect()
}

/// The section of one severity.
fn severity(answer: &Value, name: &str) -> String {
    sections(answer)
        .into_iter()
        .find(|s| s.starts_with(&format!("*{name}*")))
        .unwrap_or_else(|| panic!("no section for {name}: {answer}"))
}

/// The line of one metric in a severity's section.
fn metric(section: &str, name: &str) -> String {
    section
        .lines()
        .find(|l| l.starts_with(&format!("• *{name}*")))
        .unwrap_or_else(|| panic!("no {name} line in {section}"))
        .to_owned()
}

async fn sql(app: &TestApp, statement: &str, id: &str) {
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
}

async fn cancel(app: &TestApp, slack: &FakeSlack, id: &str, card_ts: &str) {
    let choice = format!("cancel:{id}");
    let reason = [("reason", "text", "Declared in error")];
    let answer = app
        .fill_form(
            slack,
            card_ts,
            id,
            "incident_more",
            Some(&choice),
            RESPONDER,
            &reason,
        )
        .await;
    assert_eq!(answer, Value::Null, "the cancel form closes");
}

/// Declares through the form, with the impact started `minutes_ago`; the incident's ID.
async fn declare_by_form(
    app: &TestApp,
    slack: &FakeSlack,
    title: &str,
    minutes_ago: i64,
) -> String {
    let before = slack.calls_to("views.open").len();
    app.slash(slack, "declare").await;
    let view =
        slack.wait_for_calls("views.open", before + 1, WAIT).await[before].body["view"].clone();
    let started = (Utc::now() - Span::minutes(minutes_ago))
        .timestamp()
        .to_string();
    let fields = [
        ("title", "text", title),
        ("severity", "select", "SEV-2"),
        ("impact_started", "datetime", started.as_str()),
        ("detection", "select", "customer_report"),
    ];
    assert_eq!(app.submit(&view, DECLARER, &fields).await, Value::Null);
    sqlx::query_scalar("SELECT id FROM incidents WHERE title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_each_severitys_incidents_and_which_of_them_met_its_targets() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;

    // A: acknowledged, contained and resolved within seconds: every target met.
    let (a, a_ts) = declared(&app, &slack, "declare sev1 Payments down").await;
    app.acknowledge(&slack, &a_ts, &a, RESPONDER).await;
    app.click(
        &slack,
        &a_ts,
        &a,
        "incident_status",
        Some("contained"),
        RESPONDER,
    )
    .await;
    app.resolve(&slack, &a_ts, &a, RESPONDER).await;
    // B: acknowledged through the card too. Clicks land within seconds, so its timing columns
    // are set here to what minutes and hours would have made them: declared two hours ago,
    // impact 30 minutes before that, acknowledged after 40 minutes (past the 15-minute target),
    // never contained (past its hour) and not resolved (still inside its 4 hours).
    let (b, b_ts) = declared(&app, &slack, "declare sev1 Login slow").await;
    app.acknowledge(&slack, &b_ts, &b, RESPONDER).await;
    sql(&app, "UPDATE incidents SET declared_at = now() - interval '2 hours', impact_started_at = now() - interval '150 minutes', acknowledged_at = now() - interval '80 minutes' WHERE id = $1", &b).await;
    // C: declared through the form, the impact started 40 minutes ago (past SEV-2's 10-minute
    // MTTD target); not acknowledged, but still inside its 30 minutes.
    declare_by_form(&app, &slack, "Search returns nothing", 40).await;
    // D: declared an hour ago (set with SQL), detected 5 minutes after the impact began, never
    // acknowledged: past its 30 minutes.
    let (d, _) = declared(&app, &slack, "declare sev2 Queue backlog").await;
    sql(&app, "UPDATE incidents SET declared_at = now() - interval '1 hour', impact_started_at = now() - interval '65 minutes' WHERE id = $1", &d).await;
    // E: cancelled, so left out. F: declared 40 days ago (set with SQL), outside the last 30.
    let (e, e_ts) = declared(&app, &slack, "declare sev3 Typo in the title").await;
    cancel(&app, &slack, &e, &e_ts).await;
    let (f, _) = declared(&app, &slack, "declare sev4 An old one").await;
    sql(&app, "UPDATE incidents SET declared_at = now() - interval '40 days', impact_started_at = now() - interval '40 days' WHERE id = $1", &f).await;
    drained(&app.pool).await;

    let answer = app.slash(&slack, "stats").await;
    let all = sections(&answer);
    assert!(all[0].contains("the last 30 days"), "{}", all[0]);
    let order: Vec<usize> = ["*SEV-1*", "*SEV-2*", "*SEV-3*", "*SEV-4*"]
        .iter()
        .map(|name| all.iter().position(|s| s.starts_with(name)).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "configured order: {all:?}"
    );

    let sev1 = severity(&answer, "SEV-1");
    assert!(sev1.starts_with("*SEV-1* · 2 incidents"), "{sev1}");
    // MTTD: 0 (a quick declare counts from the declaration) and 30 minutes.
    assert_eq!(
        metric(&sev1, "MTTD"),
        "• *MTTD* mean 15m · p50 15m · p90 27m (2 detected) · no target"
    );
    let mtta = metric(&sev1, "MTTA");
    assert!(
        mtta.contains("(2 acknowledged) · target 15m: 1 of 2 met (50 %)"),
        "{mtta}"
    );
    let mttc = metric(&sev1, "MTTC");
    assert!(
        mttc.contains("(1 contained) · target 1h: 1 of 2 met (50 %)"),
        "{mttc}"
    );
    let mttr = metric(&sev1, "MTTR");
    assert!(
        mttr.contains("(1 resolved) · target 4h: 1 of 1 met (100 %), 1 still inside it"),
        "{mttr}"
    );

    let sev2 = severity(&answer, "SEV-2");
    assert!(sev2.starts_with("*SEV-2* · 2 incidents"), "{sev2}");
    let mttd = metric(&sev2, "MTTD");
    assert!(
        mttd.contains("(2 detected) · target 10m: 1 of 2 met (50 %)"),
        "{mttd}"
    );
    assert_eq!(
        metric(&sev2, "MTTA"),
        "• *MTTA* none acknowledged yet · target 30m: 0 of 1 met (0 %), 1 still inside it"
    );
    assert_eq!(
        metric(&sev2, "MTTC"),
        "• *MTTC* none contained yet · no target"
    );
    assert_eq!(
        metric(&sev2, "MTTR"),
        "• *MTTR* none resolved yet · target 8h: 2 still inside it"
    );
    assert_eq!(
        severity(&answer, "SEV-3"),
        "*SEV-3* · no incidents",
        "cancelled: left out"
    );
    assert_eq!(severity(&answer, "SEV-4"), "*SEV-4* · no incidents");

    // The last 90 days reach F; its own UTC day alone holds only F.
    let answer = app.slash(&slack, "stats 90d").await;
    assert!(severity(&answer, "SEV-4").starts_with("*SEV-4* · 1 incident"));
    let day = (Utc::now() - Span::days(40)).date_naive();
    let answer = app.slash(&slack, &format!("stats {day}..{day}")).await;
    assert!(sections(&answer)[0].contains(&format!("{day} (UTC)")));
    assert!(severity(&answer, "SEV-4").starts_with("*SEV-4* · 1 incident"));
    assert_eq!(severity(&answer, "SEV-1"), "*SEV-1* · no incidents");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breach_notifications_reviews_and_actions_count_met_missed_and_pending() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "timezone = \"Pacific/Kiritimati\"\n").await;
    let mut ids = Vec::new();
    // Odd ones SEV-1, even ones SEV-2: the figures add up across severities.
    for n in 1..=6 {
        let text = format!("declare sev{} Incident {n}", 2 - n % 2);
        ids.push(declared(&app, &slack, &text).await);
    }
    let (cancelled, cancelled_ts) = &ids[4];
    cancel(&app, &slack, cancelled, cancelled_ts).await;
    // Breaches are flagged, reviews completed and actions added from the card, but what these
    // figures turn on lies days in the past (a discovery 100 hours ago, a review completed a day
    // late, an action due yesterday): those times are set, and the actions seeded, with SQL.
    let seeds = [
        // Notified 10 h after discovery: met. A review completed a day before it was due: met.
        "UPDATE incidents SET breach_discovered_at = now() - interval '50 hours', authority_notified_at = now() - interval '40 hours', review_due_at = now() - interval '1 day', review_completed_at = now() - interval '2 days' WHERE id = $1",
        // Notified 90 h after: missed. Reviewed a day late: missed.
        "UPDATE incidents SET breach_discovered_at = now() - interval '100 hours', authority_notified_at = now() - interval '10 hours', review_due_at = now() - interval '1 day', review_completed_at = now() WHERE id = $1",
        // Not notified 80 h after discovery: missed. Review past due, not done: missed.
        "UPDATE incidents SET breach_discovered_at = now() - interval '80 hours', review_due_at = now() - interval '1 day' WHERE id = $1",
        // Discovered an hour ago: pending. Review due in three days: pending.
        "UPDATE incidents SET breach_discovered_at = now() - interval '1 hour', review_due_at = now() + interval '3 days' WHERE id = $1",
        // Cancelled: left out of everything, though notified late and reviewed on time.
        "UPDATE incidents SET breach_discovered_at = now() - interval '100 hours', authority_notified_at = now(), review_due_at = now() - interval '1 day', review_completed_at = now() - interval '2 days' WHERE id = $1",
        // Discovered 40 days ago, outside the period, though declared inside it; no review due.
        "UPDATE incidents SET breach_discovered_at = now() - interval '40 days' WHERE id = $1",
    ];
    for ((id, _), seed) in ids.iter().zip(seeds) {
        sql(&app, seed, id).await;
    }
    let zone: chrono_tz::Tz = "Pacific/Kiritimati".parse().unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let actions = [
        (&ids[0].0, 1, "open", today - Span::days(1)),
        (&ids[0].0, 2, "open", today),
        (&ids[1].0, 1, "done", today - Span::days(3)),
        (&ids[3].0, 1, "open", today + Span::days(7)),
        (cancelled, 1, "open", today - Span::days(3)),
    ];
    for (id, number, status, due) in actions {
        sqlx::query("INSERT INTO incident_actions (incident_id, number, text, owner, due_on, status, created_by) VALUES ($1, $2, 'Add an alert', 'U0OWNER', $3, $4, 'U0OWNER')")
            .bind(id)
            .bind(number)
            .bind(due)
            .bind(status)
            .execute(&app.pool)
            .await
            .unwrap();
    }

    let answer = app.slash(&slack, "stats 30d").await;
    let closing = sections(&answer).pop().unwrap();
    let lines: Vec<&str> = closing.lines().collect();
    let line = |start: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}: {closing}"))
            .to_string()
    };
    assert_eq!(
        line("*Breach notifications"),
        "*Breach notifications (authority notified within 72h of discovery):* 1 of 3 notified in time (33.3 %), 1 still inside the window"
    );
    assert_eq!(
        line("*Post-incident reviews"),
        "*Post-incident reviews:* 1 of 3 completed by their due date (33.3 %), 1 not due yet"
    );
    assert_eq!(
        line("*Corrective actions"),
        format!(
            "*Corrective actions of these incidents:* 3 open, 1 overdue (due before {today}, Pacific/Kiritimati)"
        )
    );
    let first_line = |name| severity(&answer, name).lines().next().unwrap().to_owned();
    assert_eq!(
        first_line("SEV-1"),
        "*SEV-1* · 2 incidents",
        "one of three cancelled"
    );
    assert_eq!(first_line("SEV-2"), "*SEV-2* · 3 incidents");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_warroom_cannot_report_on_is_explained_privately_and_nothing_else_happens() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    for (text, says) in [
        (
            "stats 2026-12-01..2026-11-01",
            "the period ends (2026-11-01) before it starts (2026-12-01)",
        ),
        ("stats banana", "`banana` is not a period"),
        ("stats 2016-01-01..2026-01-01", "longer than ten years"),
        ("stats 2026-02-30..2026-03-01", "`2026-02-30` is not a date"),
        ("stats 0d", "at least 1 day"),
    ] {
        let answer = app.slash(&slack, text).await;
        assert_eq!(answer["response_type"], "ephemeral", "{answer}");
        let said = answer["text"].as_str().unwrap();
        assert!(said.starts_with("I can't report on that: "), "{said}");
        assert!(said.contains(says), "{text}: {said}");
        assert!(said.contains("`/incident stats 7d`"), "{said}");
        assert!(!said.contains("Incident metrics"), "{said}");
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing is queued for Slack");
    assert!(
        slack.calls().is_empty(),
        "Slack is not called: {:?}",
        slack.calls()
    );
    let help = app.slash(&slack, "help").await;
    assert!(
        help["text"]
            .as_str()
            .unwrap()
            .contains("`/incident stats [7d|30d|90d|YYYY-MM-DD..YYYY-MM-DD]`")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_declarations_per_severity_and_observe_acknowledge_and_resolve_times() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, "").await;
    let (id, card_ts) = declared(&app, &slack, "declare sev1 Checkout down").await;
    let before = app.metrics().await;
    assert!(
        before.contains("warroom_time_to_acknowledge_seconds_count{severity=\"SEV-1\"} 0"),
        "{before}"
    );
    app.acknowledge(&slack, &card_ts, &id, RESPONDER).await;
    // A second click changes nothing, and observes nothing.
    app.acknowledge(&slack, &card_ts, &id, RESPONDER).await;
    app.resolve(&slack, &card_ts, &id, RESPONDER).await;
    let text = app.metrics().await;
    let has = |line: &str| text.lines().any(|l| l == line);
    for line in [
        "# TYPE warroom_incidents_declared_total counter",
        "warroom_incidents_declared_total 1",
        "warroom_incidents_declared_total{severity=\"SEV-1\"} 1",
        "warroom_incidents_declared_total{severity=\"SEV-2\"} 0",
        "warroom_incidents_declared_total{severity=\"SEV-4\"} 0",
        "# TYPE warroom_time_to_acknowledge_seconds histogram",
        "warroom_time_to_acknowledge_seconds_bucket{severity=\"SEV-1\",le=\"60\"} 1",
        "warroom_time_to_acknowledge_seconds_bucket{severity=\"SEV-1\",le=\"+Inf\"} 1",
        "warroom_time_to_acknowledge_seconds_count{severity=\"SEV-1\"} 1",
        "warroom_time_to_acknowledge_seconds_count{severity=\"SEV-2\"} 0",
        "# TYPE warroom_time_to_resolve_seconds histogram",
        "warroom_time_to_resolve_seconds_bucket{severity=\"SEV-1\",le=\"60\"} 1",
        "warroom_time_to_resolve_seconds_count{severity=\"SEV-1\"} 1",
        "warroom_time_to_resolve_seconds_count{severity=\"SEV-3\"} 0",
    ] {
        assert!(has(line), "no line {line} in\n{text}");
    }
    assert_eq!(
        text.matches("# TYPE warroom_incidents_declared_total")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warroom_stats_prints_the_report_as_json_with_only_the_database_and_the_config_file() {
    let slack = FakeSlack::start().await;
    let (app, db) = spawn(&slack, "").await;
    let (a, a_ts) = declared(&app, &slack, "declare sev1 Payments down").await;
    app.acknowledge(&slack, &a_ts, &a, RESPONDER).await;
    // Acknowledged 20 minutes after its declaration, set with SQL to make the time exact.
    sql(&app, "UPDATE incidents SET declared_at = acknowledged_at - interval '20 minutes', impact_started_at = acknowledged_at - interval '20 minutes' WHERE id = $1", &a).await;
    let (b, b_ts) = declared(&app, &slack, "declare sev2 Cancelled one").await;
    cancel(&app, &slack, &b, &b_ts).await;
    let config = std::env::temp_dir().join(format!("{}-stats.toml", db.name));
    std::fs::write(&config, format!("{TEST_CONFIG}{STATS_CONFIG}")).unwrap();

    let run = |args: &[&str]| {
        // No Slack setting at all: the report needs only the database and the config file.
        std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("WARROOM_CONFIG", &config)
            .env("RUST_LOG", "off")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["stats", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["period"]["asked"], "30d");
    let names: Vec<&str> = json["severities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["severity"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]);
    let sev1 = &json["severities"][0];
    assert_eq!(sev1["incidents"], 1);
    assert_eq!(sev1["mtta"]["reached"], 1);
    assert_eq!(sev1["mtta"]["mean_seconds"], 1200.0);
    assert_eq!(sev1["mtta"]["p90_seconds"], 1200.0);
    assert_eq!(sev1["mtta"]["target_seconds"], 900);
    assert_eq!(
        (sev1["mtta"]["met"].clone(), sev1["mtta"]["missed"].clone()),
        (0.into(), 1.into())
    );
    assert_eq!(sev1["mtta"]["met_percent"], 0.0);
    assert_eq!(sev1["mttc"]["target_seconds"], 3600);
    assert_eq!(sev1["mttd"]["mean_seconds"], 0.0);
    assert_eq!(json["severities"][1]["incidents"], 0, "cancelled: left out");
    assert_eq!(json["severities"][1]["mtta"]["met_percent"], Value::Null);
    assert_eq!(json["breach_notification"]["window_seconds"], 259_200);
    assert_eq!(json["review_completion"]["met_percent"], Value::Null);
    assert_eq!(json["corrective_actions"]["open"], 0);
    assert_eq!(json["corrective_actions"]["timezone"], "UTC");

    let text = run(&["stats", "--since", "7d"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("Incident metrics — the last 7 days\n"),
        "{text}"
    );
    assert!(
        text.contains("  MTTA    1        20m      20m      20m      15m     0 of 1 (0 %)"),
        "{text}"
    );

    let refused = run(&["stats", "--range", "2026-12-01..2026-11-01"]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("--range: the period ends (2026-11-01) before it starts"),
        "{said}"
    );
    let _ = std::fs::remove_file(&config);
}
