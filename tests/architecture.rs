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
fn the_command_lines_reports_never_reach_slack_the_workers_or_the_app() {
    assert_layer("cli", &["slack", "worker", "app", "state"]);
}

#[test]
fn the_store_knows_no_edge_and_no_use_case() {
    assert_layer("store", &["slack", "commands", "worker", "app", "state"]);
}

#[test]
fn only_the_edge_and_the_workers_name_slack_web_api_methods() {
    for layer in [
        "incident", "commands", "store", "delivery", "context", "config", "cli",
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

/// Every module of the library (one per file), by path (`slack::ingress`), with its source;
/// test-only modules left out.
fn modules() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    paths
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.first().is_some_and(|p| p == "bin" || p == "main") {
                return None;
            }
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            // The crate root only declares the modules.
            if parts == ["lib"] {
                return None;
            }
            let test_only = parts
                .iter()
                .any(|p| p.ends_with("tests") || p == "snapshots" || p == "fuzz_smoke");
            (!test_only).then(|| (parts.join("::"), std::fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Reads the path at the start of `rest` under `base`, and the items of a group that follows it
/// (`a::{b, c::{d, e}}`), into `found`.
fn expand(rest: &str, base: &[String], found: &mut Vec<String>) {
    let path: String = rest.chars().take_while(|c| is_path_char(*c)).collect();
    let mut full = base.to_vec();
    full.extend(
        path.split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    found.push(full.join("::"));
    let Some(group) = rest[path.len()..].strip_prefix('{') else {
        return;
    };
    let (mut depth, mut start) = (1, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                expand(group[start..i].trim(), &full, found);
                if c == '}' {
                    return;
                }
                start = i + 1;
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
}

/// The paths a source refers to: `crate::a::b`, the items of `use crate::{a, b::{c, d}}`, and
/// `super::…` resolved against `module`.
fn references(module: &str, text: &str) -> Vec<String> {
    let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap();
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        expand(&text[at + "crate::".len()..], &[], &mut found);
    }
    let parent: Vec<String> = module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for (at, _) in text.match_indices("super::") {
        if text[..at].ends_with("super::") {
            continue;
        }
        let mut rest = &text[at..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            up += 1;
        }
        expand(rest, &parent[..parent.len().saturating_sub(up)], &mut found);
    }
    // An imported module is then used by its last name (`store::timeline::find…`).
    for imported in found.clone() {
        let parts: Vec<String> = imported.split("::").map(str::to_owned).collect();
        let last = parts.last().cloned().unwrap_or_default();
        for (at, _) in text.match_indices(&format!("{last}::")) {
            if !text[..at].ends_with(is_path_char) {
                expand(&text[at + last.len() + 2..], &parts, &mut found);
            }
        }
    }
    found
}

#[test]
fn no_module_imports_itself_back_through_a_circle() {
    let modules = modules();
    let names: Vec<&str> = modules.iter().map(|(n, _)| n.as_str()).collect();
    // Each reference lands on the longest module path it starts with.
    let resolve = |path: &str| {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|p| names.contains(&p.as_str()))
    };
    let edges: Vec<Vec<usize>> = modules
        .iter()
        .map(|(name, text)| {
            let mut to: Vec<usize> = references(name, text)
                .iter()
                .filter_map(|r| resolve(r))
                .filter(|r| r != name && !name.starts_with(&format!("{r}::")))
                .filter_map(|r| names.iter().position(|n| *n == r))
                .collect();
            // A module uses its own children by their bare names (`show::note(…)`).
            let prefix = if name.is_empty() {
                String::new()
            } else {
                format!("{name}::")
            };
            for (i, child) in names.iter().enumerate() {
                let Some(short) = child.strip_prefix(&prefix) else {
                    continue;
                };
                let direct = !short.is_empty() && !short.contains("::");
                let named = text
                    .match_indices(&format!("{short}::"))
                    .any(|(at, _)| !text[..at].ends_with(|c: char| is_path_char(c)));
                if direct && named {
                    to.push(i);
                }
            }
            to.sort_unstable();
            to.dedup();
            to
        })
        .collect();
    // A depth-first search that finds any back edge names the circle.
    fn visit(
        v: usize,
        edges: &[Vec<usize>],
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[v] = 1;
        path.push(v);
        for &w in &edges[v] {
            if state[w] == 1 {
                let from = path.iter().position(|p| *p == w).unwrap();
                return Some(path[from..].to_vec());
            }
            if state[w] == 0
                && let Some(circle) = visit(w, edges, state, path)
            {
                return Some(circle);
            }
        }
        path.pop();
        state[v] = 2;
        None
    }
    let mut state = vec![0u8; modules.len()];
    for v in 0..modules.len() {
        if state[v] == 0
            && let Some(circle) = visit(v, &edges, &mut state, &mut Vec::new())
        {
            let circle: Vec<&str> = circle.iter().map(|i| names[*i]).collect();
            panic!("an import circle: {}", circle.join(" → "));
        }
    }
    assert!(names.contains(&"slack::ingress") && names.contains(&"incident::event"));
}

#[test]
fn references_are_read_from_grouped_nested_and_relative_imports() {
    let text = "use super::{blocks::Message, keys};\nuse crate::{\n    commands::{self, forms::Click},\n    state::AppState,\n};\nlet x = super::super::store::within;";
    let found = references("slack::ingress", text);
    for expected in [
        "slack::blocks::Message",
        "slack::keys",
        "commands::forms::Click",
        "state::AppState",
        "store::within",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:?}"
        );
    }
}
