//! A process that dies half-way through a change: the real binary is
//! stopped (SIGABRT) at a named point between the commit and the working
//! file, and the next command must find a valid repository, lose nothing,
//! and finish what was left undone without touching anyone's edits.

use crate::harness::TestEnv;

/// Runs `git-incident` with `args`, stopped dead at `point`.
fn crash_at(env: &TestEnv, point: &str, args: &[&str]) {
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

fn fsck_is_clean(env: &TestEnv) {
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "{}", fsck.stderr);
}

#[test]
fn a_crash_after_the_commit_is_finished_by_the_next_command() {
    for point in ["after-commit", "after-write"] {
        let env = TestEnv::ledger();
        env.declare("Checkout 502s");
        let path = env.incident_path("INC-1");
        let commits = env.commit_count();
        crash_at(&env, point, &["note", "INC-1", "written before the crash"]);
        // The commit landed; the work tree or the index lags behind it.
        assert_eq!(env.commit_count(), commits + 1, "{point}");
        assert!(
            env.git(&["show", &format!("HEAD:{path}")])
                .contains("written before the crash")
        );
        assert_ne!(env.status(), "", "{point}: the crash leaves a trace");
        fsck_is_clean(&env);
        // The next change finishes the write, then makes its own.
        env.run(&["ack", "INC-1"]).ok();
        assert_eq!(env.commit_count(), commits + 2, "{point}");
        let text = env.read(&path);
        assert!(text.contains("written before the crash"), "{point}: {text}");
        assert!(text.contains("acknowledged_at"), "{point}: {text}");
        assert_eq!(env.status(), "", "{point}");
        assert_eq!(env.git(&["show", &format!("HEAD:{path}")]), text);
        fsck_is_clean(&env);
        assert!(!env.path(".git/git-incident/pending-write").exists());
    }
}

#[test]
fn a_crashed_declaration_gets_its_file_back() {
    let env = TestEnv::ledger();
    crash_at(
        &env,
        "after-commit",
        &["declare", "Checkout 502s", "--sev", "SEV-2"],
    );
    let path = "incidents/2026/INC-1.toml";
    assert!(!env.path(path).exists());
    env.declare("Search slow");
    assert!(env.read(path).contains("Checkout 502s"));
    assert!(
        env.read("incidents/2026/INC-2.toml")
            .contains("Search slow")
    );
    assert_eq!(env.status(), "");
    fsck_is_clean(&env);
}

#[test]
fn an_edit_made_after_a_crash_is_left_to_its_author() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    crash_at(&env, "after-commit", &["note", "INC-1", "committed"]);
    // Someone edits the stale working file before any other command runs.
    let edited = format!("{}# looked at this during the outage\n", env.read(&path));
    env.write(&path, &edited);
    let refused = env.run(&["ack", "INC-1"]);
    refused
        .code(1)
        .stderr_has("has changes that are not committed");
    assert_eq!(env.read(&path), edited, "the edit is never overwritten");
    // Discarding the edit is all it takes: the next command finishes the
    // interrupted write, then makes its own.
    env.git(&["checkout", "--", &path]);
    env.run(&["ack", "INC-1"]).ok();
    let text = env.read(&path);
    assert!(text.contains("committed") && text.contains("acknowledged_at"));
    assert_eq!(env.status(), "");
    assert!(!env.path(".git/git-incident/pending-write").exists());
}

#[test]
fn an_intent_is_dropped_once_the_branch_has_moved_on() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    crash_at(&env, "after-commit", &["note", "INC-1", "committed"]);
    // The user undoes the note with plain git instead.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.run(&["ack", "INC-1"]).ok();
    assert!(!env.read(&path).contains("committed"));
    assert!(!env.path(".git/git-incident/pending-write").exists());
    assert_eq!(env.status(), "");
}
