//! What warroom keeps and for how long: delivered messages and fired reminders are deleted after
//! the retention period, a `response_url` (a credential for thirty minutes) is not kept once its
//! message is delivered, and the timeline is never touched.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivered_answer_keeps_no_response_url() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    // The declarer's link to the card goes to the command's response_url.
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Answers to one person").await;
    // A second acknowledgement is refused privately, through the click's response_url.
    app.acknowledge(&slack, &card_ts, &id, "U0FIRST").await;
    app.acknowledge(&slack, &card_ts, &id, "U0SECOND").await;
    drained(&app.pool).await;
    assert!(
        !slack.calls_to("response_url").is_empty(),
        "answers went to response_urls"
    );
    let kept = count(
        &app,
        "SELECT count(*) FROM outbox WHERE payload::text LIKE '%/response/%'",
    )
    .await;
    assert_eq!(kept, 0, "a delivered row still holds a response_url");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_messages_and_fired_reminders_past_retention_are_deleted_and_the_timeline_is_kept()
 {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let config = format!("{TEST_CONFIG}[retention]\nkeep = \"1d\"\nevery = \"1s\"\n");
    let app = TestApp::spawn_on(&db, &slack, &config).await;
    let (_old, _) = declared(&app, &slack, "declare sev3 Long ago").await;
    let (recent, _) = declared(&app, &slack, "declare sev3 Just now").await;
    let timeline = count(&app, "SELECT count(*) FROM timeline_entries").await;
    // The first incident's messages were delivered, and its reminders done with, two days ago.
    sqlx::query(
        "UPDATE outbox SET updated_at = now() - interval '2 days', delivered_at = now() - interval '2 days'
         WHERE incident_id <> $1 AND state <> 'pending'",
    )
    .bind(&recent)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE reminders SET state = 'cancelled', updated_at = now() - interval '2 days' WHERE incident_id <> $1",
    )
    .bind(&recent)
    .execute(&app.pool)
    .await
    .unwrap();
    let recent_rows = count(&app, "SELECT count(*) FROM outbox WHERE incident_id IS NOT NULL AND updated_at > now() - interval '1 day'").await;
    assert!(recent_rows > 0);
    eventually("old rows to be deleted", WAIT, || async {
        let old = count(
            &app,
            "SELECT (SELECT count(*) FROM outbox WHERE updated_at < now() - interval '1 day')
                  + (SELECT count(*) FROM reminders WHERE updated_at < now() - interval '1 day')",
        )
        .await;
        (old == 0).then_some(())
    })
    .await;
    assert_eq!(
        count(&app, "SELECT count(*) FROM outbox WHERE incident_id IS NOT NULL AND updated_at > now() - interval '1 day'").await,
        recent_rows,
        "recent deliveries are kept"
    );
    assert!(
        count(
            &app,
            "SELECT count(*) FROM reminders WHERE state = 'pending'"
        )
        .await
            > 0,
        "the recent incident's reminders are kept"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM timeline_entries").await,
        timeline,
        "the timeline is the record: never deleted"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM incidents").await, 2);
}
