//! Hostile and broken input (issue 11): each case of the corpus is a ledger
//! someone could push or a command line someone could type, with the exit
//! code and message it must get, and proof that nothing moved: HEAD, the
//! index's bytes, and every file, link and special file of the work tree.
//!
//! The corpus counts with tests/fixtures/bad and test_refusals.rs toward the
//! issue's sixty cases.

use std::path::Path;

use crate::harness::TestEnv;

/// One bad input: how to make it, what to run, what must come back.
struct Case {
    name: &'static str,
    setup: fn(&TestEnv),
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
}

/// A ledger holding the acknowledged INC-1 fixture.
fn ledger() -> TestEnv {
    let env = TestEnv::ledger();
    env.install_fixture("states/acknowledged.toml");
    env
}

/// Commits every change in the work tree, as a pushed ledger would hold it.
fn commit_all(env: &TestEnv) {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "hostile content"]);
}

/// Replaces `from` with `to` in ledger.toml and commits it.
fn edit_config(env: &TestEnv, from: &str, to: &str) {
    let text = env.read("ledger.toml");
    assert!(text.contains(from), "ledger.toml lacks {from:?}");
    env.write("ledger.toml", &text.replacen(from, to, 1));
    commit_all(env);
}

/// Everything a refused command must leave alone.
#[derive(Debug, PartialEq, Eq)]
struct State {
    head: String,
    index: Vec<u8>,
    tree: Vec<(String, String)>,
}

fn state(env: &TestEnv) -> State {
    let index = std::fs::read(env.path(".git/index")).unwrap_or_default();
    let mut tree = Vec::new();
    walk(&env.dir, &env.dir, &mut tree);
    tree.sort();
    State {
        head: env.git_run(&["rev-parse", "HEAD"]).stdout,
        index,
        tree,
    }
}

/// Every entry under `dir` but .git: a file's bytes, a link's target, and
/// the kind of anything else (a FIFO is never opened).
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if rel == ".git" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let what = if meta.file_type().is_symlink() {
            format!("link to {}", std::fs::read_link(&path).unwrap().display())
        } else if meta.is_dir() {
            walk(root, &path, out);
            "dir".to_owned()
        } else if meta.is_file() {
            format!("{:?}", std::fs::read(&path).unwrap())
        } else {
            format!("special {:?}", meta.file_type())
        };
        out.push((rel, what));
    }
}

