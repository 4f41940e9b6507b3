//! `/incidents/INC-…`: one incident as it stands — its state, the timeline (with each
//! correction beside the entry it corrects), the follow-up actions, the review, the approved
//! client-safe summaries and the report's milestones — and `/incidents/INC-…/report.md`, the
//! report as the same Markdown file `/incident report` uploads. A restricted incident is shown
//! only to members of the restricted channel (403 for others); an unknown id is a 404.

use super::{
    Web, auth,
    page::{PageError, html_page, layout, when},
    session::Viewer,
};
use crate::{
    incident::{Incident, IncidentId, report::Report},
    markdown, narrative, store,
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{Markup, html};

/// The incident and its report, when `viewer` may see them.
async fn find(web: &Web, viewer: &Viewer, id: &str) -> Result<(Incident, Report), PageError> {
    let unknown = || {
        PageError::not_found(format!(
            "There is no incident {}.",
            id.chars().take(40).collect::<String>()
        ))
    };
    let id = IncidentId::parse(id).ok_or_else(unknown)?;
    let incident = store::incidents::find_incident(&web.app.pool, &id)
        .await?
        .ok_or_else(unknown)?;
    if incident.restricted && !viewer.sees_restricted {
        return Err(PageError::forbidden(
            "Restricted incident",
            format!("{id} is restricted: only members of the restricted channel may see it."),
        ));
    }
    let report = store::report::find_report(&web.app.pool, &id)
        .await?
        .ok_or_else(unknown)?;
    Ok((incident, report))
}

/// The incident's page.
pub(super) async fn page(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match auth::require(&web, &headers, &format!("/incidents/{id}")).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    match find(&web, &viewer, &id).await {
        Ok((incident, report)) => html_page(
            StatusCode::OK,
            layout(
                incident.id.as_str(),
                viewer.signed_in(),
                render(&web, &incident, &report),
            ),
        ),
        Err(e) => e.into_response(),
    }
}

/// The report as a Markdown file.
pub(super) async fn report(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match auth::require(&web, &headers, &format!("/incidents/{id}/report.md")).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    match find(&web, &viewer, &id).await {
        Ok((incident, report)) => {
            let text = markdown::report(&report, &web.app.config.process.catalog);
            let disposition = format!(
                "attachment; filename=\"{}-report.md\"",
                incident.id.as_str()
            );
            let mut response = (
                [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                text,
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("—")
}

fn render(web: &Web, incident: &Incident, report: &Report) -> Markup {
    let catalog = &web.app.config.process.catalog;
    let id = incident.id.as_str();
    let kind = incident
        .incident_type
        .as_deref()
        .map(|k| catalog.incident_type(k).map_or(k, |t| t.name.as_str()));
    html! {
        h1 id="incident-title" {
            @if incident.drill { span class="drill" { "DRILL" } " " }
            @if incident.restricted { span class="restricted" { "RESTRICTED" } " " }
            (id) " · " (incident.title.as_str())
        }
        @if incident.drill {
            p class="note" { "This is a drill, a tabletop exercise: it pages nobody, reaches no customer and stays out of the figures." }
        }
        section id="state" {
            h2 { "Current state" }
            dl class="facts" {
                dt { "Severity" } dd id="severity" { (incident.severity.name().as_str()) }
                dt { "Status" } dd id="status" { (incident.status.to_string()) }
                dt { "Type" } dd { (or_dash(kind)) }
                dt { "Declared" } dd { (when(incident.declared_at)) " by " (incident.declared_by) }
                dt { "Acknowledged" } dd { (incident.acknowledged_at.map_or_else(|| "not yet".to_owned(), when)) }
                dt { "Next update due" } dd { (incident.next_update_due_at.map_or_else(|| "—".to_owned(), when)) }
                dt { "Impact" } dd { (or_dash(incident.impact.as_deref())) }
                dt { "Services" } dd { (or_dash(incident.scope.affected_services.as_deref())) }
                dt { "Resolved" } dd { (incident.resolved_at.map_or_else(|| "—".to_owned(), when)) }
                dt { "Resolution" } dd { (or_dash(incident.resolution_summary.as_deref())) }
                @for (role, holder) in &incident.roles {
                    dt { (catalog.role(role.as_str()).map_or(role.as_str(), |r| r.name.as_str())) } dd { (holder) }
                }
            }
            @if let Some(update) = &incident.latest_update {
                h3 { "Latest update" }
                p { (when(update.posted_at)) " by " (update.posted_by) ": " (update.current_action) }
            }
        }
        section id="timeline" {
            h2 { "Timeline" }
            ol class="timeline" {
                @for entry in &report.timeline {
                    li id={ "entry-" (entry.number) } class=[entry.corrected.as_ref().map(|_| "corrected")] {
                        span class="number" { "#" (entry.number) } " "
                        span class="at" { (when(entry.at)) } " "
                        span class="actor" { (entry.actor) } " "
                        span class="what" { (narrative::line(&entry.event)) }
                        @if let Some(c) = &entry.corrected {
                            div class="correction" { "Corrected by #" (c.by_entry) ": " (c.text) }
                        }
                    }
                }
            }
        }
        section id="actions" {
            h2 { "Follow-up actions" }
            @if report.actions.is_empty() { p { "None yet." } } @else {
                table { thead { tr { th { "Action" } th { "What" } th { "Owner" } th { "Due" } th { "Status" } } }
                    tbody { @for a in &report.actions { tr {
                        td { (a.id) } td { (a.text) } td { (a.owner) } td { (a.due_on.to_string()) }
                        td { (a.status.label()) @if let Some(r) = &a.reason { " (" (r) ")" } }
                    } } } }
            }
        }
        section id="review" {
            h2 { "Post-incident review" }
            @match &report.review {
                None => p { "No review is owed (yet)." },
                Some(review) => {
                    p {
                        @if let (Some(at), Some(by)) = (review.completed_at, &review.completed_by) {
                            "Completed " (when(at)) " by " (by) "."
                        } @else if let Some(due) = review.due_at {
                            "Due " (when(due)) "."
                        }
                    }
                    dl class="facts" { @for (item, answer) in &review.answers { dt { (item.label()) } dd { (answer) } } }
                }
            }
        }
        section id="summaries" {
            h2 { "Approved client-safe summaries" }
            @if report.summaries.is_empty() { p { "None approved." } }
            @for s in &report.summaries {
                article class="summary" {
                    h3 { (s.title) }
                    p class="meta" { (s.audience.label()) " · " (s.status.label()) " · approved by " (s.approved_by) " " (when(s.approved_at)) }
                    p { (s.text) }
                }
            }
        }
        section id="report" {
            h2 { "Report" }
            p { a id="report-download" href={ "/incidents/" (id) "/report.md" } download { "Download the report (Markdown)" } }
            table { thead { tr { th { "Milestone" } th { "When" } th { "Notes" } } }
                tbody { @for m in &report.milestones { tr {
                    td { (markdown::milestone_label(m.kind)) }
                    td { (m.at.map_or_else(|| "Under Review".to_owned(), when)) }
                    td { (or_dash(m.notes.as_deref())) @if m.corrected { " (corrected)" } }
                } } } }
        }
    }
}
