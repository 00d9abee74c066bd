//! The merge driver under the real `git`: clones that each add a note to
//! one incident, then `git pull`, `git pull --rebase` and a criss-cross
//! merge; and the warning a clone without the driver gets.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Run, TestEnv};

/// `git` in `dir`, with the test's home and config.
fn git_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("HOME", &env.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", env.home.join(".gitconfig"))
        .env("GIT_AUTHOR_DATE", env.now().to_rfc3339())
        .env("GIT_COMMITTER_DATE", env.now().to_rfc3339())
        .output()
        .expect("git runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn git_ok(env: &TestEnv, dir: &Path, args: &[&str]) -> String {
    let run = git_in(env, dir, args);
    assert_eq!(run.code, 0, "git {args:?}: {}{}", run.stdout, run.stderr);
    run.stdout
}

/// `git-incident` in `dir`; the clock moves on a minute.
fn incident_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    env.run_in(dir, args)
}

/// A ledger with INC-1 pushed to a bare remote, and a second clone of it
/// (with the driver registered when `register`).
fn two_clones(register: bool) -> (TestEnv, PathBuf, String) {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    let remote = env.dir.parent().unwrap().join("remote.git");
    let other = env.dir.parent().unwrap().join("other");
    git_ok(
        &env,
        env.dir.parent().unwrap(),
        &["init", "--quiet", "--bare", "remote.git"],
    );
    env.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    env.git(&["push", "--quiet", "-u", "origin", "main"]);
    git_ok(
        &env,
        env.dir.parent().unwrap(),
        &["clone", "--quiet", remote.to_str().unwrap(), "other"],
    );
    if register {
        incident_in(&env, &other, &["init", "--clone"]).ok();
    }
    (env, other, id)
}

