//! `[metrics.targets]`: the target time of each metric for each severity, e.g.
//! `mtta = { "SEV-1" = "15m", "SEV-2" = "30m" }`. A metric's table replaces that metric's
//! built-in targets; severities may be named in any configured spelling.

use super::{ConfigError, err, positive};
use crate::incident::{
    Severities,
    stats::{Metric, Targets},
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[metrics]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMetrics {
    #[serde(default)]
    targets: FileTargets,
}

/// `[metrics.targets]` as written: severity (any spelling) → duration, per metric.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileTargets {
    mttd: Option<BTreeMap<String, String>>,
    mtta: Option<BTreeMap<String, String>>,
    mttc: Option<BTreeMap<String, String>>,
    mttr: Option<BTreeMap<String, String>>,
}

impl FileMetrics {
    /// Replaces the targets of each metric the file names, checking every severity and duration.
    pub(super) fn apply(
        self,
        targets: &mut Targets,
        severities: &Severities,
    ) -> Result<(), ConfigError> {
        let FileTargets {
            mttd,
            mtta,
            mttc,
            mttr,
        } = self.targets;
        for (metric, table) in Metric::ALL.into_iter().zip([mttd, mtta, mttc, mttr]) {
            let Some(table) = table else { continue };
            let mut by_severity = BTreeMap::new();
            for (typed, value) in table {
                let key = format!("metrics.targets.{}.\"{typed}\"", metric.key());
                let rank = severities.parse(&typed).ok_or_else(|| {
                    err(
                        &format!("WARROOM_CONFIG ({key})"),
                        format!("`{typed}` is not a configured severity"),
                    )
                })?;
                let name = severities.get(rank).name.clone();
                let target = positive(&key, &value)?;
                if by_severity.insert(name.clone(), target).is_some() {
                    return Err(err(
                        &format!("WARROOM_CONFIG ({key})"),
                        format!("{name} is given a target twice, under two spellings"),
                    ));
                }
            }
            targets.replace(metric, by_severity);
        }
        Ok(())
    }
}
