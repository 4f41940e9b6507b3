//! The live incident card: one message in the incidents channel, edited in place, showing what
//! the incident is, how bad, where it stands, who holds which role, the latest update, the breach
//! clock, and the controls that run it (none once it is closed or cancelled).

use super::{
    blocks::{
        DRILL_MARK, FALLBACK_MAX, FIELD_MAX, HEADER_MAX, Message, escape, mrkdwn, option, plain,
        section, severity_options, slack_date, status_options,
    },
    keys::{Control, More},
};
use crate::{
    config::ProcessConfig,
    incident::{Catalog, Environment, Incident, Severities, Status, truncate_chars},
};
use serde_json::{Value, json};

fn type_label<'a>(catalog: &'a Catalog, key: &'a str) -> &'a str {
    catalog.incident_type(key).map_or(key, |t| t.name.as_str())
}

/// The live incident card: what it is, how bad, where it stands, who declared it, when the next
/// update is due, and the controls to run it.
pub fn incident_card(incident: &Incident, process: &ProcessConfig) -> Message {
    let (severities, catalog) = (&process.severities, &process.catalog);
    let id = &incident.id;
    let title = escape(&incident.title);
    let severity_line = match severities.by_name(incident.severity.name().as_str()) {
        Some(rank) => format!(
            "{} · {}",
            incident.severity,
            escape(&severities.get(rank).description)
        ),
        None => incident.severity.to_string(),
    };
    let next_update = incident
        .next_update_due_at
        .map_or_else(|| "—".to_owned(), slack_date);
    let acknowledged = match (&incident.acknowledged_by, incident.acknowledged_at) {
        (Some(user), Some(at)) => format!("Acknowledged by <@{user}> {}", slack_date(at)),
        _ => "Not acknowledged yet".to_owned(),
    };
    let fields = [
        format!("*Severity*\n{severity_line}"),
        format!("*Status*\n{}", incident.status),
        format!("*Declared by*\n<@{}>", incident.declared_by),
        format!("*Declared*\n{}", slack_date(incident.declared_at)),
        format!("*Next update due*\n{next_update}"),
        format!("*Acknowledgement*\n{acknowledged}"),
    ];
    let mark = if incident.drill {
        format!("{DRILL_MARK} · ")
    } else {
        String::new()
    };
    let mut blocks = vec![
        json!({ "type": "header", "text": plain(&format!("{mark}{id} · {}", incident.title), HEADER_MAX) }),
        json!({ "type": "section", "fields": fields.iter().map(|f| mrkdwn(f, FIELD_MAX)).collect::<Vec<_>>() }),
    ];
    if incident.drill {
        blocks.push(drill_note(incident, process));
    }
    if let Some(summary) = &incident.resolution_summary
        && incident.status >= Status::Resolved
    {
        blocks.push(section(&format!("*Resolution:* {}", escape(summary))));
    }
    if let Some(update) = &incident.latest_update {
        blocks.push(section(&format!(
            "*Latest update* ({} by <@{}>)\n*Impact:* {}\n*Current action:* {}\n*Owner:* <@{}>",
            slack_date(update.posted_at),
            update.posted_by,
            escape(&update.impact),
            escape(&update.current_action),
            update.owner
        )));
    }
    let mut roles: Vec<String> = catalog
        .roles
        .iter()
        .filter_map(|r| {
            incident
                .roles
                .get(&r.key)
                .map(|user| format!("{}: <@{user}>", r.name))
        })
        .collect();
    let missing = catalog.missing_roles(incident.incident_type.as_deref(), &incident.roles);
    if !missing.is_empty() && incident.status.is_open() {
        let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
        roles.push(format!(":warning: Still needed: {}", names.join(", ")));
    }
    if !roles.is_empty() {
        blocks.push(
            json!({ "type": "context", "elements": [mrkdwn(&roles.join("  ·  "), FIELD_MAX)] }),
        );
    }
    if let Some(discovered) = incident.breach_discovered_at {
        let line = match incident.authority_notified_at {
            Some(at) => format!(
                ":lock: Personal-data breach discovered {} · authority notified {}",
                slack_date(discovered),
                slack_date(at)
            ),
            None => format!(
                ":lock: *Personal-data breach* discovered {} · authority notification due {}",
                slack_date(discovered),
                slack_date(crate::incident::schedule::breach_deadline(
                    discovered,
                    &process.schedule
                ))
            ),
        };
        blocks.push(section(&line));
    }
    let findings = &incident.findings;
    let mut found = Vec::new();
    if let Some(cause) = &findings.root_cause {
        found.push(format!("*Root cause:* {}", escape(&cause.text)));
    }
    if let Some(fix) = &findings.fix {
        let link = fix
            .link
            .as_deref()
            .map_or_else(String::new, |l| format!(" (<{}|link>)", escape(l)));
        found.push(format!("*Fix deployed:* {}{link}", escape(&fix.text)));
    }
    if let Some(line) = review_line(incident) {
        found.push(line);
    }
    if !found.is_empty() {
        blocks.push(section(&found.join("\n")));
    }
    let mut context = Vec::new();
    if let Some(kind) = &incident.incident_type {
        context.push(format!("Type: {}", escape(type_label(catalog, kind))));
    }
    // Production is the norm: only another environment is worth a glance.
    if incident.scope.environment != Environment::Production {
        context.push(format!(
            "Environment: {}",
            incident.scope.environment.label()
        ));
    }
    if let Some(services) = &incident.scope.affected_services {
        context.push(format!("Services: {}", escape(services)));
    }
    if let Some(impact) = &incident.impact {
        context.push(format!("Impact: {}", escape(impact)));
    }
    if !context.is_empty() {
        blocks.push(
            json!({ "type": "context", "elements": [mrkdwn(&context.join("  ·  "), FIELD_MAX)] }),
        );
    }
    match incident.status {
        Status::Cancelled => {}
        // A closed incident no longer changes, but its follow-up work — and what clients are
        // told — goes on.
        Status::Closed => {
            let mut options = vec![More::AddAction, More::DraftSummary];
            if incident.review.due_at.is_some() && !incident.review.is_complete() {
                options.push(More::Review);
            }
            let mut elements = vec![more_menu(id.as_str(), &options)];
            elements.extend(open_in_browser(incident, process));
            blocks.push(json!({ "type": "actions", "block_id": format!("card:{id}"),
                "elements": elements }));
        }
        _ => {
            let mut controls = card_controls(incident, severities);
            if let (Some(button), Some(elements)) = (
                open_in_browser(incident, process),
                controls["elements"].as_array_mut(),
            ) {
                elements.push(button);
            }
            blocks.push(controls);
        }
    }
    let text = format!(
        "{mark}{id} [{}] {title} — {}. Declared by <@{}>.",
        incident.severity, incident.status, incident.declared_by
    );
    Message {
        text: truncate_chars(&text, FALLBACK_MAX),
        blocks,
    }
}

