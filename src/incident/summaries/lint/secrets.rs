//! What must never be published because it opens something: tokens and keys of known shapes,
//! PEM blocks, JWTs, long random-looking strings, and card numbers.

use super::{
    Context, Hit, Rule,
    scan::{lone_number, runs, standalone, trim},
};

/// Prefixes of tokens whose shape is known: Slack, GitHub, GitLab, Stripe and similar keys.
const TOKEN_PREFIXES: [&str; 13] = [
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxo-",
    "xoxs-",
    "xoxr-",
    "xoxe-",
    "xapp-",
    "ghp_",
    "github_pat_",
    "glpat-",
    "sk_live_",
    "rk_live_",
];

/// Secrets of a known shape: PEM blocks, tokens with a known prefix, AWS access key IDs and JWTs.
pub(super) fn known(text: &str, _: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    // A PEM block runs from its BEGIN line to its END line (or to the end of the text).
    for (at, _) in text.match_indices("-----BEGIN ") {
        let end = text[at..]
            .find("-----END ")
            .map(|e| {
                let close = at + e + "-----END ".len();
                text[close..]
                    .find("-----")
                    .map_or(text.len(), |c| close + c + 5)
            })
            .unwrap_or(text.len());
        hits.push(Hit::new(at, end, Rule::Secret));
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    for (s, run) in runs(text, token) {
        let (start, word) = trim(s, run, &['.', '-', '_']);
        let prefixed = TOKEN_PREFIXES
            .iter()
            .any(|p| word.starts_with(p) && word.len() >= p.len() + 10);
        let aws = word.len() == 20
            && (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let parts: Vec<&str> = word.split('.').collect();
        let jwt =
            word.starts_with("eyJ") && parts.len() == 3 && parts[..2].iter().all(|p| p.len() >= 10);
        if (prefixed || aws || jwt) && standalone(text, start, start + word.len()) {
            hits.push(Hit::new(start, start + word.len(), Rule::Secret));
        }
    }
    hits
}

/// Bits of entropy per character of `s`, from how often each character occurs in it.
fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The share of `s`'s letters and digits that belong to words of three letters or more (`get`,
/// `User`, `balance`): high in an identifier or a web path, low in a random key.
fn word_share(s: &str) -> f64 {
    let chars: Vec<char> = s.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut in_words = 0;
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i].is_ascii_uppercase() {
            i += 1;
        }
        while i < chars.len() && chars[i].is_ascii_lowercase() {
            i += 1;
        }
        if i - start >= 3 {
            in_words += i - start;
        }
        if i == start {
            i += 1;
        }
    }
    in_words as f64 / chars.len().max(1) as f64
}

/// Long random-looking strings: 32 or more hex digits with letters and digits among them, or
/// 24 or more characters of a key's alphabet mixing upper case, lower case and digits, with
/// about 3.5 bits of entropy per character or more, that do not read as words or an identifier.
pub(super) fn high_entropy(text: &str, _: &Context<'_>) -> Vec<Hit> {
    let alphabet = |c: char| c.is_ascii_alphanumeric() || "+/=_-".contains(c);
    runs(text, alphabet)
        .into_iter()
        .filter_map(|(s, run)| {
            let (start, word) = trim(s, run, &['=', '-', '_', '/', '+']);
            let has = |f: fn(&char) -> bool| word.chars().any(|c| f(&c));
            let hex = word.len() >= 32
                && word.chars().all(|c| c.is_ascii_hexdigit())
                && has(char::is_ascii_digit)
                && has(char::is_ascii_alphabetic);
            let mixed = word.len() >= 24
                && has(char::is_ascii_uppercase)
                && has(char::is_ascii_lowercase)
                && has(char::is_ascii_digit)
                && entropy(word) >= 3.5
                && word_share(word) < 0.6;
            (hex || mixed).then(|| Hit::new(start, start + word.len(), Rule::Secret))
        })
        .collect()
}

/// Whether `digits` pass the Luhn check that card numbers carry.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 1, d * 2) {
            (true, twice) if twice > 9 => twice - 9,
            (true, twice) => twice,
            (false, _) => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Card numbers: 13 to 19 digits, alone or in groups split by single spaces or hyphens, that
/// pass the Luhn check (and are not all one digit, like `0000 0000 0000 0000`).
pub(super) fn cards(text: &str, _: &Context<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (s, run) in runs(text, |c| c.is_ascii_digit() || c == ' ' || c == '-') {
        // The groups of digits in the run, each with its byte range in `text`.
        let groups: Vec<(usize, &str)> = runs(run, |c| c.is_ascii_digit())
            .into_iter()
            .map(|(at, g)| (s + at, g))
            .collect();
        // Any run of whole groups may be the card, as text around it may hold other numbers.
        'from: for first in 0..groups.len() {
            for last in first..groups.len() {
                let (start, end) = (groups[first].0, groups[last].0 + groups[last].1.len());
                let joined = &text[start..end];
                let single_gaps = !joined.contains("  ") && !joined.contains("--");
                let digits: Vec<u32> = joined.chars().filter_map(|c| c.to_digit(10)).collect();
                if !single_gaps || digits.len() > 19 {
                    continue 'from;
                }
                let varied = digits.iter().any(|d| *d != digits[0]);
                if digits.len() >= 13 && varied && luhn(&digits) && lone_number(text, start, end) {
                    hits.push(Hit::new(start, end, Rule::CardNumber));
                    break 'from;
                }
            }
        }
    }
    hits
}
