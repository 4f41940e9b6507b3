//! What the incident's thread is told when something happens: one announcement per event,
//! rendered from the event's typed fields and the incident as it stands.

use super::blocks::{self, Message, declared_note, escape, mention, notice, slack_date};
use crate::{
    config::ProcessConfig,
    delivery::Post,
    incident::{
        Event, Incident,
        event::{Direction, Edits, Escalation, PageAction, UpdatePosted},
        schedule,
        update::{ACTION_CRITERIA, CLOSURE_CRITERIA},
    },
};

/// The message a thread post shows, rendered from the incident as it is now; every post into a
/// drill's thread starts with DRILL.
pub fn thread_post(incident: &Incident, post: &Post, process: &ProcessConfig) -> Option<Message> {
    let message = match post {
        Post::Event { event, actor } => announcement(incident, event, actor, process),
        Post::Runbook { incident_type } => blocks::runbook(&process.catalog, incident_type),
        Post::Reminder { reminder } => Some(super::reminders::reminder(incident, reminder)),
        Post::StatusPageUndelivered { why } => Some(notice(&format!(
            ":warning: The approved summary could not be published to the status page after warroom's retries ({}): update the status page by hand.",
            escape(why)
        ))),
        Post::WebhookUndelivered {
            webhook,
            event_type,
            why,
        } => Some(notice(&format!(
            ":warning: Webhook `{}` could not be sent `{}` after warroom's retries ({}): its receiver missed this event.",
            escape(webhook),
            escape(event_type),
            escape(why)
        ))),
    }?;
    Some(if incident.drill {
        message.drill()
    } else {
        message
    })
}

/// The thread's announcement of `event` by `actor`, if it has one.
pub fn announcement(
    incident: &Incident,
    event: &Event,
    actor: &str,
    process: &ProcessConfig,
) -> Option<Message> {
    let who = format!("<@{actor}>");
    let text = match event {
        Event::Declared(d) => {
            return Some(declared_note(actor, d));
        }
        Event::Acknowledged { .. } => format!(":eyes: Acknowledged by {who}."),
        Event::StatusChanged(m) => {
            let note = if m.relapse { " (relapse)" } else { "" };
            format!(
                ":arrows_counterclockwise: Status: *{}* → *{}*{note}, by {who}.",
                m.from, m.to
            )
        }
        Event::Resolved { summary, .. } => format!(
            ":white_check_mark: *Resolved* by {who}.\n*Resolution:* {}",
            escape(summary)
        ),
        Event::Closed {
            checklist,
            no_action_reason,
        } => {
            let lines: Vec<String> = CLOSURE_CRITERIA
                .iter()
                .chain(ACTION_CRITERIA.iter())
                .map(|(key, label)| {
                    let answer = checklist.get(*key).map_or("—", |a| a.label());
                    format!("• {label}: {answer}")
                })
                .collect();
            let reason = no_action_reason.as_deref().map_or_else(String::new, |r| {
                format!("\nNo corrective action needed: {}", escape(r))
            });
            format!(":lock: *Closed* by {who}.\n{}{reason}", lines.join("\n"))
        }
        Event::Cancelled { reason, .. } => format!(
            ":no_entry_sign: *Cancelled* by {who} (declared in error): {}",
            escape(reason)
        ),
        Event::SeverityChanged(m) => {
            let direction = match m.direction {
                Direction::Raised => "raised",
                Direction::Lowered => "lowered",
            };
            format!(
                ":rotating_light: Severity {direction}: *{}* → *{}* by {who}. Reason: {}",
                m.from,
                m.to,
                escape(&m.reason)
            )
        }
        Event::RoleAssigned { role, user, .. } => {
            let name = process
                .catalog
                .role(role.as_str())
                .map_or(role.as_str(), |r| &r.name);
            format!(":bust_in_silhouette: <@{user}> is now *{name}* (assigned by {who}).")
        }
        Event::UpdatePosted(posted) => update(incident, posted),
        Event::Edited(edits) => {
            let mut changed = Vec::new();
            if let Some(t) = &edits.title {
                changed.push(format!(
                    "title: “{}” → “{}”",
                    escape(&t.from),
                    escape(&t.to)
                ));
            }
            if let Some(i) = &edits.impact {
                changed.push(format!(
                    "impact: {}",
                    i.to.as_deref().map_or("cleared".into(), escape)
                ));
            }
            if let Some(t) = &edits.incident_type {
                let name =
                    t.to.as_deref()
                        .and_then(|t| process.catalog.incident_type(t))
                        .map_or("—", |t| t.name.as_str());
                changed.push(format!("type: {name}"));
            }
            changed.extend(scope_edits(edits));
            format!(
                ":pencil2: {who} edited the incident — {}.",
                changed.join("; ")
            )
        }
        Event::Note { text } => format!(":memo: Note from {who}: {}", escape(text)),
        Event::BreachFlagged { discovered_at } => format!(
            ":lock: {who} flagged a *personal-data breach* discovered {}. The supervisory authority must be notified within 72 hours of discovery; warroom will remind the thread as the clock runs.",
            slack_date(*discovered_at)
        ),
        Event::AuthorityNotified(_) => format!(
            ":white_check_mark: {who} recorded that the supervisory authority was notified. The breach clock has stopped."
        ),
        Event::ReminderSnoozed { until, .. } => format!(
            ":zzz: {who} snoozed the update reminder until {}.",
            slack_date(*until)
        ),
        Event::RootCauseIdentified { cause } => format!(
            ":dart: {who} recorded the confirmed *root cause*: {}",
            escape(cause)
        ),
        Event::FixDeployed { what, link } => {
            let link = link
                .as_deref()
                .map_or_else(String::new, |l| format!(" (<{}|link>)", escape(l)));
            format!(
                ":rocket: {who} recorded a *fix deployed*: {}{link}",
                escape(what)
            )
        }
        Event::Corrected { entry, text } => format!(
            ":pencil: {who} corrected timeline entry #{entry}: {}",
            escape(text)
        ),
        Event::ActionAdded(_)
        | Event::ActionDone { .. }
        | Event::ActionWontDo { .. }
        | Event::ActionSnoozed { .. } => super::actions::announcement(incident, event, &who)?,
        Event::SummaryDrafted(_)
        | Event::SummaryApproved(_)
        | Event::SummaryChangesRequested { .. } => {
            return super::summaries::announcement(incident, event, actor, process);
        }
        Event::ReviewSaved(notes) => {
            let total = crate::incident::review::AgendaItem::ALL.len();
            let answered = total - notes.unanswered().len();
            format!(
                ":spiral_note_pad: {who} saved the post-incident review ({answered} of {total} items answered)."
            )
        }
        Event::ReviewCompleted { on_time } => format!(
            ":white_check_mark: {who} completed the post-incident review{}. `/incident report {}` has it in full.",
            if *on_time {
                ""
            } else {
                " (after its due date)"
            },
            incident.id
        ),
        Event::TriageReviewed { to, .. } => {
            let answers: Vec<String> = to
                .answers()
                .iter()
                .map(|(q, a)| format!("• {q}: {}", if *a == Some(true) { "*yes*" } else { "no" }))
                .collect();
            let floor = to.floor_index().map_or_else(
                || "no severity floor".to_owned(),
                |i| {
                    let rank = process.severities.rank_at(i);
                    format!("severity floor {}", process.severities.get(rank).name)
                },
            );
            format!(
                ":mag: {who} reviewed the triage ({floor}):\n{}",
                answers.join("\n")
            )
        }
        Event::Escalated(Escalation::Triggers { triggers }) => {
            return Some(escalation(incident, process, triggers));
        }
        Event::Paged(page) => match page.action {
            PageAction::Trigger => format!(
                ":rotating_light: {} was triggered: on-call is being paged (dedup key `{}`).",
                escape(&page.service),
                escape(&page.dedup_key)
            ),
            // Acknowledging and resolving the page follow the card; the timeline keeps them.
            PageAction::Acknowledge | PageAction::Resolve => return None,
        },
        Event::PageFailed(failure) => format!(
            ":warning: {} could not be sent the {} after warroom's retries ({}). {}",
            escape(&failure.service),
            failure.action.label(),
            escape(&failure.reason),
            match failure.action {
                PageAction::Trigger => "*On-call was not paged: page them by hand.*",
                PageAction::Acknowledge | PageAction::Resolve => {
                    "Update the page by hand so on-call is not paged again."
                }
            }
        ),
        // Reminders, drill injects and acknowledgement escalations post their own message when
        // they fire.
        Event::Escalated(Escalation::AckOverdue { .. })
        | Event::ReminderSent(_)
        | Event::DrillInjected { .. }
        | Event::MessageAdded { .. } => return None,
    };
    Some(notice(&text))
}

