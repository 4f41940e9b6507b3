//! `[drills]` in the config file: whether a drill's escalations call in the escalation group, and
//! the tabletop scenarios (`[[drills.scenario]]`), which replace the built-in ones.

use super::{ConfigError, ProcessConfig, err};
use crate::incident::drills::{ScenarioSpec, Scenarios};
use serde::Deserialize;

/// `[drills]` as written; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDrills {
    page_escalation_group: Option<bool>,
    #[serde(default)]
    scenario: Vec<ScenarioSpec>,
}

impl FileDrills {
    /// Applies these settings to `cfg`, whose severities and incident types are already final:
    /// scenarios are checked against them. Without scenarios of its own, the built-in ones are
    /// taken, fitted to the configured severities and types.
    pub(super) fn apply(self, cfg: &mut ProcessConfig) -> Result<(), ConfigError> {
        if let Some(page) = self.page_escalation_group {
            cfg.schedule.page_drill_escalations = page;
        }
        cfg.scenarios = if self.scenario.is_empty() {
            Scenarios::builtin(&cfg.severities, &cfg.catalog)
        } else {
            Scenarios::from_specs(self.scenario, &cfg.severities, &cfg.catalog)
                .map_err(|e| err(&format!("WARROOM_CONFIG (drills.{})", e.key), e.problem))?
        };
        Ok(())
    }
}
