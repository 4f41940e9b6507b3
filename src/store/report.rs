//! Reading everything the report is built from: the incident, its whole timeline and its
//! follow-up actions.

use crate::incident::{
    IncidentId,
    report::{self, Report},
};
use sqlx::PgPool;

/// The report of incident `id`, as it stands; `None` when there is no such incident.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_report(pool: &PgPool, id: &IncidentId) -> Result<Option<Report>, sqlx::Error> {
    let Some(incident) = super::incidents::find_incident(pool, id).await? else {
        return Ok(None);
    };
    let (entries, _) = super::timeline::find_timeline(pool, id, i64::MAX).await?;
    let actions = super::actions::find_actions(pool, id).await?;
    Ok(Some(report::build(&incident, entries, &actions)))
}
