//! What the author must stand by before it goes out: claims that are not confirmed, and
//! all-clear wording while the incident is not yet resolved and reviewed (never present green
//! before it is).

use super::{Context, Hit, Rule, scan::words};

/// Phrases that say something is not confirmed.
const UNCONFIRMED: [&str; 11] = [
    "we think",
    "we believe",
    "we suspect",
    "probably",
    "possibly",
    "might",
    "maybe",
    "perhaps",
    "likely",
    "appears to",
    "seems to",
];

/// Words that present the incident as over.
const GREEN: [&str; 4] = ["resolved", "fixed", "all clear", "all-clear"];

/// Words that, just before a green word, say it is not so yet ("not yet resolved", "to be
/// fixed").
const NOT_YET: [&str; 12] = [
    "not", "yet", "never", "no", "be", "isn't", "hasn't", "haven't", "wasn't", "aren't", "isn’t",
    "hasn’t",
];

/// Where each phrase of `phrases` occurs in `text` as whole words: (first word's index, start,
/// end).
fn occurrences(said: &[(usize, usize, String)], phrases: &[&str]) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    for phrase in phrases {
        let wanted: Vec<&str> = phrase.split(' ').collect();
        for i in 0..said.len() {
            let matches = wanted
                .iter()
                .enumerate()
                .all(|(k, w)| said.get(i + k).is_some_and(|(_, _, word)| word == w));
            if matches {
                found.push((i, said[i].0, said[i + wanted.len() - 1].1));
            }
        }
    }
    found
}

/// The warnings in `text`.
pub(super) fn find(text: &str, cx: &Context<'_>) -> Vec<Hit> {
    let said = words(text);
    let mut hits: Vec<Hit> = occurrences(&said, &UNCONFIRMED)
        .into_iter()
        .map(|(_, start, end)| Hit::new(start, end, Rule::UnconfirmedClaim))
        .collect();
    if !cx.green_allowed {
        hits.extend(
            occurrences(&said, &GREEN)
                .into_iter()
                .filter(|(i, _, _)| {
                    let before = i.checked_sub(1).map(|p| said[p].2.as_str());
                    !before.is_some_and(|w| NOT_YET.contains(&w))
                })
                .map(|(_, start, end)| Hit::new(start, end, Rule::PrematureGreen)),
        );
    }
    hits
}
