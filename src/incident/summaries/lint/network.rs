//! Where things live and who people are: IP addresses, internal host names, e-mail addresses,
//! phone numbers and Slack mentions or IDs.

use super::{
    Context, Hit, Rule,
    scan::{lone_number, runs, standalone, trim},
};
use std::net::Ipv6Addr;

/// IPv4 addresses: four numbers from 0 to 255 joined by dots, not inside a longer word
/// (`v1.2.3.4` is a version).
pub(super) fn ipv4(text: &str, _: &Context<'_>) -> Vec<Hit> {
    runs(text, |c| c.is_ascii_digit() || c == '.')
        .into_iter()
        .filter(|(s, run)| standalone(text, *s, s + run.len()))
        .filter_map(|(s, run)| {
            let (start, ip) = trim(s, run, &['.']);
            let parts: Vec<&str> = ip.split('.').collect();
            // Each part is read on its own: `Ipv4Addr` refuses the leading zeros some logs print.
            let address = parts.len() == 4
                && parts
                    .iter()
                    .all(|p| (1..=3).contains(&p.len()) && p.parse::<u8>().is_ok());
            address.then(|| Hit::new(start, start + ip.len(), Rule::IpAddress))
        })
        .collect()
}

/// IPv6 addresses, compressed (`fe80::1`) or not, with an IPv4 tail or without.
pub(super) fn ipv6(text: &str, _: &Context<'_>) -> Vec<Hit> {
    runs(text, |c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        .into_iter()
        .filter(|(s, run)| run.matches(':').count() >= 2 && standalone(text, *s, s + run.len()))
        .filter_map(|(start, run)| {
            // A sentence may go on right after the address: "…fe80::1." or "…fe80::1: it".
            let mut ip = run.trim_end_matches('.');
            if ip.parse::<Ipv6Addr>().is_err() && ip.ends_with(':') && !ip.ends_with("::") {
                ip = &ip[..ip.len() - 1];
            }
            let digits = ip.chars().any(|c| c.is_ascii_hexdigit());
            (digits && ip.parse::<Ipv6Addr>().is_ok())
                .then(|| Hit::new(start, start + ip.len(), Rule::IpAddress))
        })
        .collect()
}

/// Whether `host` (lower case) is `domain` or a name under it. A one-label domain such as
/// `internal` is only ever a suffix: the word "internal" alone is not a host.
fn under(host: &str, domain: &str) -> bool {
    (domain.contains('.') && host == domain)
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
}

/// Host names under the configured internal domains, alone or inside a URL.
pub(super) fn hosts(text: &str, cx: &Context<'_>) -> Vec<Hit> {
    if cx.internal_domains.is_empty() {
        return Vec::new();
    }
    runs(text, |c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        .into_iter()
        .filter_map(|(s, run)| {
            let (start, host) = trim(s, run, &['.', '-']);
            let lower = host.to_ascii_lowercase();
            let internal =
                lower.contains('.') && cx.internal_domains.iter().any(|d| under(&lower, d));
            internal.then(|| Hit::new(start, start + host.len(), Rule::InternalHost))
        })
        .collect()
}

/// E-mail addresses: a local part, `@`, and a domain ending in a name of two letters or more.
pub(super) fn emails(text: &str, _: &Context<'_>) -> Vec<Hit> {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut hits = Vec::new();
    for (at, _) in text.match_indices('@') {
        let before = &text[..at];
        let local_len: usize = before
            .chars()
            .rev()
            .take_while(|c| local(*c))
            .map(char::len_utf8)
            .sum();
        let start = at - before[at - local_len..].trim_start_matches('.').len();
        let after = &text[at + 1..];
        let domain_len: usize = after
            .chars()
            .take_while(|c| domain(*c))
            .map(char::len_utf8)
            .sum();
        let name = after[..domain_len].trim_end_matches(['.', '-']);
        let tld = name.rsplit('.').next().unwrap_or_default();
        let valid = start < at
            && name.contains('.')
            && tld.len() >= 2
            && tld.chars().all(|c| c.is_ascii_alphabetic());
        if valid {
            hits.push(Hit::new(start, at + 1 + name.len(), Rule::Email));
        }
    }
    hits
}

/// Whether the digit groups of a number read as a date (`2026-12-03`, `03.12.2026`): a year
/// beside a day or month.
fn date_like(groups: &[&str]) -> bool {
    groups.windows(2).any(|pair| {
        let year =
            |g: &str| g.len() == 4 && g.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y));
        let small = |g: &str| g.len() <= 2;
        (year(pair[0]) && small(pair[1])) || (small(pair[0]) && year(pair[1]))
    })
}

/// Phone numbers: `+` and 8 to 15 digits, or 10 to 15 digits in at least two groups
/// (`(555) 123-4567`, `030 1234 5678`) — not dates, and not amounts grouped in thousands.
pub(super) fn phones(text: &str, _: &Context<'_>) -> Vec<Hit> {
    runs(text, |c| c.is_ascii_digit() || "+()-. ".contains(c))
        .into_iter()
        .filter_map(|(s, run)| {
            let (start, rest) = trim(s, run, &[' ', '-', '.', ')']);
            let number = rest.trim_end_matches([' ', '-', '.', '(', '+']);
            let end = start + number.len();
            if number.is_empty() || !lone_number(text, start, end) {
                return None;
            }
            let groups: Vec<&str> = number
                .split(|c: char| !c.is_ascii_digit())
                .filter(|g| !g.is_empty())
                .collect();
            let digits: usize = groups.iter().map(|g| g.len()).sum();
            let international = number.starts_with('+') && (8..=15).contains(&digits);
            let thousands = groups.len() > 1
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            let national = (10..=15).contains(&digits) && groups.len() >= 2 && !thousands;
            ((international || national) && !date_like(&groups))
                .then(|| Hit::new(start, end, Rule::Phone))
        })
        .collect()
}

/// Whether `word` looks like a Slack user, channel, group or conversation ID (`U024BE7LH`).
fn slack_id(word: &str) -> bool {
    (9..=12).contains(&word.len())
        && word.starts_with(['U', 'W', 'C', 'G', 'D'])
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && word.chars().filter(char::is_ascii_digit).count() >= 2
}

/// Slack mentions (`<@U…>`, `<#C…>`, `<!subteam^…>`, `<!here>`) and bare Slack IDs.
pub(super) fn slack(text: &str, _: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (at, _) in text.match_indices('<') {
        let Some(len) = text[at..].find('>').filter(|len| *len <= 80) else {
            continue;
        };
        let inner = &text[at + 1..at + len];
        let target = inner.split('|').next().unwrap_or_default();
        let mention = match target.chars().next() {
            Some('@' | '#') => {
                slack_id(&target[1..]) || target[1..].starts_with(['U', 'W', 'C', 'G'])
            }
            Some('!') => {
                target.starts_with("!subteam^")
                    || ["!here", "!channel", "!everyone"].contains(&target)
            }
            _ => false,
        };
        if mention {
            hits.push(Hit::new(at, at + len + 1, Rule::SlackMention));
        }
    }
    for (start, word) in runs(text, |c| c.is_ascii_alphanumeric()) {
        if slack_id(word) && standalone(text, start, start + word.len()) {
            hits.push(Hit::new(start, start + word.len(), Rule::SlackMention));
        }
    }
    hits
}
