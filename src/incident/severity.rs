//! Severity levels: an ordered, configurable list (most severe first) with the spellings people
//! type (`sev1`, `SEV-1`, `p1`), how fast an incident must be acknowledged and how often it owes
//! an update.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One configured severity level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityLevel {
    pub name: String,
    pub aliases: Vec<String>,
    pub description: String,
    pub ack_within: Duration,
    pub update_every: Duration,
}

/// Position in the severity list: 0 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeverityRank(usize);

impl SeverityRank {
    /// The index into the configured list.
    pub fn index(self) -> usize {
        self.0
    }
}

/// The name of a severity level as the timeline records it. Events keep only the name: a rank is
/// a position in the configured list, which an operator may reorder after the fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeverityName(String);

impl SeverityName {
    /// The name as configured, e.g. `SEV-1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SeverityName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
impl From<&str> for SeverityName {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// An incident's severity: a configured level's name together with its rank. Built from the
/// list ([`Severities::severity`]), so the two always name the same level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Severity {
    rank: SeverityRank,
    name: SeverityName,
}

impl Severity {
    /// Its position in the list when it was set.
    pub fn rank(&self) -> SeverityRank {
        self.rank
    }

    /// Its name, e.g. `SEV-1`.
    pub fn name(&self) -> &SeverityName {
        &self.name
    }

    /// Wraps a severity read back from the database, which stores both halves as they were set.
    pub(crate) fn from_stored(name: String, rank: usize) -> Self {
        Self {
            rank: SeverityRank(rank),
            name: SeverityName(name),
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.name.fmt(f)
    }
}

/// The configured severities; never empty, names unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Severities {
    levels: Vec<SeverityLevel>,
}

/// Why a severity list cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SeverityListError {
    #[error("at least one severity must be configured")]
    Empty,
    #[error("severity spelling `{0}` is used twice")]
    Duplicate(String),
    #[error("severity names must not be empty")]
    BlankName,
}

impl Severities {
    /// Validates a list ordered most severe first.
    pub fn new(levels: Vec<SeverityLevel>) -> Result<Self, SeverityListError> {
        if levels.is_empty() {
            return Err(SeverityListError::Empty);
        }
        // A spelling may repeat within a level (`SEV-1` and `sev1`), never across levels.
        let mut owner = std::collections::HashMap::new();
        for (index, level) in levels.iter().enumerate() {
            if level.name.trim().is_empty() {
                return Err(SeverityListError::BlankName);
            }
            for spelling in std::iter::once(&level.name).chain(&level.aliases) {
                if *owner.entry(normalise(spelling)).or_insert(index) != index {
                    return Err(SeverityListError::Duplicate(spelling.clone()));
                }
            }
        }
        Ok(Self { levels })
    }

    /// The built-in levels from the incident-response guide (SEV-1 … SEV-4).
    pub fn builtin() -> Self {
        let level = |n: u8, description: &str, ack_mins: u64, update_mins: u64| SeverityLevel {
            name: format!("SEV-{n}"),
            aliases: vec![format!("sev{n}"), format!("p{n}")],
            description: description.to_owned(),
            ack_within: Duration::from_secs(ack_mins * 60),
            update_every: Duration::from_secs(update_mins * 60),
        };
        Self::new(vec![
            level(1, "Critical: platform down, money or wallet integrity, personal-data exposure, tenant isolation broken", 15, 30),
            level(2, "High: major feature degraded with business impact", 30, 60),
            level(3, "Medium: partial issue, a workaround exists", 120, 240),
            level(4, "Low: minor, limited impact", 24 * 60, 24 * 60),
        ])
        .expect("built-in severities are valid")
    }

    /// Finds the level a user typed, in any accepted spelling.
    pub fn parse(&self, typed: &str) -> Option<SeverityRank> {
        let wanted = normalise(typed);
        if wanted.is_empty() {
            return None;
        }
        self.levels
            .iter()
            .position(|l| {
                normalise(&l.name) == wanted || l.aliases.iter().any(|a| normalise(a) == wanted)
            })
            .map(SeverityRank)
    }

    /// The level at `rank`; ranks only come from this list, so this cannot fail for them.
    pub fn get(&self, rank: SeverityRank) -> &SeverityLevel {
        &self.levels[rank.0.min(self.levels.len() - 1)]
    }

    /// The severity at `rank`: its configured name with the rank.
    pub fn severity(&self, rank: SeverityRank) -> Severity {
        Severity {
            rank,
            name: SeverityName(self.get(rank).name.clone()),
        }
    }

    /// The rank for an index, clamped into the list (used for floors and stored ranks).
    pub fn rank_at(&self, index: usize) -> SeverityRank {
        SeverityRank(index.min(self.levels.len() - 1))
    }

    /// The rank of a stored severity name, if it is still configured.
    pub fn by_name(&self, name: &str) -> Option<SeverityRank> {
        self.levels
            .iter()
            .position(|l| l.name == name)
            .map(SeverityRank)
    }

    /// Every level with its rank, most severe first.
    pub fn iter(&self) -> impl Iterator<Item = (SeverityRank, &SeverityLevel)> {
        self.levels
            .iter()
            .enumerate()
            .map(|(i, l)| (SeverityRank(i), l))
    }
}

/// `SEV-1`, `sev_1`, `Sev 1` and `sev1` are one spelling.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_spelling_finds_its_level() {
        let s = Severities::builtin();
        for typed in ["sev1", "SEV-1", "p1", "P1", "Sev 1"] {
            assert_eq!(s.parse(typed).map(SeverityRank::index), Some(0), "{typed}");
        }
        assert_eq!(s.parse("sev4").map(SeverityRank::index), Some(3));
        assert_eq!(s.parse("sev5"), None);
        assert_eq!(s.parse("Payments"), None);
        assert_eq!(s.parse("--"), None);
    }

    #[test]
    fn a_severity_taken_from_the_list_names_the_level_at_its_rank_and_is_stored_as_its_name() {
        let s = Severities::builtin();
        let high = s.severity(s.rank_at(1));
        assert_eq!((high.name().as_str(), high.rank().index()), ("SEV-2", 1));
        assert_eq!(high.to_string(), "SEV-2");
        assert_eq!(
            serde_json::to_value(high.name()).unwrap(),
            serde_json::json!("SEV-2")
        );
    }

    #[test]
    fn a_spelling_used_twice_is_refused() {
        let mut levels = vec![Severities::builtin().get(SeverityRank(0)).clone()];
        levels.push(SeverityLevel {
            name: "P1".into(),
            ..levels[0].clone()
        });
        assert_eq!(
            Severities::new(levels),
            Err(SeverityListError::Duplicate("P1".into()))
        );
        assert_eq!(Severities::new(vec![]), Err(SeverityListError::Empty));
    }
}
