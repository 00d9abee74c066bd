//! `validate` at rest: every rule the tool enforces on a change holds for
//! a file written by hand too. Each fixture in tests/fixtures/at-rest
//! parses, breaks one rule, and says on its first line where and how
//! (`# expect: LINE:COL: message`).

use crate::harness::{TestEnv, fixtures};

const PATH: &str = "incidents/2026/INC-1.toml";

#[test]
fn each_rule_at_rest_is_caught_where_it_is_broken() {
    let dir = fixtures().join("at-rest");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let env = TestEnv::ledger();
        let config = env
            .read("ledger.toml")
            .replace("services = []", "services = [\"api\", \"web\"]");
        env.write("ledger.toml", &config);
        env.git(&["commit", "-qam", "Known services"]);
        env.install_fixture(&format!("at-rest/{name}"));
        let text = env.read(PATH);
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{name} says what it expects"));
        let run = env.refused(&["validate"], 1, "1 problem in 1 incident files");
        assert_eq!(run.stdout.trim(), format!("{PATH}:{expect}"), "{name}");
        // The same file named on the command line.
        let run = env.run(&["validate", PATH]);
        run.code(1);
        assert_eq!(run.stdout.trim(), format!("{PATH}:{expect}"), "{name}");
    }
}

#[test]
fn the_same_id_in_two_folders_is_caught() {
    let env = TestEnv::ledger();
    env.declare("Checkout down");
    let path = env.incident_path("INC-1");
    let text = env.read(&path);
    env.write("incidents/2025/INC-1.toml", &text);
    let run = env.run(&["validate"]);
    run.code(1);
    assert_eq!(
        run.stdout.trim(),
        format!("{path}:1:1: INC-1 is also in incidents/2025/INC-1.toml; an id names one incident")
    );
}

#[test]
fn a_sound_ledger_validates() {
    let env = TestEnv::ledger();
    env.declare("Checkout down");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["note", "INC-1", "Looking"]).ok();
    let run = env.run(&["validate"]);
    run.ok();
    assert!(
        run.stderr
            .contains("1 incident files checked, no problems."),
        "{}",
        run.stderr
    );
}

#[test]
fn the_pre_commit_hook_refuses_a_commit_of_an_invalid_incident_file() {
    let env = TestEnv::ledger();
    env.declare("Checkout down");
    let run = env.run(&["init", "--hooks"]);
    run.ok();
    assert!(
        run.stderr.contains("Installed a pre-commit hook"),
        "{}",
        run.stderr
    );
    let hook = env.read(".git/hooks/pre-commit");
    assert!(hook.contains("validate --staged"), "{hook}");
    let path = env.incident_path("INC-1");
    let good = env.read(&path);
    let head = env.head();
    env.write(&path, &good.replace("SEV-2", "SEV-9"));
    for commit in [
        &["commit", "-qam", "Raise it"][..],
        &["commit", "-qm", "Raise it", "--", &path][..],
    ] {
        let refused = env.git_run(commit);
        assert_ne!(refused.code, 0, "{commit:?} went through");
        assert!(
            refused.stderr.contains("unknown severity `SEV-9`"),
            "{}",
            refused.stderr
        );
        assert_eq!(env.head(), head);
    }
    env.git(&["add", &path]);
    assert_ne!(env.git_run(&["commit", "-qm", "Raise it"]).code, 0);
    assert_eq!(env.head(), head);
    // What is staged is what counts: a sound file commits, whatever the
    // working tree holds.
    env.write(&path, &good.replace("Checkout down", "Checkout is down"));
    env.git(&["commit", "-qam", "Fix the title"]);
    assert_ne!(env.head(), head);
    // Installing again replaces our own hook; someone else's is kept.
    env.run(&["init", "--hooks"]).ok();
    env.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n");
    env.refused(
        &["init", "--hooks"],
        1,
        "a pre-commit hook that git-incident did not write",
    );
}
