//! The lint of a client-safe summary: what must never leave warroom (errors: internal addresses
//! and host names, personal data, secrets, card numbers, paths, stack traces, log lines) and what
//! its author must stand by before it does (warnings: unconfirmed claims, and green wording before
//! the incident is resolved and reviewed). Pure: text in, findings out. Each finding says what was
//! found and on which line, quoting a short excerpt that is cut short, so a secret is never
//! echoed back whole.

mod claims;
mod network;
mod scan;
mod secrets;
mod traces;

use super::kinds::PublicStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    IpAddress,
    InternalHost,
    Email,
    Phone,
    SlackMention,
    Secret,
    CardNumber,
    FilePath,
    StackTrace,
    LogLine,
    /// A warning: a claim that is not confirmed ("we think", "probably").
    UnconfirmedClaim,
    /// A warning: "resolved", "fixed" or "all clear" (or the public status *resolved*) before the
    /// incident is resolved and its review complete.
    PrematureGreen,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 12] = [
        Rule::IpAddress,
        Rule::InternalHost,
        Rule::Email,
        Rule::Phone,
        Rule::SlackMention,
        Rule::Secret,
        Rule::CardNumber,
        Rule::FilePath,
        Rule::StackTrace,
        Rule::LogLine,
        Rule::UnconfirmedClaim,
        Rule::PrematureGreen,
    ];

    /// The stored spelling.
    pub fn key(self) -> &'static str {
        match self {
            Rule::IpAddress => "ip_address",
            Rule::InternalHost => "internal_host",
            Rule::Email => "email",
            Rule::Phone => "phone",
            Rule::SlackMention => "slack_mention",
            Rule::Secret => "secret",
            Rule::CardNumber => "card_number",
            Rule::FilePath => "file_path",
            Rule::StackTrace => "stack_trace",
            Rule::LogLine => "log_line",
            Rule::UnconfirmedClaim => "unconfirmed_claim",
            Rule::PrematureGreen => "premature_green",
        }
    }

    /// The rule stored as `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether the author may acknowledge it and send the draft anyway.
    pub fn is_warning(self) -> bool {
        matches!(self, Rule::UnconfirmedClaim | Rule::PrematureGreen)
    }

    /// What it found, as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Rule::IpAddress => "IP address",
            Rule::InternalHost => "internal host name",
            Rule::Email => "e-mail address",
            Rule::Phone => "phone number",
            Rule::SlackMention => "Slack mention or ID",
            Rule::Secret => "secret or token",
            Rule::CardNumber => "card number",
            Rule::FilePath => "file path",
            Rule::StackTrace => "stack trace",
            Rule::LogLine => "log line",
            Rule::UnconfirmedClaim => "unconfirmed claim",
            Rule::PrematureGreen => {
                "all-clear wording before the incident is resolved and reviewed"
            }
        }
    }
}

/// Which part of the draft a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Text,
    Status,
}

/// One thing found: by which rule, where, and a short excerpt (cut short unless it is the
/// harmless wording of a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub field: Field,
    /// The line of the field it is on, from 1.
    pub line: usize,
    pub excerpt: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Field::Status => write!(f, "public status “{}”", self.excerpt),
            Field::Title => write!(f, "{} “{}”", self.rule.label(), self.excerpt),
            Field::Text => write!(
                f,
                "{} “{}” on line {}",
                self.rule.label(),
                self.excerpt,
                self.line
            ),
        }
    }
}

/// Everything the lint found in one draft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether anything was found that must not leave.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| !f.rule.is_warning())
    }

    /// The warnings' rules, each once.
    pub fn warnings(&self) -> Vec<Rule> {
        let mut rules: Vec<Rule> = self
            .findings
            .iter()
            .map(|f| f.rule)
            .filter(|r| r.is_warning())
            .collect();
        rules.sort();
        rules.dedup();
        rules
    }

    /// The findings in `field`, errors first.
    pub fn in_field(&self, field: Field) -> Vec<&Finding> {
        let mut found: Vec<&Finding> = self.findings.iter().filter(|f| f.field == field).collect();
        found.sort_by_key(|f| f.rule.is_warning());
        found
    }
}

/// What the lint needs besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Domains whose host names are internal (`corp.example.com`, `internal`), lower case.
    pub internal_domains: &'a [String],
    /// Whether the incident is resolved and reviewed, so a summary may say so.
    pub green_allowed: bool,
}

/// Lints a draft's title, text and public status.
pub fn lint(title: &str, text: &str, status: PublicStatus, cx: &Context<'_>) -> Report {
    let mut findings = field(Field::Title, title, cx);
    findings.extend(field(Field::Text, text, cx));
    if status == PublicStatus::Resolved && !cx.green_allowed {
        findings.push(Finding {
            rule: Rule::PrematureGreen,
            field: Field::Status,
            line: 1,
            excerpt: status.label().to_owned(),
        });
    }
    Report { findings }
}

/// A span of text a rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    start: usize,
    end: usize,
    rule: Rule,
}

impl Hit {
    fn new(start: usize, end: usize, rule: Rule) -> Self {
        Hit { start, end, rule }
    }
}

type Detector = fn(&str, &Context<'_>) -> Vec<Hit>;

/// The rules that look at words and numbers, most specific first: a later hit over the span
/// of an earlier one is the same thing found again (a Slack token is also a long random
/// string; an e-mail address holds a host name).
const TOKEN_RULES: [Detector; 10] = [
    secrets::known,
    secrets::cards,
    network::emails,
    network::slack,
    network::ipv6,
    network::ipv4,
    network::hosts,
    traces::paths,
    network::phones,
    secrets::high_entropy,
];

fn field(field: Field, text: &str, cx: &Context<'_>) -> Vec<Finding> {
    let mut hits: Vec<Hit> = Vec::new();
    for detect in TOKEN_RULES {
        for hit in detect(text, cx) {
            if !hits.iter().any(|h| h.start < hit.end && hit.start < h.end) {
                hits.push(hit);
            }
        }
    }
    // Stack traces and log lines are whole lines, reported beside what is in them.
    hits.extend(traces::lines(text));
    hits.extend(claims::find(text, cx));
    hits.sort_by_key(|h| (h.start, h.rule));
    hits.into_iter()
        .map(|h| Finding {
            rule: h.rule,
            field,
            line: scan::line_of(text, h.start),
            excerpt: excerpt(&text[h.start..h.end], h.rule),
        })
        .collect()
}

/// A short excerpt of what was found: enough to find it again, never the whole of it. A
/// warning's wording is harmless and quoted as typed.
fn excerpt(found: &str, rule: Rule) -> String {
    let found = found.lines().next().unwrap_or_default().trim();
    if rule.is_warning() {
        return found.to_owned();
    }
    if let Some(rest) = found.strip_prefix("-----BEGIN ") {
        let kind: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        return format!("-----BEGIN {kind}…");
    }
    let n = found.chars().count();
    let keep = match rule {
        // The first few characters of a key or a card say which one it is, and nothing more.
        Rule::Secret | Rule::CardNumber => (n / 4).clamp(1, 4),
        _ => (n / 2).clamp(1, 12),
    };
    let shown: String = found.chars().take(keep).collect();
    format!("{shown}…")
}

#[cfg(test)]
mod table;
#[cfg(test)]
mod tests;
