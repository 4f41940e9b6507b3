//! warroom's Home tab: published when someone opens it, and again when one of their incidents or
//! actions changes while they may be looking (through the outbox, one publication per person at
//! a time; `worker::home` renders it from the state when it is sent).

use super::{
    Reply,
    forms::{FormRequest, Origin},
};
use crate::{
    context::Context,
    incident::Incident,
    store::{self, StoreError},
};

/// `user` opened their Home tab.
pub async fn opened(state: &Context, user: &str) -> Result<(), StoreError> {
    let record = store::homes::record_opened(&state.pool, user);
    state.deadline.run(record).await?;
    Ok(())
}

/// **Declare incident** on the Home tab: the declare form.
pub fn declare(state: &Context) -> Reply {
    Reply::Open(FormRequest::Declare {
        severity: state.config.process.default_severity,
        restricted: false,
        origin: Origin::default(),
        drill: false,
        prefill: None,
    })
}

/// Whose Home shows the incident, before or after a change: its declarer and its role holders.
pub(crate) fn involved(before: &Incident, after: &Incident) -> Vec<String> {
    let mut users: Vec<String> = [before, after]
        .iter()
        .flat_map(|i| std::iter::once(&i.declared_by).chain(i.roles.values()))
        .cloned()
        .collect();
    users.sort();
    users.dedup();
    users
}
