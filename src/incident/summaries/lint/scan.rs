//! Reading text the way the rules need it: runs of characters of one kind, with their byte
//! offsets, and whether a run stands on its own rather than inside a longer word.

/// Maximal runs of characters that `keep` accepts, each with its byte offset.
pub(super) fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// `run` (at byte `start`) without the leading and trailing characters in `strip`: the byte
/// offset of what remains, and what remains.
pub(super) fn trim<'a>(start: usize, run: &'a str, strip: &[char]) -> (usize, &'a str) {
    let rest = run.trim_start_matches(strip);
    (start + run.len() - rest.len(), rest.trim_end_matches(strip))
}

/// The character just before byte `at`, and the one at byte `end`.
pub(super) fn around(text: &str, at: usize, end: usize) -> (Option<char>, Option<char>) {
    (text[..at].chars().next_back(), text[end..].chars().next())
}

/// Whether `text[start..end]` is not part of a longer word: no letter or digit touches it.
pub(super) fn standalone(text: &str, start: usize, end: usize) -> bool {
    let (before, after) = around(text, start, end);
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Whether a number at `text[start..end]` stands on its own: no word, identifier or path
/// touches it (`INC-20261124-001` holds no phone or card number).
pub(super) fn lone_number(text: &str, start: usize, end: usize) -> bool {
    let joined = |c: char| c.is_alphanumeric() || "-_/@.".contains(c);
    let (before, after) = around(text, start, end);
    // A number may end a sentence, so only a dot followed by more of a word joins it.
    let after_joins = match after {
        Some('.') => text[end + 1..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric),
        Some(c) => joined(c),
        None => false,
    };
    !before.is_some_and(joined) && !after_joins
}

/// Words — letters and digits with the apostrophes and hyphens inside them — lower-cased, each
/// with its byte range, for matching phrases.
pub(super) fn words(text: &str) -> Vec<(usize, usize, String)> {
    runs(text, |c| c.is_alphanumeric() || "'’-".contains(c))
        .into_iter()
        .filter_map(|(start, run)| {
            let (start, word) = trim(start, run, &['\'', '’', '-']);
            (!word.is_empty()).then(|| (start, start + word.len(), word.to_lowercase()))
        })
        .collect()
}

/// Each line of `text` with its byte offset.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |line| {
        let start = at;
        at += line.len() + 1;
        (start, line)
    })
}

/// The line (from 1) that byte `at` is on.
pub(super) fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_words_keep_their_offsets() {
        assert_eq!(
            runs("a 10.0.0.1, b", |c| c.is_ascii_digit() || c == '.'),
            [(2, "10.0.0.1")]
        );
        assert_eq!(trim(3, "..1.2.", &['.']), (5, "1.2"));
        let w = words("We  don’t -know");
        assert_eq!(
            w.iter().map(|(_, _, w)| w.as_str()).collect::<Vec<_>>(),
            ["we", "don’t", "know"]
        );
        assert_eq!(&"We  don’t -know"[w[2].0..w[2].1], "know");
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert!(lone_number("call 555-1234.", 5, 13));
        assert!(!lone_number("INC-20261124-001", 4, 16));
    }
}
