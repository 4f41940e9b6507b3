//! The web view end to end: Sign in with Slack against the fake's OpenID pages and Web API (id
//! tokens signed with a key made here), sessions in Postgres, the pages and their headers, and
//! every refusal — forged or replayed state, another workspace, a bad signature, an expired
//! session, a restricted incident, an unknown one, a malformed filter — each a page with its
//! status.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{StatusCode, redirect::Policy};
use rsa::{RsaPrivateKey, pkcs1::EncodeRsaPrivateKey, traits::PublicKeyParts};
use serde_json::{Value, json};
use std::sync::OnceLock;
use warroom::config::WebConfig;

const PUBLIC: &str = "https://warroom.test";
const CLIENT_ID: &str = "1234.5678";
const CLIENT_SECRET: &str = "client-secret-ABCDEF123456";
/// The fake's `auth.test` says the bot's workspace is T1.
const TEAM: &str = "T1";
const SECURE: &str = "G0SECURE";
const MEMBER: &str = "U0MEMBER";
const OUTSIDER: &str = "U0OUTSIDER";
const KID: &str = "test-key-1";

/// An RSA key that signs id tokens, and its public half as Slack publishes keys.
struct Signer {
    der: Vec<u8>,
    jwks: Value,
}

fn make_signer(kid: &str) -> Signer {
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let der = key.to_pkcs1_der().unwrap().as_bytes().to_vec();
    let (n, e) = (key.n().to_bytes_be(), key.e().to_bytes_be());
    let jwks = json!({ "keys": [{
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
    }] });
    Signer { der, jwks }
}

/// Slack's key, made once per test run.
fn slack_key() -> &'static Signer {
    static KEY: OnceLock<Signer> = OnceLock::new();
    KEY.get_or_init(|| make_signer(KID))
}

/// Another key under the same key id: a forger's.
fn forger_key() -> &'static Signer {
    static KEY: OnceLock<Signer> = OnceLock::new();
    KEY.get_or_init(|| make_signer(KID))
}

/// Builds an id token from the sign-in's nonce.
type MakeToken = Box<dyn Fn(&str) -> String>;

fn id_token(signer: &Signer, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(&signer.der)).unwrap()
}

/// The claims Slack would send for `user` of `team`.
fn claims(user: &str, team: &str, nonce: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": "https://slack.com", "sub": user, "aud": CLIENT_ID, "exp": now + 300, "iat": now,
        "auth_time": now, "nonce": nonce, "email": "someone@example.com", "name": format!("Name of {user}"),
        "https://slack.com/user_id": user, "https://slack.com/team_id": team,
    })
}

/// warroom with the web view on, a restricted channel whose only member is MEMBER, and the
/// fake's keys set.
async fn spawn_web(slack: &FakeSlack) -> (TestApp, TestDb) {
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    slack.set_answer(
        "conversations.members",
        json!({ "ok": true, "members": [MEMBER], "response_metadata": { "next_cursor": "" } }),
    );
    slack.set_jwks(slack_key().jwks.clone());
    let db = TestDb::fresh();
    let toml = format!("{TEST_CONFIG}\n[restricted]\nchannel = \"{SECURE}\"\n");
    let mut config = config(&db, &slack.api_url(), &toml);
    config.web = Some(WebConfig {
        public_url: PUBLIC.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: warroom::config::Secret::new(CLIENT_SECRET),
        openid_url: slack.openid_url(),
        session_lifetime: std::time::Duration::from_secs(3600),
    });
    config.process.web_view_url = Some(PUBLIC.to_owned());
    (TestApp::spawn_with_config(config).await, db)
}

/// A browser: keeps cookies, follows no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn query_of(url: &str) -> Value {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// Where warroom's own redirect leads on the test's address (the public URL is not served).
fn on_app(app: &TestApp, url: &str) -> String {
    app.url(url.strip_prefix(PUBLIC).unwrap_or(url))
}

