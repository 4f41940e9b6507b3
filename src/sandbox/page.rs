//! The page (`GET /`, one HTML, CSS and JS file, no inline script) and its JSON API: the state
//! one person sees (`GET /_sandbox/state?user=…`, polled), and what they do (`POST /_sandbox/say`; clicks in
//! `clicks.rs`, forms in `forms.rs`). A malformed request is a 400 with a
//! reason; what warroom answers is shown as Slack shows it.

use super::{
    Shared, api, clicks, forms, inbox, openid, proxy, relay,
    request::{bad, body, channel_for, person},
    world::{BOT_USER, Message, PEOPLE, SHORTCUTS, World},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The page, its API, the response URLs, the uploads and the Web API.
pub(super) fn router(shared: Shared) -> Router {
    Router::new()
        .route(
            "/",
            get(|| {
                asset(
                    "text/html; charset=utf-8",
                    include_str!("assets/index.html"),
                )
            }),
        )
        .route(
            "/sandbox.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("assets/sandbox.js"),
                )
            }),
        )
        .route(
            "/sandbox.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("assets/sandbox.css"),
                )
            }),
        )
        // Browsers ask for it; there is none, and warroom need not be asked.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/say", post(say))
        .route("/_sandbox/act", post(clicks::act))
        .route("/_sandbox/shortcut", post(clicks::shortcut))
        .route("/_sandbox/dismiss", post(clicks::dismiss))
        .route("/_sandbox/submit", post(forms::submit))
        .route("/_sandbox/close", post(forms::close))
        .route("/_sandbox/respond/{token}", post(inbox::respond))
        .route("/_sandbox/upload/{id}", post(inbox::upload))
        .route("/_sandbox/files/{id}", get(inbox::file))
        .route("/_sandbox/api/{method}", get(api::call).post(api::call))
        .route("/openid/connect/authorize", get(openid::authorize))
        .route("/openid/connect/keys", get(openid::keys))
        .fallback(proxy::forward)
        .with_state(shared)
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct Who {
    user: String,
}

/// What `user` sees: channels they are in, with messages, their ephemerals and open modals.
async fn state(State(shared): State<Shared>, Query(who): Query<Who>) -> Response {
    let user = match person(&who.user) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let world = shared.lock();
    let channels: Vec<_> = world
        .channels
        .iter()
        .filter(|c| c.members.contains(&user))
        .collect();
    let visible = |channel: &str| channels.iter().any(|c| c.id == channel);
    let messages: Vec<Value> = world
        .messages
        .iter()
        .filter(|m| visible(&m.channel))
        .map(|m| {
            let mut j = json!(m);
            j["user_name"] = json!(World::name_of(m.user.as_deref().unwrap_or(BOT_USER)));
            j
        })
        .collect();
    let ephemerals: Vec<_> = world.ephemerals.iter().filter(|e| e.user == user).collect();
    let names: serde_json::Map<String, Value> = PEOPLE
        .iter()
        .map(|p| (p.id.to_owned(), json!(p.name)))
        .chain([(BOT_USER.to_owned(), json!("warroom"))])
        .collect();
    Json(json!({
        "version": world.version,
        "user": user,
        "people": PEOPLE,
        "names": names,
        "channels": channels,
        "messages": messages,
        "ephemerals": ephemerals,
        "views": world.views.get(user).cloned().unwrap_or_default(),
        "files": world.files.iter().filter(|f| f.title.is_some()).collect::<Vec<_>>(),
        "shortcuts": SHORTCUTS.iter().map(|(id, name)| json!({ "callback_id": id, "name": name })).collect::<Vec<_>>(),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct Say {
    user: String,
    channel: String,
    text: String,
    thread_ts: Option<String>,
}

/// The composer: `/incident …` is a slash command; anything else a message (a mention of
/// `@warroom` reaches warroom as an `app_mention` event).
async fn say(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let say: Say = match body(&bytes) {
        Ok(say) => say,
        Err(e) => return e.into_response(),
    };
    let user = match person(&say.user) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let text = say.text.trim();
    if text.is_empty() {
        return bad("nothing to send");
    }
    if let Some(command) = text.strip_prefix('/') {
        let (name, rest) = command.split_once(' ').unwrap_or((command, ""));
        let form = {
            let mut world = shared.lock();
            if let Err(e) = channel_for(&world, user, &say.channel) {
                return e.into_response();
            }
            if name != "incident" {
                world.add_ephemeral(
                    user,
                    &say.channel,
                    None,
                    format!("/{name} is not a valid command. This sandbox knows /incident."),
                    None,
                );
                return Json(json!({ "ok": true })).into_response();
            }
            relay::slash_form(&mut world, &shared.base, user, &say.channel, rest.trim())
        };
        let answer = relay::send(
            &shared,
            "/slack/commands",
            "application/x-www-form-urlencoded",
            form,
        )
        .await;
        show_reply(&shared, user, &say.channel, &answer);
        return Json(json!({ "ok": true, "status": answer.status })).into_response();
    }
    let event = {
        let mut world = shared.lock();
        if let Err(e) = channel_for(&world, user, &say.channel) {
            return e.into_response();
        }
        if let Some(parent) = &say.thread_ts
            && !world
                .messages
                .iter()
                .any(|m| m.channel == say.channel && &m.ts == parent)
        {
            return bad("no such thread");
        }
        let text = text.replace("@warroom", &format!("<@{BOT_USER}>"));
        let mut message = Message {
            channel: say.channel.clone(),
            ts: String::new(),
            thread_ts: say.thread_ts.clone(),
            user: Some(user.to_owned()),
            text,
            blocks: None,
            metadata: None,
            files: Vec::new(),
            edited: false,
        };
        message.ts = world.add_message(message.clone());
        message
            .text
            .contains(&format!("<@{BOT_USER}>"))
            .then(|| relay::app_mention(&mut world, &message))
    };
    if let Some(event) = event {
        relay::send(
            &shared,
            "/slack/events",
            "application/json",
            event.to_string(),
        )
        .await;
    }
    Json(json!({ "ok": true })).into_response()
}

/// warroom's synchronous answer to a slash command, shown as Slack shows it.
fn show_reply(shared: &Shared, user: &str, channel: &str, answer: &relay::Answer) {
    let mut world = shared.lock();
    if answer.status != 200 {
        world.add_ephemeral(
            user,
            channel,
            None,
            format!(
                "/incident failed with the error \"dispatch_failed\" (HTTP {})",
                answer.status
            ),
            None,
        );
        return;
    }
    if answer.body.trim().is_empty() {
        return;
    }
    let reply = answer
        .json()
        .unwrap_or_else(|| json!({ "text": answer.body }));
    inbox::deliver(&mut world, user, channel, None, &reply);
}
