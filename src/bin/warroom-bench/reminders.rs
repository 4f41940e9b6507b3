//! The `reminders` scenario: open incidents whose update reminders come due, and how late each
//! reminder reaches Slack.

use super::{Args, CHANNEL, fake_slack, incident_of, summary};
use sqlx::PgConnection;
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

pub(crate) const REMINDER_SEVERITIES: &str = r#"
[[severity]]
name = "SEV-1"
ack_within = "1d"
update_every = "1h"
[[severity]]
name = "SEV-2"
ack_within = "1d"
update_every = "1h"
[reminders]
heads_up = "0s"
"#;

/// Inserts open incidents whose update reminders come due evenly over `--spread`, starting 10 s
/// from now, and measures how late each reminder post reaches Slack.
pub(crate) async fn reminders(
    args: &Args,
    fake: &fake_slack::FakeSlack,
    db: &mut PgConnection,
) -> anyhow::Result<()> {
    let n = args.incidents.unwrap_or(1000) as i64;
    sqlx::query(
        "WITH ids AS (SELECT g, 'INC-20000101-' || lpad(g::text, 6, '0') AS id, now() + make_interval(secs => 10 + $3 * g / $1) AS due FROM generate_series(1, $1) g),
         inc AS (INSERT INTO incidents (id, title, severity, severity_rank, declared_by, channel_id, card_ts, declared_at, next_update_due_at, acknowledged_at)
                 SELECT id, 'Reminder bench ' || g, 'SEV-2', 1, 'UBENCH', $2, '1700000000.' || lpad(g::text, 6, '0'), now(), due, now() FROM ids RETURNING id)
         INSERT INTO reminders (incident_id, kind, due_at, details)
         SELECT id, 'update_due', due, jsonb_build_object('deadline', to_jsonb(due), 'count', 0) FROM ids",
    )
    .bind(n)
    .bind(CHANNEL)
    .bind(args.spread.as_secs_f64())
    .execute(&mut *db)
    .await?;
    let due: HashMap<String, f64> = sqlx::query_as::<_, (String, f64)>("SELECT incident_id, EXTRACT(EPOCH FROM due_at)::float8 * 1000 FROM reminders WHERE kind = 'update_due'")
        .fetch_all(&mut *db)
        .await?
        .into_iter()
        .collect();
    let deadline = Instant::now() + args.spread + Duration::from_secs(120);
    let mut drift = Vec::new();
    let mut seen = 0;
    while Instant::now() < deadline {
        let new = fake.messages_after(seen);
        seen += new.len();
        drift.extend(
            new.iter()
                .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("was due")))
                .filter_map(|m| Some(m.accepted_at_ms as f64 - due.get(&incident_of(m)?)?)),
        );
        if drift.len() >= due.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!(
        "reminders: {} of {} posted within the run, {} replicas, pacing {}",
        drift.len(),
        due.len(),
        args.replicas,
        if args.pacing { "on" } else { "off" }
    );
    println!("{}", summary("drift from due time to Slack (ms)", drift));
    Ok(())
}
