//! Who may steer an incident, through every path that changes it, and the triage review: from
//! signed clicks and forms to the rows, the timeline and the thread.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::Value;

const COMMANDER: &str = "U0COMMANDER";
const BYSTANDER: &str = "U0BYSTANDER";
const NOT_PERMITTED: &str = "Only the incident's role holders";

async fn column<T>(app: &TestApp, id: &str, column: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let sql = format!("SELECT {column} FROM incidents WHERE id = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn kinds(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM timeline_entries WHERE incident_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

fn refused(answer: &Value) -> bool {
    answer["response_action"] == "errors"
        && answer["errors"].as_object().is_some_and(|e| {
            e.values()
                .any(|m| m.as_str().unwrap_or("").contains(NOT_PERMITTED))
        })
}

fn update(status: &str) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("impact", "text", "EU checkout".into()),
        ("current_action", "text", "Watching the rollback".into()),
        ("owner", "user", COMMANDER.into()),
        ("next_update", "select", "1800".into()),
        ("status", "select", status.into()),
    ]
}

/// Form fields as [`TestApp::submit`] takes them.
fn fields<'a>(
    owned: &'a [(&'static str, &'static str, String)],
) -> Vec<(&'static str, &'static str, &'a str)> {
    owned.iter().map(|(b, k, v)| (*b, *k, v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_restricted_changes_every_steering_path_is_refused_to_a_bystander_and_open_to_a_holder()
 {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let config = format!("restrict_changes = true\n{TEST_CONFIG}");
    let app = TestApp::spawn_on(&db, &slack, &config).await;
    let (id, card) = declared(&app, &slack, "declare sev2 Checkout errors").await;
    let form = |action: &'static str,
                choice: Option<String>,
                user: &'static str,
                f: Vec<(&'static str, &'static str, String)>| {
        let (app, slack, id, card) = (&app, &slack, id.clone(), card.clone());
        async move {
            app.fill_form(
                slack,
                &card,
                &id,
                action,
                choice.as_deref(),
                user,
                &fields(&f),
            )
            .await
        }
    };
    // The declarer steers until someone is commander.
    let assigned = form(
        "incident_roles",
        None,
        DECLARER,
        vec![
            ("role", "select", "commander".into()),
            ("user", "user", COMMANDER.into()),
        ],
    )
    .await;
    assert_eq!(assigned, Value::Null);

    // Status through Post update.
    let answer = form("incident_post_update", None, BYSTANDER, update("contained")).await;
    assert!(refused(&answer), "{answer}");
    assert_eq!(column::<String>(&app, &id, "status").await, "investigating");
    let answer = form("incident_post_update", None, DECLARER, update("contained")).await;
    assert!(refused(&answer), "the declarer no longer steers: {answer}");
    form("incident_post_update", None, COMMANDER, update("contained")).await;
    assert_eq!(column::<String>(&app, &id, "status").await, "contained");

    // Title and type through Edit (a credential type would call management in).
    let edit = |title: &str| {
        vec![
            ("title", "text", title.to_owned()),
            ("incident_type", "select", "credential".into()),
        ]
    };
    let more = |key: &str| Some(format!("{key}:{id}"));
    let answer = form("incident_more", more("edit"), BYSTANDER, edit("Renamed")).await;
    assert!(refused(&answer), "{answer}");
    assert_eq!(
        column::<Option<String>>(&app, &id, "incident_type").await,
        None
    );
    form("incident_more", more("edit"), COMMANDER, edit("Renamed")).await;
    assert_eq!(
        column::<Option<String>>(&app, &id, "incident_type")
            .await
            .as_deref(),
        Some("credential")
    );
    assert_eq!(column::<String>(&app, &id, "title").await, "Renamed");

    // Anyone may raise a breach flag; only a holder stops its clock.
    let answer = form(
        "incident_more",
        more("breach"),
        BYSTANDER,
        vec![("discovered", "select", "0".into())],
    )
    .await;
    assert_eq!(answer, Value::Null, "raising the alarm is open to all");
    let record: Vec<(&'static str, &'static str, String)> = [
        "nature",
        "data_subjects",
        "data_categories",
        "likely_consequences",
        "measures",
        "contact_point",
    ]
    .into_iter()
    .map(|k| (k, "text", format!("{k} as filed")))
    .collect();
    let answer = form("incident_more", more("notified"), BYSTANDER, record.clone()).await;
    assert!(refused(&answer), "{answer}");
    let stopped: Option<chrono::DateTime<chrono::Utc>> =
        column(&app, &id, "authority_notified_at").await;
    assert_eq!(stopped, None, "a junk record does not stop the clock");
    form("incident_more", more("notified"), COMMANDER, record).await;
    let stopped: Option<chrono::DateTime<chrono::Utc>> =
        column(&app, &id, "authority_notified_at").await;
    assert!(stopped.is_some());

    // Triage answers.
    let triage = || vec![("triage", "multi", "money_affected".to_owned())];
    let answer = form("incident_more", more("triage"), BYSTANDER, triage()).await;
    assert!(refused(&answer), "{answer}");
    form("incident_more", more("triage"), COMMANDER, triage()).await;

    // Reopening a resolved incident through Post update.
    form(
        "incident_status",
        Some("resolved".into()),
        COMMANDER,
        vec![("summary", "text", "Rolled back".into())],
    )
    .await;
    assert_eq!(column::<String>(&app, &id, "status").await, "resolved");
    let answer = form(
        "incident_post_update",
        None,
        BYSTANDER,
        update("recovering"),
    )
    .await;
    assert!(refused(&answer), "{answer}");
    assert_eq!(column::<String>(&app, &id, "status").await, "resolved");
    form(
        "incident_post_update",
        None,
        COMMANDER,
        update("recovering"),
    )
    .await;
    assert_eq!(column::<String>(&app, &id, "status").await, "recovering");
    let resolved: Option<chrono::DateTime<chrono::Utc>> = column(&app, &id, "resolved_at").await;
    assert_eq!(
        resolved, None,
        "a reopened incident no longer counts as resolved"
    );

    let kinds = kinds(&app, &id).await;
    for kind in [
        "edited",
        "authority_notified",
        "triage_reviewed",
        "resolved",
    ] {
        assert_eq!(
            kinds.iter().filter(|k| *k == kind).count(),
            1,
            "{kind} once, by the holder: {kinds:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewing_the_triage_records_it_raises_to_the_new_floor_and_lets_the_severity_drop_after()
{
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card) = declared(&app, &slack, "declare sev3 Quick declare").await;
    let more = Some(format!("triage:{id}"));
    let open_review = || {
        app.open_form(
            &slack,
            &card,
            &id,
            "incident_more",
            more.as_deref(),
            DECLARER,
        )
    };
    let view = open_review().await;
    assert_eq!(view["callback_id"], "incident_triage");
    assert!(
        view["blocks"]
            .to_string()
            .contains("Money or wallet integrity")
    );
    app.submit(&view, DECLARER, &[("triage", "multi", "money_affected")])
        .await;
    assert_eq!(column::<String>(&app, &id, "severity").await, "SEV-2");
    let after: Vec<String> = kinds(&app, &id).await.into_iter().skip(1).collect();
    assert_eq!(after, ["triage_reviewed", "severity_changed", "escalated"]);
    let reviewed: Value = sqlx::query_scalar(
        "SELECT details FROM timeline_entries WHERE incident_id = $1 AND kind = 'triage_reviewed'",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reviewed["from"]["money_affected"], Value::Null);
    assert_eq!(reviewed["to"]["money_affected"], true);

    let lower = || {
        app.fill_form(
            &slack,
            &card,
            &id,
            "incident_severity",
            Some("SEV-3"),
            DECLARER,
            &[
                ("level", "select", "SEV-3"),
                ("reason", "text", "Test wallets only"),
            ],
        )
    };
    // The floor holds until the answers change again…
    let answer = lower().await;
    assert!(
        answer["errors"]["level"]
            .as_str()
            .unwrap_or("")
            .contains("triage"),
        "{answer}"
    );
    // …and the review form shows what was answered.
    let view = open_review().await;
    assert!(view["blocks"].to_string().contains("initial_options"));
    app.submit(&view, DECLARER, &[("triage", "multi", "")])
        .await;
    assert_eq!(
        column::<String>(&app, &id, "severity").await,
        "SEV-2",
        "lowering is a choice"
    );
    lower().await;
    assert_eq!(column::<String>(&app, &id, "severity").await, "SEV-3");
    let thread = drained(&app.pool).await;
    assert!(
        thread.iter().all(|(_, state)| state == "delivered"),
        "{thread:?}"
    );
    let replies: Vec<String> = slack
        .messages()
        .into_iter()
        .filter(|m| m.thread_ts.as_deref() == Some(card.as_str()))
        .filter_map(|m| m.text)
        .collect();
    assert!(
        replies
            .iter()
            .any(|t| t.contains("reviewed the triage (severity floor SEV-2)")),
        "{replies:?}"
    );
    assert!(replies.iter().any(|t| t.contains("*SEV-3* → *SEV-2*")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_submitted_twice_posts_one_update() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card) = declared(&app, &slack, "declare sev2 Double submit").await;
    let view = app
        .open_form(&slack, &card, &id, "incident_post_update", None, DECLARER)
        .await;
    let owned = update("identified");
    for _ in 0..2 {
        assert_eq!(
            app.submit(&view, DECLARER, &fields(&owned)).await,
            Value::Null
        );
    }
    let updates = kinds(&app, &id)
        .await
        .into_iter()
        .filter(|k| k == "update_posted")
        .count();
    assert_eq!(
        updates, 1,
        "Slack's retry of the same view is the same request"
    );
}
