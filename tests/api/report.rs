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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_prints_the_same_report_as_markdown_or_json_with_only_the_database() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let app = TestApp::spawn_on(&db, &slack, TEST_CONFIG).await;
    let (id, card_ts) = declared(&app, &slack, "declare sev2 Search down").await;
    app.fill_form(
        &slack,
        &card_ts,
        &id,
        "incident_more",
        Some(&format!("root_cause:{id}")),
        RESPONDER,
        &[("cause", "text", "A full disk")],
    )
    .await;
    let run = |args: &[&str]| {
        // No Slack setting at all: the report needs only the database.
        std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("RUST_LOG", "off")
            .args(args)
            .output()
            .unwrap()
    };
    let markdown = run(&["report", &id]);
    assert!(
        markdown.status.success(),
        "{}",
        String::from_utf8_lossy(&markdown.stderr)
    );
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(markdown.starts_with(&format!("# Incident Report: {id} — Search down")));
    assert!(
        markdown.contains("| Root Cause | A full disk |"),
        "{markdown}"
    );
    assert!(markdown.contains("| End Time | Under Review |"));

    let json = run(&["report", &id, "--format", "json"]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["incident_id"], id);
    assert_eq!(json["root_cause"], "A full disk");
    assert_eq!(json["end"], Value::Null, "not known yet is null");
    assert_eq!(json["data_exposure"], "under_review");
    assert_eq!(json["timeline"][0]["kind"], "declared");
    assert_eq!(json["milestones"][3]["kind"], "root_cause_identified");

    let unknown = run(&["report", "INC-20000101-001"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("there is no incident INC-20000101-001")
    );
    let malformed = run(&["report", "banana"]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("is not an incident ID"));
}
