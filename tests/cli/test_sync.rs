//! `sync` against a real bare remote and the real `git`: two clones that
//! change one incident converge; the remote reached through `git daemon`;
//! pushes that race; many clones at once; and every way a sync stops with
//! the local commits kept.

use std::ffi::OsString;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::harness::{BIN, BOB, Run, TestEnv};

/// `git` in `dir`, with the test's home and config.
fn git_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = env.command(&[]);
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(
            saved_env(&mut cmd)
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?))),
        )
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        // For the remote's hooks (contrib/pre-receive).
        .env("GIT_INCIDENT", BIN)
        .env("GIT_AUTHOR_DATE", env.now().to_rfc3339())
        .env("GIT_COMMITTER_DATE", env.now().to_rfc3339())
        .output()
        .expect("git runs");
    run_of(&out)
}

#[track_caller]
fn git_ok(env: &TestEnv, dir: &Path, args: &[&str]) -> String {
    let run = git_in(env, dir, args);
    assert_eq!(run.code, 0, "git {args:?}: {}{}", run.stdout, run.stderr);
    run.stdout
}

fn run_of(out: &std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `git-incident` in `dir`; the clock moves on a minute.
fn incident_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    env.run_in(dir, args)
}

/// The environment a command of the harness gets, to make the same command
/// in another thread.
fn saved_env(cmd: &mut Command) -> Vec<(OsString, Option<OsString>)> {
    cmd.get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
        .collect()
}

