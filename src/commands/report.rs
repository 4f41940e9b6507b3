//! `/incident report INC-…` → the post-incident report, built from the incident's typed timeline
//! and uploaded as a Markdown file into its thread (the answer says it is coming). The command
//! line's `warroom report` prints the same report.

use super::{Invocation, Reply, read_failure, store_failure};
use crate::{
    context::Context,
    delivery::{Answer, Delivery, ThreadFile},
    incident::IncidentId,
    store,
};

/// Queues the report of the named incident for its thread.
pub async fn run(state: &Context, inv: &Invocation, rest: &str) -> Reply {
    let Some(id) = rest.split_whitespace().next().and_then(IncidentId::parse) else {
        return Reply::Say(Answer::NameTheIncident);
    };
    let found = state
        .deadline
        .run(store::incidents::find_incident(&state.pool, &id))
        .await;
    let incident = match found {
        Ok(Some(incident)) if incident.restricted && !inv.sees_restricted => {
            return Reply::Say(Answer::Restricted { id: id.to_string() });
        }
        Ok(Some(incident)) => incident,
        Ok(None) => return Reply::Say(Answer::not_found(&id)),
        Err(e) => return Reply::Say(read_failure(state, e)),
    };
    let rows = [super::change::about(
        &incident,
        Delivery::ThreadFile {
            file: ThreadFile::Report,
            requested_by: inv.user_id.clone(),
        },
    )];
    let queued = store::outbox::insert_outbox_about(&state.pool, Some(id.as_str()), &rows);
    match state.deadline.run(queued).await {
        Ok(()) => Reply::Say(Answer::ReportComing { id: id.to_string() }),
        Err(e) => Reply::Say(store_failure(state, e)),
    }
}
