//! Reading the scope inputs the declare and edit forms share — when the impact started, how it
//! was detected, the environment, the affected services — into the domain's [`Scope`], with an
//! error under each input that cannot be read.

use super::forms::{Input, ScopeFields};
use crate::incident::{Detection, Environment, Scope};
use chrono::{DateTime, Utc};

/// The scope as entered, or the errors per input. A start in the future is refused here, under
/// its input, as well as by the domain.
pub(crate) fn read(
    fields: &ScopeFields,
    now: DateTime<Utc>,
    errors: &mut Vec<(Input, String)>,
) -> Scope {
    let impact_started_at = fields
        .impact_started
        .and_then(|secs| DateTime::from_timestamp(secs, 0));
    if fields.impact_started.is_some() && impact_started_at.is_none() {
        errors.push((Input::ImpactStarted, "Choose a date and time.".to_owned()));
    }
    if impact_started_at.is_some_and(|at| at > now) {
        errors.push((
            Input::ImpactStarted,
            "The impact can't have started in the future.".to_owned(),
        ));
    }
    let detection = match fields.detection.as_deref() {
        Some(key) => {
            let parsed = Detection::parse(key);
            if parsed.is_none() {
                errors.push((
                    Input::Detection,
                    "Choose one of the listed ways.".to_owned(),
                ));
            }
            parsed
        }
        None => None,
    };
    let environment = match fields.environment.as_deref() {
        Some(key) => Environment::parse(key).unwrap_or_else(|| {
            errors.push((
                Input::Environment,
                "Choose one of the listed environments.".to_owned(),
            ));
            Environment::default()
        }),
        None => Environment::default(),
    };
    Scope {
        impact_started_at,
        detection,
        environment,
        affected_services: fields.services.clone(),
    }
}
