//! `TestApp`: the real warroom on 127.0.0.1:0 with its own Postgres database and a fake Slack,
//! driven with requests signed exactly as Slack signs them. Each app runs on its own runtime
//! thread, so a test can kill it outright (every task dies at once, as with `kill -9`).

use crate::fake_slack::FakeSlack;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, PgPool};
use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};
use warroom::{app::AppState, clock::SystemClock, config::Config, slack::verify::Verifier};

pub const SIGNING_SECRET: &str = "test-signing-secret-0123456789";
pub const BOT_TOKEN: &str = "xoxb-test-token-0123456789";
pub const INCIDENT_CHANNEL: &str = "C0INCIDENTS";
pub const DECLARER: &str = "U0DECLARER";
pub const COMMAND_CHANNEL: &str = "C0GENERAL";

/// Process settings suited to tests: no pacing, short leases, a Slack timeout well above the
/// delays the tests inject.
pub const TEST_CONFIG: &str = r#"
[slack]
channel_pace = "0s"
timeout = "10s"
[outbox]
lease = "1s"
max_backoff = "1s"
"#;

fn admin_url() -> String {
    std::env::var("WARROOM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A fresh, empty database name (warroom creates and migrates it on start, as in production).
    pub fn fresh() -> TestDb {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "warroom_test_{}_{nanos}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let base = admin_url();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        TestDb { name, url }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (name, admin) = (self.name.clone(), admin_url());
        // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

/// Every log line written by any app in this test process, for the log scan.
pub static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogTee;

impl std::io::Write for LogTee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Logs go to the test's output (shown with `--nocapture` or for failing tests) and to [`LOGS`].
/// Debug level by default, so the log scan sees as much as an operator could switch on.
fn init_logs() {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "warroom=debug".into());
    let writer = tracing_subscriber::fmt::TestWriter::new().and(|| LogTee);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
}

/// One running warroom instance.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The admin listener's address, when the config named one (`WARROOM_ADMIN_LISTEN`).
    pub admin_addr: Option<SocketAddr>,
    pub pool: PgPool,
    pub state: AppState,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// Completes once `serve` has returned.
    served: Option<tokio::sync::oneshot::Receiver<()>>,
    http: reqwest::Client,
    verifier: Verifier,
}

pub fn config(db: &TestDb, slack_api_url: &str, toml: &str) -> Config {
    config_with(db, slack_api_url, toml, &[])
}

/// [`config`] with more environment variables (`extra`), such as an integration's secret.
pub fn config_with(db: &TestDb, slack_api_url: &str, toml: &str, extra: &[(&str, &str)]) -> Config {
    let dir = std::env::temp_dir().join(format!("{}.toml", db.name));
    let path = format!("{}-{}", dir.display(), rand_suffix());
    std::fs::write(&path, toml).unwrap();
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("SLACK_BOT_TOKEN", BOT_TOKEN.to_owned()),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET.to_owned()),
        ("SLACK_API_URL", slack_api_url.to_owned()),
        ("WARROOM_INCIDENT_CHANNEL", INCIDENT_CHANNEL.to_owned()),
        ("WARROOM_LISTEN", "127.0.0.1:0".to_owned()),
        ("WARROOM_CONFIG", path),
    ];
    Config::from_lookup(|k| {
        let set = env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        set.or_else(|| {
            let extra = extra.iter().find(|(n, _)| *n == k);
            extra.map(|(_, v)| (*v).to_owned())
        })
    })
    .unwrap()
}

