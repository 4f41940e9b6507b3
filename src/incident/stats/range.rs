//! Which incidents a report covers: the last `N` days up to now, or whole UTC days from one date
//! to another, both days included. What someone typed is read here, and refused with a reason in
//! words when it names no period warroom can report on.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::Serialize;

/// The longest `Nd` accepted: ten years of days.
pub const MAX_DAYS: u32 = 3650;

/// How many calendar months a date range may span at most: ten years.
const MAX_MONTHS: u32 = 120;

/// The period a report covers, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsRange {
    /// The last `N` days up to now (`30d`).
    LastDays(u32),
    /// From the start of `first` to the end of `last`, both UTC days included.
    Dates { first: NaiveDate, last: NaiveDate },
}

/// Why a period was refused; its `Display` is what the person who asked is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error(
        "`{0}` is not a period: write a number of days such as 7d, 30d or 90d, or two dates as 2026-11-01..2026-11-30"
    )]
    Malformed(String),
    #[error("`{0}` is not a date: write dates as YYYY-MM-DD, for example 2026-11-01")]
    NotADate(String),
    #[error("the period ends ({last}) before it starts ({first})")]
    EndsBeforeItStarts { first: NaiveDate, last: NaiveDate },
    #[error("a period can cover at least 1 day and at most ten years ({MAX_DAYS}d)")]
    DaysOutOfBounds,
    #[error("the period from {first} to {last} is longer than ten years")]
    TooLong { first: NaiveDate, last: NaiveDate },
}

/// A period resolved against a moment: incidents declared from `from` (included) to `to`
/// (excluded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// As asked, in the form it can be asked again: `30d` or `2026-11-01..2026-11-30`.
    pub asked: String,
    pub from: DateTime<Utc>,
    /// The end, excluded: now for `Nd`, the midnight (UTC) after the last day for dates.
    pub to: DateTime<Utc>,
}

impl Default for StatsRange {
    /// The last 30 days.
    fn default() -> Self {
        StatsRange::LastDays(30)
    }
}

impl StatsRange {
    /// Reads `7d`, `30d`, `90d` (any `Nd` from 1 to [`MAX_DAYS`]) or `YYYY-MM-DD..YYYY-MM-DD`;
    /// nothing at all is the default, the last 30 days.
    pub fn parse(text: &str) -> Result<Self, RangeError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        if let Some((first, last)) = text.split_once("..") {
            let (first, last) = (date(first)?, date(last)?);
            if last < first {
                return Err(RangeError::EndsBeforeItStarts { first, last });
            }
            let limit = first.checked_add_months(Months::new(MAX_MONTHS));
            if limit.is_none_or(|limit| last >= limit) {
                return Err(RangeError::TooLong { first, last });
            }
            return Ok(StatsRange::Dates { first, last });
        }
        let digits = text
            .strip_suffix(['d', 'D'])
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| RangeError::Malformed(shown(text)))?;
        match digits.parse::<u32>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(StatsRange::LastDays(days)),
            _ => Err(RangeError::DaysOutOfBounds),
        }
    }

    /// The period this range covers when asked at `now`.
    pub fn period(self, now: DateTime<Utc>) -> Period {
        match self {
            StatsRange::LastDays(days) => Period {
                asked: format!("{days}d"),
                from: now - chrono::Duration::days(i64::from(days)),
                to: now,
            },
            StatsRange::Dates { first, last } => Period {
                asked: format!("{first}..{last}"),
                from: first.and_time(chrono::NaiveTime::MIN).and_utc(),
                // Parsing keeps `last` ten years within `first`, far from the end of the calendar.
                to: last
                    .checked_add_days(Days::new(1))
                    .unwrap_or(last)
                    .and_time(chrono::NaiveTime::MIN)
                    .and_utc(),
            },
        }
    }
}

impl Period {
    /// How the period reads in a heading: "the last 30 days" or "2026-11-01 to 2026-11-30 (UTC,
    /// both days included)".
    pub fn describe(&self) -> String {
        match self.asked.split_once("..") {
            Some((first, last)) if first == last => format!("{first} (UTC)"),
            Some((first, last)) => format!("{first} to {last} (UTC, both days included)"),
            None => match self.asked.trim_end_matches('d') {
                "1" => "the last day".to_owned(),
                days => format!("the last {days} days"),
            },
        }
    }
}

