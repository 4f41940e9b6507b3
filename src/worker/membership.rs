//! The note a restricted incident's thread gets when a role goes to someone who is not in its
//! channel: they cannot see the card or the thread until someone invites them.

use crate::{
    delivery::Post,
    incident::{Event, Incident},
    slack::blocks,
    state::AppState,
};

/// A role assigned on a restricted incident to someone outside its channel: the thread says so,
/// since they cannot see the card or the thread until someone invites them.
pub(super) async fn with_membership(
    state: &AppState,
    incident: &Incident,
    post: &Post,
    mut message: blocks::Message,
) -> blocks::Message {
    let Post::Event {
        event: Event::RoleAssigned { user, .. },
        ..
    } = post
    else {
        return message;
    };
    if !incident.restricted {
        return message;
    }
    let member = state
        .members
        .contains(&state.slack, &incident.channel_id, user)
        .await;
    if let Ok(false) = member {
        message.blocks.push(blocks::section(&format!(
            ":warning: <@{user}> is not a member of this restricted channel, so they cannot see this incident yet: invite them here."
        )));
    }
    message
}
