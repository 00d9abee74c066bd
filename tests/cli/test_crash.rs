//! A process that dies half-way through a change: the real binary is
//! stopped (SIGABRT) at a named point of its write (the working file, its
//! index entry, the branch), and the next command must find a valid
//! repository, lose nothing, clear what the dead writer left, and undo or
//! finish its change without touching anyone's edits.

use crate::harness::TestEnv;

/// Runs `git-incident` with `args`, stopped dead at `point`.
pub(crate) fn crash_at(env: &TestEnv, point: &str, args: &[&str]) {
    let out = env
        .command(args)
        .env("GIT_INCIDENT_FAILPOINT", point)
        .output()
        .expect("the binary runs");
    assert!(
        !out.status.success() && out.status.code().is_none(),
        "{args:?} should have died at {point}: {out:?}"
    );
}

pub(crate) fn fsck_is_clean(env: &TestEnv) {
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "{}", fsck.stderr);
}

/// Nothing the tool keeps for itself is left: no intent, lock or scratch file.
fn no_leftovers(env: &TestEnv) {
    assert!(!env.path(".git/git-incident/pending-write").exists());
    assert!(!env.path(".git/index.lock").exists());
    assert!(!env.path(".git/refs/heads/main.lock").exists());
    let scratch = env.path(".git/git-incident/tmp");
    if scratch.exists() {
        assert_eq!(std::fs::read_dir(scratch).unwrap().count(), 0);
    }
}

/// Before the branch moved, the change is undone by the next command.
const BEFORE_THE_MOVE: [&str; 5] = [
    "before-write",
    "after-write",
    "index-locked",
    "after-index",
    "ref-locked",
];

#[test]
fn a_crash_before_the_branch_moves_is_undone_by_the_next_command() {
    for point in BEFORE_THE_MOVE {
        let env = TestEnv::ledger();
        env.declare("Checkout 502s");
        let path = env.incident_path("INC-1");
        let commits = env.commit_count();
        crash_at(&env, point, &["note", "INC-1", "lost in the crash"]);
        assert_eq!(env.commit_count(), commits, "{point}");
        fsck_is_clean(&env);
        // The index never holds less than HEAD: what is staged, if
        // anything, is the change itself, never its revert.
        let staged = env.git(&["diff", "--cached", "--numstat"]);
        assert!(
            staged.lines().all(|l| l.split('\t').nth(1) == Some("0")),
            "{point}: {staged}"
        );
        env.run(&["ack", "INC-1"]).ok();
        assert_eq!(env.commit_count(), commits + 1, "{point}");
        let text = env.read(&path);
        assert!(!text.contains("lost in the crash"), "{point}: {text}");
        assert!(text.contains("acknowledged_at"), "{point}: {text}");
        assert_eq!(env.status(), "", "{point}");
        assert_eq!(env.git(&["show", &format!("HEAD:{path}")]), text);
        fsck_is_clean(&env);
        no_leftovers(&env);
    }
}

#[test]
fn a_crash_after_the_branch_moved_leaves_a_consistent_ledger() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    let commits = env.commit_count();
    crash_at(&env, "after-commit", &["note", "INC-1", "recorded"]);
    assert_eq!(env.commit_count(), commits + 1);
    assert_eq!(env.status(), "");
    assert_eq!(env.git(&["show", &format!("HEAD:{path}")]), env.read(&path));
    env.run(&["ack", "INC-1"]).ok();
    let text = env.read(&path);
    assert!(text.contains("recorded") && text.contains("acknowledged_at"));
    assert_eq!(env.status(), "");
    no_leftovers(&env);
}

#[test]
fn a_crashed_declaration_leaves_no_file_behind() {
    for point in ["after-write", "after-index", "ref-locked"] {
        let env = TestEnv::ledger();
        crash_at(&env, point, &["declare", "Checkout 502s", "--sev", "SEV-2"]);
        env.declare("Search slow");
        let text = env.read("incidents/2026/INC-1.toml");
        assert!(text.contains("Search slow"), "{point}: {text}");
        assert!(!env.path("incidents/2026/INC-2.toml").exists(), "{point}");
        assert_eq!(env.status(), "", "{point}");
        fsck_is_clean(&env);
        no_leftovers(&env);
    }
}

#[test]
fn a_users_commit_after_a_crash_keeps_the_change_it_commits() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    crash_at(
        &env,
        "after-index",
        &["note", "INC-1", "staged when killed"],
    );
    // The user commits what is staged with plain git: the change itself.
    env.write("notes.txt", "mine\n");
    env.git(&["add", "notes.txt"]);
    env.git(&["commit", "-q", "-m", "My notes"]);
    assert!(
        env.git(&["show", &format!("HEAD:{path}")])
            .contains("staged when killed")
    );
    // The next command sees the change recorded and carries on.
    env.run(&["ack", "INC-1"]).ok();
    let text = env.read(&path);
    assert!(text.contains("staged when killed") && text.contains("acknowledged_at"));
    assert_eq!(env.git(&["show", "HEAD:notes.txt"]), "mine\n");
    assert_eq!(env.status(), "");
    no_leftovers(&env);
}

#[test]
fn an_edit_made_after_a_crash_is_left_to_its_author() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    crash_at(&env, "after-write", &["note", "INC-1", "never committed"]);
    // Someone edits the file before any other command runs.
    let edited = format!("{}# looked at this during the outage\n", env.read(&path));
    env.write(&path, &edited);
    let refused = env.run(&["ack", "INC-1"]);
    refused
        .code(1)
        .stderr_has("has changes that are not committed");
    assert_eq!(env.read(&path), edited, "the edit is never overwritten");
    // Discarding the edit is all it takes.
    env.git(&["checkout", "--", &path]);
    env.run(&["ack", "INC-1"]).ok();
    let text = env.read(&path);
    assert!(!text.contains("never committed") && text.contains("acknowledged_at"));
    assert_eq!(env.status(), "");
    no_leftovers(&env);
}

#[test]
fn an_intent_is_dropped_once_the_user_reset_the_change_away() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    crash_at(&env, "after-index", &["note", "INC-1", "reset away"]);
    env.git(&["reset", "-q", "--hard"]);
    env.run(&["ack", "INC-1"]).ok();
    assert!(!env.read(&path).contains("reset away"));
    assert_eq!(env.status(), "");
    no_leftovers(&env);
}

#[test]
fn a_branch_lock_the_tool_cannot_prove_its_own_is_refused_with_the_fix() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    // What a crashed `git commit` leaves behind.
    let lock = env.path(".git/refs/heads/main.lock");
    std::fs::copy(env.path(".git/refs/heads/main"), &lock).unwrap();
    let run = env.refused(&["note", "INC-1", "x"], 1, "main.lock exists");
    assert!(
        run.stderr.contains("remove the lock") && !run.stderr.contains("moved under us"),
        "{}",
        run.stderr
    );
    assert!(lock.exists(), "a lock that may be git's is never removed");
    std::fs::remove_file(&lock).unwrap();
    env.run(&["note", "INC-1", "x"]).ok();
    assert_eq!(env.status(), "");
}
