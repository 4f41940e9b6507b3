//! What warroom remembers of the status page: the Statuspage incident each incident's approved
//! summaries go to, and the order they go out in.

use sqlx::PgPool;

/// The Statuspage incident the incident's summaries update, once one was created.
pub async fn find_statuspage_incident(
    pool: &PgPool,
    incident: &str,
) -> Result<Option<String>, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "SELECT statuspage_incident_id FROM incidents WHERE id = $1",
        incident
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.flatten())
}

/// Records the Statuspage incident created for the incident.
pub async fn set_statuspage_incident(
    pool: &PgPool,
    incident: &str,
    statuspage_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET statuspage_incident_id = $2 WHERE id = $1",
        incident,
        statuspage_id
    )
    .execute(pool)
    .await?;
    Ok(())
}
