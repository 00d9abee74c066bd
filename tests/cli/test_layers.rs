//! The shape of the code, held by a test: each layer imports only the layers
//! below it (the map is in `src/lib.rs`), and every test file is compiled.
//!
//! The check reads `src/**` as text. It expands `use` statements (groups
//! included) and also finds paths written in full in the code, so
//! `crate::ledger::Ledger::find(..)` in a body counts as an import.

use std::fs;
use std::path::{Path, PathBuf};

/// What a folder under `src/` must not name, and why.
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "domain",
        &[
            "crate::ledger",
            "crate::ui",
            "crate::render",
            "crate::runbook",
            "crate::commands",
            "crate::context",
            "crate::error",
            "git2",
            "std::fs",
            "std::process",
        ],
        "the domain is pure: no git, no files, no terminal, no layer above it",
    ),
    (
        "render",
        &[
            "crate::ledger",
            "crate::ui",
            "crate::runbook",
            "crate::commands",
            "crate::context",
            "git2",
            "std::fs",
            "std::process",
        ],
        "render turns domain values into text and imports only the domain",
    ),
    (
        "runbook",
        &[
            "crate::ledger",
            "crate::ui",
            "crate::commands",
            "crate::context",
            "git2",
            "std::fs",
            "std::process",
        ],
        "the runbook engine asks through its Prompter port and records through its Journal port",
    ),
    (
        "ledger",
        &[
            "crate::ui",
            "crate::render",
            "crate::commands",
            "crate::runbook::engine",
            "crate::runbook::prompt",
        ],
        "the ledger stores; it knows the runbook's file format, not the walk or the terminal",
    ),
    (
        "ui",
        &["crate::ledger", "crate::commands", "git2"],
        "ui is terminal IO only",
    ),
    (
        "commands",
        &["git2", "std::fs", "serde_json::json"],
        "commands parse, call, render and print; files and git go through the ledger, documents are built in render",
    ),
];

/// Breaches tolerated for now, each to be removed by moving the code where
/// it belongs; none today. A new breach fails the test, and so does an
/// entry here that no longer happens.
const KNOWN: &[(&str, &str, &str)] = &[];

/// One forbidden name found: where, and which rule.
#[derive(Debug, PartialEq)]
struct Breach {
    layer: &'static str,
    file: String,
    line: usize,
    path: String,
    forbidden: &'static str,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file with comments and string contents blanked out (line
/// breaks kept, so line numbers stay right).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push('"');
            }
            // A char literal such as '"' or '{' must not open a string or a
            // group; lifetimes ('a) pass through untouched.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                let mut it = rest.chars();
                match (it.next(), it.next(), it.next()) {
                    (Some('\\'), _, _) => {
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                        out.push_str("' '");
                    }
                    (Some(_), Some('\''), _) => {
                        chars.next();
                        chars.next();
                        out.push_str("' '");
                    }
                    _ => out.push('\''),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Expands one `use` tree (`a::{b, c::{d, e}}`) into full paths.
fn expand(tree: &str) -> Vec<String> {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let leaf = tree.split(" as ").next().unwrap_or(tree);
        return vec![squeeze(leaf)];
    };
    let prefix = squeeze(&tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            let prefix = prefix.clone();
            expand(p).into_iter().map(move |tail| match tail.as_str() {
                "self" => prefix.trim_end_matches("::").to_string(),
                _ => format!("{prefix}{tail}"),
            })
        })
        .collect()
}

/// Every path a file names, with its line: expanded `use` statements and
/// paths written in full (`crate::x::y`, `git2::Oid`, `std::fs::read`,
/// `serde_json::json!`).
fn named_paths(text: &str) -> Vec<(usize, String)> {
    let code = code_only(text);
    let mut found = Vec::new();
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    // `use` statements, which may span lines.
    let mut at = 0;
    while let Some(pos) = code[at..].find("use ") {
        let start = at + pos;
        at = start + 4;
        let before = code[..start].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = code[start..].find(';') else {
            break;
        };
        let tree = &code[start + 4..start + end];
        for path in expand(tree) {
            found.push((line_of(start), path));
        }
        at = start + end;
    }
    // Paths written in full anywhere.
    for root in ["crate::", "git2::", "std::", "serde_json::"] {
        let mut at = 0;
        while let Some(pos) = code[at..].find(root) {
            let start = at + pos;
            at = start + root.len();
            let before = code[..start].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let end = code[start..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| start + e);
            found.push((line_of(start), code[start..end].to_string()));
        }
    }
    found
}

/// Whether `path` is `forbidden` or lies below it (`crate::ledger::git`
/// lies below `crate::ledger`; `crate::ledgers` does not).
fn names(path: &str, forbidden: &str) -> bool {
    path == forbidden
        || path
            .strip_prefix(forbidden)
            .is_some_and(|rest| rest.starts_with("::"))
}

fn breaches(layer: &str, file: &str, text: &str) -> Vec<Breach> {
    let Some((layer, forbidden, _)) = RULES.iter().find(|(l, _, _)| *l == layer) else {
        return Vec::new();
    };
    let mut out: Vec<Breach> = Vec::new();
    for (line, path) in named_paths(shipped(text)) {
        for f in *forbidden {
            let seen = out.iter().any(|b| b.line == line && b.forbidden == *f);
            if names(&path, f) && !seen {
                out.push(Breach {
                    layer,
                    file: file.to_string(),
                    line,
                    path: path.clone(),
                    forbidden: f,
                });
            }
        }
    }
    out
}