/// Starts a sign-in for `next` and comes back from the fake's authorize page with Slack's
/// answer to the code exchange built by `token` from the nonce; the callback's response and the
/// callback URL (to replay).
async fn sign_in_with(
    app: &TestApp,
    slack: &FakeSlack,
    browser: &reqwest::Client,
    next: &str,
    token: impl FnOnce(&str) -> String,
) -> (reqwest::Response, String) {
    let login = browser
        .get(app.url(&format!("/auth/login?next={}", urlencode(next))))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let authorize = location(&login);
    let asked = query_of(&authorize);
    slack.set_answer(
        "openid.connect.token",
        json!({ "ok": true, "access_token": "xoxp-user", "token_type": "Bearer",
                "id_token": token(asked["nonce"].as_str().unwrap()) }),
    );
    let at_slack = browser.get(&authorize).send().await.unwrap();
    assert_eq!(at_slack.status(), StatusCode::FOUND);
    let callback = on_app(app, &location(&at_slack));
    (browser.get(&callback).send().await.unwrap(), callback)
}

async fn sign_in_as(app: &TestApp, slack: &FakeSlack, user: &str) -> reqwest::Client {
    let browser = browser();
    let (back, _) = sign_in_with(app, slack, &browser, "/incidents", |nonce| {
        id_token(slack_key(), &claims(user, TEAM, nonce))
    })
    .await;
    assert_eq!(
        back.status(),
        StatusCode::SEE_OTHER,
        "{}",
        back.text().await.unwrap()
    );
    browser
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

async fn get(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn sessions(app: &TestApp) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT token_sha256, user_id, user_name, team_id FROM web_sessions ORDER BY created_at",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_slack_starts_a_session_that_shows_the_pages_until_signing_out() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let browser = browser();
    let (back, _) = sign_in_with(&app, &slack, &browser, "/stats", |nonce| {
        id_token(slack_key(), &claims(MEMBER, TEAM, nonce))
    })
    .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&back),
        "/stats",
        "back to the page first asked for"
    );
    let cookies: Vec<&str> = back
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("warroom_session="))
        .unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session}");
    }
    let token = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("warroom_session=");
    // What Slack was asked: the authorize page with every parameter, the code exchange with the
    // app's credentials and without the bot token, and the workspace's id.
    let asked = &slack.authorizations()[0];
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["scope"], "openid email profile");
    assert_eq!(asked["client_id"], CLIENT_ID);
    assert_eq!(asked["redirect_uri"], format!("{PUBLIC}/auth/callback"));
    assert_eq!(asked["team"], TEAM);
    assert!(
        asked["state"].as_str().unwrap().len() >= 32
            && asked["nonce"].as_str().unwrap().len() >= 32
    );
    let exchange = slack.calls_to("openid.connect.token");
    assert_eq!(exchange.len(), 1);
    assert_eq!(exchange[0].body["client_id"], CLIENT_ID);
    assert_eq!(exchange[0].body["client_secret"], CLIENT_SECRET);
    assert_eq!(exchange[0].body["code"], "code-1");
    assert_eq!(
        exchange[0].body["redirect_uri"],
        format!("{PUBLIC}/auth/callback")
    );
    assert!(
        exchange[0].authorization.is_none(),
        "no bot token on the exchange"
    );
    assert!(!slack.calls_to("auth.test").is_empty());
    // The session row keeps only the token's digest.
    let rows = sessions(&app).await;
    assert_eq!(rows.len(), 1);
    let (digest, user, name, team) = &rows[0];
    assert_ne!(digest, token);
    assert_eq!(digest.len(), 64);
    assert_eq!(
        (user.as_str(), name.as_str(), team.as_str()),
        (MEMBER, "Name of U0MEMBER", TEAM)
    );
    // Every page carries the guard headers.
    for path in ["/incidents", "/stats"] {
        let page = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let h = page.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(h["x-robots-tag"], "noindex, nofollow, noarchive");
        assert_eq!(h["cache-control"], "no-store");
        let body = page.text().await.unwrap();
        assert!(
            !body.contains("<script") && !body.contains("style="),
            "no script, no inline style"
        );
        assert!(body.contains("Name of U0MEMBER"));
    }
    let css = browser.get(app.url("/web/style.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    // Signing out needs the page's CSRF token.
    let refused = browser
        .post(app.url("/auth/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(sessions(&app).await.len(), 1);
    let (_, page) = get(&browser, &app, "/incidents").await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let out = browser
        .post(app.url("/auth/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(sessions(&app).await.is_empty(), "the session is gone");
    let after = browser.get(app.url("/incidents")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(location(&after).starts_with("/auth/login?next="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_replayed_state_is_refused_with_400_and_starts_no_session() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let browser = browser();
    let forged = browser
        .get(app.url("/auth/callback?code=code-9&state=0123456789abcdef"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("Sign-in expired or already used")
    );
    let (back, callback) = sign_in_with(&app, &slack, &browser, "/incidents", |nonce| {
        id_token(slack_key(), &claims(MEMBER, TEAM, nonce))
    })
    .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    // The same callback again, even from the browser that started it, or from another browser.
    let replayed = browser.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    let elsewhere = self::browser().get(&callback).send().await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sessions(&app).await.len(), 1);
    assert_eq!(
        slack.calls_to("openid.connect.token").len(),
        1,
        "a refused state exchanges nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_token_of_another_workspace_a_forged_signature_or_a_wrong_nonce_starts_no_session() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let cases: [(StatusCode, &str, MakeToken); 4] = [
        (
            StatusCode::FORBIDDEN,
            "Another workspace",
            Box::new(|n| id_token(slack_key(), &claims(MEMBER, "T0OTHER", n))),
        ),
        (
            StatusCode::BAD_REQUEST,
            "Sign-in not verified",
            Box::new(|n| id_token(forger_key(), &claims(MEMBER, TEAM, n))),
        ),
        (
            StatusCode::BAD_REQUEST,
            "Sign-in not verified",
            Box::new(|_| id_token(slack_key(), &claims(MEMBER, TEAM, "another-nonce"))),
        ),
        (
            StatusCode::BAD_REQUEST,
            "Sign-in not verified",
            Box::new(|n| {
                let mut c = claims(MEMBER, TEAM, n);
                c["aud"] = json!("someone-else");
                id_token(slack_key(), &c)
            }),
        ),
    ];
    for (status, title, token) in cases {
        let (back, _) = sign_in_with(&app, &slack, &browser(), "/incidents", token).await;
        assert_eq!(back.status(), status, "{title}");
        let body = back.text().await.unwrap();
        assert!(body.contains(title), "{body}");
        assert!(
            !body.contains(CLIENT_SECRET) && !body.contains("eyJ"),
            "nothing leaked: {body}"
        );
    }
    assert!(sessions(&app).await.is_empty());
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(
        !logs.contains(CLIENT_SECRET),
        "the client secret never reaches the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_sent_to_sign_in_again() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let browser = sign_in_as(&app, &slack, MEMBER).await;
    assert_eq!(get(&browser, &app, "/incidents").await.0, StatusCode::OK);
    sqlx::query("UPDATE web_sessions SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    let page = browser
        .get(app.url("/incidents/INC-20261124-001"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&page),
        "/auth/login?next=%2Fincidents%2FINC-20261124-001"
    );
    // Nobody signed in at all: the same.
    let anonymous = self::browser().get(app.url("/stats")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_incident_page_shows_the_timeline_of_a_declared_incident_and_its_report_downloads() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let (id, _) = declared(&app, &slack, "declare sev2 Checkout latency high").await;
    app.slash(&slack, &format!("note {id} Paged the DBA on call"))
        .await;
    app.slash(&slack, &format!("correct {id} #2 Paged the DBA at 10:05"))
        .await;
    let browser = sign_in_as(&app, &slack, OUTSIDER).await;
    let (status, page) = get(&browser, &app, &format!("/incidents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "Checkout latency high",
        "SEV-2",
        "id=\"timeline\"",
        "declared SEV-2",
        "note: Paged the DBA on call",
        "Corrected by #3: Paged the DBA at 10:05",
        "report.md",
    ] {
        assert!(page.contains(needle), "missing {needle} in {page}");
    }
    let report = browser
        .get(app.url(&format!("/incidents/{id}/report.md")))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(
        report.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert!(report.text().await.unwrap().contains(&id));
    let (status, unknown) = get(&browser, &app, "/incidents/INC-20200101-999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(unknown.contains("There is no incident INC-20200101-999"));
    assert_eq!(
        get(&browser, &app, "/incidents/not-an-id").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_and_a_malformed_filter_is_a_400_page() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let (sev1, _) = declared(&app, &slack, "declare sev1 Payments gateway timeout").await;
    let (sev3, _) = declared(&app, &slack, "declare sev3 Search results stale").await;
    let browser = sign_in_as(&app, &slack, OUTSIDER).await;
    let listed = |page: &str, id: &str| page.contains(&format!("data-incident=\"{id}\""));
    let (_, all) = get(&browser, &app, "/incidents").await;
    assert!(listed(&all, &sev1) && listed(&all, &sev3), "{all}");
    let (_, severe) = get(&browser, &app, "/incidents?severity=SEV-1").await;
    assert!(listed(&severe, &sev1) && !listed(&severe, &sev3));
    let (_, words) = get(&browser, &app, "/incidents?q=gateway").await;
    assert!(listed(&words, &sev1) && !listed(&words, &sev3), "{words}");
    let (_, resolved) = get(&browser, &app, "/incidents?status=resolved").await;
    assert!(!listed(&resolved, &sev1) && !listed(&resolved, &sev3));
    let today = chrono::Utc::now().date_naive();
    let (_, dated) = get(
        &browser,
        &app,
        &format!("/incidents?from={today}&to={today}"),
    )
    .await;
    assert!(listed(&dated, &sev1));
    let (_, before) = get(&browser, &app, "/incidents?to=2020-01-01").await;
    assert!(!listed(&before, &sev1));
    // A drill is listed, marked as one.
    sqlx::query("UPDATE incidents SET drill = true WHERE id = $1")
        .bind(&sev3)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, drills) = get(&browser, &app, "/incidents?severity=SEV-3").await;
    assert!(
        listed(&drills, &sev3) && drills.contains(">DRILL<"),
        "{drills}"
    );
    for bad in [
        "status=frobnicated",
        "severity=SEV-9",
        "from=yesterday",
        "from=2026-12-01&to=2026-11-01",
        "type=nope",
    ] {
        let (status, page) = get(&browser, &app, &format!("/incidents?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.contains("Malformed filter"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_incident_is_shown_to_members_of_the_restricted_channel_only() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let (id, _) = declared(
        &app,
        &slack,
        "declare restricted sev1 ZEBRA-7731 records readable",
    )
    .await;
    let restricted: bool = sqlx::query_scalar("SELECT restricted FROM incidents WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(restricted);
    let outsider = sign_in_as(&app, &slack, OUTSIDER).await;
    let (status, page) = get(&outsider, &app, &format!("/incidents/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains("ZEBRA-7731"));
    let (_, list) = get(&outsider, &app, "/incidents").await;
    assert!(!list.contains(&id) && !list.contains("ZEBRA-7731"));
    assert!(list.contains("1 restricted incident not shown"), "{list}");
    let report = outsider
        .get(app.url(&format!("/incidents/{id}/report.md")))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::FORBIDDEN);
    let member = sign_in_as(&app, &slack, MEMBER).await;
    let (status, page) = get(&member, &app, &format!("/incidents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ZEBRA-7731") && page.contains("RESTRICTED"));
    let (_, list) = get(&member, &app, "/incidents").await;
    assert!(list.contains(&id));
    assert!(!slack.calls_to("conversations.members").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stats_page_draws_its_charts_and_refuses_a_malformed_period() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    declared(&app, &slack, "declare sev2 Checkout latency high").await;
    let browser = sign_in_as(&app, &slack, OUTSIDER).await;
    let (status, page) = get(&browser, &app, "/stats?period=7d").await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "<svg",
        "chart-mtta",
        "chart-mttr",
        "chart-incidents",
        "chart-actions",
        "MTTA",
        "SEV-2",
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
    let (status, page) = get(&browser, &app, "/stats?period=banana").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Malformed period"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_id_the_web_view_is_off_and_its_routes_answer_404() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    for path in [
        "/incidents",
        "/stats",
        "/auth/login",
        "/auth/callback?code=x&state=y",
        "/web/style.css",
    ] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_offers_open_in_browser_when_the_web_view_is_on() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Checkout latency high").await;
    let card = slack
        .messages()
        .into_iter()
        .find(|m| m.ts == card_ts)
        .unwrap();
    let blocks = card.blocks.unwrap().to_string();
    assert!(
        blocks.contains(&format!("{PUBLIC}/incidents/{id}")),
        "{blocks}"
    );
    assert!(blocks.contains("Open in browser"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_web_view_on_a_path_it_does_not_serve_is_still_not_found() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn_web(&slack).await;
    for path in [
        "/nonexistent",
        "/incidents/INC-20261202-001/nothing",
        "/auth/other",
    ] {
        let got = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(got.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