/// A link button to the incident's page in the web view, when the web view is on. (Slack still
/// reports the click, which warroom acknowledges and ignores: the browser does the rest.)
pub fn open_in_browser(incident: &Incident, process: &ProcessConfig) -> Option<Value> {
    let base = process.web_view_url.as_deref()?;
    let id = incident.id.as_str();
    Some(json!({
        "type": "button", "action_id": "open_in_browser", "text": plain("Open in browser", 75),
        "url": format!("{base}/incidents/{id}"),
    }))
}

/// What a drill is and is not: an exercise whose escalations call in only its declarer (unless
/// the escalation group takes part), that pages nobody and tells no customer.
fn drill_note(incident: &Incident, process: &ProcessConfig) -> Value {
    let escalations = if process.schedule.page_drill_escalations {
        "escalations call in the escalation group as for real".to_owned()
    } else {
        format!("escalations mention only <@{}>", incident.declared_by)
    };
    let text = format!(
        ":test_tube: *This is a drill*, a tabletop exercise: {escalations}; nobody is paged, nothing reaches customers, and it stays out of the metrics, the digest and search."
    );
    json!({ "type": "context", "elements": [mrkdwn(&text, FIELD_MAX)] })
}

/// Where the post-incident review stands, once one is owed or written.
fn review_line(incident: &Incident) -> Option<String> {
    let review = &incident.review;
    if let (Some(at), Some(by)) = (review.completed_at, &review.completed_by) {
        return Some(format!(
            "*Post-incident review:* completed by <@{by}> {}",
            slack_date(at)
        ));
    }
    let draft = review.notes.as_ref().map_or(String::new(), |n| {
        let answered = crate::incident::review::AgendaItem::ALL.len() - n.unanswered().len();
        format!(
            " · draft, {answered} of {} items answered",
            crate::incident::review::AgendaItem::ALL.len()
        )
    });
    review
        .due_at
        .map(|due| format!("*Post-incident review:* due {}{draft}", slack_date(due)))
}