/// Runs every case in a fresh ledger.
fn check(cases: &[Case]) {
    for case in cases {
        let env = ledger();
        (case.setup)(&env);
        let before = state(&env);
        let run = env.run(case.args);
        assert_eq!(
            run.code, case.code,
            "{}: exit code\nstdout:\n{}\nstderr:\n{}",
            case.name, run.stdout, run.stderr
        );
        assert!(
            run.stderr.contains(case.message),
            "{}: stderr lacks {:?}:\n{}",
            case.name,
            case.message,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", case.name);
        assert_eq!(state(&env), before, "{}: changed the ledger", case.name);
    }
}

fn nothing(_: &TestEnv) {}

/// Issue 11: `--at "3000 years ago"` panicked (exit 101) writing a year
/// TOML cannot hold; a time before 1970 silently meant the present; a
/// 261000-year cleanup deadline panicked in `cleanup` and `stats`.
#[test]
fn times_and_durations_are_bounded() {
    fn deadline(env: &TestEnv) {
        edit_config(env, "deadline = \"14d\"", "deadline = \"261000y\"");
    }
    fn by_severity(env: &TestEnv) {
        edit_config(env, "\"SEV-2\" = \"7d\"", "\"SEV-2\" = \"261000y\"");
    }
    fn cadence(env: &TestEnv) {
        edit_config(
            env,
            "\"SEV-1\" = \"30m\"",
            "\"SEV-1\" = \"99999999999999y\"",
        );
    }
    const OUTSIDE: &str = "is outside the years 1970 to 9999";
    check(&[
        Case {
            name: "note --at 3000 years ago",
            setup: nothing,
            args: &["note", "INC-1", "x", "--at", "3000 years ago"],
            code: 2,
            message: "--at: `3000 years ago` is outside the years 1970 to 9999",
        },
        Case {
            name: "note --at before 1970",
            setup: nothing,
            args: &["note", "INC-1", "x", "--at", "1969-12-31T23:59:59Z"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "show --at before 1970",
            setup: nothing,
            args: &["show", "INC-1", "--at", "1960-01-01"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "log of a diff from before 1970",
            setup: nothing,
            args: &["diff", "INC-1", "1960-01-01"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "declare --started 3000 years ago",
            setup: nothing,
            args: &["declare", "x", "--started", "3000 years ago"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "action --due in the year 12345",
            setup: nothing,
            args: &[
                "action",
                "INC-1",
                "x",
                "--owner",
                "me",
                "--due",
                "+12345-01-01",
            ],
            code: 2,
            message: "--due: `+12345-01-01` is outside the years 1970 to 9999",
        },
        Case {
            name: "cleanup deadline of 261000 years: cleanup",
            setup: deadline,
            args: &["cleanup"],
            code: 2,
            message: "ledger.toml: cleanup.deadline `261000y` is longer than 100 years",
        },
        Case {
            name: "cleanup deadline of 261000 years: cleanup --overdue",
            setup: deadline,
            args: &["cleanup", "--overdue"],
            code: 2,
            message: "cleanup.deadline `261000y` is longer than 100 years",
        },
        Case {
            name: "cleanup deadline of 261000 years: stats",
            setup: by_severity,
            args: &["stats"],
            code: 2,
            message: "cleanup.by_severity `261000y` is longer than 100 years",
        },
        Case {
            name: "an update cadence past any calendar",
            setup: cadence,
            args: &["list"],
            code: 2,
            message: "update_cadence `99999999999999y`",
        },
    ]);
}

/// Commits `incidents/2026/NAME.toml`, the acknowledged fixture under `id`.
fn incident_named(env: &TestEnv, name: &str, id: &str) {
    let text = env.read("incidents/2026/INC-1.toml");
    env.write(
        &format!("incidents/2026/{name}.toml"),
        &text.replace("id = \"INC-1\"", &format!("id = \"{id}\"")),
    );
    commit_all(env);
}

/// Issue 11: with INC-18446744073709551615 present the next two declares
/// both became INC-0, the second overwriting the first.
#[test]
fn ids_do_not_overflow_and_prefixes_are_checked() {
    fn last_number(env: &TestEnv) {
        let id = format!("INC-{}", u64::MAX);
        incident_named(env, &id, &id);
    }
    fn lowercase(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"inc\"");
    }
    fn too_long(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"ABCDEFGHIJKLMNOPQ\"");
    }
    fn dashed(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"IN-C\"");
    }
    check(&[
        Case {
            name: "declare after the last number",
            setup: last_number,
            args: &["declare", "x", "--sev", "SEV-2"],
            code: 1,
            message: "no incident number is left after INC-18446744073709551615",
        },
        Case {
            name: "an id past u64",
            setup: nothing,
            args: &["show", "INC-18446744073709551616"],
            code: 2,
            message: "is not an incident id",
        },
        Case {
            name: "a lowercase prefix",
            setup: lowercase,
            args: &["list"],
            code: 2,
            message: "prefix `inc` must be 1 to 16 uppercase letters and digits",
        },
        Case {
            name: "a prefix of 17 letters",
            setup: too_long,
            args: &["list"],
            code: 2,
            message: "prefix `ABCDEFGHIJKLMNOPQ` must be 1 to 16",
        },
        Case {
            name: "a prefix with a dash",
            setup: dashed,
            args: &["declare", "x"],
            code: 2,
            message: "prefix `IN-C` must be",
        },
    ]);
}

/// `INC-007`, `inc-7` and `7` are all INC-7: ids are numbers, read
/// case-insensitively, and always written `INC-7`.
#[test]
fn leading_zeros_name_the_same_incident() {
    let env = ledger();
    for text in ["INC-007", "inc-7", "007"] {
        let run = env.run(&["show", text]);
        assert_eq!(run.code, 1, "{text}: {}", run.stderr);
        assert!(
            run.stderr.contains("no incident INC-7"),
            "{text}: {}",
            run.stderr
        );
    }
    let shown = env.incident("INC-001");
    assert_eq!(shown["id"], "INC-1");
    // A later declaration counts past every number held.
    incident_named(&env, "INC-7", "INC-7");
    assert_eq!(env.declare("next"), "INC-8");
}