fn rand_suffix() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl TestApp {
    /// An instance on a new database with the test settings.
    pub async fn spawn(slack: &FakeSlack) -> (TestApp, TestDb) {
        let db = TestDb::fresh();
        let app = TestApp::spawn_on(&db, slack, TEST_CONFIG).await;
        (app, db)
    }

    /// An instance on `db` (which may already have others running on it).
    pub async fn spawn_on(db: &TestDb, slack: &FakeSlack, toml: &str) -> TestApp {
        Self::spawn_with_config(config(db, &slack.api_url(), toml)).await
    }

    /// An instance with exactly this configuration.
    pub async fn spawn_with_config(config: Config) -> TestApp {
        init_logs();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let (served_tx, served_rx) = tokio::sync::oneshot::channel();
        runtime.spawn(async move {
            let pool = warroom::store::connect_and_migrate(&config)
                .await
                .expect("database");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let admin = match config.admin_listen {
                Some(at) => Some(tokio::net::TcpListener::bind(at).await.unwrap()),
                None => None,
            };
            let admin_addr = admin.as_ref().map(|l| l.local_addr().unwrap());
            let state = AppState::new(config, pool.clone(), std::sync::Arc::new(SystemClock));
            let _ = ready_tx.send((addr, admin_addr, pool, state.clone()));
            let _ = warroom::app::serve_with_admin(listener, admin, state, async move {
                let _ = stop_rx.await;
            })
            .await;
            let _ = served_tx.send(());
        });
        let (addr, admin_addr, pool, state) = ready_rx.await.expect("warroom started");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let verifier = Verifier::new(warroom::config::Secret::new(SIGNING_SECRET));
        TestApp {
            addr,
            admin_addr,
            pool,
            state,
            runtime: Some(runtime),
            stop: Some(stop_tx),
            served: Some(served_rx),
            http,
            verifier,
        }
    }

    /// Shuts the instance down as SIGTERM does and waits until `serve` has returned; then every
    /// task it left behind stops.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    /// Kills the instance: every task it runs stops at once, mid-call or not.
    pub fn kill(mut self) {
        self.stop.take();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The Prometheus text at `GET /metrics`.
    pub async fn metrics(&self) -> String {
        reqwest::get(self.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// POSTs `body` signed now with the test signing secret.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> reqwest::Response {
        let ts = chrono::Utc::now().timestamp();
        let signature = self.verifier.sign(ts, body.as_bytes());
        self.http
            .post(self.url(path))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature)
            .body(body)
            .send()
            .await
            .expect("warroom answered")
    }

    /// `/incident <text>` typed by `user` in the general channel, as Slack posts it.
    pub async fn slash_as(
        &self,
        user: &str,
        text: &str,
        response_url: &str,
        trigger_id: &str,
    ) -> reqwest::Response {
        self.slash_in(COMMAND_CHANNEL, user, text, response_url, trigger_id)
            .await
    }

    /// `/incident <text>` typed by `user` in `channel` (a `D…` one is a direct message).
    pub async fn slash_in(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        response_url: &str,
        trigger_id: &str,
    ) -> reqwest::Response {
        let form = [
            ("token", "gIkuvaNzQIHg97ATvDxqgjtO"),
            ("team_id", "T0001"),
            ("team_domain", "acme"),
            ("channel_id", channel),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", "someone"),
            ("command", "/incident"),
            ("text", text),
            ("api_app_id", "A0001"),
            ("is_enterprise_install", "false"),
            ("response_url", response_url),
            ("trigger_id", trigger_id),
        ];
        self.post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(form).unwrap(),
        )
        .await
    }

    /// `/incident <text>` typed by the declarer; its response_url points at the fake Slack.
    pub async fn slash(&self, slack: &FakeSlack, text: &str) -> Value {
        let trigger = format!("{}.{}.trigger", rand_suffix(), std::process::id());
        let response = self
            .slash_as(DECLARER, text, &slack.response_url("declarer"), &trigger)
            .await;
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap()
        }
    }

    /// An interactivity payload, form-encoded as Slack sends it.
    pub async fn interaction(&self, payload: &Value) -> reqwest::Response {
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            form,
        )
        .await
    }

    /// An Events API delivery.
    pub async fn event(&self, body: &Value) -> reqwest::Response {
        self.post_signed("/slack/events", "application/json", body.to_string())
            .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Polls `check` every 20 ms until it returns `Some`, or panics after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The state of every outbox row, in order.
pub async fn outbox_states(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, state FROM outbox ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Waits until no outbox row is pending.
pub async fn drained(pool: &PgPool) -> Vec<(String, String)> {
    eventually("the outbox to drain", Duration::from_secs(20), || async {
        let rows = outbox_states(pool).await;
        rows.iter().all(|(_, s)| s != "pending").then_some(rows)
    })
    .await
}

/// The view a `views.open` call carried, as Slack would echo it back on submission.
pub fn submission(view: &Value, user: &str, values: Value) -> Value {
    json!({
        "type": "view_submission",
        "team": { "id": "T0001", "domain": "acme" },
        "user": { "id": user, "username": "someone", "name": "someone", "team_id": "T0001" },
        "api_app_id": "A0001",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "trigger_id": "123.456.submit",
        "view": {
            // The id Slack gave the view when it opened it; a view built by hand gets a new one.
            "id": view["id"].as_str().map_or_else(|| format!("V{}", rand_suffix() + 1000), str::to_owned),
            "team_id": "T0001",
            "type": "modal",
            "blocks": view["blocks"],
            "private_metadata": view["private_metadata"],
            "callback_id": view["callback_id"],
            "state": { "values": values },
            "hash": "1596530361.3wRYuk3R",
            "title": view["title"],
            "clear_on_close": false,
            "notify_on_close": false,
            "close": view["close"],
            "submit": view["submit"],
            "previous_view_id": null,
            "root_view_id": "V111",
            "app_id": "A0001",
            "external_id": "",
            "app_installed_team_id": "T0001",
            "bot_id": "B0001"
        },
        "response_urls": []
    })
}

/// A declared incident whose card is posted: its ID and the card's ts.
pub async fn declared(app: &TestApp, slack: &FakeSlack, text: &str) -> (String, String) {
    let ack = app.slash(slack, text).await;
    let id = ack["text"]
        .as_str()
        .unwrap()
        .split('*')
        .nth(1)
        .unwrap()
        .trim_end_matches('…')
        .to_owned();
    let card_ts = eventually("the card to be posted", Duration::from_secs(15), || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT card_ts FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    })
    .await;
    drained(&app.pool).await;
    (id, card_ts)
}

static ACTION_TS: AtomicU64 = AtomicU64::new(1);

impl TestApp {
    /// A click on the incident card by `user`, as Slack sends it; `choice` is the chosen option
    /// of a select or overflow menu. Returns the click's `action_ts` so a test can replay it.
    pub async fn click(
        &self,
        slack: &FakeSlack,
        card_ts: &str,
        id: &str,
        action_id: &str,
        choice: Option<&str>,
        user: &str,
    ) -> String {
        let action_ts = format!(
            "1700000000.{:06}",
            ACTION_TS.fetch_add(1, Ordering::Relaxed)
        );
        self.click_at(slack, card_ts, id, action_id, choice, user, &action_ts)
            .await;
        action_ts
    }

    #[expect(clippy::too_many_arguments, reason = "a click has this many parts")]
    pub async fn click_at(
        &self,
        slack: &FakeSlack,
        card_ts: &str,
        id: &str,
        action_id: &str,
        choice: Option<&str>,
        user: &str,
        action_ts: &str,
    ) {
        let mut action = json!({ "action_id": action_id, "block_id": format!("card:{id}"), "action_ts": action_ts });
        match choice {
            Some(value) => {
                action["type"] = json!(if action_id == "incident_more" {
                    "overflow"
                } else {
                    "static_select"
                });
                action["selected_option"] =
                    json!({ "text": { "type": "plain_text", "text": value }, "value": value });
            }
            None => {
                action["type"] = json!("button");
                action["value"] = json!(id);
                action["text"] = json!({ "type": "plain_text", "text": "Button" });
            }
        }
        let payload = json!({
            "type": "block_actions",
            "user": { "id": user, "username": "someone", "name": "someone", "team_id": "T0001" },
            "api_app_id": "A0001",
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "container": { "type": "message", "message_ts": card_ts, "channel_id": INCIDENT_CHANNEL, "is_ephemeral": false },
            "trigger_id": format!("{action_ts}.trigger"),
            "team": { "id": "T0001", "domain": "acme" },
            "channel": { "id": INCIDENT_CHANNEL, "name": "incidents" },
            "message": { "type": "message", "ts": card_ts, "text": "card", "user": "UBOT" },
            "response_url": slack.response_url(&format!("click-{user}")),
            "actions": [action],
        });
        let response = self.interaction(&payload).await;
        assert_eq!(response.status(), 200, "a click is always acknowledged");
    }
}

/// Input values for a submission: `(block, kind, value)` with kind `text`, `select`, `user`,
/// `multi` (comma-separated values; empty for none checked), `datetime` (seconds since the Unix
/// epoch) or `date` (`YYYY-MM-DD`).
pub fn values(fields: &[(&str, &str, &str)]) -> Value {
    let mut out = serde_json::Map::new();
    for (block, kind, value) in fields {
        let v = match *kind {
            "text" => json!({ "type": "plain_text_input", "value": value }),
            "select" => {
                json!({ "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": value }, "value": value } })
            }
            "user" => json!({ "type": "users_select", "selected_user": value }),
            "multi" => {
                json!({ "type": "checkboxes", "selected_options": value.split(',').filter(|v| !v.is_empty()).map(|v| json!({ "text": { "type": "plain_text", "text": v }, "value": v })).collect::<Vec<_>>() })
            }
            "datetime" => {
                json!({ "type": "datetimepicker", "selected_date_time": value.parse::<i64>().unwrap() })
            }
            "date" => json!({ "type": "datepicker", "selected_date": value }),
            other => panic!("unknown input kind {other}"),
        };
        out.insert((*block).to_owned(), json!({ "value": v }));
    }
    Value::Object(out)
}