fn card_controls(incident: &Incident, severities: &Severities) -> Value {
    let id = incident.id.as_str();
    let mut elements = Vec::new();
    if incident.acknowledged_at.is_none() {
        elements.push(json!({ "type": "button", "action_id": Control::Acknowledge.action_id(), "value": id, "style": "primary", "text": plain("Acknowledge", 75) }));
    }
    elements.push(json!({
        "type": "static_select", "action_id": Control::Status.action_id(), "placeholder": plain("Status", 150),
        "options": status_options(),
        "initial_option": option(&incident.status.to_string(), incident.status.as_str()),
    }));
    let mut severity_select = json!({
        "type": "static_select", "action_id": Control::Severity.action_id(), "placeholder": plain("Severity", 150),
        "options": severity_options(severities),
    });
    let severity = incident.severity.name().as_str();
    if severities.by_name(severity).is_some() {
        severity_select["initial_option"] = option(severity, severity);
    }
    elements.push(severity_select);
    elements.push(json!({ "type": "button", "action_id": Control::Roles.action_id(), "value": id, "text": plain("Assign roles", 75) }));
    elements.push(json!({ "type": "button", "action_id": Control::PostUpdate.action_id(), "value": id, "text": plain("Post update", 75) }));
    elements.push(more_menu(id, &more_options(incident)));
    json!({ "type": "actions", "block_id": format!("card:{id}"), "elements": elements })
}

/// Slack's overflow menu holds at most five options.
pub(crate) const OVERFLOW_MAX: usize = 5;

/// The secondary controls: an overflow menu while they fit in one, a "More…" menu past that.
pub(crate) fn more_menu(id: &str, options: &[More]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|m| option(m.label(), &format!("{}:{id}", m.key())))
        .collect();
    if options.len() <= OVERFLOW_MAX {
        json!({ "type": "overflow", "action_id": Control::More.action_id(), "options": options })
    } else {
        json!({
            "type": "static_select", "action_id": Control::More.action_id(),
            "placeholder": plain("More…", 150), "options": options,
        })
    }
}

/// What "More" offers for the incident as it stands.
fn more_options(incident: &Incident) -> Vec<More> {
    let mut options = vec![
        More::Edit,
        More::ReviewTriage,
        More::RootCause,
        More::FixDeployed,
        More::AddAction,
        More::DraftSummary,
    ];
    if incident.status == Status::Resolved && !incident.review.is_complete() {
        options.push(More::Review);
    }
    match (
        incident.breach_discovered_at,
        incident.authority_notified_at,
    ) {
        (None, _) => options.push(More::FlagBreach),
        (Some(_), None) => options.push(More::RecordNotified),
        _ => {}
    }
    options.push(More::Cancel);
    options
}
