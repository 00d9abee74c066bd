//! Issue 12, point 19: a change's commit runs the repository's hooks as
//! `git commit --only <file>` does: `pre-commit` and `commit-msg` before
//! anything is written, on a temporary index of HEAD plus the incident
//! file, and `post-commit` after.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::harness::TestEnv;

fn hook(dir: &Path, name: &str, script: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn ledger() -> (TestEnv, String) {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    (env, id)
}

/// pre-commit sees HEAD plus the incident file, never the user's other
/// staged work, which stays staged; post-commit runs once the branch moved.
#[test]
fn pre_commit_sees_only_the_incident_file_and_post_commit_runs_after() {
    let (env, id) = ledger();
    let hooks = env.path(".git/hooks");
    hook(
        &hooks,
        "pre-commit",
        "git diff --cached --name-only > ../pre-commit.seen; echo checked by pre-commit",
    );
    hook(
        &hooks,
        "post-commit",
        "git rev-parse HEAD > ../post-commit.seen",
    );
    env.write("draft.md", "half-written postmortem\n");
    env.git(&["add", "draft.md"]);

    let run = env.run(&["note", &id, "pool exhausted"]);
    run.ok();
    run.stderr_has("checked by pre-commit");
    let seen = std::fs::read_to_string(env.dir.join("../pre-commit.seen")).unwrap();
    assert_eq!(seen.trim(), env.incident_path(&id));
    let after = std::fs::read_to_string(env.dir.join("../post-commit.seen")).unwrap();
    assert_eq!(after.trim(), env.head());
    assert_eq!(
        env.git(&["diff", "--cached", "--name-only"]).trim(),
        "draft.md"
    );
    assert_eq!(env.head_files(), [env.incident_path(&id)]);
}

/// A failing pre-commit or commit-msg refuses the change with the hook's
/// output, and nothing is written.
#[test]
fn a_failing_pre_commit_or_commit_msg_refuses_with_its_output() {
    let (env, id) = ledger();
    let hooks = env.path(".git/hooks");
    hook(
        &hooks,
        "pre-commit",
        "echo 'lint: incident titles need a service' >&2; exit 1",
    );
    let run = env.refused(
        &["note", &id, "x"],
        1,
        "the repository's pre-commit hook refused the change",
    );
    run.stderr_has("lint: incident titles need a service")
        .stderr_has("hooks = false");
    std::fs::remove_file(hooks.join("pre-commit")).unwrap();
    hook(
        &hooks,
        "commit-msg",
        "grep -q 'Ticket:' \"$1\" || { echo 'no ticket' >&2; exit 1; }",
    );
    env.refused(&["note", &id, "x"], 1, "commit-msg hook refused")
        .stderr_has("no ticket");
}

/// commit-msg may edit the message, as it may for git commit.
#[test]
fn commit_msg_may_edit_the_message() {
    let (env, id) = ledger();
    hook(
        &env.path(".git/hooks"),
        "commit-msg",
        "printf '\\nTicket: OPS-12\\n' >> \"$1\"",
    );
    env.run(&["note", &id, "pool exhausted"]).ok();
    let message = env.git(&["log", "-1", "--format=%B"]);
    assert!(message.contains("Ticket: OPS-12"), "{message}");
    assert!(message.contains("Incident-Change: note"), "{message}");
    env.run(&["verify"]).ok();
}

/// core.hooksPath is where git looks, and so does the tool; `hooks =
/// false` in ledger.toml turns the hooks off for the tool's commits.
#[test]
fn hooks_path_is_honoured_and_the_ledger_may_turn_hooks_off() {
    let (env, id) = ledger();
    hook(
        &env.path("team-hooks"),
        "pre-commit",
        "echo 'from team-hooks' >&2; exit 1",
    );
    env.git(&["config", "core.hooksPath", "team-hooks"]);
    env.refused(&["note", &id, "x"], 1, "pre-commit hook refused")
        .stderr_has("from team-hooks");
    let config = env.read("ledger.toml");
    env.write(
        "ledger.toml",
        &config.replacen("prefix = \"INC\"", "prefix = \"INC\"\nhooks = false", 1),
    );
    env.git(&[
        "commit",
        "-qam",
        "No hooks for incident changes",
        "--no-verify",
    ]);
    env.run(&["note", &id, "x"]).ok();
}
