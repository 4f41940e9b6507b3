//! Delivering one outbox row: render what must be rendered at send time (the card shows the
//! incident's latest state), call Slack through `slack::outbound`, and record the outcome. Every
//! post carries Slack message metadata naming its outbox row, so after an ambiguous failure (a
//! timeout, a reset, a 5xx) warroom first looks for the post in Slack instead of posting twice.

use crate::{
    delivery::{Delivery, Post, Recipient},
    incident::{Incident, IncidentId},
    slack::{announce, answers, blocks, card, outbound::SlackFailure},
    state::AppState,
    store::{
        self,
        outbox::{Hold, OutboxRow, Rendered},
    },
};
use serde_json::{Value, json};

/// Pages of 200 messages read at most when looking for a post after an ambiguous failure
/// (Slack allows about 50 such reads a minute; a busy channel rarely needs more than a few).
const LOOKUP_PAGES: usize = 10;

/// The metadata event type that marks warroom's own posts.
pub const METADATA_EVENT_TYPE: &str = "warroom_outbox";

/// What came of one attempt.
#[derive(Debug)]
pub enum Outcome {
    Delivered {
        ts: Option<String>,
    },
    /// The card was posted or edited, showing the incident as of `rendered`.
    CardShown {
        ts: String,
        rendered: Rendered,
    },
    Failed(SlackFailure),
    /// No longer wanted: the state it was about has moved on.
    Superseded,
    /// Cannot be delivered at all (e.g. its incident's card was never posted).
    Dropped(&'static str),
    /// warroom itself failed (the database, usually); the lease will run out and it is retried.
    Internal(anyhow::Error),
    /// Another replica holds the row now (this one stalled past its lease): it delivers it.
    ClaimLost,
    /// Not sent: its channel is paused or its pace slot has passed; try again after this.
    HeldBack(std::time::Duration),
}

impl From<SlackFailure> for Outcome {
    fn from(f: SlackFailure) -> Self {
        Outcome::Failed(f)
    }
}

/// The incident a row is about, if it names one.
pub(super) async fn incident_of(
    state: &AppState,
    row: &OutboxRow,
) -> Result<Option<Incident>, Outcome> {
    let Some(id) = &row.incident_id else {
        return Ok(None);
    };
    let id = IncidentId::from_stored(id.clone());
    match store::incidents::find_incident(&state.worker_pool, &id).await {
        Ok(Some(incident)) => Ok(Some(incident)),
        Ok(None) => Err(Outcome::Dropped("incident not found")),
        Err(e) => Err(Outcome::Internal(e.into())),
    }
}

/// Tells the thread of the incident `row` is about that an outward delivery (a webhook, a
/// status-page update) was given up on: `post` says which and why.
pub(super) async fn tell_thread(state: &AppState, row: &OutboxRow, post: Post) {
    let Ok(Some(incident)) = incident_of(state, row).await else {
        return;
    };
    let rows = [store::outbox::NewOutbox::about(
        &incident.channel_id,
        incident.severity.rank().index(),
        Delivery::ThreadReply { post },
    )];
    let id = incident.id.as_str();
    let queued = store::outbox::insert_outbox_about(&state.worker_pool, Some(id), &rows);
    if let Err(e) = queued.await {
        tracing::warn!(error = %e, kind = %row.kind, "could not queue the news of an undelivered row");
    }
}

/// Performs one attempt at delivering `delivery`, the payload of `row`.
pub async fn deliver(state: &AppState, row: &OutboxRow, delivery: Delivery) -> Outcome {
    let incident = match incident_of(state, row).await {
        Ok(incident) => incident,
        Err(outcome) => return outcome,
    };
    let result = match (delivery, incident) {
        (Delivery::PostCard, Some(incident)) => post_card(state, row, &incident).await,
        (Delivery::UpdateCard, Some(incident)) => update_card(state, &incident).await,
        (Delivery::ThreadReply { post }, Some(incident)) => {
            thread_reply(state, row, &incident, &post, false).await
        }
        (Delivery::Broadcast { post }, Some(incident)) => {
            thread_reply(state, row, &incident, &post, true).await
        }
        // Files are uploaded by `upload`, which the attempt hands them to.
        (Delivery::ThreadFile { .. }, Some(_)) => return Outcome::Dropped("a file is not a post"),
        (Delivery::DeclareLink { to }, Some(incident)) => declare_link(state, &to, &incident).await,
        (Delivery::Tell { to, answer }, _) => {
            let message = answers::render(&answer, &state.config.process);
            tell(state, &to, &message).await
        }
        // Posted by `channel`, which the attempt hands them to.
        (Delivery::ChannelPost { .. }, _) => return Outcome::Dropped("not an incident's post"),
        // Client-safe summaries are posted by `public`, which the attempt hands them to.
        (Delivery::ClientSummary { .. }, _) => {
            return Outcome::Dropped("a summary is posted apart");
        }
        // Pages go to PagerDuty through `pagerduty`, which the attempt hands them to.
        (Delivery::Page { .. }, _) => return Outcome::Dropped("a page is sent apart"),
        // Webhooks are sent by `webhook`, which the attempt hands them to.
        (Delivery::Webhook { .. }, _) => return Outcome::Dropped("a webhook is sent apart"),
        (Delivery::Capture { .. }, _) => return Outcome::Dropped("a capture is read apart"),
        (Delivery::PublishHome { .. }, _) => return Outcome::Dropped("a Home is published apart"),
        (Delivery::StatusPage { .. }, _) => {
            return Outcome::Dropped("a status-page update is sent apart");
        }
        (_, None) => return Outcome::Dropped("incident rows need an incident"),
    };
    result.unwrap_or_else(|outcome| outcome)
}

pub(super) type Attempt = Result<Outcome, Outcome>;

/// Posts `body` to `chat.postMessage` while this attempt surely holds the row, a pace after this
/// replica's previous call into the channel (see `ChannelTurns`). The claim holds a
/// post for the Slack timeout plus a lease, so a call that starts within half a lease of the
/// claim ends before anyone may take the row over. Later than that (this replica stalled, or the
/// row waited for a form to render), the claim is checked — and the hold renewed — first (see
/// [`store::outbox::hold_for_call`]).
pub(super) async fn post_message(state: &AppState, row: &OutboxRow, body: &Value) -> Attempt {
    take_turn(state, row).await?;
    let answer = state.slack.call("chat.postMessage", body).await?;
    Ok(Outcome::Delivered { ts: ts_of(&answer) })
}

/// Waits for this replica's turn in the row's channel, and makes sure the claim still holds the
/// row before anything new is posted (see [`post_message`]).
pub(super) async fn take_turn(state: &AppState, row: &OutboxRow) -> Result<(), Outcome> {
    let process = &state.config.process;
    if let Some(channel) = &row.pace_key
        && !process.channel_pace.is_zero()
    {
        let pace = process.channel_pace;
        let wait = state.channel_turns.take(channel, pace, row.slot_opens_at);
        tokio::time::sleep(wait).await;
    }
    if row.claimed_at.elapsed() >= process.outbox_lease / 2 {
        let hold = process.call_hold();
        match store::outbox::hold_for_call(&state.worker_pool, row.id, row.attempts, hold)
            .await
            .map_err(|e| Outcome::Internal(e.into()))?
        {
            Hold::Held => {}
            Hold::Lost => return Err(Outcome::ClaimLost),
            Hold::Wait(wait) => return Err(Outcome::HeldBack(wait)),
        }
    }
    Ok(())
}

pub(super) fn metadata(row: &OutboxRow) -> Value {
    json!({ "event_type": METADATA_EVENT_TYPE, "event_payload": { "outbox_id": row.id.to_string(), "incident_id": row.incident_id } })
}

pub(super) fn ts_of(answer: &Value) -> Option<String> {
    answer.get("ts").and_then(Value::as_str).map(str::to_owned)
}

pub(super) async fn post_card(state: &AppState, row: &OutboxRow, incident: &Incident) -> Attempt {
    if let Some(ts) = &incident.card_ts {
        return Ok(Outcome::Delivered {
            ts: Some(ts.clone()),
        });
    }
    if let Some(ts) = already_posted(state, row, &incident.channel_id, None).await? {
        return Ok(Outcome::Delivered { ts: Some(ts) });
    }
    let card = card::incident_card(incident, &state.config.process);
    let mut body = card.to_json();
    body["channel"] = json!(incident.channel_id);
    body["metadata"] = metadata(row);
    body["unfurl_links"] = json!(false);
    match post_message(state, row, &body).await? {
        Outcome::Delivered { ts: Some(ts) } => Ok(shown(ts, incident)),
        other => Ok(other),
    }
}

/// A render of `incident` that reached Slack: recording it queues another render if the incident
/// has changed since it was read, so the card ends on the latest state.
fn shown(ts: String, incident: &Incident) -> Outcome {
    Outcome::CardShown {
        ts,
        rendered: Rendered {
            version: incident.version,
            priority: Delivery::UpdateCard.priority(incident.severity.rank().index()),
        },
    }
}

pub(super) async fn update_card(state: &AppState, incident: &Incident) -> Attempt {
    let Some(ts) = &incident.card_ts else {
        return Ok(Outcome::Dropped("the incident card was never posted"));
    };
    let card = card::incident_card(incident, &state.config.process);
    let mut body = card.to_json();
    body["channel"] = json!(incident.channel_id);
    body["ts"] = json!(ts);
    state.slack.call("chat.update", &body).await?;
    Ok(shown(ts.clone(), incident))
}

async fn thread_reply(
    state: &AppState,
    row: &OutboxRow,
    incident: &Incident,
    post: &Post,
    broadcast: bool,
) -> Attempt {
    // A reminder about a deadline that has since moved (an update landed) is not sent.
    if let Some(armed) = row.only_if_next_update_due_at
        && (!incident.status.is_open() || incident.next_update_due_at != Some(armed))
    {
        return Ok(Outcome::Superseded);
    }
    let Some(message) = announce::thread_post(incident, post, &state.config.process) else {
        return Ok(Outcome::Superseded);
    };
    let message = super::membership::with_membership(state, incident, post, message).await;
    let mut body = message.to_json();
    if broadcast {
        body["reply_broadcast"] = json!(true);
    }
    post_in_thread(state, row, incident, body).await
}

/// Posts `body` into the incident's thread, unless an earlier, ambiguous attempt already did.
pub(super) async fn post_in_thread(
    state: &AppState,
    row: &OutboxRow,
    incident: &Incident,
    mut body: Value,
) -> Attempt {
    let Some(card_ts) = &incident.card_ts else {
        return Ok(Outcome::Dropped("the incident card was never posted"));
    };
    if let Some(ts) = already_posted(state, row, &incident.channel_id, Some(card_ts)).await? {
        return Ok(Outcome::Delivered { ts: Some(ts) });
    }
    body["channel"] = json!(incident.channel_id);
    body["thread_ts"] = json!(card_ts);
    body["metadata"] = metadata(row);
    body["unfurl_links"] = json!(false);
    post_message(state, row, &body).await
}

/// Tells the declarer where the card is — or, if it could not be posted, why.
pub(super) async fn declare_link(state: &AppState, to: &Recipient, incident: &Incident) -> Attempt {
    let message = match &incident.card_ts {
        Some(ts) => {
            let link =
                blocks::message_link(incident.team_domain.as_deref(), &incident.channel_id, ts);
            blocks::card_link(&incident.id, link.as_deref(), &incident.channel_id)
        }
        None => {
            let reason = store::outbox::find_card_error(&state.worker_pool, incident.id.as_str())
                .await
                .map_err(|e| Outcome::Internal(e.into()))?;
            blocks::notice(&format!(
                ":x: *{}* is recorded, but I could not post its card in <#{}>: Slack said `{}`. \
                 Ask whoever runs warroom to check that the bot is in that channel and that WARROOM_INCIDENT_CHANNEL is right.",
                incident.id,
                incident.channel_id,
                reason.as_deref().unwrap_or("unknown error")
            ))
        }
    };
    tell(state, to, &message).await
}

/// A message for one person: through the interaction's `response_url`, else ephemerally in the
/// channel.
pub(super) async fn tell(state: &AppState, to: &Recipient, message: &blocks::Message) -> Attempt {
    match (&to.response_url, &to.channel) {
        (Some(url), _) => {
            state.slack.respond(url, &message.private_reply()).await?;
        }
        (None, Some(channel)) => {
            let mut body = message.to_json();
            body["channel"] = json!(channel);
            body["user"] = json!(to.user);
            state.slack.call("chat.postEphemeral", &body).await?;
        }
        (None, None) => return Ok(Outcome::Dropped("nobody to tell")),
    }
    Ok(Outcome::Delivered { ts: None })
}

/// After an ambiguous failure, looks in the channel (or thread) for a post carrying this row's
/// metadata. Slack limits these reads, so they happen only then.
pub(super) async fn already_posted(
    state: &AppState,
    row: &OutboxRow,
    channel: &str,
    thread_ts: Option<&str>,
) -> Result<Option<String>, Outcome> {
    if !row.ambiguous {
        return Ok(None);
    }
    // From a minute before the row was queued (slack for clock differences between Postgres and
    // Slack), every page: in a busy channel the post may be far behind the newest messages.
    let oldest = format!("{}.000000", row.created_at.timestamp() - 60);
    let wanted = row.id.to_string();
    let is_ours = |m: &Value| {
        let meta = &m["metadata"];
        meta["event_type"] == METADATA_EVENT_TYPE
            && (meta["event_payload"]["outbox_id"] == json!(wanted)
                || meta["event_payload"]["outbox_id"] == json!(row.id))
    };
    let mut cursor = String::new();
    let mut found = None;
    for _ in 0..LOOKUP_PAGES {
        let mut query = vec![
            ("channel", channel),
            ("oldest", oldest.as_str()),
            ("include_all_metadata", "true"),
            ("limit", "200"),
        ];
        if let Some(ts) = thread_ts {
            query.push(("ts", ts));
        }
        if !cursor.is_empty() {
            query.push(("cursor", cursor.as_str()));
        }
        let method = if thread_ts.is_some() {
            "conversations.replies"
        } else {
            "conversations.history"
        };
        let answer = state
            .slack
            .get(method, &query)
            .await
            .map_err(Outcome::Failed)?;
        let messages = answer.get("messages").and_then(Value::as_array);
        found = messages.into_iter().flatten().find(|m| is_ours(m)).cloned();
        let next = answer["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default();
        if found.is_some() || next.is_empty() {
            break;
        }
        cursor = next.to_owned();
    }
    let found = found.as_ref();
    if let Some(message) = found {
        crate::metrics::Metrics::inc(&state.metrics.outbox_duplicates_avoided);
        tracing::info!(
            "found the post already in Slack after an ambiguous failure; not posting again"
        );
        return Ok(ts_of(message));
    }
    Ok(None)
}
