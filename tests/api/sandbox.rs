//! `warroom sandbox`, run in-process on a fresh database and driven through its page's API as the
//! page drives it: every step reaches warroom as signed Slack requests, and the tests check what
//! the page would show and what warroom stored.

use crate::helpers::{TestDb, eventually};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;
use warroom::sandbox::{Options, Sandbox};

/// The sandbox on `db`, on a free loopback port, at its usual pace.
pub(crate) async fn sandbox_on(db: &TestDb) -> Sandbox {
    Sandbox::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        fresh: false,
        fast: false,
    })
    .await
    .expect("the sandbox starts")
}

const WAIT: Duration = Duration::from_secs(20);

struct Page {
    sandbox: Sandbox,
    http: reqwest::Client,
    pool: PgPool,
}

impl Page {
    async fn start(db: &TestDb) -> Page {
        let sandbox = sandbox_on(db).await;
        let pool = PgPool::connect(&db.url).await.unwrap();
        Page {
            sandbox,
            http: reqwest::Client::new(),
            pool,
        }
    }

    async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!(
                "{}{path}",
                self.sandbox.url().trim_end_matches('/')
            ))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    async fn ok(&self, path: &str, body: Value) -> Value {
        let response = self.post(path, &body).await;
        assert_eq!(response.status(), 200, "{path} {body}");
        response.json().await.unwrap()
    }

    async fn state(&self, user: &str) -> Value {
        self.http
            .get(format!("{}_sandbox/state?user={user}", self.sandbox.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn say(&self, user: &str, channel: &str, text: &str) -> Value {
        self.ok(
            "/_sandbox/say",
            json!({ "user": user, "channel": channel, "text": text }),
        )
        .await
    }

    /// The first message of `channel` (top level) whose text contains `needle`, once it shows.
    async fn message(&self, user: &str, channel: &str, needle: &str) -> Value {
        eventually(&format!("a message with {needle:?}"), WAIT, || async {
            let state = self.state(user).await;
            state["messages"].as_array().and_then(|all| {
                all.iter()
                    .find(|m| {
                        m["channel"] == channel
                            && m["thread_ts"].is_null()
                            && m["text"].as_str().is_some_and(|t| t.contains(needle))
                    })
                    .cloned()
            })
        })
        .await
    }
}

async fn incident_row(pool: &PgPool) -> (String, String, Option<String>, bool) {
    sqlx::query_as("SELECT id, status, channel_id, acknowledged_at IS NOT NULL FROM incidents")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_declaration_from_the_composer_becomes_a_card_that_can_be_acknowledged_and_updated() {
    let db = TestDb::fresh();
    let page = Page::start(&db).await;
    page.say(
        "UONCALL",
        "CGENERAL",
        "/incident declare sev2 Checkout is failing",
    )
    .await;
    let card = page
        .message("UONCALL", "CINCIDENTS", "Checkout is failing")
        .await;
    let ts = card["ts"].as_str().unwrap().to_owned();
    let blocks = card["blocks"].to_string();
    assert!(blocks.contains("incident_acknowledge") && blocks.contains("Post update"));
    let state = page.state("UONCALL").await;
    assert!(
        state["ephemerals"].to_string().contains("Declaring *INC-"),
        "the declarer sees warroom's answer only they can see: {}",
        state["ephemerals"]
    );

    let click = |action: &str| json!({ "user": "UONCALL", "channel": "CINCIDENTS", "ts": ts, "action_id": action });
    page.ok("/_sandbox/act", click("incident_acknowledge"))
        .await;
    eventually("the card to show the acknowledgement", WAIT, || async {
        let card = page.message("UONCALL", "CINCIDENTS", "Checkout").await;
        (card["edited"] == true && !card["blocks"].to_string().contains("Not acknowledged"))
            .then_some(())
    })
    .await;
    let (id, _, channel, acknowledged) = incident_row(&page.pool).await;
    assert!(acknowledged);
    assert_eq!(channel.as_deref(), Some("CINCIDENTS"));

    page.ok("/_sandbox/act", click("incident_post_update"))
        .await;
    let view = eventually("the update form to open", WAIT, || async {
        page.state("UONCALL").await["views"]
            .as_array()
            .and_then(|v| v.last().cloned())
    })
    .await;
    let view_id = view["id"].as_str().unwrap();
    let answer = page
        .ok(
            "/_sandbox/submit",
            json!({ "user": "UONCALL", "view_id": view_id, "values": {} }),
        )
        .await;
    assert_eq!(answer["answer"]["response_action"], "errors");
    let state = page.state("UONCALL").await;
    assert!(
        state["views"][0]["errors"]["impact"].is_string(),
        "the form stays open with its field errors: {}",
        state["views"]
    );
    let values = json!({
        "impact": { "value": "Checkout fails for one card in five" },
        "current_action": { "value": "Rolling back the release" },
        "owner": { "value": "UONCALL" },
        "next_update": { "value": "1800" },
    });
    page.ok(
        "/_sandbox/submit",
        json!({ "user": "UONCALL", "view_id": view_id, "values": values }),
    )
    .await;
    eventually("the update in the thread", WAIT, || async {
        let state = page.state("UONCALL").await;
        let replies = state["messages"].as_array()?.iter().any(|m| {
            m["thread_ts"] == ts.as_str()
                && m["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Rolling back the release"))
        });
        (replies && state["views"].as_array()?.is_empty()).then_some(())
    })
    .await;
    let updates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM timeline_entries WHERE incident_id = $1 AND kind = 'update_posted'",
    )
    .bind(&id)
    .fetch_one(&page.pool)
    .await
    .unwrap();
    assert_eq!(updates, 1);
    page.sandbox.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_restricted_declaration_lands_in_the_private_channel_which_the_viewer_cannot_see() {
    let db = TestDb::fresh();
    let page = Page::start(&db).await;
    page.say(
        "UCOMMANDER",
        "CGENERAL",
        "/incident declare restricted sev1 Leaked signing key",
    )
    .await;
    page.message("UCOMMANDER", "GSECURITY", "Leaked signing key")
        .await;
    let (_, _, channel, _) = incident_row(&page.pool).await;
    assert_eq!(channel.as_deref(), Some("GSECURITY"));
    let viewer = page.state("UVIEWER").await;
    assert!(!viewer.to_string().contains("Leaked signing key"));
    assert!(
        viewer["channels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "GSECURITY")
    );
    page.sandbox.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_malformed_page_request_is_refused_with_400() {
    let db = TestDb::fresh();
    let page = Page::start(&db).await;
    for (path, body) in [
        (
            "/_sandbox/say",
            json!({ "user": "UONCALL", "channel": "CGENERAL" }),
        ),
        (
            "/_sandbox/say",
            json!({ "user": "UNOBODY", "channel": "CGENERAL", "text": "hi" }),
        ),
        (
            "/_sandbox/say",
            json!({ "user": "UVIEWER", "channel": "GSECURITY", "text": "hi" }),
        ),
        (
            "/_sandbox/act",
            json!({ "user": "UONCALL", "channel": "CINCIDENTS", "ts": "1.2", "action_id": "x" }),
        ),
        (
            "/_sandbox/submit",
            json!({ "user": "UONCALL", "view_id": "V1", "values": {} }),
        ),
    ] {
        let response = page.post(path, &body).await;
        assert_eq!(response.status(), 400, "{path} {body}");
    }
    let response = page
        .http
        .post(format!("{}_sandbox/say", page.sandbox.url()))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    page.sandbox.shut_down().await.unwrap();
}

#[tokio::test]
async fn the_page_is_one_html_file_with_a_strict_content_security_policy_and_warroom_is_behind_it()
{
    let db = TestDb::fresh();
    let page = Page::start(&db).await;
    let response = reqwest::get(page.sandbox.url()).await.unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'self'"));
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<script src="/sandbox.js" defer></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
    let health = reqwest::get(format!("{}healthz", page.sandbox.url()))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "warroom's own routes are passed on");
    assert_eq!(health.text().await.unwrap(), "ok");
    page.sandbox.shut_down().await.unwrap();
}

#[tokio::test]
async fn fresh_refuses_to_drop_a_database_the_sandbox_did_not_make() {
    let db = TestDb::fresh();
    let admin = db.url.rsplit_once('/').unwrap().0.to_owned() + "/postgres";
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{}\"",
        db.name
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let pool = PgPool::connect(&db.url).await.unwrap();
    sqlx::query("CREATE TABLE precious (id int)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let options = |fresh| Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        fresh,
        fast: true,
    };
    let refused = Sandbox::start(options(true)).await.err().expect("refused");
    assert!(refused.to_string().contains("--fresh refuses"), "{refused}");
    let pool = PgPool::connect(&db.url).await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM precious")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, 0, "the table is still there");
    pool.close().await;

    // A database the sandbox made is dropped and made again.
    let ours = TestDb::fresh();
    let options = |fresh| Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: ours.url.clone(),
        fresh,
        fast: false,
    };
    let first = Sandbox::start(options(false)).await.unwrap();
    first.shut_down().await.unwrap();
    let again = Sandbox::start(options(true)).await.unwrap();
    again.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_message_in_the_sandbox_is_declared_from_with_its_shortcut() {
    let db = TestDb::fresh();
    let page = Page::start(&db).await;
    let said = "Customers report checkout spinning forever";
    page.say("UONCALL", "CGENERAL", said).await;
    let message = page.message("UONCALL", "CGENERAL", said).await;
    let shortcut = json!({
        "user": "UONCALL", "channel": "CGENERAL", "ts": message["ts"],
        "callback_id": "declare_from_message",
    });
    page.ok("/_sandbox/shortcut", shortcut).await;
    let view = eventually("the declare form to open", WAIT, || async {
        page.state("UONCALL").await["views"]
            .as_array()
            .and_then(|v| v.last().cloned())
    })
    .await;
    assert!(
        view.to_string().contains(said),
        "the form is filled in from the message: {view}"
    );
}
