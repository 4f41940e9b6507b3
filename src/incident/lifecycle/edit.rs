//! Editing what an incident is: its title, impact, type, and its scope (environment, affected
//! services, when the impact started, how it was detected). Each field that changes is recorded
//! with its old and new value; a type that changes brings its runbook.

use super::{
    Refusal,
    changes::{At, Outcome, applied},
};
use crate::incident::{
    Incident, MAX_IMPACT_CHARS, Scope, Title,
    event::{Changed, Edits, Event},
    scope::MAX_SERVICES_CHARS,
    truncate_chars,
};

/// What the Edit form asks for; every field is the whole new value.
#[derive(Debug, Clone)]
pub struct EditFields {
    pub title: String,
    pub impact: Option<String>,
    /// `None` keeps the current type (a type cannot be removed, only changed).
    pub incident_type: Option<String>,
    pub scope: Scope,
}

fn changed<T: Clone + PartialEq>(from: &T, to: &T) -> Option<Changed<T>> {
    (from != to).then(|| Changed {
        from: from.clone(),
        to: to.clone(),
    })
}

fn cleaned(text: Option<String>, max: usize) -> Option<String> {
    text.map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .map(|t| truncate_chars(&t, max))
}

pub(super) fn edit(current: &Incident, fields: EditFields, at: At<'_>) -> Outcome {
    let title = Title::parse(&fields.title).map_err(|_| Refusal::empty("The title"))?;
    let impact = cleaned(fields.impact, MAX_IMPACT_CHARS);
    if let Some(t) = &fields.incident_type
        && at.rules.catalog.incident_type(t).is_none()
    {
        return Err(Refusal::UnknownType {
            incident_type: t.clone(),
        });
    }
    if fields.scope.impact_started_at.is_some_and(|s| s > at.now) {
        return Err(Refusal::ImpactStartsInFuture);
    }
    let incident_type = fields
        .incident_type
        .or_else(|| current.incident_type.clone());
    let scope = Scope {
        affected_services: cleaned(fields.scope.affected_services, MAX_SERVICES_CHARS),
        // An incident declared before the start was asked keeps counting from its declaration.
        impact_started_at: fields
            .scope
            .impact_started_at
            .or(current.scope.impact_started_at),
        ..fields.scope
    };
    let was = &current.scope;
    let edits = Edits {
        title: (title != current.title).then(|| Changed {
            from: current.title.to_string(),
            to: title.to_string(),
        }),
        impact: changed(&current.impact, &impact),
        incident_type: changed(&current.incident_type, &incident_type),
        impact_started_at: changed(&was.impact_started_at, &scope.impact_started_at),
        detection: changed(&was.detection, &scope.detection),
        environment: changed(&was.environment, &scope.environment),
        affected_services: changed(&was.affected_services, &scope.affected_services),
    };
    if edits == Edits::default() {
        return Ok(None);
    }
    let mut next = current.clone();
    next.title = title;
    next.impact = impact;
    next.incident_type = incident_type;
    next.scope = scope;
    applied(next, vec![Event::Edited(edits)])
}