/// A date written exactly as `YYYY-MM-DD`.
fn date(text: &str) -> Result<NaiveDate, RangeError> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| RangeError::NotADate(shown(text)))
}

/// What someone typed, fit to be quoted back between backticks in one short line.
fn shown(text: &str) -> String {
    crate::incident::truncate_chars(&text.replace('`', "'"), 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_number_of_days_or_nothing_is_read_as_the_last_days_up_to_now() {
        for (text, days) in [
            ("", 30),
            ("  ", 30),
            ("7d", 7),
            ("30d", 30),
            ("90D", 90),
            (" 365d ", 365),
            ("1d", 1),
            ("3650d", 3650),
        ] {
            assert_eq!(
                StatsRange::parse(text),
                Ok(StatsRange::LastDays(days)),
                "{text}"
            );
        }
        let now: DateTime<Utc> = "2026-12-03T10:30:00Z".parse().unwrap();
        let period = StatsRange::LastDays(7).period(now);
        assert_eq!(
            period.from,
            "2026-11-26T10:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!((period.to, period.asked.as_str()), (now, "7d"));
        assert_eq!(period.describe(), "the last 7 days");
    }

    #[test]
    fn two_dates_cover_both_whole_utc_days() {
        let range = StatsRange::parse("2026-11-01..2026-11-30").unwrap();
        assert_eq!(
            range,
            StatsRange::Dates {
                first: day("2026-11-01"),
                last: day("2026-11-30")
            }
        );
        let period = range.period("2026-12-03T10:30:00Z".parse().unwrap());
        assert_eq!(period.from.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(period.to.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(period.asked, "2026-11-01..2026-11-30");
        assert_eq!(
            period.describe(),
            "2026-11-01 to 2026-11-30 (UTC, both days included)"
        );
        let one = StatsRange::parse(" 2026-02-28..2026-02-28 ").unwrap();
        let period = one.period(Utc::now());
        assert_eq!(period.to - period.from, chrono::Duration::days(1));
        assert_eq!(period.describe(), "2026-02-28 (UTC)");
        // Exactly ten years is allowed.
        assert!(StatsRange::parse("2016-01-01..2025-12-31").is_ok());
    }

    #[test]
    fn a_period_that_names_no_days_warroom_can_count_is_refused_with_the_reason() {
        let refused = |text: &str| StatsRange::parse(text).unwrap_err();
        assert_eq!(
            refused("2026-12-01..2026-11-01"),
            RangeError::EndsBeforeItStarts {
                first: day("2026-12-01"),
                last: day("2026-11-01")
            }
        );
        assert_eq!(
            refused("2016-01-01..2026-01-01"),
            RangeError::TooLong {
                first: day("2016-01-01"),
                last: day("2026-01-01")
            }
        );
        for text in [
            "banana", "30", "d", "30 days", "-7d", "7.5d", "7w", "30d 90d",
        ] {
            assert_eq!(refused(text), RangeError::Malformed(text.into()), "{text}");
        }
        for (text, bad) in [
            ("2026-13-01..2026-12-01", "2026-13-01"),
            ("2026-11-01..", ""),
            ("..2026-11-01", ""),
            ("2026-02-30..2026-03-01", "2026-02-30"),
            ("26-11-01..26-11-30", "26-11-01"),
            ("2026-11-01..2026-11-3", "2026-11-3"),
            ("+2026-11-01..2026-11-30", "+2026-11-01"),
        ] {
            assert_eq!(refused(text), RangeError::NotADate(bad.into()), "{text}");
        }
        for text in ["0d", "3651d", "99999999999d"] {
            assert_eq!(refused(text), RangeError::DaysOutOfBounds, "{text}");
        }
        assert!(
            refused("2026-12-01..2026-11-01")
                .to_string()
                .contains("ends (2026-11-01) before it starts (2026-12-01)")
        );
        assert!(
            refused("banana")
                .to_string()
                .contains("`banana` is not a period")
        );
    }
}
