//! The help pages' layout: each subcommand's own options first, the global
//! ones after them under "Global options", the global `--at` explained as
//! the command reads it and left out where it means nothing, and examples
//! for the commands people use most. The pages' text is snapshotted in
//! test_snapshots.rs.

use crate::harness::TestEnv;

const GLOBALS: [&str; 6] = [
    "-C <DIR>",
    "--json",
    "--as <",
    "--at <",
    "--quiet",
    "--no-color",
];

/// The subcommands the top page lists, `help` aside.
fn subcommands(env: &TestEnv) -> Vec<String> {
    let top = env.query(&["--help"]).ok().to_owned();
    let (_, list) = top.split_once("Commands:\n").expect("a command list");
    list.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_page_shows_its_own_options_first_and_the_global_ones_under_their_heading() {
    let env = TestEnv::empty();
    let names = subcommands(&env);
    assert!(names.len() > 25, "{names:?}");
    let mut pages: Vec<Vec<&str>> = names.iter().map(|n| vec![n.as_str()]).collect();
    pages.extend([vec!["cleanup", "done"], vec!["action", "done"]]);
    for page in &pages {
        for flag in ["--help", "-h"] {
            let args: Vec<&str> = page.iter().copied().chain([flag]).collect();
            let text = env.query(&args).ok().to_owned();
            let (own, global) = text
                .split_once("\nGlobal options:\n")
                .unwrap_or_else(|| panic!("{page:?} {flag} has no Global options:\n{text}"));
            assert!(own.contains("\nOptions:\n"), "{page:?} {flag}:\n{text}");
            for option in GLOBALS {
                assert!(
                    !own.contains(option),
                    "{page:?} {flag}: {option} among its own options:\n{text}"
                );
            }
            let global = global.split("\nExamples:\n").next().unwrap_or_default();
            // These every command takes; --at, --as and --json only some.
            for option in ["-C <DIR>", "--quiet", "--no-color"] {
                assert!(global.contains(option), "{page:?} {flag}: {option}\n{text}");
            }
            assert!(
                !text.contains("For show and stats"),
                "{page:?} {flag}: the top page's --at text\n{text}"
            );
        }
    }
}

#[test]
fn the_global_at_says_what_it_means_for_each_command_and_only_where_it_applies() {
    let env = TestEnv::empty();
    let help = |args: &[&str]| env.query(args).ok().to_owned();
    // `--at` and its text, on one line or two as the page lays them out.
    let at = |text: &str| -> String {
        let mut lines = text.lines().skip_while(|l| !l.contains("--at <"));
        let first = lines.next().unwrap_or_default();
        format!(
            "{} {}",
            first.trim(),
            lines.next().unwrap_or_default().trim()
        )
    };
    for page in [
        &["ack"][..],
        &["declare"],
        &["mitigate"],
        &["cleanup", "done"],
        &["action", "done"],
    ] {
        let text = help(&[page, &["--help"]].concat());
        let at = at(&text);
        assert!(
            at.starts_with("--at <TIME>") && at.contains("When it happened, if recorded late"),
            "{page:?}: {at}\n{text}"
        );
    }
    for page in ["show", "stats", "list"] {
        let text = help(&[page, "--help"]);
        let at = at(&text);
        assert!(
            at.starts_with("--at <REV|TIME>") && at.contains("The point of history to read"),
            "{page}: {at}\n{text}"
        );
    }
    for page in [
        &["man"][..],
        &["completions"],
        &["init"],
        &["respond"],
        &["runbook"],
        &["cleanup"],
        &["log"],
        &["report"],
    ] {
        let text = help(&[page, &["--help"]].concat());
        assert!(!text.contains("--at <"), "{page:?}:\n{text}");
    }
    // The top page describes both readings.
    assert!(help(&["--help"]).contains("For list, show and stats"));
    // The text changes per page; what the option does does not.
    let env = TestEnv::ledger();
    env.set_now("2026-11-26T19:00:00Z");
    env.declare("Checkout API returning 502s");
    env.run(&["ack", "INC-1", "--at", "2026-11-26T19:00:30Z"])
        .ok();
    assert_eq!(
        env.incident("INC-1")["acknowledged_at"],
        "2026-11-26T19:00:30Z"
    );
    let then = env.query(&["show", "INC-1", "--at", "HEAD~1", "--json"]);
    assert!(then.ok().contains("\"declared\""), "{}", then.stdout);
    assert!(!then.stdout.contains("\"acknowledged\""), "{}", then.stdout);
}

/// A page shows a global option where its command takes it, and leaves
/// it out where the command refuses it.
#[test]
fn a_page_shows_the_global_options_its_command_takes_and_no_other() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    let bob = "Bob Ng <bob@example.com>";
    for (args, option, taken) in [
        (vec!["note", &id, "x", "--as", bob], "--as <", true),
        (vec!["note", &id, "x", "--json"], "--json", true),
        (vec!["init", "--as", bob], "--as <", true),
        (vec!["list", "--as", bob], "--as <", false),
        (vec!["show", &id, "--as", bob], "--as <", false),
        (vec!["log", &id, "--at", "HEAD"], "--at <", false),
        (vec!["cleanup", "--at", "HEAD"], "--at <", false),
        (vec!["list", "--at", "HEAD"], "--at <", true),
        (vec!["man", "--json"], "--json", false),
        (vec!["completions", "bash", "--json"], "--json", false),
        (vec!["runbook", "--json"], "--json", true),
    ] {
        let page = env.query(&[args[0], "--help"]).ok().to_owned();
        assert_eq!(
            page.contains(option),
            taken,
            "{option} on {}:\n{page}",
            args[0]
        );
        let run = env.run(&args);
        let refused = run.code == 2 && run.stderr.contains("does not apply to");
        assert_eq!(refused, !taken, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn the_most_used_commands_show_examples_in_their_long_help_only() {
    let env = TestEnv::empty();
    for name in [
        "declare", "note", "mitigate", "respond", "list", "show", "log", "cleanup", "sync",
    ] {
        let long = env.query(&[name, "--help"]).ok().to_owned();
        let (_, examples) = long
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{name} --help has no examples:\n{long}"));
        let commands = examples
            .lines()
            .filter(|l| l.trim_start().starts_with("git "))
            .count();
        assert!(commands >= 2, "{name}: {commands} examples\n{examples}");
        assert!(examples.contains(&format!("incident {name}")), "{name}");
        let short = env.query(&[name, "-h"]).ok().to_owned();
        assert!(!short.contains("Examples:"), "{name} -h:\n{short}");
        assert!(short.contains("Global options:"), "{name} -h:\n{short}");
    }
}