fn command_with(env: &[(OsString, Option<OsString>)], dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    for (key, value) in env {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd
}

/// A ledger with INC-1, pushed to the bare remote `remote.git`, and `n`
/// more clones of it: `(env, remote, clones)`, where `clones[0]` is the
/// first ledger itself.
fn team(n: usize) -> (TestEnv, PathBuf, Vec<PathBuf>) {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.run(&["ack", "INC-1"]).ok();
    let top = env.dir.parent().unwrap().to_path_buf();
    let remote = top.join("remote.git");
    git_ok(&env, &top, &["init", "--quiet", "--bare", "remote.git"]);
    env.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    env.git(&["push", "--quiet", "-u", "origin", "main"]);
    let mut clones = vec![env.dir.clone()];
    for i in 1..=n {
        let name = format!("clone{i}");
        git_ok(
            &env,
            &top,
            &["clone", "--quiet", remote.to_str().unwrap(), &name],
        );
        clones.push(top.join(name));
    }
    (env, remote, clones)
}

fn tree(env: &TestEnv, dir: &Path) -> String {
    git_ok(env, dir, &["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_owned()
}

fn incident_text(env: &TestEnv, dir: &Path, id: &str) -> String {
    let shown = incident_in(env, dir, &["show", id, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(shown.ok()).unwrap();
    std::fs::read_to_string(dir.join(shown["path"].as_str().unwrap())).unwrap()
}

/// The clone is sound: the file valid, no markers, fsck clean, nothing
/// left uncommitted.
#[track_caller]
fn assert_sound(env: &TestEnv, dir: &Path) {
    incident_in(env, dir, &["validate"]).ok();
    // Every commit a sync made, merges and renumbering included, is one the
    // audit accepts.
    incident_in(env, dir, &["verify"]).ok();
    git_ok(env, dir, &["fsck", "--no-progress", "--strict"]);
    assert_eq!(git_ok(env, dir, &["status", "--porcelain"]), "");
    assert!(!incident_text(env, dir, "INC-1").contains("<<<<<<<"));
}

#[test]
fn two_clones_that_change_one_incident_converge() {
    let (env, _remote, clones) = team(1);
    let (a, b) = (&clones[0], &clones[1]);
    incident_in(&env, a, &["note", "INC-1", "a: pool exhausted"]).ok();
    incident_in(&env, a, &["update", "INC-1", "a: investigating"]).ok();
    incident_in(&env, a, &["mitigate", "INC-1", "a: scale the pool"]).ok();
    incident_in(&env, a, &["sev", "INC-1", "SEV-1"]).ok();
    incident_in(
        &env,
        b,
        &["--as", BOB, "note", "INC-1", "b: deploy at 14:02"],
    )
    .ok();
    incident_in(&env, b, &["--as", BOB, "mitigate", "INC-1", "b: roll back"]).ok();
    incident_in(
        &env,
        b,
        &[
            "--as",
            BOB,
            "sev",
            "INC-1",
            "SEV-3",
            "--why",
            "b: one region",
        ],
    )
    .ok();
    incident_in(
        &env,
        b,
        &["--as", BOB, "update", "INC-1", "b: rolling back"],
    )
    .ok();

    incident_in(&env, a, &["sync"])
        .code(0)
        .stderr_has("sent 4 commits to origin/main");
    let run = incident_in(&env, b, &["sync"]);
    run.code(0)
        .stderr_has("received 4 commits from origin/main, sent");
    assert!(run.stderr.contains("severity"), "{}", run.stderr);
    incident_in(&env, a, &["sync"])
        .code(0)
        .stderr_has("received");
    assert_eq!(tree(&env, a), tree(&env, b));

    let text = incident_text(&env, a, "INC-1");
    for entry in [
        "a: pool exhausted",
        "a: investigating",
        "a: scale the pool",
        "b: deploy at 14:02",
        "b: roll back",
        "b: rolling back",
    ] {
        assert_eq!(text.matches(entry).count(), 1, "{entry} once in:\n{text}");
    }
    let incident = env.incident("INC-1");
    assert_eq!(incident["severity"], "SEV-1", "the more severe wins");
    let ids: Vec<&str> = incident["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "both sides' M1 stay two mitigations");
    for dir in [a, b] {
        assert_sound(&env, dir);
    }

    // The merge commit, made in b: two parents, trailers naming the
    // incident and the rule that decided the severity.
    let parents = git_ok(&env, b, &["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2);
    let trailers = git_ok(&env, b, &["log", "-1", "--format=%(trailers)"]);
    assert!(trailers.contains("Merged-Incident: INC-1\n"), "{trailers}");
    assert!(
        trailers
            .lines()
            .any(|l| l.starts_with("Merge-Rule: INC-1 severity")),
        "{trailers}"
    );
    // The audit timeline reads across the merge.
    let log = incident_in(&env, a, &["log", "INC-1"]);
    assert!(log.ok().contains("merge"), "{}", log.stdout);
}

#[test]
fn a_sync_with_nothing_to_do_changes_nothing() {
    let (env, _remote, clones) = team(0);
    let head = env.head();
    incident_in(&env, &clones[0], &["sync"])
        .code(0)
        .stderr_has("up to date with origin/main");
    assert_eq!(env.head(), head);
    let json = incident_in(&env, &clones[0], &["sync", "--json"]);
    let json: serde_json::Value = serde_json::from_str(json.ok()).unwrap();
    assert_eq!(json["received"], 0);
    assert_eq!(json["sent"], 0);
    assert_eq!(json["merge"], serde_json::Value::Null);
}

#[test]
fn a_clone_behind_is_fast_forwarded_and_its_other_work_kept() {
    let (env, _remote, clones) = team(1);
    let (a, b) = (&clones[0], &clones[1]);
    incident_in(&env, a, &["note", "INC-1", "from a"]).ok();
    incident_in(&env, a, &["sync"]).ok();
    std::fs::write(b.join("scratch.txt"), "mine\n").unwrap();
    let before = git_ok(&env, b, &["rev-list", "--count", "HEAD"]);
    incident_in(&env, b, &["sync"])
        .code(0)
        .stderr_has("received 1 commit from origin/main");
    assert_eq!(
        git_ok(&env, b, &["rev-list", "--count", "HEAD"]).trim(),
        (before.trim().parse::<u32>().unwrap() + 1).to_string(),
        "a fast-forward makes no merge commit"
    );
    assert_eq!(
        git_ok(&env, b, &["rev-parse", "HEAD"]),
        git_ok(&env, a, &["rev-parse", "HEAD"])
    );
    assert!(incident_text(&env, b, "INC-1").contains("from a"));
    assert_eq!(
        git_ok(&env, b, &["status", "--porcelain"]),
        "?? scratch.txt\n"
    );
}

#[test]
fn a_sync_that_would_overwrite_an_uncommitted_edit_is_refused() {
    let (env, _remote, clones) = team(1);
    let (a, b) = (&clones[0], &clones[1]);
    incident_in(&env, a, &["note", "INC-1", "from a"]).ok();
    incident_in(&env, a, &["sync"]).ok();
    let path = b.join(env.incident_path("INC-1"));
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("# my hand edit\n");
    std::fs::write(&path, &text).unwrap();
    let head = git_ok(&env, b, &["rev-parse", "HEAD"]);
    incident_in(&env, b, &["sync"])
        .code(1)
        .stderr_has("has changes that are not committed");
    assert_eq!(git_ok(&env, b, &["rev-parse", "HEAD"]), head);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn no_remote_is_a_usage_error() {
    let env = TestEnv::ledger();
    env.refused(&["sync"], 2, "no remote to sync with")
        .stderr_has("git remote add");
}

/// A port nothing listens on, for now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn offline_the_local_commit_stands_and_a_later_sync_catches_up() {
    let (env, remote, clones) = team(0);
    let url = format!("git://127.0.0.1:{}/remote.git", free_port());
    env.git(&["remote", "set-url", "origin", &url]);
    incident_in(&env, &clones[0], &["note", "INC-1", "written offline"]).ok();
    let head = env.head();
    incident_in(&env, &clones[0], &["sync"])
        .code(1)
        .stderr_has("cannot reach origin")
        .stderr_has("nothing is lost");
    assert_eq!(env.head(), head);
    env.git(&["remote", "set-url", "origin", remote.to_str().unwrap()]);
    incident_in(&env, &clones[0], &["sync"])
        .code(0)
        .stderr_has("sent 1 commit");
    assert_eq!(
        git_ok(&env, &remote, &["rev-parse", "main"]),
        format!("{head}\n")
    );
}

#[test]
fn refused_credentials_are_told_apart() {
    let (env, _remote, clones) = team(0);
    let ssh = env.dir.parent().unwrap().join("ssh");
    std::fs::write(
        &ssh,
        "#!/bin/sh\necho 'git@example.invalid: Permission denied (publickey).' >&2\nexit 255\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    env.git(&["config", "core.sshCommand", ssh.to_str().unwrap()]);
    env.git(&[
        "remote",
        "set-url",
        "origin",
        "ssh://git@example.invalid/ledger.git",
    ]);
    incident_in(&env, &clones[0], &["sync"])
        .code(1)
        .stderr_has("origin refused the credentials")
        .stderr_has("Permission denied (publickey)")
        .stderr_has("SSH key");
}

#[test]
fn a_push_refused_by_a_hook_says_what_the_hook_said() {
    let (env, remote, clones) = team(0);
    let hook = remote.join("hooks").join("pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'INC-1 is frozen for the review' >&2\nexit 1\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    incident_in(&env, &clones[0], &["note", "INC-1", "late note"]).ok();
    let head = env.head();
    incident_in(&env, &clones[0], &["sync"])
        .code(1)
        .stderr_has("origin rejected the push")
        .stderr_has("INC-1 is frozen for the review");
    assert_eq!(env.head(), head, "the local commit stands");
    assert_ne!(
        git_ok(&env, &remote, &["rev-parse", "main"]).trim(),
        head,
        "nothing was forced"
    );
}

/// `git daemon` serving `base` on a free port of 127.0.0.1, stopped when
/// dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(env: &TestEnv, base: &Path) -> Self {
        let port = free_port();
        let mut cmd = env.command(&[]);
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--enable=receive-pack",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
            ])
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .envs(
                saved_env(&mut cmd)
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v?))),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let daemon = Daemon { child, port };
        // Ready once it accepts a connection; it exits early only on error.
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sync_through_git_daemon() {
    let (env, _remote, clones) = team(1);
    let top = env.dir.parent().unwrap().to_path_buf();
    let daemon = Daemon::start(&env, &top);
    let url = format!("git://127.0.0.1:{}/remote.git", daemon.port);
    for dir in &clones {
        git_ok(&env, dir, &["remote", "set-url", "origin", &url]);
    }
    let (a, b) = (&clones[0], &clones[1]);
    incident_in(&env, a, &["note", "INC-1", "over the daemon, from a"]).ok();
    incident_in(&env, b, &["note", "INC-1", "over the daemon, from b"]).ok();
    incident_in(&env, a, &["sync"]).ok();
    incident_in(&env, b, &["sync"]).ok();
    incident_in(&env, a, &["sync"]).ok();
    assert_eq!(tree(&env, a), tree(&env, b));
    let text = incident_text(&env, a, "INC-1");
    assert_eq!(text.matches("over the daemon, from").count(), 2, "{text}");
    assert_sound(&env, a);
    drop(daemon);
}

/// Runs `sync` once in every clone at once. How each ended.
fn sync_all_at_once(env: &TestEnv, clones: &[PathBuf]) -> Vec<Result<(), String>> {
    let saved = saved_env(&mut env.command(&[]));
    std::thread::scope(|s| {
        let handles: Vec<_> = clones
            .iter()
            .map(|dir| {
                let saved = &saved;
                s.spawn(move || sync_until_in(saved, dir, 1))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn sync_until_in(
    saved: &[(OsString, Option<OsString>)],
    dir: &Path,
    tries: u32,
) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..tries {
        let out = command_with(saved, dir, &["sync"]).output().unwrap();
        let run = run_of(&out);
        if run.code == 0 {
            return Ok(());
        }
        if !run.stderr.contains("lost to another") {
            return Err(format!("exit {}: {}", run.code, run.stderr));
        }
        last = run.stderr;
    }
    Err(last)
}

#[test]
fn two_syncs_racing_to_push_both_succeed() {
    let (env, _remote, clones) = team(1);
    incident_in(&env, &clones[0], &["note", "INC-1", "racer a"]).ok();
    incident_in(&env, &clones[1], &["note", "INC-1", "racer b"]).ok();
    assert_eq!(sync_all_at_once(&env, &clones), [Ok(()), Ok(())]);
    for dir in &clones {
        incident_in(&env, dir, &["sync"]).ok();
    }
    assert_eq!(tree(&env, &clones[0]), tree(&env, &clones[1]));
    let text = incident_text(&env, &clones[0], "INC-1");
    assert!(
        text.contains("racer a") && text.contains("racer b"),
        "{text}"
    );
}

/// Ten clones each add twenty notes to one incident, syncing as they go, all
/// at once (a sync that loses the push race more often than its own
/// retries allow is run again); all converge on the 200 notes, each once.
#[test]
fn ten_clones_syncing_at_once_converge() {
    const CLONES: usize = 10;
    const CHANGES: usize = 20;
    let (env, _remote, clones) = team(CLONES - 1);
    let saved = saved_env(&mut env.command(&[]));
    std::thread::scope(|s| {
        for (c, dir) in clones.iter().enumerate() {
            let saved = &saved;
            s.spawn(move || {
                for n in 0..CHANGES {
                    let text = format!("clone {c} change {n}");
                    let out = command_with(saved, dir, &["note", "INC-1", &text])
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    if n % 5 == 4 {
                        assert_eq!(sync_until_in(saved, dir, 10), Ok(()));
                    }
                }
                assert_eq!(sync_until_in(saved, dir, 10), Ok(()));
            });
        }
    });
    // Everyone has pushed; one more round brings everyone everything.
    for dir in &clones {
        incident_in(&env, dir, &["sync"]).ok();
    }
    let first = tree(&env, &clones[0]);
    for dir in &clones {
        assert_eq!(tree(&env, dir), first);
    }
    let text = incident_text(&env, &clones[0], "INC-1");
    for c in 0..CLONES {
        for n in 0..CHANGES {
            let note = format!("\"clone {c} change {n}\"");
            assert_eq!(text.matches(&note).count(), 1, "{note} once");
        }
    }
    assert_sound(&env, &clones[0]);
}

/// A number that ever existed is never given again: not after its file
/// was deleted by hand, nor when HEAD no longer holds it.
#[test]
fn a_number_from_history_is_never_allocated_again() {
    let env = TestEnv::ledger();
    env.declare("Checkout errors");
    env.declare("Search is slow");
    let path = env.incident_path("INC-2");
    env.git(&["rm", "-q", &path]);
    env.git(&["commit", "-q", "-m", "Remove a test incident"]);
    let out = env.declare("Payments time out");
    assert!(out.contains("INC-3"), "{out}");
    assert!(!env.path(&path).exists(), "INC-2 stays deleted");
}

#[test]
fn two_offline_declares_end_as_two_incidents() {
    let (env, _remote, clones) = team(1);
    let (a, b) = (&clones[0], &clones[1]);
    assert_eq!(
        incident_in(&env, a, &["declare", "Search is slow"]).ok(),
        "INC-2"
    );
    assert_eq!(
        incident_in(&env, b, &["--as", BOB, "declare", "Login fails"]).ok(),
        "INC-2"
    );
    incident_in(&env, b, &["--as", BOB, "note", "INC-2", "b's finding"]).ok();
    incident_in(&env, a, &["sync"]).ok();
    incident_in(&env, b, &["sync"])
        .code(0)
        .stderr_has("INC-2 declared here is now INC-3");
    incident_in(&env, a, &["sync"]).ok();
    assert_eq!(tree(&env, a), tree(&env, b));

    // The one published first keeps its id; the other is renumbered in a
    // commit of its own that only renames its file, and keeps the old id.
    let first = incident_text(&env, a, "INC-2");
    assert!(first.contains("Search is slow"), "{first}");
    let second = incident_text(&env, a, "INC-3");
    assert!(
        second.contains("Login fails") && second.contains("b's finding"),
        "{second}"
    );
    assert!(second.contains("aliases = [\"INC-2\"]"), "{second}");
    let renumber = git_ok(
        &env,
        b,
        &["log", "--format=%H", "--grep=Incident-Change: renumber"],
    );
    let renumber = renumber.trim();
    assert_eq!(renumber.lines().count(), 1);
    let files = git_ok(
        &env,
        b,
        &["show", "--format=", "--name-status", "-M", renumber],
    );
    assert_eq!(files.lines().count(), 1, "{files}");
    assert!(files.starts_with('R'), "{files}");
    let log = incident_in(&env, b, &["log", "INC-3"]);
    assert!(log.ok().contains("renumber"), "{}", log.stdout);
    // The old id is now the other incident's: every command that takes it
    // says that the renumbered one went elsewhere, in both clones.
    for clone in [a, b] {
        let shown = incident_in(&env, clone, &["show", "INC-2"]);
        assert!(shown.ok().contains("Search is slow"), "{}", shown.stdout);
        shown.stderr_has("INC-2 was also the id of what is now INC-3");
    }
    let note = incident_in(
        &env,
        b,
        &["--as", BOB, "note", "INC-3", "on the renumbered one"],
    );
    note.ok();
    assert!(!note.stderr.contains("was also the id"), "{}", note.stderr);
    incident_in(&env, a, &["validate"]).ok();
    incident_in(&env, b, &["verify"]).ok();
    git_ok(&env, a, &["fsck", "--no-progress", "--strict"]);
}

#[test]
fn list_and_show_say_when_the_ledger_is_ahead_or_behind() {
    let (env, _remote, clones) = team(1);
    let (a, b) = (&clones[0], &clones[1]);
    incident_in(&env, a, &["note", "INC-1", "not shared yet"]).ok();
    incident_in(&env, a, &["list"])
        .code(0)
        .stderr_has("1 commit not yet on origin/main");
    incident_in(&env, a, &["sync"]).ok();
    let level = incident_in(&env, a, &["show", "INC-1"]);
    assert!(!level.stderr.contains("origin/main"), "{}", level.stderr);
    git_ok(&env, b, &["fetch", "--quiet"]);
    incident_in(&env, b, &["show", "INC-1"])
        .code(0)
        .stderr_has("1 commit behind origin/main (as of the last fetch)");
}

#[test]
fn after_change_syncs_and_a_failed_sync_is_only_a_warning() {
    let (env, remote, clones) = team(0);
    let a = &clones[0];
    let mut config = std::fs::read_to_string(a.join("ledger.toml")).unwrap();
    config.push_str("\n[sync]\nafter_change = true\n");
    std::fs::write(a.join("ledger.toml"), config).unwrap();
    git_ok(
        &env,
        a,
        &["commit", "--quiet", "-am", "Sync after every change"],
    );
    incident_in(&env, a, &["note", "INC-1", "shared at once"])
        .code(0)
        .stderr_has("sent 2 commits to origin/main");
    assert_eq!(
        git_ok(&env, &remote, &["rev-parse", "main"]),
        git_ok(&env, a, &["rev-parse", "HEAD"])
    );
    let url = format!("git://127.0.0.1:{}/remote.git", free_port());
    git_ok(&env, a, &["remote", "set-url", "origin", &url]);
    let head = git_ok(&env, a, &["rev-parse", "HEAD"]);
    incident_in(&env, a, &["note", "INC-1", "written offline"])
        .code(0)
        .stderr_has("sync after the change failed")
        .stderr_has("the change is committed here");
    assert_ne!(git_ok(&env, a, &["rev-parse", "HEAD"]), head);
    assert!(incident_text(&env, a, "INC-1").contains("written offline"));
}

#[test]
fn the_contrib_pre_receive_hook_refuses_conflict_markers() {
    let (env, remote, clones) = team(1);
    let hook = remote.join("hooks").join("pre-receive");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/pre-receive"),
        &hook,
    )
    .unwrap();
    let b = &clones[1];
    let before = git_ok(&env, &remote, &["rev-parse", "main"]);
    // A text merge gone wrong, committed by hand.
    let path = b.join(env.incident_path("INC-1"));
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen(
        "title = ",
        "<<<<<<< ours\ntitle = \"ours\"\n=======\ntitle = \"theirs\"\n>>>>>>> theirs\ntitle = ",
        1,
    );
    std::fs::write(&path, broken).unwrap();
    git_ok(&env, b, &["commit", "--quiet", "-am", "Merge, badly"]);
    let push = git_in(&env, b, &["push", "--quiet", "origin", "main"]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(push.stderr.contains("conflict markers"), "{}", push.stderr);
    assert!(
        push.stderr.contains("refused refs/heads/main"),
        "{}",
        push.stderr
    );
    assert_eq!(git_ok(&env, &remote, &["rev-parse", "main"]), before);

    // A sound change goes through the same hook.
    git_ok(&env, b, &["reset", "--quiet", "--hard", "HEAD~1"]);
    incident_in(&env, b, &["note", "INC-1", "a sound note"]).ok();
    git_ok(&env, b, &["push", "--quiet", "origin", "main"]);
    assert_ne!(git_ok(&env, &remote, &["rev-parse", "main"]), before);
}

/// A former id no file holds any more names the incident that lists it,
/// with a notice; the index behind it follows HEAD, also when HEAD goes
/// back past the commit that added the alias.
#[test]
fn a_former_id_names_the_incident_that_lists_it_as_head_moves() {
    let env = TestEnv::ledger();
    env.declare("Checkout errors");
    env.declare("Search is slow");
    let path = env.incident_path("INC-2");
    let text = env.read(&path);
    env.run(&["show", "INC-2"]).ok();
    let renamed = path.replace("INC-2.toml", "INC-7.toml");
    env.git(&["mv", &path, &renamed]);
    env.write(
        &renamed,
        &text.replacen("id = \"INC-2\"", "id = \"INC-7\"\naliases = [\"INC-2\"]", 1),
    );
    env.git(&["commit", "-q", "-am", "Renumber INC-2 by hand"]);

    let shown = env.run(&["show", "INC-2"]);
    assert!(shown.ok().contains("Search is slow"), "{}", shown.stdout);
    shown.stderr_has("INC-2 is now INC-7");
    env.run(&["note", "INC-2", "still found"]).code(0);
    assert!(env.read(&renamed).contains("still found"));

    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    env.refused(&["show", "INC-7"], 1, "no incident INC-7");
    let back = env.run(&["show", "INC-2"]);
    assert!(back.ok().contains("Search is slow"), "{}", back.stdout);
    assert!(!back.stderr.contains("is now"), "{}", back.stderr);
}
