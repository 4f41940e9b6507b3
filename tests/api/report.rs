//! The post-incident report end to end: `/incident report` builds it from the typed timeline and
//! uploads it as a Markdown file into the incident's thread through Slack's external upload flow.

use crate::fake_slack::{FakeSlack, Fault};
use crate::helpers::*;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const RESPONDER: &str = "U0RESPONDER";

fn text(answer: &Value) -> String {
    answer["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_built_from_the_timeline_and_uploaded_into_the_thread() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev3 Exports | slow").await;
    app.acknowledge(&slack, &card_ts, &id, RESPONDER).await;
    app.click(
        &slack,
        &card_ts,
        &id,
        "incident_status",
        Some("contained"),
        RESPONDER,
    )
    .await;
    app.fill_form(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&format!("root_cause:{id}")),
        RESPONDER,
        &[("cause", "text", "An index dropped by a migration")],
    )
    .await;
    app.slash(&slack, &format!("note {id} Paged the DBA at 10:01"))
        .await;
    let numbered = app
        .slash(&slack, &format!("timeline {id}"))
        .await
        .to_string();
    assert!(numbered.contains("#5 "), "{numbered}");
    app.slash(&slack, &format!("correct {id} #5 Paged the DBA at 10:05"))
        .await;
    app.slash(
        &slack,
        &format!("action {id} <@U0OWNER> in 5d Alert on slow exports"),
    )
    .await;
    drained(&app.pool).await;

    let answer = app.slash(&slack, &format!("report {id}")).await;
    assert!(text(&answer).contains("Building the report"), "{answer}");
    let upload = eventually("the report's upload", WAIT, || async {
        slack.uploads().into_iter().find(|u| u.shared_in.is_some())
    })
    .await;
    assert_eq!(upload.filename, format!("{id}-report.md"));
    assert_eq!(upload.bytes.len(), upload.length);
    assert_eq!(
        upload.shared_in,
        Some((INCIDENT_CHANNEL.to_owned(), Some(card_ts.clone())))
    );
    let report = String::from_utf8(upload.bytes).unwrap();
    for expected in [
        format!("# Incident Report: {id} — Exports \\| slow"),
        "| Severity | SEV-3 |".to_owned(),
        "| Environment | Production |".to_owned(),
        "| Root Cause | An index dropped by a migration |".to_owned(),
        "| End Time | Under Review |".to_owned(),
        format!("| Containment started | {RESPONDER} | Contained |"),
        format!("| {id}-A1 | Alert on slow exports | U0OWNER |"),
        "Paged the DBA at 10:05 (corrected in #6; originally: note: Paged the DBA at 10:01)"
            .to_owned(),
    ] {
        assert!(report.contains(&expected), "{expected}\n---\n{report}");
    }
    assert!(!report.contains("TBD"));

    // The three steps, in order; the upload URL is asked for with the token, as a form.
    let methods: Vec<String> = slack
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| m.starts_with("files.") || m == "file_upload")
        .collect();
    assert_eq!(
        methods,
        [
            "files.getUploadURLExternal",
            "file_upload",
            "files.completeUploadExternal"
        ]
    );
    let asked = &slack.calls_to("files.getUploadURLExternal")[0];
    assert!(
        asked
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(
        asked.authorization.as_deref(),
        Some(format!("Bearer {BOT_TOKEN}").as_str())
    );
    let comment = slack
        .messages()
        .into_iter()
        .find(|m| {
            m.thread_ts.as_deref() == Some(&card_ts)
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.contains("The report of"))
        })
        .expect("the file is shared into the thread with a comment");
    assert!(comment.text.unwrap().contains(&format!("<@{DECLARER}>")));
    let states = drained(&app.pool).await;
    assert!(states.contains(&("thread_file".to_owned(), "delivered".to_owned())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_without_an_incident_or_refused_by_slack_is_explained() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    for (typed, expected) in [
        ("report", "Name the incident"),
        ("report INC-20000101-001", "can't find"),
    ] {
        let answer = app.slash(&slack, typed).await;
        assert!(text(&answer).contains(expected), "{typed}: {answer}");
    }
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'thread_file'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);

    let (id, _) = declared(&app, &slack, "declare sev3 Exports slow").await;
    slack.push_fault(
        "files.completeUploadExternal",
        Fault::SlackError("not_in_channel".to_owned()),
    );
    app.slash_as(
        RESPONDER,
        &format!("report {id}"),
        &slack.response_url("asker"),
        "1.2.trigger",
    )
    .await;
    let told = eventually("the asker to be told", WAIT, || async {
        slack
            .calls_to("chat.postEphemeral")
            .into_iter()
            .find(|c| c.body["user"] == RESPONDER)
    })
    .await;
    let said = told.body["text"].as_str().unwrap();
    assert!(
        said.contains("the incident report") && said.contains("not_in_channel"),
        "{said}"
    );
}
