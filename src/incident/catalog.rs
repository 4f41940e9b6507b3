//! Roles and incident types (with their runbooks and required owners): data, not code. The
//! built-in catalog is `catalog.toml`; an operator replaces either list in the config file.

use serde::{Deserialize, Serialize};

/// The key a role is known by (`commander`, `tech_lead`): what an incident's roles, a type's
/// required roles and the role-assigned events hold. Keys come from the catalog, which
/// [`Catalog::new`] checks, or from stored rows, which only ever hold the catalog's keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleKey(String);

impl RoleKey {
    /// The role that leads an incident: reminders and escalations fall back to its holder, and
    /// the declarer steers the incident until someone holds it.
    pub fn commander() -> Self {
        Self("commander".to_owned())
    }

    /// The key as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a key read back from the database, which only ever stores the catalog's keys.
    pub(crate) fn from_stored(key: String) -> Self {
        Self(key)
    }
}

impl std::fmt::Display for RoleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
impl From<&str> for RoleKey {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// A role someone can hold on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Role {
    pub key: RoleKey,
    pub name: String,
}

/// An incident type, the owners it needs and its runbook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IncidentType {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub required_roles: Vec<RoleKey>,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub first_checks: Vec<String>,
    #[serde(default)]
    pub containment: Vec<String>,
    #[serde(default)]
    pub recovery: Vec<String>,
    /// Declared into the restricted channel, when one is configured (security incidents).
    #[serde(default)]
    pub restricted: bool,
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
            .map(|r| r.key.as_str())
            .chain(types.iter().map(|t| t.key.as_str()))
        {
            if key.is_empty() || key.len() > 64 {
                return Err(format!("`{key}` is not a usable key (1 to 64 characters)"));
            }
            if !seen.insert(key) {
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
        self.roles.iter().find(|r| r.key.as_str() == key)
    }

    /// The incident type with `key`.
    pub fn incident_type(&self, key: &str) -> Option<&IncidentType> {
        self.types.iter().find(|t| t.key == key)
    }

    /// The roles an incident of this type still needs, given who holds what.
    pub fn missing_roles<'a>(
        &'a self,
        type_key: Option<&str>,
        held: &std::collections::BTreeMap<RoleKey, String>,
    ) -> Vec<&'a Role> {
        let Some(t) = type_key.and_then(|k| self.incident_type(k)) else {
            return Vec::new();
        };
        t.required_roles
            .iter()
            .filter(|r| !held.contains_key(*r))
            .filter_map(|r| self.role(r.as_str()))
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
        let required: Vec<&str> = payment.required_roles.iter().map(RoleKey::as_str).collect();
        assert_eq!(required, ["commander", "tech_lead", "finance"]);
        assert!(payment.required_roles.contains(&RoleKey::commander()));
        assert!(!payment.recovery.is_empty());
        let held = [(RoleKey::commander(), "U1".to_owned())]
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
    fn a_role_key_is_stored_as_the_bare_key_and_reads_back_as_itself() {
        let stored = serde_json::to_value(RoleKey::commander()).unwrap();
        assert_eq!(stored, serde_json::json!("commander"));
        assert_eq!(
            serde_json::from_value::<RoleKey>(stored).unwrap(),
            RoleKey::commander()
        );
        let c = Catalog::builtin();
        assert_eq!(
            c.role(RoleKey::commander().as_str())
                .map(|r| r.name.as_str()),
            Some("Incident Commander")
        );
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
            restricted: false,
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
