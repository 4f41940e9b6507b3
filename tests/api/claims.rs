//! What claiming and recording deliveries cost as the outbox grows: the workers read the rows
//! they need by index, never the whole table.

use crate::helpers::{TestDb, config};
use sqlx::PgPool;
use std::time::Duration;
use warroom::store::outbox::{Leases, Rendered, claim_outbox, mark_delivered};

const LEASES: Leases = Leases {
    lease: Duration::from_secs(5),
    hold: Duration::from_secs(20),
};

async fn queue_posts(pool: &PgPool, from: i32, n: i32, state: &str) {
    sqlx::query(
        "INSERT INTO incidents (id, title, severity, severity_rank, declared_by, channel_id, declared_at)
         SELECT 'INC-' || g, 'Claim cost', 'SEV-2', 1, 'U1', 'C1', now() FROM generate_series($1, $1 + $2 - 1) g
         ON CONFLICT DO NOTHING",
    )
    .bind(from)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (incident_id, kind, method, pace_key, priority, payload, state)
         SELECT 'INC-' || g, 'thread_reply', 'post', 'C1', 101, '{}', $3 FROM generate_series($1, $1 + $2 - 1) g",
    )
    .bind(from)
    .bind(n)
    .bind(state)
    .execute(pool)
    .await
    .unwrap();
}

/// Whole-table reads of the outbox so far, as counted by Postgres for this connection's work.
async fn outbox_seq_scans(pool: &PgPool) -> i64 {
    // The statistics of this connection's finished statements are flushed when it next idles.
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query_scalar("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'outbox'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A connection keeps its prepared statements, and Postgres may settle on one plan for each
/// after a few runs. Planned while the outbox was small, a whole-table read is the cheapest way
/// to find a few rows; kept once the outbox holds thousands of delivered rows, every claim and
/// every recorded delivery would read them all (on a server whose statistics are stale, as with
/// autovacuum off or behind).
#[tokio::test]
async fn the_workers_still_read_by_index_after_the_outbox_has_grown_past_what_their_plans_were_made_for()
 {
    let db = TestDb::fresh();
    let migrated = warroom::store::connect_and_migrate(&config(&db, "http://127.0.0.1:9/api", ""))
        .await
        .unwrap();
    // One connection, as the workers make them, so every run reuses the same prepared statements.
    let pool = warroom::store::worker_pool(&migrated, 1);
    let rendered = Some(Rendered {
        version: 1,
        priority: 1,
    });
    for round in 0..8 {
        queue_posts(&pool, 1 + round * 8, 8, "pending").await;
        let claimed = claim_outbox(&pool, 8, LEASES, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 8);
        for row in &claimed {
            mark_delivered(&pool, row.id, row.attempts, Some("1.2"), rendered)
                .await
                .unwrap();
        }
    }
    queue_posts(&pool, 100, 20_000, "delivered").await;
    queue_posts(&pool, 50_000, 8, "pending").await;
    let before = outbox_seq_scans(&pool).await;
    let claimed = claim_outbox(&pool, 8, LEASES, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 8, "the new posts are claimed");
    assert_eq!(
        outbox_seq_scans(&pool).await,
        before,
        "the claim read the whole outbox to find eight rows"
    );
    for row in &claimed {
        mark_delivered(&pool, row.id, row.attempts, Some("1.2"), rendered)
            .await
            .unwrap();
    }
    assert_eq!(
        outbox_seq_scans(&pool).await,
        before,
        "recording a delivery read the whole outbox"
    );
}

/// With pacing on, a claim takes one post per channel. A channel with a long queue must not keep
/// another channel's post waiting until its queue is empty.
#[tokio::test]
async fn a_post_into_another_channel_does_not_wait_behind_a_paced_backlog() {
    let slack = crate::fake_slack::FakeSlack::start().await;
    let db = TestDb::fresh();
    let toml =
        crate::helpers::TEST_CONFIG.replace("channel_pace = \"0s\"", "channel_pace = \"50ms\"");
    let app = crate::helpers::TestApp::spawn_on(&db, &slack, &toml).await;
    let help = |channel: &str| warroom::delivery::Delivery::ChannelPost {
        channel: channel.to_owned(),
        thread_ts: None,
        post: warroom::delivery::ChannelPost::MentionHelp,
    };
    let queue = |channel: &'static str, n: i32| {
        let (pool, delivery) = (app.pool.clone(), help(channel));
        async move {
            sqlx::query(
                "INSERT INTO outbox (kind, method, pace_key, priority, payload)
                 SELECT $1, $2, $3, $4, $5 FROM generate_series(1, $6);
                 ",
            )
            .bind(delivery.kind())
            .bind(delivery.lane())
            .bind(channel)
            .bind(delivery.priority(0))
            .bind(serde_json::to_value(&delivery).unwrap())
            .bind(n)
            .execute(&pool)
            .await
            .unwrap();
            // No wake-up: the rows are found by the delivery loop's own rounds, which come when
            // the busy channel's slot is free again.
        }
    };
    queue("C0BUSY", 50).await;
    crate::helpers::eventually(
        "the busy channel's first post",
        Duration::from_secs(10),
        || async {
            slack
                .messages()
                .iter()
                .any(|m| m.channel == "C0BUSY")
                .then_some(())
        },
    )
    .await;
    queue("C0QUIET", 1).await;
    crate::helpers::eventually(
        "the quiet channel's post",
        Duration::from_secs(10),
        || async {
            slack
                .messages()
                .iter()
                .any(|m| m.channel == "C0QUIET")
                .then_some(())
        },
    )
    .await;
    let busy = slack
        .messages()
        .iter()
        .filter(|m| m.channel == "C0BUSY")
        .count();
    assert!(
        busy < 10,
        "the quiet channel's post waited for {busy} of the busy channel's posts at one every 50 ms"
    );
}

/// Index entries of the outbox read so far, as counted by Postgres for this connection's work.
async fn outbox_index_reads(pool: &PgPool) -> i64 {
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT sum(idx_tup_read)::bigint FROM pg_stat_user_indexes WHERE relname = 'outbox'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// With pacing on, a channel whose slot is taken costs a claim nothing, however many posts it
/// has waiting: the claim starts from the channels, not from every pending row.
#[tokio::test]
async fn a_paced_claim_reads_the_same_few_rows_whatever_a_channels_backlog() {
    let db = TestDb::fresh();
    let migrated = warroom::store::connect_and_migrate(&config(&db, "http://127.0.0.1:9/api", ""))
        .await
        .unwrap();
    let pool = warroom::store::worker_pool(&migrated, 1);
    let queue = |channel: &'static str, n: i32| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "INSERT INTO outbox (kind, method, pace_key, priority, payload)
                 SELECT 'channel_post', 'post', $1, 300, '{}' FROM generate_series(1, $2)",
            )
            .bind(channel)
            .bind(n)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    queue("C0BUSY", 5_000).await;
    queue("C0QUIET", 1).await;
    sqlx::query("INSERT INTO slack_pacing (pace_key, next_allowed_at) VALUES ('C0BUSY', now() + interval '1 hour')")
        .execute(&pool)
        .await
        .unwrap();
    let before = outbox_index_reads(&pool).await;
    let claimed = claim_outbox(&pool, 8, LEASES, Duration::from_millis(100))
        .await
        .unwrap();
    let read = outbox_index_reads(&pool).await - before;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].pace_key.as_deref(), Some("C0QUIET"));
    assert!(
        read < 50,
        "the claim read {read} index entries to find one post past a paused backlog of 5,000"
    );
}

