//! The public words of a client-safe summary: the status it tells its readers and who those
//! readers are. A leaf module, so the timeline's facts can name them without importing the rules.

use serde::{Deserialize, Serialize};

/// The status a client-safe summary tells its readers; deliberately coarser than the
/// incident's own status, which is internal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl PublicStatus {
    /// Every public status, in the order an incident goes through them.
    pub const ALL: [PublicStatus; 4] = [
        PublicStatus::Investigating,
        PublicStatus::Identified,
        PublicStatus::Monitoring,
        PublicStatus::Resolved,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "investigating",
            PublicStatus::Identified => "identified",
            PublicStatus::Monitoring => "monitoring",
            PublicStatus::Resolved => "resolved",
        }
    }

    /// What readers see.
    pub fn label(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "Investigating",
            PublicStatus::Identified => "Identified",
            PublicStatus::Monitoring => "Monitoring",
            PublicStatus::Resolved => "Resolved",
        }
    }

    /// The status stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Who a client-safe summary is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Customers,
    Merchants,
    Regulator,
    StatusPage,
}

impl Audience {
    /// Whether it reaches customers (or merchants, or the status page they read): an approved
    /// summary to it satisfies the customer-notification clocks. A regulator is not a customer.
    pub fn is_customer_facing(self) -> bool {
        !matches!(self, Audience::Regulator)
    }

    /// Every audience, in the order the form offers them.
    pub const ALL: [Audience; 4] = [
        Audience::Customers,
        Audience::Merchants,
        Audience::Regulator,
        Audience::StatusPage,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            Audience::Customers => "customers",
            Audience::Merchants => "merchants",
            Audience::Regulator => "regulator",
            Audience::StatusPage => "status_page",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Customers => "Customers",
            Audience::Merchants => "Merchants",
            Audience::Regulator => "Regulator",
            Audience::StatusPage => "Status page",
        }
    }

    /// The audience stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_spellings_read_back_and_nothing_else_does() {
        for s in PublicStatus::ALL {
            assert_eq!(PublicStatus::parse(s.key()), Some(s));
        }
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.key()), Some(a));
        }
        assert_eq!(PublicStatus::parse("green"), None);
        assert_eq!(Audience::parse("press"), None);
    }
}
