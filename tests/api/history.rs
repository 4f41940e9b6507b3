//! The incident history: `/incident list open|resolved|closed|all` and `/incident search`, end to
//! end from signed slash commands and card clicks to the private answer each command returns.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use serde_json::Value;

const RESPONDER: &str = "U0RESPONDER";

/// The incident IDs an answer lists, in the order it lists them.
fn listed(answer: &Value) -> Vec<String> {
    let blocks = answer["blocks"].to_string();
    blocks
        .match_indices("INC-")
        .map(|(at, _)| {
            blocks[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .collect()
}

/// The line an answer gives `id`.
fn line_of(answer: &Value, id: &str) -> String {
    let blocks = answer["blocks"].to_string();
    blocks
        .split("\\n")
        .find(|line| line.contains(id))
        .unwrap_or_else(|| panic!("{id} is not listed: {blocks}"))
        .to_owned()
}

/// An answer only the person who typed the command sees.
fn private_text(answer: &Value) -> String {
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    answer["text"].as_str().unwrap().to_owned()
}

async fn resolve(app: &TestApp, slack: &FakeSlack, id: &str, card_ts: &str) {
    app.resolve(slack, card_ts, id, RESPONDER).await;
}

async fn close(app: &TestApp, slack: &FakeSlack, id: &str, card_ts: &str) {
    app.resolve(slack, card_ts, id, RESPONDER).await;
    let answer = app.close(slack, card_ts, id, RESPONDER).await;
    assert_eq!(answer, Value::Null, "the closure checklist closes");
}

async fn cancel(app: &TestApp, slack: &FakeSlack, id: &str, card_ts: &str) {
    let choice = format!("cancel:{id}");
    let reason = [("reason", "text", "Declared in error")];
    let answer = (app.fill_form(
        slack,
        card_ts,
        id,
        "incident_more",
        Some(&choice),
        RESPONDER,
        &reason,
    ))
    .await;
    assert_eq!(answer, Value::Null, "the cancel form closes");
}

async fn set_impact(
    app: &TestApp,
    slack: &FakeSlack,
    id: &str,
    card_ts: &str,
    title: &str,
    impact: &str,
) {
    let choice = format!("edit:{id}");
    let fields = [("title", "text", title), ("impact", "text", impact)];
    let answer = (app.fill_form(
        slack,
        card_ts,
        id,
        "incident_more",
        Some(&choice),
        RESPONDER,
        &fields,
    ))
    .await;
    assert_eq!(answer, Value::Null, "the edit form closes");
}

async fn post_update(
    app: &TestApp,
    slack: &FakeSlack,
    id: &str,
    card_ts: &str,
    impact: &str,
    action: &str,
) {
    let fields = [
        ("impact", "text", impact),
        ("current_action", "text", action),
        ("owner", "user", RESPONDER),
        ("next_update", "select", "1800"),
    ];
    let answer = (app.fill_form(
        slack,
        card_ts,
        id,
        "incident_post_update",
        None,
        RESPONDER,
        &fields,
    ))
    .await;
    assert_eq!(answer, Value::Null, "the update form closes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_list_shows_the_incidents_in_its_state_newest_first_and_all_marks_the_cancelled() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (open, _) = declared(&app, &slack, "declare sev3 Alpha still burning").await;
    let (resolved, resolved_ts) = declared(&app, &slack, "declare sev2 Bravo fixed").await;
    let (closed, closed_ts) = declared(&app, &slack, "declare sev2 Charlie done").await;
    let (cancelled, cancelled_ts) = declared(&app, &slack, "declare sev4 Delta mistake").await;
    resolve(&app, &slack, &resolved, &resolved_ts).await;
    close(&app, &slack, &closed, &closed_ts).await;
    cancel(&app, &slack, &cancelled, &cancelled_ts).await;

    for text in ["list", "list open", "LIST Open"] {
        assert_eq!(
            listed(&app.slash(&slack, text).await),
            [open.as_str()],
            "{text}"
        );
    }
    let answer = app.slash(&slack, "list resolved").await;
    assert_eq!(listed(&answer), [resolved.as_str()]);
    assert!(private_text(&answer).contains("Resolved incidents not closed yet (1)"));
    assert_eq!(
        listed(&app.slash(&slack, "list closed").await),
        [closed.as_str()]
    );

    let all = app.slash(&slack, "list all").await;
    assert_eq!(
        listed(&all),
        [
            cancelled.as_str(),
            closed.as_str(),
            resolved.as_str(),
            open.as_str()
        ]
    );
    assert!(line_of(&all, &cancelled).contains("Cancelled"), "{all}");
    for id in [open.as_str(), resolved.as_str(), closed.as_str()] {
        assert!(!line_of(&all, id).contains("Cancelled"), "{all}");
    }
    assert!(
        line_of(&all, &closed).contains(&format!(
            "<https://acme.slack.com/archives/{INCIDENT_CHANNEL}/p{}|{closed}>",
            closed_ts.replace('.', "")
        )),
        "each incident links to its card: {all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_of_something_that_is_not_a_state_is_explained_privately_not_guessed() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    declared(&app, &slack, "declare sev3 Alpha still burning").await;
    let answer = app.slash(&slack, "list frobnicated").await;
    let text = private_text(&answer);
    assert!(listed(&answer).is_empty(), "nothing is listed: {answer}");
    assert!(text.contains("I can't list `frobnicated`"), "{text}");
    for choice in ["open", "resolved", "closed", "all", "drills"] {
        assert!(
            text.contains(&format!("`/incident list {choice}`")),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_finds_words_in_a_title_an_impact_an_update_and_a_note_each_in_its_incident() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (titled, _) = declared(&app, &slack, "declare sev2 Payments gateway timeouts").await;
    let (impacted, impacted_ts) = declared(&app, &slack, "declare sev3 Checkout slow").await;
    set_impact(
        &app,
        &slack,
        &impacted,
        &impacted_ts,
        "Checkout slow",
        "Shoppers in Norway see spinners",
    )
    .await;
    let (updated, updated_ts) = declared(&app, &slack, "declare sev2 Login errors").await;
    post_update(
        &app,
        &slack,
        &updated,
        &updated_ts,
        "Mobile users cannot sign in",
        "Restarting the zookeeper ensemble",
    )
    .await;
    let (noted, _) = declared(&app, &slack, "declare sev3 Search degraded").await;
    let note = app
        .slash(
            &slack,
            &format!("note {noted} Paged the kangaroo wrangler about login errors"),
        )
        .await;
    assert!(private_text(&note).contains("Noted"), "{note}");

    for (words, found) in [
        ("gateway", &titled),
        ("norway", &impacted),
        ("zookeeper", &updated),
        ("kangaroo", &noted),
        // The update's impact, and a stemmed form of a title word.
        ("mobile users", &updated),
        ("timeout", &titled),
    ] {
        let answer = app.slash(&slack, &format!("search {words}")).await;
        assert_eq!(listed(&answer), [found.as_str()], "{words}: {answer}");
        assert!(
            private_text(&answer).starts_with("1 incident matches"),
            "{answer}"
        );
    }
    // A title and a note both say "login errors": each incident once, newest first; a phrase in
    // quotes and a word left out narrow it.
    let both = app.slash(&slack, "search login errors").await;
    assert_eq!(listed(&both), [noted.as_str(), updated.as_str()]);
    assert!(
        private_text(&both).starts_with("2 incidents match “login errors”"),
        "{both}"
    );
    let phrase = app.slash(&slack, "search \"wrangler about login\"").await;
    assert_eq!(listed(&phrase), [noted.as_str()]);
    assert_eq!(
        listed(&app.slash(&slack, "search login -kangaroo").await),
        [updated.as_str()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_finds_cancelled_incidents_and_says_they_are_cancelled() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let (live, _) = declared(&app, &slack, "declare sev3 Disk full on reporting host").await;
    let (dropped, dropped_ts) = declared(&app, &slack, "declare sev4 Disk alarm misfired").await;
    cancel(&app, &slack, &dropped, &dropped_ts).await;
    let answer = app.slash(&slack, "search disk").await;
    assert_eq!(listed(&answer), [dropped.as_str(), live.as_str()]);
    assert!(line_of(&answer, &dropped).contains("Cancelled"), "{answer}");
    assert!(!line_of(&answer, &live).contains("Cancelled"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_matches_than_a_page_say_how_many_and_the_next_page_shows_the_rest() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    for n in 1..=22 {
        app.slash(&slack, &format!("declare sev4 Flaky widget number {n}"))
            .await;
    }
    drained(&app.pool).await;
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM incidents ORDER BY declared_at DESC, id DESC")
            .fetch_all(&app.pool)
            .await
            .unwrap();

    let first = app.slash(&slack, "search flaky widgets").await;
    assert_eq!(listed(&first), ids[..20]);
    let text = private_text(&first);
    assert!(
        text.starts_with("22 incidents match “flaky widgets” — 1 to 20, newest first"),
        "{text}"
    );
    assert!(
        text.contains("`/incident search flaky widgets page 2`"),
        "{text}"
    );

    let second = app.slash(&slack, "search flaky widgets page 2").await;
    assert_eq!(listed(&second), ids[20..]);
    let text = private_text(&second);
    assert!(text.contains("21 to 22"), "{text}");
    assert!(!text.contains("page 3"), "no page after the last: {text}");

    let past = private_text(&app.slash(&slack, "search flaky widgets page 9").await);
    assert_eq!(
        past,
        "There is no page 9: 22 incidents match “flaky widgets”, on 2 pages."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_that_matches_nothing_says_so() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    declared(&app, &slack, "declare sev3 Payments gateway timeouts").await;
    let answer = app.slash(&slack, "search marmalade").await;
    assert!(listed(&answer).is_empty(), "{answer}");
    assert_eq!(private_text(&answer), "No incident matches “marmalade”.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_without_words_or_with_nothing_searchable_is_explained_privately() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    declared(&app, &slack, "declare sev3 The and of it").await;

    for text in ["search", "search   "] {
        let said = private_text(&app.slash(&slack, text).await);
        assert!(
            said.starts_with("Say what to look for: `/incident search"),
            "{said}"
        );
    }
    // Punctuation, search syntax alone and stop words alone leave no word to look for; none of
    // them is an error, and none matches the incident whose title is all stop words.
    for words in ["!!!", "\"", "-", "( ) & | :*", "or", "the and of"] {
        let answer = app.slash(&slack, &format!("search {words}")).await;
        assert!(listed(&answer).is_empty(), "{words}: {answer}");
        let said = private_text(&answer);
        assert!(
            said.contains("leaves nothing to search for"),
            "{words}: {said}"
        );
    }
}

/// The search statement exactly as warroom sends it, from the offline query data the build
/// checked it against.
fn search_statement() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".sqlx");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .map(|json| serde_json::from_str::<Value>(&json).unwrap()["query"].clone())
        .filter_map(|query| query.as_str().map(str::to_owned))
        .find(|query| query.contains("websearch_to_tsquery"))
        .expect("the search statement is in .sqlx/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_can_read_each_of_its_indexes_instead_of_every_row() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let mut conn = app.pool.acquire().await.unwrap();
    // With whole-table reads priced out, a plan still reads every row only where no index fits
    // the expression searched: this fails when the statement and the migration's indexes drift.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "EXPLAIN (FORMAT JSON) {}",
        search_statement()
    )))
    .bind("payments")
    .bind(1)
    .bind(20)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let plan = plan.to_string();
    for index in [
        "incidents_search_idx",
        "timeline_entries_update_search_idx",
        "timeline_entries_note_search_idx",
    ] {
        assert!(plan.contains(index), "{index} is not read: {plan}");
    }
    sqlx::query("RESET enable_seqscan")
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_every_list_and_the_search() {
    let slack = FakeSlack::start().await;
    let (app, _db) = TestApp::spawn(&slack).await;
    let help = private_text(&app.slash(&slack, "help").await);
    for form in [
        "`/incident list [open|resolved|closed|all|drills]`",
        "`/incident search <words> [page N]`",
        "`/incident drill [severity] <title>`",
        "`/incident drill scenario <name>`",
    ] {
        assert!(help.contains(form), "{form} is missing: {help}");
    }
}
