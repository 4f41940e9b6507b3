//! Publishing one person's Home tab (`views.publish`), rendered from the state when it is sent.

use super::deliver::Outcome;
use crate::{
    incident::Incident,
    slack::home::{self, Home},
    state::AppState,
    store,
};
use serde_json::json;

/// How many incidents a Home is drawn from.
const LIMIT: i64 = 200;

/// Publishes `user`'s Home.
pub(super) async fn publish(state: &AppState, user: &str) -> Outcome {
    let pool = &state.worker_pool;
    let now = state.clock.now();
    let week_ago = now - chrono::Duration::days(7);
    let read = async {
        let mine = store::incidents::find_for_person(pool, user, week_ago, LIMIT).await?;
        let actions = store::actions::find_open_for_owner(pool, user, 20).await?;
        Ok::<_, sqlx::Error>((mine, actions))
    };
    let (mine, actions) = match read.await {
        Ok(read) => read,
        Err(e) => return Outcome::Internal(e.into()),
    };
    // Restricted incidents only for the restricted channel's members.
    let sees_restricted = match &state.config.process.restricted.channel {
        Some(channel) => matches!(
            state.members.contains(&state.slack, channel, user).await,
            Ok(true)
        ),
        None => false,
    };
    let visible: Vec<Incident> = mine
        .into_iter()
        .filter(|i| !i.restricted || sees_restricted)
        .collect();
    let open: Vec<Incident> = visible
        .iter()
        .filter(|i| i.status.is_open())
        .cloned()
        .collect();
    let declared: Vec<Incident> = visible
        .into_iter()
        .filter(|i| i.declared_by == user && i.declared_at >= week_ago && !i.drill)
        .collect();
    let actions: Vec<_> = actions
        .into_iter()
        .filter(|a| !a.incident_restricted || sees_restricted)
        .collect();
    let view = home::view(
        &Home {
            user,
            open: &open,
            actions: &actions,
            declared_this_week: &declared,
        },
        &state.config.process,
    );
    match state
        .slack
        .call("views.publish", &json!({ "user_id": user, "view": view }))
        .await
    {
        Ok(_) => Outcome::Delivered { ts: None },
        Err(failure) => Outcome::Failed(failure),
    }
}
