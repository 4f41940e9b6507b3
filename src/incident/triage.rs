//! The triage questions asked at declare time and the severity floors their answers imply:
//! money may be affected → at least the second level; production fully down, personal data
//! exposed or tenant isolation broken → the most severe level until confirmed otherwise.

use serde::{Deserialize, Serialize};

/// Answers to the triage questions; `None` means the question was not asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    pub production_down: Option<bool>,
    pub money_affected: Option<bool>,
    pub personal_data_exposed: Option<bool>,
    pub tenant_isolation_broken: Option<bool>,
}

impl Triage {
    /// The questions, in the order the declare form shows them, with their stable keys.
    pub const QUESTIONS: [(&'static str, &'static str); 4] = [
        ("production_down", "Production is fully down"),
        (
            "money_affected",
            "Money or wallet integrity may be affected",
        ),
        ("personal_data_exposed", "Personal data may be exposed"),
        ("tenant_isolation_broken", "Tenant isolation may be broken"),
    ];

    /// Answers from the keys of the checked boxes; every question counts as asked.
    pub fn from_checked<'a>(checked: impl IntoIterator<Item = &'a str>) -> Self {
        let checked: Vec<&str> = checked.into_iter().collect();
        let has = |k: &str| Some(checked.contains(&k));
        Triage {
            production_down: has("production_down"),
            money_affected: has("money_affected"),
            personal_data_exposed: has("personal_data_exposed"),
            tenant_isolation_broken: has("tenant_isolation_broken"),
        }
    }

    /// The most severe rank index these answers force, if any (0 = the most severe level).
    pub fn floor_index(&self) -> Option<usize> {
        let yes = |a: Option<bool>| a == Some(true);
        if yes(self.production_down)
            || yes(self.personal_data_exposed)
            || yes(self.tenant_isolation_broken)
        {
            Some(0)
        } else if yes(self.money_affected) {
            Some(1)
        } else {
            None
        }
    }

    /// Whether any question was asked at all.
    pub fn was_asked(&self) -> bool {
        self.answers().iter().any(|(_, a)| a.is_some())
    }

    /// Each question's label with its answer.
    pub fn answers(&self) -> [(&'static str, Option<bool>); 4] {
        [
            (Self::QUESTIONS[0].1, self.production_down),
            (Self::QUESTIONS[1].1, self.money_affected),
            (Self::QUESTIONS[2].1, self.personal_data_exposed),
            (Self::QUESTIONS[3].1, self.tenant_isolation_broken),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_follow_the_guide() {
        assert_eq!(Triage::default().floor_index(), None);
        assert_eq!(Triage::from_checked([]).floor_index(), None);
        assert_eq!(
            Triage::from_checked(["money_affected"]).floor_index(),
            Some(1)
        );
        assert_eq!(
            Triage::from_checked(["money_affected", "tenant_isolation_broken"]).floor_index(),
            Some(0)
        );
        assert_eq!(
            Triage::from_checked(["production_down"]).floor_index(),
            Some(0)
        );
        assert!(Triage::from_checked([]).was_asked());
        assert!(!Triage::default().was_asked());
    }
}
