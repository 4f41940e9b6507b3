//! Incidents: finding them, locking one for a change, and writing its new state. Past incidents
//! (by status, drills, and searched) are read in `history`.

use crate::incident::{
    Detection, Environment, Findings, Incident, IncidentId, Review, RoleKey, Scope, Severity,
    Status, Title, Triage, review::ReviewNotes, scope::Finding, update::StructuredUpdate,
};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction, types::Json};
use std::collections::BTreeMap;

/// `query_as!(IncidentRow, …)` over every column of an incident, followed by the rest of the query
/// (`FROM incidents WHERE …`) and its arguments. `query_as!` checks each column against
/// `IncidentRow`, so a query missing a field, or one whose type changed, does not compile; JSONB
/// columns decode through the type named in the column's alias.
macro_rules! select_incidents {
    ($rest:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            IncidentRow,
            r#"SELECT id, title, severity, severity_rank, status, incident_type, impact, triage AS "triage: Json<Triage>",
                declared_by, team_domain, channel_id, card_ts, declared_at, acknowledged_at, acknowledged_by,
                next_update_due_at, resolved_at, closed_at, resolution_summary,
                roles AS "roles: Json<BTreeMap<String, String>>", latest_update AS "latest_update: Json<StructuredUpdate>",
                breach_discovered_at, authority_notified_at, escalations AS "escalations: Json<Vec<String>>", version,
                impact_started_at, detection, environment, affected_services, contained_at, root_cause, root_cause_at,
                fix_deployed, fix_link, fix_deployed_at, review AS "review: Json<ReviewNotes>", review_due_at, review_completed_at, review_completed_by, drill, restricted, customers_notified_at "# + $rest
            $(, $arg)*
        )
    };
}

mod history;

pub use history::{
    Filter, SearchPage, find_all, find_by_status, find_drills, find_filtered, search_incidents,
};

/// One incident by ID.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_incident(
    pool: &PgPool,
    id: &IncidentId,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = select_incidents!(r#"FROM incidents WHERE id = $1"#, id.as_str(),)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Incident::from))
}

