//! Restricted (security) incidents end to end: declared into the private restricted channel, one
//! line without details in the incidents channel, their details read only by the restricted
//! channel's members there or in a direct message — counted, never described, anywhere else —
//! and none of their text in the logs or the public channel.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const SECURE: &str = "G0SECURE";
const MEMBER: &str = "U0MEMBER";
const OUTSIDER: &str = "U0OUTSIDER";
/// Text that must never leave the restricted channel.
const MARKER: &str = "ZEBRA-7731";

async fn spawn(slack: &FakeSlack, announce: bool) -> (TestApp, TestDb) {
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    slack.set_answer(
        "conversations.members",
        json!({ "ok": true, "members": [MEMBER, DECLARER], "response_metadata": { "next_cursor": "" } }),
    );
    let db = TestDb::fresh();
    let toml =
        format!("{TEST_CONFIG}\n[restricted]\nchannel = \"{SECURE}\"\nannounce = {announce}\n");
    (TestApp::spawn_on(&db, slack, &toml).await, db)
}

/// `/incident <text>` typed by `user` in `channel`: the private answer's text and blocks.
async fn ask(app: &TestApp, slack: &FakeSlack, channel: &str, user: &str, text: &str) -> String {
    let trigger = format!("{}.{user}.trigger", rand::random::<u32>());
    let response = app
        .slash_in(channel, user, text, &slack.response_url(user), &trigger)
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    if body.is_empty() {
        return String::new();
    }
    let answer: Value = serde_json::from_str(&body).unwrap();
    format!("{} {}", answer["text"], answer["blocks"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_incident_lives_in_the_private_channel_and_the_open_channel_hears_one_line() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, true).await;
    let (id, card_ts) = declared(
        &app,
        &slack,
        &format!("declare restricted sev1 {MARKER} customer records readable"),
    )
    .await;
    let (channel, restricted): (String, bool) =
        sqlx::query_as("SELECT channel_id, restricted FROM incidents WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((channel.as_str(), restricted), (SECURE, true));
    let messages = slack.messages();
    let card = messages.iter().find(|m| m.ts == card_ts).unwrap();
    assert_eq!(card.channel, SECURE);
    assert!(
        replies(&slack, &card_ts)
            .iter()
            .any(|t| t.contains("Declared by"))
    );
    let open: Vec<String> = messages
        .iter()
        .filter(|m| m.channel == INCIDENT_CHANNEL)
        .map(|m| format!("{:?} {:?}", m.text, m.blocks))
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(
        open[0].contains("A restricted SEV-1 incident was declared"),
        "{open:?}"
    );

    // A restricted type is restricted without being asked, once a channel exists.
    let (typed, _) = declared(&app, &slack, "declare sev2 Token seen in a public repo").await;
    app.slash(&slack, &format!("note {typed} nothing")).await;
    let by_type: Vec<(String, bool)> =
        sqlx::query_as("SELECT id, restricted FROM incidents ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        by_type.iter().filter(|(_, r)| *r).count(),
        1,
        "a quick declare names no type"
    );

    // None of the restricted incident's text reached the open channel, or the logs.
    drained(&app.pool).await;
    for m in slack.messages().iter().filter(|m| m.channel != SECURE) {
        let shown = format!("{:?} {:?}", m.text, m.blocks);
        assert!(!shown.contains(MARKER), "{shown}");
    }
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(
        !logs.contains(MARKER),
        "a restricted title reached the logs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_members_in_its_channel_or_a_direct_message_read_a_restricted_incident() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, false).await;
    let (id, card_ts) = declared(
        &app,
        &slack,
        &format!("declare restricted sev2 {MARKER} tenant data crossed"),
    )
    .await;
    let (open, _) = declared(&app, &slack, "declare sev3 Exports slow").await;
    drained(&app.pool).await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM timeline_entries")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // Outside its channel, or not a member: told it is restricted, nothing described, nothing written.
    for (channel, user) in [
        (COMMAND_CHANNEL, OUTSIDER),
        (COMMAND_CHANNEL, MEMBER),
        (SECURE, OUTSIDER),
        ("D0OUTSIDER", OUTSIDER),
    ] {
        for asked in [
            format!("show {id}"),
            format!("timeline {id}"),
            format!("note {id} {MARKER} from outside"),
            format!("correct {id} #1 {MARKER}"),
            format!("report {id}"),
            format!("actions {id}"),
            format!("action {id} <@{MEMBER}> in 3d {MARKER}"),
        ] {
            let answer = ask(&app, &slack, channel, user, &asked).await;
            assert!(
                answer.contains("is a restricted incident"),
                "{channel} {user} {asked}: {answer}"
            );
            assert!(!answer.contains(MARKER), "{answer}");
        }
        let listed = ask(&app, &slack, channel, user, "list").await;
        assert!(
            listed.contains(&open) && !listed.contains(&id) && !listed.contains(MARKER),
            "{listed}"
        );
        assert!(
            listed.contains("1 restricted incident is not shown here"),
            "{listed}"
        );
        let found = ask(&app, &slack, channel, user, "search tenant").await;
        assert!(!found.contains(&id) && !found.contains(MARKER), "{found}");
        assert!(
            found.contains("1 restricted incident is not shown here"),
            "{found}"
        );
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM timeline_entries")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, before, "nothing was written");

    // A member, in the channel or in a direct message, sees it all.
    for channel in [SECURE, "D0MEMBER"] {
        let shown = ask(&app, &slack, channel, MEMBER, &format!("show {id}")).await;
        assert!(shown.contains(MARKER), "{channel}: {shown}");
        let listed = ask(&app, &slack, channel, MEMBER, "list").await;
        assert!(
            listed.contains(&id) && !listed.contains("not shown here"),
            "{listed}"
        );
    }
    let noted = ask(
        &app,
        &slack,
        SECURE,
        MEMBER,
        &format!("note {id} Rotated the keys"),
    )
    .await;
    assert!(noted.contains("Noted"), "{noted}");

    // The members are read once for the burst, not once a command.
    assert_eq!(slack.calls_to("conversations.members").len(), 1);

    // A role given to someone outside the channel: the thread says they cannot see it yet.
    app.fill_form(
        &slack,
        &card_ts,
        &id,
        "incident_roles",
        None,
        MEMBER,
        &[("role", "select", "security"), ("user", "user", OUTSIDER)],
    )
    .await;
    drained(&app.pool).await;
    let warned = slack.messages().into_iter().find(|m| {
        m.thread_ts.as_deref() == Some(&card_ts)
            && m.blocks.as_ref().is_some_and(|b| {
                b.to_string()
                    .contains("is not a member of this restricted channel")
            })
    });
    assert!(warned.is_some(), "{:?}", replies(&slack, &card_ts));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_restricted_channel_an_explicit_restricted_declare_is_refused_in_words() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let answer = app
        .slash(&slack, "declare restricted sev1 Keys leaked")
        .await;
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("need a private channel"),
        "{answer}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // A security type is declared as usual when there is nowhere restricted to put it.
    app.slash(&slack, "declare").await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    assert!(
        !view["blocks"].to_string().contains("\"restricted\""),
        "no checkbox without a channel"
    );
    let answer = app
        .submit(
            &view,
            DECLARER,
            &[
                ("title", "text", "Keys leaked"),
                ("incident_type", "select", "credential"),
            ],
        )
        .await;
    assert_eq!(answer, Value::Null);
    let restricted: bool = sqlx::query_scalar("SELECT restricted FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!restricted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_channel_that_is_not_private_stops_start_up() {
    let slack = FakeSlack::start().await;
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": "C0PUBLIC", "is_private": false } }),
    );
    let db = TestDb::fresh();
    let toml = format!("{TEST_CONFIG}\n[restricted]\nchannel = \"C0PUBLIC\"\n");
    let config = config(&db, &slack.api_url(), &toml);
    let pool = warroom::store::connect_and_migrate(&config).await.unwrap();
    let state = warroom::app::AppState::new(
        config,
        pool,
        std::sync::Arc::new(warroom::clock::SystemClock),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let served = warroom::app::serve_with_admin(listener, None, state, async {}).await;
    let error = served.expect_err("a public channel is refused").to_string();
    assert!(
        error.contains("restricted.channel") && error.contains("not a private channel"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_digest_leaves_restricted_incidents_to_a_digest_of_their_own() {
    let slack = FakeSlack::start().await;
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    let db = TestDb::fresh();
    let restricted = format!("{TEST_CONFIG}\n[restricted]\nchannel = \"{SECURE}\"\n");
    let app = TestApp::spawn_on(&db, &slack, &restricted).await;
    let (secret, _) = declared(
        &app,
        &slack,
        &format!("declare restricted sev2 {MARKER} leak"),
    )
    .await;
    let (open, _) = declared(&app, &slack, "declare sev4 Typo on the status page").await;
    app.shut_down().await;
    // The digest is due moments after a restart, once both incidents exist however slowly they
    // were declared.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%H:%M:%S")
        .to_string();
    let toml = format!("{restricted}[digest]\nat = \"{at}\"\n");
    let _app = TestApp::spawn_on(&db, &slack, &toml).await;
    let digest = |channel: &'static str| {
        let slack = slack.clone();
        async move {
            eventually("the digest", WAIT, || async {
                slack.messages().into_iter().find(|m| {
                    m.channel == channel
                        && m.text
                            .as_deref()
                            .is_some_and(|t| t.contains("Daily incident digest"))
                })
            })
            .await
            .text
            .unwrap()
        }
    };
    let public = digest(INCIDENT_CHANNEL).await;
    assert!(
        public.contains(&open) && !public.contains(&secret) && !public.contains(MARKER),
        "{public}"
    );
    let private = digest(SECURE).await;
    assert!(
        private.contains(&secret) && !private.contains(&open),
        "{private}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_shortcut_names_no_restricted_incident_outside_its_channel() {
    let slack = FakeSlack::start().await;
    let (app, _db) = spawn(&slack, false).await;
    let (secret, _) = declared(
        &app,
        &slack,
        &format!("declare restricted sev2 {MARKER} leak"),
    )
    .await;
    let (open, _) = declared(&app, &slack, "declare sev3 Exports slow").await;
    app.interaction(&crate::shortcut::shortcut(
        &slack,
        "C0RANDOM",
        "1764000000.000300",
        None,
    ))
    .await;
    let view = slack.wait_for_calls("views.open", 1, WAIT).await[0].body["view"].clone();
    let offered = view["blocks"].to_string();
    assert!(
        offered.contains(&open) && !offered.contains(&secret) && !offered.contains(MARKER),
        "{offered}"
    );
    // A submission naming it anyway is refused under the picker, and nothing is written.
    let refused = app
        .submit(&view, OUTSIDER, &[("incident", "select", &secret)])
        .await;
    assert!(
        refused["errors"]["incident"]
            .as_str()
            .unwrap()
            .contains("restricted incident"),
        "{refused}"
    );
    let added: i64 =
        sqlx::query_scalar("SELECT count(*) FROM timeline_entries WHERE kind = 'message_added'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(added, 0);
}
