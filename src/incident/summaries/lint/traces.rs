//! What comes from inside the systems: file paths, stack traces and log lines.

use super::{
    Context, Hit, Rule,
    scan::{lines as lines_of, runs, trim},
};

/// Top-level folders of a filesystem: a path under one of them is a file path, not a web path.
const ROOTS: [&str; 22] = [
    "etc",
    "var",
    "usr",
    "home",
    "opt",
    "srv",
    "tmp",
    "root",
    "proc",
    "sys",
    "mnt",
    "app",
    "data",
    "lib",
    "bin",
    "sbin",
    "dev",
    "run",
    "Users",
    "Library",
    "private",
    "workspace",
];

/// Extensions of source files, which stack frames name with a line number (`main.rs:10`).
const SOURCE_EXTENSIONS: [&str; 16] = [
    "rs", "py", "java", "js", "mjs", "ts", "go", "rb", "php", "cs", "cpp", "cc", "c", "kt",
    "scala", "swift",
];

/// Level words of log lines, written as loggers write them.
const LEVELS: [&str; 12] = [
    "ERROR", "ERR", "WARN", "WARNING", "INFO", "DEBUG", "TRACE", "FATAL", "CRITICAL", "CRIT",
    "NOTICE", "SEVERE",
];

/// Whether `name` ends in a file extension (`error.log`, `app.py`).
fn has_extension(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Whether a word (without the punctuation around it) is a file path.
fn is_path(word: &str) -> bool {
    if word.contains("://") {
        // A web address: its host is looked at on its own; a `file://` URL is a path.
        return word.starts_with("file://");
    }
    let bytes = word.as_bytes();
    let windows =
        bytes.len() > 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\';
    if windows || (word.starts_with("\\\\") && word.len() > 3) {
        return true;
    }
    let relative = ["~/", "./", "../"]
        .iter()
        .any(|p| word.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
    if relative {
        return true;
    }
    let Some(rest) = word.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    segments.len() >= 2
        && (ROOTS.contains(&segments[0]) || segments.last().is_some_and(|s| has_extension(s)))
}

/// File paths: absolute ones under a filesystem's top folders or naming a file, relative ones
/// (`~/`, `./`, `../`), Windows ones (`C:\…`, `\\server\…`) and `file://` URLs.
pub(super) fn paths(text: &str, _: &Context<'_>) -> Vec<Hit> {
    runs(text, |c| !c.is_whitespace())
        .into_iter()
        .filter_map(|(s, run)| {
            let (start, word) = trim(
                s,
                run,
                &['"', '\'', '(', ')', '[', ']', '{', '}', '<', '>', ',', ';'],
            );
            let word = word.trim_end_matches(['.', ':']);
            is_path(word).then(|| Hit::new(start, start + word.len(), Rule::FilePath))
        })
        .collect()
}

/// Whether `line` holds a time with seconds (`10:15:30`), as log lines do.
fn has_clock(line: &str) -> bool {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(7)).any(|i| {
        let d = |k: usize| b[i + k].is_ascii_digit();
        d(0) && d(1)
            && b[i + 2] == b':'
            && d(3)
            && d(4)
            && b[i + 5] == b':'
            && d(6)
            && d(7)
            && (i == 0 || !b[i - 1].is_ascii_digit())
    })
}

/// Whether `line` names a log level as loggers write it (`ERROR`, `level=warn`, `[info]`).
fn has_level(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    runs(line, |c| c.is_ascii_alphabetic())
        .iter()
        .any(|(_, w)| LEVELS.contains(w))
        || lower.contains("level=")
        || [
            "[error]",
            "[warn]",
            "[warning]",
            "[info]",
            "[debug]",
            "[fatal]",
        ]
        .iter()
        .any(|l| lower.contains(l))
}

/// Whether `line` is a frame or the heading of a stack trace (Java, JavaScript, Python, Rust, Go).
fn is_stack_line(line: &str) -> bool {
    let t = line.trim();
    // `at com.acme.Pay.charge(Pay.java:42)`, `at Object.<anonymous> (/app/index.js:3:9)`.
    let frame = t.starts_with("at ")
        && t.ends_with(')')
        && t.rsplit_once('(').is_some_and(|(_, place)| {
            place
                .split(':')
                .skip(1)
                .any(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        });
    let python = t.starts_with("File \"") && t.contains("\", line ");
    let heading = [
        "Traceback (most recent call last)",
        " panicked at ",
        "Exception in thread ",
    ]
    .iter()
    .any(|h| t.contains(h))
        || (t.starts_with("goroutine ") && t.contains(" ["));
    let source = runs(t, |c| !c.is_whitespace() && !"()[]\"'".contains(c))
        .iter()
        .any(|(_, w)| {
            let mut parts = w.trim_end_matches([',', ';']).split(':');
            let file = parts.next().unwrap_or_default();
            let line_number = parts
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            line_number
                && file
                    .rsplit_once('.')
                    .is_some_and(|(stem, ext)| !stem.is_empty() && SOURCE_EXTENSIONS.contains(&ext))
        });
    frame || python || heading || source
}

/// Stack traces and log lines, one finding for each stretch of such lines.
pub(super) fn lines(text: &str) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::new();
    let mut previous: Option<Rule> = None;
    for (at, line) in lines_of(text) {
        let rule = if is_stack_line(line) {
            Some(Rule::StackTrace)
        } else if has_clock(line) && has_level(line) {
            Some(Rule::LogLine)
        } else {
            None
        };
        if let Some(rule) = rule
            && previous != Some(rule)
        {
            let (start, trimmed) = trim(at, line, &[' ', '\t', '\r']);
            hits.push(Hit::new(start, start + trimmed.len(), rule));
        }
        previous = rule;
    }
    hits
}
