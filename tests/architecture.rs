//! The layering, checked on the source: the domain knows nothing of Slack or Postgres, use cases
//! never reach Slack, only the edge and the workers speak Slack's Web API, and no file grows past
//! what one reader holds in mind.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_under(sub: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    if root.join(sub).is_dir() {
        sources(&root.join(sub), &mut paths);
    }
    let single = root.join(format!("{sub}.rs"));
    if single.exists() {
        paths.push(single);
    }
    assert!(!paths.is_empty(), "no sources under src/{sub}");
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The modules of this crate a file refers to (`crate::NAME…`).
fn crate_modules(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    }
    // `use crate::{a, b::c}` lists several modules after one `crate::`: the first name of each
    // top-level item.
    for block in text.split("use crate::{").skip(1) {
        let (mut depth, mut first, mut name) = (1, true, String::new());
        for c in block.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                if depth == 1 && first {
                    name.push(c);
                }
                continue;
            }
            if !name.is_empty() {
                if !found.contains(&name) {
                    found.push(name.clone());
                }
                name.clear();
                first = false;
            }
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => break,
                '}' => depth -= 1,
                ',' if depth == 1 => first = true,
                _ => {}
            }
        }
    }
    found
}

fn assert_layer(layer: &str, forbidden: &[&str]) {
    for (name, text) in files_under(layer) {
        let uses = crate_modules(&text);
        for module in forbidden {
            assert!(
                !uses.iter().any(|u| u == module),
                "src/{name} refers to crate::{module}: {layer} must not depend on it ({uses:?})"
            );
        }
    }
}

#[test]
fn the_domain_depends_on_nothing_but_itself() {
    assert_layer(
        "incident",
        &[
            "slack", "store", "commands", "worker", "app", "state", "context", "delivery", "config",
        ],
    );
}

#[test]
fn what_warroom_delivers_is_described_in_domain_terms() {
    assert_layer(
        "delivery",
        &["slack", "store", "commands", "worker", "app", "state"],
    );
}

#[test]
fn use_cases_never_reach_slack_the_workers_or_the_app() {
    assert_layer("commands", &["slack", "worker", "app", "state"]);
}

#[test]
fn the_store_knows_no_edge_and_no_use_case() {
    assert_layer("store", &["slack", "commands", "worker", "app", "state"]);
}

#[test]
fn only_the_edge_and_the_workers_name_slack_web_api_methods() {
    for layer in [
        "incident", "commands", "store", "delivery", "context", "config",
    ] {
        for (name, text) in files_under(layer) {
            for method in ["\"chat.", "\"views.", "views_open", "\"conversations."] {
                assert!(
                    !text.contains(method),
                    "src/{name} names a Slack Web API method ({method})"
                );
            }
        }
    }
}

#[test]
fn no_source_file_is_longer_than_four_hundred_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    let long: Vec<String> = paths
        .iter()
        .map(|p| (p, std::fs::read_to_string(p).unwrap().lines().count()))
        .filter(|(_, n)| *n > 400)
        .map(|(p, n)| format!("{} ({n} lines)", p.display()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn the_reference_finder_sees_grouped_imports() {
    let uses = crate_modules(
        "use crate::{\n    app::AppState,\n    slack::{blocks, card},\n    store,\n};",
    );
    assert_eq!(uses, ["app", "slack", "store"]);
}
