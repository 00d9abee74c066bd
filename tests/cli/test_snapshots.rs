//! What people read, snapshotted: a change in what users see is a reviewed
//! change (`cargo insta review`, or INSTA_UPDATE=always and read the diff).

use crate::harness::{BOB, TestEnv};

/// A small ledger: four incidents in different states, fixed clock.
fn sample() -> TestEnv {
    let env = TestEnv::ledger();
    env.run(&[
        "declare",
        "Checkout API returning 502s",
        "--sev",
        "SEV-2",
        "--service",
        "checkout-api",
        "--impact",
        "About 30% of checkout attempts fail",
        "--started",
        "2026-11-26T18:30:00Z",
    ])
    .ok();
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["lead", "INC-1", BOB]).ok();
    env.run(&[
        "note",
        "INC-1",
        "5xx began at 18:30, right after deploy web-7f3a",
    ])
    .ok();
    env.run(&[
        "update",
        "INC-1",
        "Checkout degraded; flag rollback in progress.",
    ])
    .ok();
    env.run(&[
        "mitigate",
        "INC-1",
        "Disabled feature flag new-checkout-flow",
        "--kind",
        "flag",
        "--temporary",
        "--cleanup",
        "Re-enable gradually: 10%, 50%, 100%",
        "--target",
        "flags/checkout.toml",
    ])
    .ok();
    env.run(&[
        "action",
        "INC-1",
        "Alert on checkout 5xx ratio above 2%",
        "--owner",
        BOB,
        "--kind",
        "detective",
        "--due",
        "2026-12-10",
    ])
    .ok();
    env.run(&[
        "declare",
        "Search results stale",
        "--sev",
        "SEV-3",
        "--service",
        "search",
    ])
    .ok();
    env.run(&["ack", "INC-2"]).ok();
    env.run(&["resolve", "INC-2", "--summary", "Reindexed"])
        .ok();
    env.run(&["declare", "Test alert fired", "--sev", "SEV-4"])
        .ok();
    env.run(&["decline", "INC-3", "--why", "Synthetic check misconfigured"])
        .ok();
    env.run(&[
        "declare",
        "Login page slow",
        "--sev",
        "SEV-3",
        "--service",
        "auth",
        "--service",
        "web",
    ])
    .ok();
    env
}

#[test]
fn list() {
    let env = sample();
    insta::assert_snapshot!("list", env.query(&["list"]).ok());
    insta::assert_snapshot!("list_open", env.query(&["list", "--open"]).ok());
    insta::assert_snapshot!(
        "list_json",
        env.query(&["list", "--sev", "SEV-2", "--json"]).ok()
    );
}

#[test]
fn show() {
    let env = sample();
    insta::assert_snapshot!("show", env.query(&["show", "INC-1"]).ok());
    insta::assert_snapshot!("show_json", env.query(&["show", "INC-1", "--json"]).ok());
    insta::assert_snapshot!("incident_file", env.read("incidents/2026/INC-1.toml"));
    insta::assert_snapshot!("git_log", env.git(&["log", "--format=%s%n%b---", "-3"]));
}

#[test]
fn errors() {
    let env = sample();
    let errors = [
        env.query(&["show", "INC-42"]),
        env.query(&["close", "INC-1"]),
        env.query(&["sev", "INC-1", "SEV-0"]),
        env.query(&["note", "INC-3", "late"]),
        env.query(&["declare", "x", "--started", "last tuesday"]),
    ];
    let text: String = errors
        .iter()
        .map(|r| format!("exit {}\n{}\n", r.code, r.stderr))
        .collect();
    insta::assert_snapshot!("errors", text);
    env.write(
        "incidents/2026/INC-2.toml",
        &env.read("incidents/2026/INC-2.toml")
            .replace("status = \"resolved\"", "status = resolved"),
    );
    insta::assert_snapshot!("parse_error", env.query(&["show", "INC-2"]).stderr);
    let problems = env.query(&["validate"]);
    problems.code(1);
    insta::assert_snapshot!("validate", problems.stdout);
    // Given files: a problem is exit 1, a file that cannot be read at all
    // is unreadable input, exit 2.
    env.query(&["validate", "incidents/2026/INC-2.toml"])
        .code(1);
    let missing = env.query(&["validate", "incidents/2026/INC-1.toml", "no-such.toml"]);
    missing.code(2).stderr_has("1 of 2 files could not be read");
    assert!(
        missing.stdout.contains("no-such.toml: cannot read"),
        "{}",
        missing.stdout
    );
}

#[test]
fn help() {
    let env = TestEnv::empty();
    insta::assert_snapshot!("help", env.query(&["--help"]).ok());
    insta::assert_snapshot!("help_mitigate", env.query(&["mitigate", "--help"]).ok());
    insta::assert_snapshot!("help_close", env.query(&["close", "--help"]).ok());
    // The main subcommands' pages (cleanup's and respond's are with their
    // own tests).
    for name in [
        "declare",
        "ack",
        "note",
        "update",
        "resolve",
        "list",
        "show",
        "log",
        "diff",
        "report",
        "stats",
        "sync",
        "man",
        "completions",
    ] {
        insta::assert_snapshot!(format!("help_{name}"), env.query(&[name, "--help"]).ok());
    }
    insta::assert_snapshot!("help_short_declare", env.query(&["declare", "-h"]).ok());
}

#[test]
fn completions_and_manual() {
    let env = TestEnv::empty();
    let bash = env.query(&["completions", "bash"]);
    assert!(
        bash.ok().contains("\n_git_incident() {"),
        "the function git's completion calls: {}",
        bash.stdout
    );
    // The shells this tool does not drive itself keep clap's script.
    let elvish = env.query(&["completions", "elvish"]);
    assert!(elvish.ok().contains("mitigate"), "{}", elvish.stdout);
    let man = env.query(&["man"]);
    assert!(
        man.ok().starts_with(".ie"),
        "{}",
        &man.stdout[..80.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("git\\-incident"));
}