impl TestApp {
    /// Clicks Acknowledge on the card as `user`.
    pub async fn acknowledge(&self, slack: &FakeSlack, card_ts: &str, id: &str, user: &str) {
        self.click(slack, card_ts, id, "incident_acknowledge", None, user)
            .await;
    }

    /// Clicks a card control (`choice` for a menu) and returns the form Slack opened, with the
    /// `id` it gave it (so submitting it twice is a resubmission, as in Slack).
    pub async fn open_form(
        &self,
        slack: &FakeSlack,
        card_ts: &str,
        id: &str,
        action_id: &str,
        choice: Option<&str>,
        user: &str,
    ) -> Value {
        let before = slack.views().len();
        self.click(slack, card_ts, id, action_id, choice, user)
            .await;
        eventually("the form to open", Duration::from_secs(15), || async {
            slack.views().get(before).cloned()
        })
        .await
    }

    /// Submits an opened form as `user` with `fields` (see [`values`]); Slack's answer body:
    /// `{"response_action": "errors", …}` when the form stays open, `null` when it closes.
    pub async fn submit(&self, view: &Value, user: &str, fields: &[(&str, &str, &str)]) -> Value {
        let response = self
            .interaction(&submission(view, user, values(fields)))
            .await;
        assert_eq!(
            response.status(),
            200,
            "a submission is always acknowledged"
        );
        let body = response.text().await.unwrap();
        if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap()
        }
    }

    /// Clicks a control, fills in the form it opens and submits it: Slack's answer body.
    #[expect(
        clippy::too_many_arguments,
        reason = "a click and a form have this many parts"
    )]
    pub async fn fill_form(
        &self,
        slack: &FakeSlack,
        card_ts: &str,
        id: &str,
        action_id: &str,
        choice: Option<&str>,
        user: &str,
        fields: &[(&str, &str, &str)],
    ) -> Value {
        let view = self
            .open_form(slack, card_ts, id, action_id, choice, user)
            .await;
        self.submit(&view, user, fields).await
    }
}

