//! What every page request needs: its JSON body, a known person and channel, or a 400 that says
//! what was wrong.

use super::world::{PEOPLE, World};
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use serde_json::json;

/// A refused page request: 400 and why.
pub(super) fn bad(reason: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": reason }))).into_response()
}

/// A page request refused with a 400 and its reason.
pub(super) struct Bad(String);

impl IntoResponse for Bad {
    fn into_response(self) -> Response {
        bad(&self.0)
    }
}

/// The request's JSON body as `T`, or a 400.
pub(super) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Bad> {
    serde_json::from_slice(bytes).map_err(|e| Bad(format!("malformed request: {e}")))
}

/// A sandbox person's id, or a 400.
pub(super) fn person(id: &str) -> Result<&'static str, Bad> {
    PEOPLE
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.id)
        .ok_or_else(|| Bad("unknown user".to_owned()))
}

/// A channel `user` may use, or a 400.
pub(super) fn channel_for(world: &World, user: &str, channel: &str) -> Result<(), Bad> {
    match world.channel(channel) {
        Some(c) if c.members.contains(&user) => Ok(()),
        Some(_) => Err(Bad("not a member of that channel".to_owned())),
        None => Err(Bad("unknown channel".to_owned())),
    }
}