/// Both notes once, no markers, the file valid, the repository sound.
#[track_caller]
fn assert_merged(env: &TestEnv, dir: &Path, id: &str, notes: &[&str]) {
    let path = incident_in(env, dir, &["show", id, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(path.ok()).unwrap();
    let file = dir.join(shown["path"].as_str().unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    for note in notes {
        assert_eq!(text.matches(note).count(), 1, "{note} once in:\n{text}");
    }
    assert!(!text.contains("<<<<<<<"), "{text}");
    incident_in(env, dir, &["validate"]).ok();
    git_ok(env, dir, &["fsck", "--no-progress"]);
    assert_eq!(git_ok(env, dir, &["status", "--porcelain"]), "");
}

#[test]
fn init_writes_the_attribute_and_registers_the_driver() {
    let env = TestEnv::ledger();
    assert!(
        env.read(".gitattributes")
            .contains("incidents/**/*.toml merge=incident\n")
    );
    let driver = env.git(&["config", "merge.incident.driver"]);
    assert!(
        driver.trim_end().ends_with("merge-driver %O %A %B %P"),
        "{driver}"
    );
    let attr = env.git(&["check-attr", "merge", "--", "incidents/2026/INC-1.toml"]);
    assert_eq!(attr.trim(), "incidents/2026/INC-1.toml: merge: incident");
}

#[test]
fn pull_merges_notes_from_two_clones() {
    let (env, other, id) = two_clones(true);
    env.run(&["note", &id, "Rollback started"]).ok();
    env.git(&["push", "--quiet"]);
    incident_in(
        &env,
        &other,
        &["note", &id, "Error rate flat since the flag flip"],
    )
    .ok();
    git_ok(
        &env,
        &other,
        &["pull", "--quiet", "--no-rebase", "--no-edit"],
    );
    assert_merged(
        &env,
        &other,
        &id,
        &["Rollback started", "Error rate flat since the flag flip"],
    );
    // The merge commit has both sides as parents.
    assert_eq!(
        git_ok(&env, &other, &["log", "-1", "--format=%p"])
            .split_whitespace()
            .count(),
        2
    );
}

#[test]
fn pull_rebase_replays_a_note_onto_the_other() {
    let (env, other, id) = two_clones(true);
    env.run(&["note", &id, "Rollback started"]).ok();
    env.git(&["push", "--quiet"]);
    incident_in(&env, &other, &["note", &id, "Error rate flat"]).ok();
    incident_in(&env, &other, &["sev", &id, "SEV-1"]).ok();
    git_ok(&env, &other, &["pull", "--quiet", "--rebase"]);
    assert_merged(&env, &other, &id, &["Rollback started", "Error rate flat"]);
    assert_eq!(
        incident_in(&env, &other, &["show", &id, "--json"])
            .ok()
            .matches("\"SEV-1\"")
            .count(),
        1
    );
    // Linear: the two local commits sit on the remote's.
    assert_eq!(
        git_ok(&env, &other, &["log", "--format=%p", "-3"])
            .lines()
            .filter(|l| l.contains(' '))
            .count(),
        0
    );
}

#[test]
fn a_criss_cross_merge_keeps_every_note_once() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    env.git(&["branch", "two"]);
    env.run(&["note", &id, "one: first"]).ok();
    env.git(&["checkout", "--quiet", "two"]);
    env.run(&["note", &id, "two: first"]).ok();
    // Each branch merges the other: two merge bases for the final merge.
    env.git(&["merge", "--quiet", "--no-edit", "main"]);
    env.git(&["checkout", "--quiet", "main"]);
    env.git(&["merge", "--quiet", "--no-edit", "two~1"]);
    env.run(&["note", &id, "one: second"]).ok();
    env.git(&["checkout", "--quiet", "two"]);
    env.run(&["note", &id, "two: second"]).ok();
    env.git(&["checkout", "--quiet", "main"]);
    let bases = env.git(&["merge-base", "--all", "main", "two"]);
    assert_eq!(bases.lines().count(), 2, "a criss-cross: {bases}");
    env.git(&["merge", "--quiet", "--no-edit", "two"]);
    assert_merged(
        &env,
        &env.dir,
        &id,
        &["one: first", "two: first", "one: second", "two: second"],
    );
}

#[test]
fn a_clone_without_the_driver_is_warned_until_it_registers() {
    let (env, other, id) = two_clones(false);
    incident_in(&env, &other, &["note", &id, "first"])
        .code(0)
        .stderr_has("no incident merge driver")
        .stderr_has("git incident init --clone");
    incident_in(&env, &other, &["init", "--clone"]).ok();
    let quiet = incident_in(&env, &other, &["note", &id, "second"]);
    quiet.ok();
    assert!(!quiet.stderr.contains("merge driver"), "{}", quiet.stderr);
}

#[test]
fn two_declares_of_one_id_fall_back_to_markers() {
    let (env, other, _) = two_clones(true);
    env.declare("Search is slow");
    env.git(&["push", "--quiet"]);
    incident_in(&env, &other, &["declare", "Login fails", "--sev", "SEV-2"]).ok();
    let pull = git_in(&env, &other, &["pull", "--no-rebase", "--no-edit"]);
    assert_eq!(pull.code, 1, "{}{}", pull.stdout, pull.stderr);
    assert!(
        pull.stderr.contains("different incidents"),
        "{}",
        pull.stderr
    );
    let text = std::fs::read_to_string(other.join("incidents/2026/INC-2.toml")).unwrap();
    assert!(text.contains("<<<<<<< ours"), "{text}");
}

#[test]
fn the_driver_leaves_a_title_conflict_marked_and_valid() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    let path = env.incident_path(&id);
    let base = env.read(&path);
    let ours = base.replace("Checkout API returning 502s", "Checkout returning 502s");
    let theirs = base.replace("Checkout API returning 502s", "Checkout API failing");
    env.write("O.toml", &base);
    env.write("A.toml", &ours);
    env.write("B.toml", &theirs);
    env.run(&["merge-driver", "O.toml", "A.toml", "B.toml", &path])
        .code(1)
        .stderr_has("title");
    let merged = env.read("A.toml");
    assert!(
        merged.contains("<<<<<<< one version\nCheckout API failing\n"),
        "{merged}"
    );
    let back: toml::Table = toml::from_str(&merged).expect("still TOML");
    assert!(back["title"].as_str().unwrap().contains("======="));
}

/// A side past the size any ledger file may have is not read whole: the
/// driver leaves it to git's text merge, which keeps both changes.
#[test]
fn a_side_too_large_to_read_goes_to_git_s_text_merge() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    let path = env.incident_path(&id);
    let base = env.read(&path);
    let ours = base.replace("Checkout API returning 502s", "Checkout returning 502s");
    let padding = format!("# {}\n", "x".repeat(5 << 20));
    let theirs = format!("{base}{padding}");
    env.write("O.toml", &base);
    env.write("A.toml", &ours);
    env.write("B.toml", &theirs);
    env.run(&["merge-driver", "O.toml", "A.toml", "B.toml", &path])
        .code(0)
        .stderr_has("4 MiB");
    let merged = env.read("A.toml");
    assert!(merged.contains("Checkout returning 502s"), "ours kept");
    assert!(merged.ends_with(&padding), "theirs kept");
}
