//! The manual pages: `man --dir` writes one per subcommand, every page the
//! top page names exists and renders, and the README's install path is
//! where man-db looks, so that `man git-incident-declare`, `git help
//! incident` and `git incident --help` (which git turns into `man
//! git-incident`) find them.

#![allow(clippy::print_stdout)] // a skipped check says why, in the test output

use std::path::Path;
use std::process::Command;

use crate::harness::{BIN, TestEnv};

const README: &str = include_str!("../../README.md");
const INSTALL: &str = "git incident man --dir ~/.cargo/share/man/man1";

fn has(program: &str, version_arg: &str) -> Option<String> {
    let out = Command::new(program).arg(version_arg).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// The `name(1)` references in a roff page, with roff's `\-` read as `-`.
fn references(page: &str) -> Vec<String> {
    let text = page.replace("\\-", "-");
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '(' || c == ')'))
        .filter_map(|w| w.strip_suffix("(1)"))
        .filter(|w| w.starts_with("git-incident"))
        .map(str::to_owned)
        .collect()
}

/// The page as text, by man-db's `man -l`, else groff; `None` (with the
/// reason printed) where neither is installed.
fn render(page: &Path) -> Option<String> {
    let out = if has("man", "--version").is_some() {
        Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
    } else if has("groff", "--version").is_some() {
        Command::new("groff")
            .args(["-man", "-Tutf8"])
            .arg(page)
            .output()
    } else {
        println!("skipped rendering: neither man nor groff is installed");
        return None;
    };
    let out = out.expect("the renderer runs");
    assert!(out.status.success(), "{} does not render", page.display());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.trim().is_empty(), "{}: {err}", page.display());
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn man_writes_a_page_for_every_subcommand_and_each_renders() {
    let env = TestEnv::empty();
    let listed = env.run(&["man", "--dir", "pages"]).ok().to_owned();
    let dir = env.dir.join("pages");
    let top = std::fs::read_to_string(dir.join("git-incident.1")).unwrap();
    let named = references(&top);
    for page in [
        "git-incident-declare",
        "git-incident-cleanup",
        "git-incident-show",
    ] {
        assert!(named.iter().any(|n| n == page), "{page} in {named:?}");
    }
    for name in &named {
        assert!(
            dir.join(format!("{name}.1")).is_file(),
            "{name}.1 is missing"
        );
    }
    assert!(dir.join("git-incident-cleanup-done.1").is_file());
    assert!(!dir.join("git-incident-merge-driver.1").exists(), "hidden");
    assert!(!dir.join("git-incident-help.1").exists());
    let pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(listed.lines().count(), pages.len(), "{listed}");
    for page in &pages {
        let roff = std::fs::read_to_string(page).unwrap();
        assert!(
            roff.starts_with(".ie") || roff.contains("\n.TH "),
            "{}",
            page.display()
        );
        assert!(roff.contains(".SH NAME"), "{}", page.display());
        if let Some(text) = render(page) {
            let stem = page.file_stem().unwrap().to_string_lossy();
            assert!(text.contains(&*stem), "{stem}:\n{text}");
            assert!(text.contains("SYNOPSIS"), "{stem}:\n{text}");
        }
    }
    let declare = std::fs::read_to_string(dir.join("git-incident-declare.1")).unwrap();
    assert!(declare.contains("git incident declare"), "{declare}");
}

#[test]
fn the_readme_install_puts_the_pages_where_man_and_git_help_find_them() {
    assert!(
        README.contains(INSTALL),
        "the README installs the pages with `{INSTALL}`"
    );
    let Some(version) = has("man", "--version").filter(|v| v.contains("man-db")) else {
        println!(
            "skipped: man-db is not installed (its PATH-relative manpath is what the README relies on)"
        );
        return;
    };
    assert!(!version.is_empty());
    let env = TestEnv::empty();
    let bin = env.home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("git-incident")).unwrap();
    // As a user's shell has it: ~/.cargo/bin on PATH, no MANPATH.
    let script = format!(
        "unset MANPATH; export PATH=~/.cargo/bin:$PATH MANPAGER=cat MANWIDTH=80 GIT_PAGER=cat
{INSTALL} >/dev/null
man -w git-incident-declare
git help incident | head -n 5
git incident --help | head -n 5
man git-incident-cleanup-done | head -n 5"
    );
    let out = env.shell(&script);
    let text = out.ok();
    let pages = env.home.join(".cargo/share/man/man1");
    assert!(
        text.starts_with(&pages.join("git-incident-declare.1").display().to_string()),
        "{text}"
    );
    assert_eq!(text.matches("git-incident(1)").count(), 4, "{text}");
    assert!(text.contains("git-incident-cleanup-done(1)"), "{text}");
}

#[test]
fn pages_list_their_own_options_then_the_global_ones_then_examples() {
    let env = TestEnv::empty();
    env.run(&["man", "--dir", "pages"]).ok();
    let page = |name: &str| std::fs::read_to_string(env.dir.join("pages").join(name)).unwrap();
    let declare = page("git-incident-declare.1");
    let sections: Vec<&str> = declare
        .lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|h| h.trim_matches('"'))
        .collect();
    assert_eq!(
        sections,
        [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "GLOBAL OPTIONS",
            "EXAMPLES"
        ],
        "{declare}"
    );
    // The synopsis too names the command's own options first.
    let synopsis = declare
        .lines()
        .skip_while(|l| *l != ".SH SYNOPSIS")
        .nth(1)
        .unwrap();
    let at = |option: &str| {
        synopsis
            .find(option)
            .unwrap_or_else(|| panic!("{option}: {synopsis}"))
    };
    assert!(at("\\-\\-started") < at("\\-C"), "{synopsis}");
    assert!(at("\\-\\-sev") < at("\\-\\-json"), "{synopsis}");
    // The examples keep their lines, not filled into one paragraph.
    let examples = &declare[declare.find(".SH EXAMPLES").unwrap()..];
    assert!(examples.starts_with(".SH EXAMPLES\n.nf\n"), "{examples}");
    assert!(
        examples
            .contains("\n  git incident declare \"Checkout API returning 502s\" \\-\\-sev SEV\\-2"),
        "{examples}"
    );
    // Where --at means nothing, the page does not show it; the top page
    // keeps the text that covers both of its readings.
    for name in ["git-incident-man.1", "git-incident-completions.1"] {
        let text = page(name);
        assert!(!text.contains("\\-\\-at"), "{name}:\n{text}");
        assert!(!text.contains("EXTRA"), "{name}:\n{text}");
    }
    assert!(page("git-incident.1").contains("For list, show and stats"));
    assert!(page("git-incident-show.1").contains("The point of history to read"));
    if let Some(text) = render(&env.dir.join("pages/git-incident-declare.1")) {
        let at = |heading: &str| {
            text.find(heading)
                .unwrap_or_else(|| panic!("{heading}:\n{text}"))
        };
        assert!(at("\nOPTIONS") < at("\nGLOBAL OPTIONS"), "{text}");
        assert!(at("\nGLOBAL OPTIONS") < at("\nEXAMPLES"), "{text}");
        assert!(
            text.contains("\n         git incident declare \"EU logins fail\""),
            "{text}"
        );
    }
}
