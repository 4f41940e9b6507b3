//! Roles and incident types (with their runbooks and required owners): data, not code. The
//! built-in catalog is `catalog.toml`; an operator replaces either list in the config file.

use serde::Deserialize;

/// The key of the role that leads an incident: reminders and escalations fall back to its holder.
pub const COMMANDER: &str = "commander";

/// A role someone can hold on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Role {
    pub key: String,
    pub name: String,
}

/// An incident type, the owners it needs and its runbook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IncidentType {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub required_roles: Vec<String>,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub first_checks: Vec<String>,
    #[serde(default)]
    pub containment: Vec<String>,
    #[serde(default)]
    pub recovery: Vec<String>,
}

/// Roles and types, checked for consistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub roles: Vec<Role>,
    pub types: Vec<IncidentType>,
}

/// The catalog as written in TOML.
#[derive(Debug, Default, Deserialize)]
pub struct CatalogFile {
    #[serde(default)]
    pub role: Vec<Role>,
    #[serde(default)]
    pub incident_type: Vec<IncidentType>,
}

impl Catalog {
    /// The built-in roles and types.
    pub fn builtin() -> Self {
        let file: CatalogFile =
            toml::from_str(include_str!("catalog.toml")).expect("the built-in catalog parses");
        Self::new(file.role, file.incident_type).expect("the built-in catalog is consistent")
    }

    /// Checks that keys are unique and that every required role exists.
    pub fn new(roles: Vec<Role>, types: Vec<IncidentType>) -> Result<Self, String> {
        let mut seen = std::collections::HashSet::new();
        for key in roles
            .iter()
            .map(|r| &r.key)
            .chain(types.iter().map(|t| &t.key))
        {
            if key.is_empty() || key.len() > 64 {
                return Err(format!("`{key}` is not a usable key (1 to 64 characters)"));
            }
            if !seen.insert(key.clone()) {
                return Err(format!("`{key}` is defined twice"));
            }
        }
        for t in &types {
            if let Some(missing) = t
                .required_roles
                .iter()
                .find(|r| !roles.iter().any(|role| &role.key == *r))
            {
                return Err(format!(
                    "incident type `{}` requires role `{missing}`, which is not defined",
                    t.key
                ));
            }
        }
        if roles.is_empty() {
            return Err("at least one role must be defined".into());
        }
        Ok(Self { roles, types })
    }

    /// The role with `key`.
    pub fn role(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.key == key)
    }

    /// The incident type with `key`.
    pub fn incident_type(&self, key: &str) -> Option<&IncidentType> {
        self.types.iter().find(|t| t.key == key)
    }

    /// The roles an incident of this type still needs, given who holds what.
    pub fn missing_roles<'a>(
        &'a self,
        type_key: Option<&str>,
        held: &std::collections::BTreeMap<String, String>,
    ) -> Vec<&'a Role> {
        let Some(t) = type_key.and_then(|k| self.incident_type(k)) else {
            return Vec::new();
        };
        t.required_roles
            .iter()
            .filter(|r| !held.contains_key(*r))
            .filter_map(|r| self.role(r))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_matches_the_guide() {
        let c = Catalog::builtin();
        assert_eq!(c.types.len(), 12);
        let payment = c.incident_type("payment_wallet").unwrap();
        assert_eq!(
            payment.required_roles,
            ["commander", "tech_lead", "finance"]
        );
        assert!(!payment.recovery.is_empty());
        let held = [("commander".to_owned(), "U1".to_owned())]
            .into_iter()
            .collect();
        let missing: Vec<&str> = c
            .missing_roles(Some("payment_wallet"), &held)
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(missing, ["Technical Lead", "Finance Owner"]);
    }

    #[test]
    fn inconsistent_catalogs_are_refused() {
        let role = Role {
            key: "a".into(),
            name: "A".into(),
        };
        let t = IncidentType {
            key: "t".into(),
            name: "T".into(),
            required_roles: vec!["b".into()],
            symptoms: vec![],
            first_checks: vec![],
            containment: vec![],
            recovery: vec![],
        };
        assert!(
            Catalog::new(vec![role.clone()], vec![t])
                .unwrap_err()
                .contains("requires role `b`")
        );
        assert!(
            Catalog::new(vec![role.clone(), role], vec![])
                .unwrap_err()
                .contains("defined twice")
        );
    }
}
