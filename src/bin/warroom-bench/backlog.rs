//! The `backlog` scenario: `--pending N` posts already queued for the incidents channel, pacing
//! on at `--pace`, and how close delivery keeps to the pace; meanwhile an answer to one person
//! and a post into another channel, which must not wait behind the paced channel.

use super::{Args, CHANNEL, fake_slack::FakeSlack};
use sqlx::PgConnection;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use warroom::delivery::{Answer, ChannelPost, Delivery, Recipient};

const OTHER_CHANNEL: &str = "C0OTHER";

async fn queue(
    db: &mut PgConnection,
    delivery: &Delivery,
    pace_key: Option<&str>,
    n: usize,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (kind, method, pace_key, priority, payload)
         SELECT $1, $2, $3, $4, $5 FROM generate_series(1, $6)",
    )
    .bind(delivery.kind())
    .bind(delivery.lane())
    .bind(pace_key)
    .bind(delivery.priority(0))
    .bind(serde_json::to_value(delivery)?)
    .bind(n as i64)
    .execute(&mut *db)
    .await?;
    sqlx::query("SELECT pg_notify('warroom_outbox', '')")
        .execute(&mut *db)
        .await?;
    Ok(())
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

/// Runs the scenario against a warroom configured with the scenario's pace.
pub(crate) async fn backlog(
    args: &Args,
    fake: &FakeSlack,
    db: &mut PgConnection,
) -> anyhow::Result<()> {
    let help = |channel: &str| Delivery::ChannelPost {
        channel: channel.to_owned(),
        thread_ts: None,
        post: ChannelPost::MentionHelp,
    };
    queue(db, &help(CHANNEL), Some(CHANNEL), args.pending).await?;
    let started = Instant::now();
    // Two seconds in, while the channel's backlog is still being paced out.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let answer_url = format!(
        "{}/response/backlog-answer",
        fake.api_url().trim_end_matches("/api")
    );
    let answer = Delivery::Tell {
        to: Recipient {
            user: "U0BENCH".to_owned(),
            channel: None,
            response_url: Some(answer_url),
        },
        answer: Answer::InternalError,
    };
    let queued_ms = now_ms();
    let queued = Instant::now();
    queue(db, &answer, None, 1).await?;
    queue(db, &help(OTHER_CHANNEL), Some(OTHER_CHANNEL), 1).await?;
    let window_end = started + args.duration;
    tokio::time::sleep_until(window_end.into()).await;
    let posts: Vec<u128> = fake
        .messages()
        .into_iter()
        .filter(|m| m.channel == CHANNEL)
        .map(|m| m.accepted_at_ms)
        .collect();
    let answered = fake
        .calls_to("response_url")
        .into_iter()
        .find(|c| c.response_name.as_deref() == Some("backlog-answer"))
        .map(|c| c.received_at.saturating_duration_since(queued));
    let other = fake
        .messages()
        .into_iter()
        .find(|m| m.channel == OTHER_CHANNEL)
        .map(|m| m.accepted_at_ms.saturating_sub(queued_ms));
    // The pace from the first post to the last one inside the window.
    let (first, last) = (posts.iter().min(), posts.iter().max());
    let rate = match (first, last) {
        (Some(f), Some(l)) if l > f => (posts.len() - 1) as f64 * 1000.0 / (l - f) as f64,
        _ => 0.0,
    };
    let pace = args.scenario_pace();
    let allowed = 1.0 / pace.as_secs_f64();
    println!(
        "backlog of {} posts, pace {:?}: {} delivered into the channel in {:.0} s = {rate:.2} posts/s, {:.1} % of the {allowed:.1} allowed; pace violations seen by the fake: {}",
        args.pending,
        pace,
        posts.len(),
        args.duration.as_secs_f64(),
        rate * 100.0 / allowed,
        fake.pace_violations()
    );
    println!(
        "an answer to one person queued meanwhile: answered after {answered:?}; a post into another channel: posted after {other:?} ms"
    );
    Ok(())
}
