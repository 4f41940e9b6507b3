//! Incident status: `Investigating → Identified → Contained → Recovering → Resolved`, then
//! `Closed` once the closure criteria hold; `Cancelled` for an incident declared in error.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Investigating,
    Identified,
    Contained,
    Recovering,
    Resolved,
    Closed,
    Cancelled,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 7] = [
        Status::Investigating,
        Status::Identified,
        Status::Contained,
        Status::Recovering,
        Status::Resolved,
        Status::Closed,
        Status::Cancelled,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Contained => "contained",
            Status::Recovering => "recovering",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Parses the stored spelling (case-insensitive).
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether the incident still needs people (not resolved, closed or cancelled).
    pub fn is_open(self) -> bool {
        self < Status::Resolved
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self {
            Status::Investigating => "Investigating",
            Status::Identified => "Identified",
            Status::Contained => "Contained",
            Status::Recovering => "Recovering",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
        };
        f.write_str(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_spellings_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nope"), None);
        assert!(Status::Recovering.is_open());
        assert!(!Status::Resolved.is_open());
    }
}