/// How an edit of the incident's scope reads, one part per field that changed.
fn scope_edits(edits: &Edits) -> Vec<String> {
    let mut changed = Vec::new();
    if let Some(e) = &edits.environment {
        changed.push(format!("environment: {}", e.to.label()));
    }
    if let Some(s) = &edits.affected_services {
        changed.push(format!(
            "affected services: {}",
            s.to.as_deref().map_or("cleared".into(), escape)
        ));
    }
    if let Some(s) = &edits.impact_started_at {
        changed.push(format!(
            "impact started: {}",
            s.to.map_or_else(|| "—".to_owned(), slack_date)
        ));
    }
    if let Some(d) = &edits.detection {
        changed.push(format!("detected by: {}", d.to.map_or("—", |d| d.label())));
    }
    changed
}

/// The structured update as posted in the thread: all seven fields, in the guide's order.
fn update(incident: &Incident, posted: &UpdatePosted) -> String {
    let u = &posted.update;
    let severity = posted.severity.as_ref().unwrap_or(incident.severity.name());
    let status = posted.status.unwrap_or(incident.status);
    [
        format!(":mega: *Update* from <@{}>", u.posted_by),
        format!("*Incident ID:* {}", incident.id),
        format!("*Severity:* {severity}"),
        format!("*Status:* {status}"),
        format!("*Impact:* {}", escape(&u.impact)),
        format!("*Current action:* {}", escape(&u.current_action)),
        format!("*Owner:* <@{}>", u.owner),
        format!("*Next update:* {}", slack_date(u.next_update_at)),
    ]
    .join("\n")
}

/// An escalation for management: what the incident is and why it needs attention now. A thread
/// reply under the card (also shown in the channel), so the card names the incident.
fn escalation(incident: &Incident, process: &ProcessConfig, triggers: &[String]) -> Message {
    let to = schedule::escalation_audience(incident, &process.schedule);
    notice(&format!(
        ":rotating_light: *Escalation* {}: [{}] {} — {}.",
        mention(&to),
        incident.severity,
        escape(&incident.title),
        triggers.join("; ")
    ))
}