/// The shipped part of a file: unit tests (`#[cfg(test)] mod …` to the end)
/// may read fixtures and build real ledgers.
fn shipped(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == "#[cfg(test)]" {
            let rest = text[at + line.len()..].trim_start();
            if rest.starts_with("mod ") {
                return &text[..at];
            }
        }
        at += line.len();
    }
    text
}

#[test]
fn each_layer_imports_only_what_lies_below_it() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut all = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under src");
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let layer = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        let text = fs::read_to_string(path).expect("readable source");
        all.extend(breaches(&layer, &rel.display().to_string(), &text));
    }
    let known = |b: &Breach| {
        KNOWN
            .iter()
            .any(|(f, n, _)| *f == b.file && *n == b.forbidden)
    };
    let stale: Vec<_> = KNOWN
        .iter()
        .filter(|(f, n, _)| !all.iter().any(|b| b.file == *f && b.forbidden == *n))
        .collect();
    assert!(
        stale.is_empty(),
        "fixed, so remove from KNOWN in tests/cli/test_layers.rs: {stale:?}"
    );
    let report: Vec<String> = all
        .iter()
        .filter(|b| !known(b))
        .map(|b| {
            let why = RULES
                .iter()
                .find(|(l, _, _)| *l == b.layer)
                .map_or("", |r| r.2);
            format!(
                "src/{}:{}: names {} (forbidden: {}; {why})",
                b.file, b.line, b.path, b.forbidden
            )
        })
        .collect();
    assert!(report.is_empty(), "layering broken:\n{}", report.join("\n"));
    assert!(
        files.len() > 50,
        "read only {} files under src/",
        files.len()
    );
}

#[test]
fn the_layer_check_catches_each_way_of_naming_a_forbidden_module() {
    let cases = [
        (
            "render",
            "use crate::ledger::Ledger;\n",
            "crate::ledger::Ledger",
        ),
        (
            "render",
            "use crate::{domain::Incident, ui::paint};\n",
            "crate::ui::paint",
        ),
        (
            "render",
            "use crate::{\n    ledger::{self, history},\n};\n",
            "crate::ledger",
        ),
        (
            "domain",
            "fn f() { let _ = git2::Oid::zero(); }\n",
            "git2::Oid::zero",
        ),
        ("domain", "use std::{fs, io};\n", "std::fs"),
        (
            "commands",
            "use std::fs::read_to_string;\n",
            "std::fs::read_to_string",
        ),
        (
            "commands",
            "fn f() { ui.json(&serde_json::json!({})); }\n",
            "serde_json::json",
        ),
        ("commands", "use serde_json::json;\n", "serde_json::json"),
        (
            "runbook",
            "fn f() -> crate::ui::Ui { todo!() }\n",
            "crate::ui::Ui",
        ),
        (
            "ledger",
            "use crate::runbook::engine::Engine;\n",
            "crate::runbook::engine::Engine",
        ),
    ];
    for (layer, text, path) in cases {
        let found = breaches(layer, "x.rs", text);
        assert!(
            found.iter().any(|b| b.path == path),
            "{layer}: {text:?} not caught as {path}: {found:?}"
        );
    }
    let allowed = [
        (
            "domain",
            "fn f() {}\n#[cfg(test)]\nmod tests {\n    use std::fs;\n}\n",
        ),
        ("render", "use crate::domain::Incident;\n"),
        ("render", "// use crate::ledger::Ledger;\n"),
        ("render", "let s = \"crate::ledger and git2::Oid\";\n"),
        ("ledger", "use crate::runbook::model::Runbook;\n"),
        ("commands", "use crate::ledger::Ledger;\n"),
        ("commands", "let s = serde_json::to_string_pretty(&v);\n"),
        ("domain", "use std::fmt;\nlet c = '\"'; use std::io;\n"),
        ("domain", "use crate::domain::ledgers;\n"),
    ];
    for (layer, text) in allowed {
        let found = breaches(layer, "x.rs", text);
        assert!(
            found.is_empty(),
            "{layer}: {text:?} wrongly caught: {found:?}"
        );
    }
}

#[test]
fn every_test_file_is_compiled_into_the_test_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let main = fs::read_to_string(dir.join("main.rs")).expect("tests/cli/main.rs");
    let mut forgotten = Vec::new();
    let mut seen = 0;
    for entry in fs::read_dir(&dir).expect("tests/cli") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        if module == "main" {
            continue;
        }
        seen += 1;
        if !main.lines().any(|l| l.trim() == format!("mod {module};")) {
            forgotten.push(name.to_string());
        }
    }
    assert!(seen > 10, "found only {seen} files in tests/cli");
    assert!(
        forgotten.is_empty(),
        "not listed in tests/cli/main.rs, so never run: {forgotten:?}"
    );
    // The top-level tests/ folder holds only the cli binary and fixtures:
    // a stray tests/foo.rs would not run either (autotests = false).
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in fs::read_dir(&top).expect("tests") {
        let path = entry.expect("entry").path();
        assert!(
            path.is_dir(),
            "{} is never compiled: tests live in tests/cli/",
            path.display()
        );
    }
}
