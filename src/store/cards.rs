//! Re-rendering incident cards: one pending render at a time per incident. (Another is queued
//! when a render reached Slack after the incident had moved on: see `outbox::mark_delivered`.)

use super::outbox::WAKE_CHANNEL;
use crate::delivery::{Delivery, lanes};
use sqlx::{Postgres, Transaction};

/// Enqueues a card re-render unless one is already waiting (that one will render the latest
/// state when it is sent, so a burst of changes costs one `chat.update`).
pub async fn insert_card_update(
    tx: &mut Transaction<'_, Postgres>,
    incident_id: &str,
    priority: i32,
) -> Result<(), sqlx::Error> {
    let delivery = Delivery::UpdateCard;
    sqlx::query!(
        "INSERT INTO outbox (incident_id, kind, method, priority, payload)
         SELECT $1, $3, $4, $2, $5
         WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE incident_id = $1 AND state = 'pending'
                           AND kind IN ('post_card', 'update_card') AND lease_until IS NULL)",
        incident_id,
        priority,
        delivery.kind(),
        lanes::UPDATE,
        serde_json::to_value(&delivery).unwrap_or_default(),
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("SELECT pg_notify($1, '')", WAKE_CHANNEL)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
