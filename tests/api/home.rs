//! warroom's Home tab: published when it is opened, again when one of the person's incidents
//! changes, and its **Declare incident** button opens the declare form.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const OTHER: &str = "U0OTHER";

fn home_opened(event_id: &str, user: &str) -> Value {
    json!({
        "type": "event_callback", "team_id": "T0001", "api_app_id": "A0001",
        "event_id": event_id, "event_time": 1764000300,
        "event": { "type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                   "event_ts": "1764000300.000100" },
    })
}

/// The views published for `user` so far, as JSON text, oldest first.
fn published(slack: &FakeSlack, user: &str) -> Vec<String> {
    slack
        .calls_to("views.publish")
        .into_iter()
        .filter(|c| c.body["user_id"] == user)
        .map(|c| c.body["view"].to_string())
        .collect()
}

/// The declarer names OTHER the incident's commander through the card's roles form.
async fn other_made_commander(app: &TestApp, slack: &FakeSlack, (id, card): (&str, &str)) {
    let commander = [("role", "select", "commander"), ("user", "user", OTHER)];
    let assigned = app
        .fill_form(
            slack,
            card,
            id,
            "incident_roles",
            None,
            DECLARER,
            &commander,
        )
        .await;
    assert_eq!(assigned, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_tab_shows_my_incidents_and_is_published_again_when_one_changes() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    assert_eq!(app.event(&home_opened("Ev1", DECLARER)).await.status(), 200);
    let first = eventually("the Home", WAIT, || async {
        published(&slack, DECLARER).first().cloned()
    })
    .await;
    assert!(first.contains("Nothing open that you declared"), "{first}");
    assert!(first.contains("home_declare"), "{first}");

    // Declaring alone publishes it again.
    let (id, card) = declared(&app, &slack, "declare sev2 Search is down").await;
    let refreshed = eventually("the Home published again", WAIT, || async {
        published(&slack, DECLARER)
            .into_iter()
            .find(|v| v.contains(&id) && v.contains("Search is down"))
    })
    .await;
    assert!(refreshed.contains("you declared it"), "{refreshed}");
    assert!(
        refreshed.contains("Declared by you this week"),
        "{refreshed}"
    );
    drained(&app.pool).await;
    let before = published(&slack, DECLARER).len();
    app.acknowledge(&slack, &card, &id, DECLARER).await;
    eventually(
        "the Home published again on the acknowledgement",
        WAIT,
        || async { (published(&slack, DECLARER).len() > before).then_some(()) },
    )
    .await;

    // Someone who never opened their Home gets none; once they do, it names their role.
    other_made_commander(&app, &slack, (&id, &card)).await;
    drained(&app.pool).await;
    assert!(published(&slack, OTHER).is_empty());
    app.event(&home_opened("Ev2", OTHER)).await;
    let theirs = eventually("their Home", WAIT, || async {
        published(&slack, OTHER).first().cloned()
    })
    .await;
    assert!(
        theirs.contains(&id) && theirs.contains("your role: Incident Commander"),
        "{theirs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declare_incident_on_the_home_tab_opens_the_declare_form() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let click = json!({
        "type": "block_actions",
        "user": { "id": DECLARER, "username": "declarer", "name": "declarer", "team_id": "T0001" },
        "api_app_id": "A0001",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": { "type": "view", "view_id": "V0HOME" },
        "trigger_id": "12.34.home",
        "team": { "id": "T0001", "domain": "acme" },
        "actions": [{ "type": "button", "action_id": "home_declare", "block_id": "home",
                      "value": "declare", "action_ts": "1764000400.000100",
                      "text": { "type": "plain_text", "text": "Declare incident" } }],
    });
    assert_eq!(app.interaction(&click).await.status(), 200);
    let opened = slack.wait_for_calls("views.open", 1, WAIT).await;
    assert_eq!(opened[0].body["trigger_id"], "12.34.home");
    assert_eq!(opened[0].body["view"]["callback_id"], "declare_incident");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_incident_shows_on_the_home_only_of_members_of_the_restricted_channel() {
    const SECURE: &str = "G0SECURE";
    let slack = FakeSlack::start().await;
    slack.set_answer(
        "conversations.info",
        json!({ "ok": true, "channel": { "id": SECURE, "is_private": true } }),
    );
    // The declarer is a member of the restricted channel; OTHER is not.
    slack.set_answer(
        "conversations.members",
        json!({ "ok": true, "members": [DECLARER], "response_metadata": { "next_cursor": "" } }),
    );
    let db = TestDb::fresh();
    let toml = format!("{TEST_CONFIG}\n[restricted]\nchannel = \"{SECURE}\"\n");
    let app = TestApp::spawn_on(&db, &slack, &toml).await;
    for (event, user) in [("Ev1", DECLARER), ("Ev2", OTHER)] {
        assert_eq!(app.event(&home_opened(event, user)).await.status(), 200);
    }
    slack.wait_for_calls("views.publish", 2, WAIT).await;
    let restricted = "declare restricted sev1 Tenant data ZEBRA-4410 crossed";
    let (id, card) = declared(&app, &slack, restricted).await;
    // The declarer names OTHER commander: OTHER's Home is published again, without it.
    other_made_commander(&app, &slack, (&id, &card)).await;
    eventually("the declarer's Home with the incident", WAIT, || async {
        published(&slack, DECLARER)
            .into_iter()
            .find(|v| v.contains(&id) && v.contains("ZEBRA-4410"))
    })
    .await;
    eventually("OTHER's Home published again", WAIT, || async {
        (published(&slack, OTHER).len() >= 2).then_some(())
    })
    .await;
    drained(&app.pool).await;
    for view in published(&slack, OTHER) {
        assert!(
            !view.contains(&id) && !view.contains("ZEBRA-4410"),
            "a restricted incident on a non-member's Home: {view}"
        );
    }
}