/// The texts of the replies in the thread under the card `card_ts`, oldest first.
pub fn replies(slack: &FakeSlack, card_ts: &str) -> Vec<String> {
    slack
        .messages()
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card_ts))
        .map(|m| m.text.clone().unwrap_or_default())
        .collect()
}

/// The blocks of the message `ts` (a card, as last edited), as JSON text; empty when none.
pub fn blocks_of(slack: &FakeSlack, ts: &str) -> String {
    slack
        .messages()
        .into_iter()
        .find(|m| m.ts == ts)
        .and_then(|m| m.blocks)
        .map(|b| b.to_string())
        .unwrap_or_default()
}

/// The closure checklist's six asked criteria, each confirmed.
pub fn confirmed_checklist() -> Vec<(&'static str, &'static str, &'static str)> {
    [
        "service_restored",
        "root_cause_confirmed",
        "impact_assessed",
        "logs_preserved",
        "financial_reconciliation",
        "data_exposure_assessed",
    ]
    .into_iter()
    .map(|c| (c, "select", "confirmed"))
    .collect()
}

impl TestApp {
    /// Resolves the incident from its card as `user`, with a resolution summary.
    pub async fn resolve(&self, slack: &FakeSlack, card_ts: &str, id: &str, user: &str) {
        let summary = [("summary", "text", "Rolled back the release")];
        let answer = self
            .fill_form(
                slack,
                card_ts,
                id,
                "incident_status",
                Some("resolved"),
                user,
                &summary,
            )
            .await;
        assert_eq!(answer, Value::Null, "the resolve form closes");
    }

    /// Closes a resolved incident from its card as `user`: every criterion confirmed and, where
    /// no follow-up action exists, "No corrective action needed" with a reason. Slack's answer.
    pub async fn close(&self, slack: &FakeSlack, card_ts: &str, id: &str, user: &str) -> Value {
        let mut checklist = confirmed_checklist();
        checklist.push(("no_action", "multi", "none"));
        checklist.push(("no_action_reason", "text", "Nothing to follow up"));
        self.fill_form(
            slack,
            card_ts,
            id,
            "incident_status",
            Some("closed"),
            user,
            &checklist,
        )
        .await
    }
}