/// With pacing on, a channel's next post may be claimed up to one pace before its slot opens, so
/// that it leaves right as the slot opens instead of a claim's round trips later; never two
/// slots ahead, and the slots stay a pace apart.
#[tokio::test]
async fn a_paced_post_is_claimed_up_to_one_pace_before_its_slot_and_told_when_it_opens() {
    let db = TestDb::fresh();
    let migrated = warroom::store::connect_and_migrate(&config(&db, "http://127.0.0.1:9/api", ""))
        .await
        .unwrap();
    let pool = warroom::store::worker_pool(&migrated, 1);
    sqlx::query(
        "INSERT INTO outbox (kind, method, pace_key, priority, payload)
         SELECT 'channel_post', 'post', 'C0BUSY', 300, '{}' FROM generate_series(1, 3)",
    )
    .execute(&pool)
    .await
    .unwrap();
    // A pace of ten seconds: far longer than the claims take on any machine.
    let pace = Duration::from_secs(10);
    let leases = Leases {
        lease: Duration::from_secs(60),
        hold: Duration::from_secs(90),
    };
    let first = claim_outbox(&pool, 8, leases, pace).await.unwrap();
    let second = claim_outbox(&pool, 8, leases, pace).await.unwrap();
    let third = claim_outbox(&pool, 8, leases, pace).await.unwrap();
    assert_eq!((first.len(), second.len(), third.len()), (1, 1, 0));
    let opens = |row: &warroom::store::outbox::OutboxRow| {
        row.slot_opens_at
            .expect("a paced post knows its slot")
            .saturating_duration_since(row.claimed_at)
    };
    assert!(
        opens(&first[0]) < Duration::from_secs(1),
        "{:?}",
        opens(&first[0])
    );
    let second_opens = opens(&second[0]);
    assert!(
        second_opens > Duration::from_secs(8) && second_opens <= pace,
        "the second post's slot opens a pace after the first's, not {second_opens:?} after its claim"
    );
}

/// Two schedulers firing at once share the due reminders out: the second takes the next ones
/// rather than reaching for the incidents the first holds and finding nothing.
#[tokio::test]
async fn two_schedulers_claiming_at_once_take_different_due_reminders() {
    let db = TestDb::fresh();
    let migrated = warroom::store::connect_and_migrate(&config(&db, "http://127.0.0.1:9/api", ""))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO incidents (id, title, severity, severity_rank, declared_by, channel_id, declared_at)
         SELECT 'INC-' || g, 'Reminded', 'SEV-2', 1, 'U1', 'C1', now() FROM generate_series(1, 4) g",
    )
    .execute(&migrated)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO reminders (incident_id, kind, due_at, details)
         SELECT 'INC-' || g, 'update_due', now() - make_interval(secs => 10 - g), '{}' FROM generate_series(1, 4) g",
    )
    .execute(&migrated)
    .await
    .unwrap();
    let mut first = migrated.begin().await.unwrap();
    let mut second = migrated.begin().await.unwrap();
    let taken = |rows: Vec<warroom::store::reminders::ReminderRow>| {
        let mut ids: Vec<String> = rows.into_iter().filter_map(|r| r.incident_id).collect();
        ids.sort();
        ids
    };
    let by_first = warroom::store::reminders::claim_due_reminders(&mut first, 2)
        .await
        .unwrap();
    let by_second = warroom::store::reminders::claim_due_reminders(&mut second, 2)
        .await
        .unwrap();
    assert_eq!(
        taken(by_first),
        ["INC-1", "INC-2"],
        "the most overdue first"
    );
    assert_eq!(taken(by_second), ["INC-3", "INC-4"]);
}