/// Open incidents, newest first; drills only `with_drills` (a message may be added to a drill's
/// timeline, but `/incident list` shows real incidents).
#[tracing::instrument(skip_all)]
pub async fn find_open(
    pool: &PgPool,
    limit: i64,
    with_drills: bool,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE status NOT IN ('resolved', 'closed', 'cancelled') AND ($2 OR NOT drill)
         ORDER BY declared_at DESC, id DESC LIMIT $1"#,
        limit,
        with_drills,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// The incidents of one person's Home, newest first: the open ones they declared or hold a role
/// in (drills included), and the real ones they declared since `since`.
#[tracing::instrument(skip_all)]
pub async fn find_for_person(
    pool: &PgPool,
    user: &str,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents
         WHERE (status NOT IN ('resolved', 'closed', 'cancelled')
                AND (declared_by = $1 OR EXISTS (SELECT 1 FROM jsonb_each_text(roles) AS r WHERE r.value = $1)))
            OR (declared_by = $1 AND declared_at >= $2 AND NOT drill)
         ORDER BY declared_at DESC, id DESC LIMIT $3"#,
        user,
        since,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

struct IncidentRow {
    id: String,
    title: String,
    severity: String,
    severity_rank: i32,
    status: String,
    incident_type: Option<String>,
    impact: Option<String>,
    triage: Json<Triage>,
    declared_by: String,
    team_domain: Option<String>,
    channel_id: String,
    card_ts: Option<String>,
    declared_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<String>,
    next_update_due_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    resolution_summary: Option<String>,
    roles: Json<BTreeMap<String, String>>,
    latest_update: Option<Json<StructuredUpdate>>,
    breach_discovered_at: Option<DateTime<Utc>>,
    authority_notified_at: Option<DateTime<Utc>>,
    escalations: Json<Vec<String>>,
    version: i32,
    impact_started_at: Option<DateTime<Utc>>,
    detection: Option<String>,
    environment: String,
    affected_services: Option<String>,
    contained_at: Option<DateTime<Utc>>,
    root_cause: Option<String>,
    root_cause_at: Option<DateTime<Utc>>,
    fix_deployed: Option<String>,
    fix_link: Option<String>,
    fix_deployed_at: Option<DateTime<Utc>>,
    review: Option<Json<ReviewNotes>>,
    review_due_at: Option<DateTime<Utc>>,
    review_completed_at: Option<DateTime<Utc>>,
    review_completed_by: Option<String>,
    drill: bool,
    restricted: bool,
    customers_notified_at: Option<DateTime<Utc>>,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Self {
        Incident {
            id: IncidentId::from_stored(r.id),
            title: Title::from_stored(r.title),
            severity: Severity::from_stored(
                r.severity,
                usize::try_from(r.severity_rank).unwrap_or_default(),
            ),
            // The CHECK constraint admits only known statuses.
            status: Status::parse(&r.status).unwrap_or(Status::Investigating),
            incident_type: r.incident_type,
            impact: r.impact,
            triage: r.triage.0,
            declared_by: r.declared_by,
            team_domain: r.team_domain,
            channel_id: r.channel_id,
            card_ts: r.card_ts,
            declared_at: r.declared_at,
            acknowledged_at: r.acknowledged_at,
            acknowledged_by: r.acknowledged_by,
            next_update_due_at: r.next_update_due_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            resolution_summary: r.resolution_summary,
            roles: (r.roles.0.into_iter())
                .map(|(key, holder)| (RoleKey::from_stored(key), holder))
                .collect(),
            latest_update: r.latest_update.map(|u| u.0),
            breach_discovered_at: r.breach_discovered_at,
            authority_notified_at: r.authority_notified_at,
            escalations: r.escalations.0,
            // The CHECK constraints admit only known spellings.
            scope: Scope {
                impact_started_at: r.impact_started_at,
                detection: r.detection.as_deref().and_then(Detection::parse),
                environment: Environment::parse(&r.environment).unwrap_or_default(),
                affected_services: r.affected_services,
            },
            findings: Findings {
                contained_at: r.contained_at,
                root_cause: finding(r.root_cause, None, r.root_cause_at),
                fix: finding(r.fix_deployed, r.fix_link, r.fix_deployed_at),
            },
            review: Review {
                due_at: r.review_due_at,
                notes: r.review.map(|n| n.0),
                completed_at: r.review_completed_at,
                completed_by: r.review_completed_by,
            },
            drill: r.drill,
            restricted: r.restricted,
            customers_notified_at: r.customers_notified_at,
            version: r.version,
        }
    }
}

fn finding(
    text: Option<String>,
    link: Option<String>,
    at: Option<DateTime<Utc>>,
) -> Option<Finding> {
    Some(Finding {
        text: text?,
        link,
        at: at?,
    })
}

/// Locks the incident's row for the rest of `tx`, so a change is decided against its current
/// state and no concurrent change slips in between.
#[tracing::instrument(skip_all, fields(incident.id = %id))]
pub async fn find_incident_for_update(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = select_incidents!(r#"FROM incidents WHERE id = $1 FOR UPDATE"#, id.as_str(),)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(Incident::from))
}

/// Writes an incident's new current state.
pub async fn update_incident_state(
    tx: &mut Transaction<'_, Postgres>,
    incident: &Incident,
) -> Result<(), sqlx::Error> {
    let (root_cause, fix) = (
        incident.findings.root_cause.as_ref(),
        incident.findings.fix.as_ref(),
    );
    sqlx::query!(
        "UPDATE incidents SET title = $2, severity = $3, severity_rank = $4, status = $5, incident_type = $6, impact = $7,
                acknowledged_at = $8, acknowledged_by = $9, next_update_due_at = $10, resolved_at = $11, closed_at = $12,
                resolution_summary = $13, roles = $14, latest_update = $15, breach_discovered_at = $16,
                authority_notified_at = $17, escalations = $18, triage = $19, impact_started_at = $20, detection = $21,
                environment = $22, affected_services = $23, contained_at = $24, root_cause = $25, root_cause_at = $26,
                fix_deployed = $27, fix_link = $28, fix_deployed_at = $29, review = $30, review_completed_at = $31,
                review_completed_by = $32, review_due_at = $33, version = version + 1, updated_at = now()
         WHERE id = $1",
        incident.id.as_str(),
        incident.title.as_str(),
        incident.severity.name().as_str(),
        incident.severity.rank().index() as i32,
        incident.status.as_str(),
        incident.incident_type.as_deref(),
        incident.impact.as_deref(),
        incident.acknowledged_at,
        incident.acknowledged_by.as_deref(),
        incident.next_update_due_at,
        incident.resolved_at,
        incident.closed_at,
        incident.resolution_summary.as_deref(),
        Json(&incident.roles) as _,
        incident.latest_update.as_ref().map(Json) as _,
        incident.breach_discovered_at,
        incident.authority_notified_at,
        Json(&incident.escalations) as _,
        Json(&incident.triage) as _,
        incident.scope.impact_started_at,
        incident.scope.detection.map(Detection::key),
        incident.scope.environment.key(),
        incident.scope.affected_services.as_deref(),
        incident.findings.contained_at,
        root_cause.map(|f| f.text.as_str()),
        root_cause.map(|f| f.at),
        fix.map(|f| f.text.as_str()),
        fix.and_then(|f| f.link.as_deref()),
        fix.map(|f| f.at),
        incident.review.notes.as_ref().map(Json) as _,
        incident.review.completed_at,
        incident.review.completed_by.as_deref(),
        incident.review.due_at,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a request key inside `tx`; false when it was handled before.
pub async fn insert_request_key_in(
    tx: &mut Transaction<'_, Postgres>,
    key: &str,
    incident_id: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO slack_requests (key, incident_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        key,
        incident_id,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The incident whose card is the message `ts` in `channel`, or whose thread that message is in.
pub async fn find_incident_by_message(
    pool: &PgPool,
    channel: &str,
    ts: &str,
) -> Result<Option<Incident>, sqlx::Error> {
    let row = select_incidents!(
        r#"FROM incidents WHERE channel_id = $1 AND card_ts = $2 LIMIT 1"#,
        channel,
        ts,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Incident::from))
}

/// Open incidents, most severe and then oldest first, drills left out (for the digest).
pub async fn find_open_by_severity(
    pool: &PgPool,
    limit: i64,
) -> Result<Vec<Incident>, sqlx::Error> {
    let rows = select_incidents!(
        r#"FROM incidents WHERE status NOT IN ('resolved', 'closed', 'cancelled') AND NOT drill
         ORDER BY severity_rank, declared_at LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// Records, once, that customers were told about incident `id` at `at`.
pub async fn update_customers_notified(
    tx: &mut Transaction<'_, Postgres>,
    id: &IncidentId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE incidents SET customers_notified_at = COALESCE(customers_notified_at, $2), updated_at = now() WHERE id = $1",
        id.as_str(),
        at,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether incident `id` is restricted; `None` when there is no such incident.
pub async fn find_restricted(pool: &PgPool, id: &IncidentId) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT restricted FROM incidents WHERE id = $1",
        id.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Moves the pending overdue-update reminder of an incident to `until`; false if none is pending.
pub async fn update_reminder_snooze(
    tx: &mut Transaction<'_, Postgres>,
    id: &str,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query!(
        "UPDATE reminders SET due_at = $2, updated_at = now() WHERE incident_id = $1 AND kind = 'update_due' AND state = 'pending'",
        id,
        until,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved == 1)
}
