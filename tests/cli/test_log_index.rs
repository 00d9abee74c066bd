//! The log index cannot lie: after every way history moves (new commits, a
//! reset, a merge, a renumbering by sync, a hand edit, a damaged index),
//! `log --json` read through the index is the same as a read of git's log
//! with no index at all, and as one through an index built afresh.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{BOB, Run, TestEnv};

const INDEX: &str = ".git/git-incident/log-index";
const LOCK: &str = ".git/git-incident/log-index.lock";

fn run_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    env.run_in(dir, args)
}

#[track_caller]
fn git_in(env: &TestEnv, dir: &Path, args: &[&str]) -> String {
    let cmd = env.command(&[]);
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(envs)
        .env("GIT_AUTHOR_DATE", env.now().to_rfc3339())
        .env("GIT_COMMITTER_DATE", env.now().to_rfc3339())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `log ID --json` in `dir`: through the index as it stands, then with
/// no index and its lock held (git's own log), then through an index built
/// afresh; all three must agree. The index read first must be as of HEAD.
#[track_caller]
fn assert_log_agrees(env: &TestEnv, dir: &Path, id: &str) -> String {
    let log = |dir: &Path| {
        let out = env
            .command(&["log", id, "--json"])
            .current_dir(dir)
            .output();
        let out = out.expect("the binary runs");
        assert!(out.status.success(), "log {id}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let index: PathBuf = dir.join(INDEX);
    let cached = log(dir);
    let tip = std::fs::read_to_string(index.join("tip.json")).expect("an index");
    let head = git_in(env, dir, &["rev-parse", "HEAD"]);
    assert!(tip.contains(head.trim()), "{tip}");
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::write(dir.join(LOCK), "").unwrap();
    let recomputed = log(dir);
    assert!(!index.exists(), "a held lock leaves the index alone");
    std::fs::remove_file(dir.join(LOCK)).unwrap();
    let rebuilt = log(dir);
    assert_eq!(cached, recomputed, "{id}: the index against git's log");
    assert_eq!(rebuilt, recomputed, "{id}: a fresh index against git's log");
    cached
}

fn commits_in(log: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(log).unwrap();
    v["entries"].as_array().map_or(0, Vec::len)
}

#[test]
fn new_commits_are_indexed_as_they_come() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.declare("Search is slow");
    env.run(&["ack", "INC-1"]).ok();
    let first = assert_log_agrees(&env, &env.dir, "INC-1");
    env.run(&["note", "INC-1", "rolled back"]).ok();
    env.run(&["note", "INC-2", "reindexing"]).ok();
    env.run(&["note", "INC-1", "error rate back to normal"])
        .ok();
    let later = assert_log_agrees(&env, &env.dir, "INC-1");
    assert_eq!(commits_in(&later), commits_in(&first) + 2, "{later}");
    assert_log_agrees(&env, &env.dir, "INC-2");
}

#[test]
fn a_reset_rebuilds_the_index() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    for n in 1..=4 {
        env.run(&["note", "INC-1", &format!("finding {n}")]).ok();
    }
    let before = assert_log_agrees(&env, &env.dir, "INC-1");
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    let after = assert_log_agrees(&env, &env.dir, "INC-1");
    assert_eq!(commits_in(&after), commits_in(&before) - 2, "{after}");
    assert!(!after.contains("finding 4"), "{after}");
    // And a new line of history from there.
    env.run(&["note", "INC-1", "instead"]).ok();
    let again = assert_log_agrees(&env, &env.dir, "INC-1");
    assert!(again.contains("instead"), "{again}");
}

#[test]
fn a_merge_of_two_branches_lists_each_commit_once() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.declare("Search is slow");
    assert_log_agrees(&env, &env.dir, "INC-1");
    env.git(&["checkout", "-q", "-b", "side"]);
    env.run(&["note", "INC-1", "on the side"]).ok();
    env.run(&["note", "INC-2", "side finding"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["note", "INC-1", "on main"]).ok();
    assert_log_agrees(&env, &env.dir, "INC-1");
    env.git(&["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
    let merged = assert_log_agrees(&env, &env.dir, "INC-1");
    assert!(merged.contains("on the side") && merged.contains("on main"));
    assert_eq!(merged.matches("\"on the side\"").count(), 1, "{merged}");
    let two = assert_log_agrees(&env, &env.dir, "INC-2");
    assert!(two.contains("side finding"), "{two}");
    // A branch made earlier, merged later, after more work on main.
    env.git(&["checkout", "-q", "-b", "old", "HEAD~1"]);
    env.run(&["note", "INC-2", "from an old branch"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["ack", "INC-2"]).ok();
    assert_log_agrees(&env, &env.dir, "INC-2");
    env.git(&["merge", "-q", "--no-ff", "-m", "Merge old", "old"]);
    let late = assert_log_agrees(&env, &env.dir, "INC-2");
    assert!(late.contains("from an old branch"), "{late}");
}

#[test]
fn a_renumbering_by_sync_is_followed() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    let top = env.dir.parent().unwrap().to_path_buf();
    let remote = top.join("remote.git");
    git_in(&env, &top, &["init", "--quiet", "--bare", "remote.git"]);
    env.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    env.git(&["push", "--quiet", "-u", "origin", "main"]);
    git_in(
        &env,
        &top,
        &["clone", "--quiet", remote.to_str().unwrap(), "b"],
    );
    let (a, b) = (env.dir.clone(), top.join("b"));
    run_in(&env, &a, &["declare", "Search is slow"]).ok();
    run_in(&env, &b, &["--as", BOB, "declare", "Login fails"]).ok();
    run_in(&env, &b, &["--as", BOB, "note", "INC-2", "b's finding"]).ok();
    assert_log_agrees(&env, &b, "INC-2");
    run_in(&env, &a, &["sync"]).ok();
    run_in(&env, &b, &["sync"])
        .code(0)
        .stderr_has("INC-2 declared here is now INC-3");
    let renumbered = assert_log_agrees(&env, &b, "INC-3");
    assert!(renumbered.contains("renumber"), "{renumbered}");
    assert!(renumbered.contains("b's finding"), "{renumbered}");
    let other = assert_log_agrees(&env, &b, "INC-2");
    assert!(other.contains("Search is slow"), "{other}");
    run_in(&env, &b, &["--as", BOB, "note", "INC-3", "after the sync"]).ok();
    assert_log_agrees(&env, &b, "INC-3");
    run_in(&env, &a, &["sync"]).ok();
    assert_log_agrees(&env, &a, "INC-3");
}

#[test]
fn a_hand_edit_committed_with_git_is_indexed() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.declare("Search is slow");
    assert_log_agrees(&env, &env.dir, "INC-1");
    // One plain commit that edits two incident files.
    for id in ["INC-1", "INC-2"] {
        let path = env.incident_path(id);
        let text = env.read(&path);
        env.write(
            &path,
            &text.replacen("title = \"", "title = \"[edited] ", 1),
        );
    }
    env.git(&["commit", "-qam", "Retitle by hand"]);
    let one = assert_log_agrees(&env, &env.dir, "INC-1");
    assert!(one.contains("Retitle by hand"), "{one}");
    let two = assert_log_agrees(&env, &env.dir, "INC-2");
    assert!(two.contains("Retitle by hand"), "{two}");
}

#[test]
fn a_damaged_index_is_built_again() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.run(&["note", "INC-1", "first"]).ok();
    env.run(&["note", "INC-1", "second"]).ok();
    let good = assert_log_agrees(&env, &env.dir, "INC-1");
    let buckets = || -> Vec<PathBuf> {
        std::fs::read_dir(env.path(INDEX))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.ends_with("tip.json"))
            .filter(|p| std::fs::metadata(p).unwrap().len() > 0)
            .collect()
    };
    // Garbage bytes in place of every entry, same length.
    for file in buckets() {
        let len = std::fs::metadata(&file).unwrap().len() as usize;
        std::fs::write(&file, vec![b'\x07'; len]).unwrap();
    }
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    // Lines plausible but wrong: a commit that did not touch the file.
    let other = env.git(&["rev-parse", "HEAD~1"]);
    for file in buckets() {
        let text = std::fs::read_to_string(&file).unwrap();
        let forged: String = text
            .lines()
            .map(|l| format!("{} {}\n", other.trim(), l.split_once(' ').unwrap().1))
            .collect();
        std::fs::write(&file, forged).unwrap();
    }
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    // Truncated.
    for file in buckets() {
        let text = std::fs::read(&file).unwrap();
        std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    }
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    // An emptied bucket.
    for file in buckets() {
        std::fs::write(&file, "").unwrap();
    }
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    // A tip that is not JSON, or from another version.
    env.write(&format!("{INDEX}/tip.json"), "\u{0}garbage{");
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    let tip = env.read(&format!("{INDEX}/tip.json"));
    env.write(
        &format!("{INDEX}/tip.json"),
        &tip.replace("log-index-1/", "log-index-0/"),
    );
    assert_eq!(assert_log_agrees(&env, &env.dir, "INC-1"), good);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
}
