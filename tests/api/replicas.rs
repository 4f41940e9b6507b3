//! Several instances on one database.

use crate::fake_slack::FakeSlack;
use crate::helpers::*;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_fifty_concurrent_declares_without_duplicates() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let a = Arc::new(TestApp::spawn_on(&db, &slack, TEST_CONFIG).await);
    let b = Arc::new(TestApp::spawn_on(&db, &slack, TEST_CONFIG).await);
    let apps = [a.clone(), b.clone()];
    let declares = (0..50).map(|i| {
        let app = apps[i % 2].clone();
        let (url, trigger) = (slack.response_url(&format!("r{i}")), format!("{i}.trigger"));
        async move {
            let response = app
                .slash_as(
                    &format!("U{i:04}"),
                    &format!("declare sev2 Outage number {i}"),
                    &url,
                    &trigger,
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    });
    futures_join_all(declares).await;

    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM incidents")
        .fetch_all(&a.pool)
        .await
        .unwrap();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 50);
    let numbers: HashSet<u32> = ids
        .iter()
        .map(|id| id.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        numbers,
        (1..=50).collect(),
        "numbered 001 to 050 with no gaps"
    );

    eventually(
        "every card and reply posted",
        Duration::from_secs(30),
        || async { (slack.messages().len() >= 100).then_some(()) },
    )
    .await;
    drained(&a.pool).await;
    let ledger = slack.messages();
    assert_eq!(
        ledger.len(),
        100,
        "50 cards and 50 thread replies, nothing twice"
    );
    let outbox_ids: HashSet<String> = ledger
        .iter()
        .map(|m| m.metadata.as_ref().unwrap()["event_payload"]["outbox_id"].to_string())
        .collect();
    assert_eq!(outbox_ids.len(), 100);
    let cards: HashSet<&str> = ledger
        .iter()
        .filter(|m| m.thread_ts.is_none())
        .map(|m| m.ts.as_str())
        .collect();
    assert_eq!(cards.len(), 50);
    assert!(
        ledger
            .iter()
            .filter_map(|m| m.thread_ts.as_deref())
            .all(|t| cards.contains(t)),
        "every reply is under a card"
    );
}

async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    for h in handles {
        h.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_declaration_pressed_twice_on_two_instances_declares_once() {
    let slack = FakeSlack::start().await;
    let db = TestDb::fresh();
    let a = Arc::new(TestApp::spawn_on(&db, &slack, TEST_CONFIG).await);
    let b = Arc::new(TestApp::spawn_on(&db, &slack, TEST_CONFIG).await);
    // Ten people each press Enter twice; the two presses reach different instances at once.
    let presses = (0..20).map(|i| {
        let app = if i % 2 == 0 { a.clone() } else { b.clone() };
        let person = i / 2;
        let (url, trigger) = (slack.response_url(&format!("r{i}")), format!("{i}.double"));
        async move {
            let response = app
                .slash_as(
                    &format!("U{person:04}"),
                    &format!("declare sev2 Checkout down for person {person}"),
                    &url,
                    &trigger,
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    });
    futures_join_all(presses).await;
    let per_person: Vec<(String, i64)> = sqlx::query_as(
        "SELECT declared_by, count(*) FROM incidents GROUP BY declared_by ORDER BY 1",
    )
    .fetch_all(&a.pool)
    .await
    .unwrap();
    assert_eq!(per_person.len(), 10);
    assert!(
        per_person.iter().all(|(_, n)| *n == 1),
        "someone got two incidents: {per_person:?}"
    );
}
