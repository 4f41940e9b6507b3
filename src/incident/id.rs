//! Incident identifiers: `INC-YYYYMMDD-NNN`, NNN counting per UTC day from 001 and simply growing
//! past 999.

use chrono::NaiveDate;
use std::fmt;

/// A well-formed incident identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IncidentId(String);

impl IncidentId {
    /// The identifier of the `number`th incident declared on `day` (UTC).
    pub fn new(day: NaiveDate, number: u32) -> Self {
        Self(format!("INC-{}-{number:03}", day.format("%Y%m%d")))
    }

    /// Parses what a user typed (`inc-20261124-001` is accepted and normalised).
    pub fn parse(s: &str) -> Option<Self> {
        let upper = s.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("INC-")?;
        let (date, number) = rest.split_once('-')?;
        NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
        let digits_ok = number.len() >= 3 && number.bytes().all(|b| b.is_ascii_digit());
        digits_ok.then_some(Self(upper))
    }

    /// The identifier as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an identifier read back from the database, which only ever stores valid ones.
    pub(crate) fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_three_digits_and_then_grow() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(IncidentId::new(day, 1).as_str(), "INC-20261123-001");
        assert_eq!(IncidentId::new(day, 1234).as_str(), "INC-20261123-1234");
    }

    #[test]
    fn typed_identifiers_are_checked_and_normalised() {
        assert_eq!(
            IncidentId::parse(" inc-20261123-007 ").unwrap().as_str(),
            "INC-20261123-007"
        );
        assert!(IncidentId::parse("INC-20261323-001").is_none());
        assert!(IncidentId::parse("INC-20261123-01").is_none());
        assert!(IncidentId::parse("20261123-001").is_none());
    }
}
