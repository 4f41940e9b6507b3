//! Scenarios as written — in the built-in `scenarios.toml` or a config file's
//! `[[drills.scenario]]` — and the checks that turn them into [`Scenarios`]. Every error names
//! the key at fault, e.g. `scenario "wallet-mismatch".injects[2].at`.

use super::{Inject, Scenario, Scenarios};
use crate::incident::{Catalog, Severities};
use serde::Deserialize;
use std::time::Duration;

/// Most injects one scenario may have: each is a post in the drill's thread.
const MAX_INJECTS: usize = 20;

/// A scenario as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    #[serde(default)]
    pub incident_type: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    pub title: String,
    #[serde(default)]
    pub injects: Vec<InjectSpec>,
}

/// An inject as written: `{ at = "5m", text = "…" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectSpec {
    pub at: String,
    pub text: String,
}

/// A scenario that cannot be run, and which key says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ScenarioError {
    /// Under `drills.`: `scenario "name".injects[2].at`, or `scenario[3].name` for one without a
    /// usable name.
    pub key: String,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinFile {
    scenario: Vec<ScenarioSpec>,
}

impl Scenarios {
    /// The built-in scenarios. A severity or incident type the configuration no longer has is
    /// left to the defaults, so replacing the severities or the types never stops start-up.
    pub fn builtin(severities: &Severities, catalog: &Catalog) -> Scenarios {
        let file: BuiltinFile =
            toml::from_str(include_str!("scenarios.toml")).expect("the built-in scenarios parse");
        let specs = file
            .scenario
            .into_iter()
            .map(|mut spec| {
                spec.severity = spec.severity.filter(|s| severities.parse(s).is_some());
                spec.incident_type = spec
                    .incident_type
                    .filter(|t| catalog.incident_type(t).is_some());
                spec
            })
            .collect();
        Scenarios::from_specs(specs, severities, catalog).expect("the built-in scenarios hold")
    }

    /// Checks scenarios as written: each has a one-word name no other has, a title, a configured
    /// severity and incident type (when it names them) and at least one inject, each with a
    /// time after the declaration and a text. Injects are put in the order they come due.
    pub fn from_specs(
        specs: Vec<ScenarioSpec>,
        severities: &Severities,
        catalog: &Catalog,
    ) -> Result<Scenarios, ScenarioError> {
        let mut scenarios: Vec<Scenario> = Vec::with_capacity(specs.len());
        for (index, spec) in specs.into_iter().enumerate() {
            let name = spec.name.trim().to_owned();
            let key = format!("scenario \"{name}\"");
            let fail = |at: &str, problem: String| ScenarioError {
                key: format!("{key}{at}"),
                problem,
            };
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_".contains(c))
            {
                return Err(ScenarioError {
                    key: format!("scenario[{}].name", index + 1),
                    problem: format!(
                        "`{}` is not a name to type after `/incident drill scenario`: use one word of letters, digits, - and _",
                        spec.name
                    ),
                });
            }
            if scenarios.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
                return Err(fail(
                    ".name",
                    "another scenario has this name already; each needs its own".to_owned(),
                ));
            }
            let title = spec.title.split_whitespace().collect::<Vec<_>>().join(" ");
            if title.is_empty() {
                return Err(fail(".title", "a scenario needs a title".to_owned()));
            }
            let severity = match spec.severity {
                Some(s) => Some(severities.parse(&s).ok_or_else(|| {
                    fail(".severity", format!("`{s}` is not a configured severity"))
                })?),
                None => None,
            };
            if let Some(t) = &spec.incident_type
                && catalog.incident_type(t).is_none()
            {
                return Err(fail(
                    ".incident_type",
                    format!("`{t}` is not a configured incident type"),
                ));
            }
            if spec.injects.is_empty() {
                return Err(fail(
                    ".injects",
                    "a scenario needs at least one inject, e.g. { at = \"5m\", text = \"Customers report double charges\" }".to_owned(),
                ));
            }
            if spec.injects.len() > MAX_INJECTS {
                return Err(fail(
                    ".injects",
                    format!("at most {MAX_INJECTS} injects, each a post in the drill's thread"),
                ));
            }
            let mut injects = Vec::with_capacity(spec.injects.len());
            for (i, inject) in spec.injects.into_iter().enumerate() {
                let at = format!(".injects[{}]", i + 1);
                injects.push(Inject {
                    after: after(&inject.at).map_err(|p| fail(&format!("{at}.at"), p))?,
                    text: Some(inject.text.trim().to_owned())
                        .filter(|t| !t.is_empty())
                        .ok_or_else(|| {
                            fail(&format!("{at}.text"), "an inject needs a text".to_owned())
                        })?,
                });
            }
            // Stable: injects written for the same time keep their written order.
            injects.sort_by_key(|i| i.after);
            scenarios.push(Scenario {
                name,
                incident_type: spec.incident_type,
                severity,
                title,
                injects,
            });
        }
        Ok(Scenarios(scenarios))
    }
}

/// An inject's time after the declaration: a duration such as "5m", longer than zero and at most
/// a week (a tabletop exercise runs for hours, not longer).
fn after(written: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(written.trim()).map_err(|e| {
        format!("`{written}` is not a duration ({e}); write e.g. \"90s\", \"5m\", \"1h\"")
    })?;
    if d.is_zero() {
        return Err("must be after the declaration: longer than zero".to_owned());
    }
    if d > Duration::from_secs(7 * 24 * 3600) {
        return Err(format!(
            "`{written}` is more than a week after the declaration"
        ));
    }
    Ok(d)
}
