//! The tool writing while the user runs `git add` and `git commit` of other
//! files in a loop: every effect of the user's git survives, and every
//! change of the tool is recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::harness::{Run, TestEnv};

/// Runs a git command as a user would: again while another git holds a
/// lock, or moved the branch under it (git itself does not wait).
fn retried(env: &TestEnv, args: &[&str]) -> Run {
    loop {
        let run = env.git_run(args);
        let busy = run.stderr.contains(".lock") || run.stderr.contains("cannot lock ref");
        if run.code == 0 || !busy {
            return run;
        }
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
}

#[test]
fn the_users_git_add_and_commit_racing_the_tool_keep_every_effect() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let notes = 30;
    let cmds: Vec<_> = (0..notes)
        .map(|n| env.command(&["note", "INC-1", &format!("note {n}")]))
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let tool = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            for mut cmd in cmds {
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            stop.store(true, Ordering::SeqCst);
        })
    };
    // The user: commits one file, stages another, and leaves it staged.
    let (mut committed, mut staged) = (Vec::new(), Vec::new());
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) || n < 5 {
        let file = format!("src/c{n}.txt");
        env.write(&file, &format!("{n}\n"));
        assert_eq!(retried(&env, &["add", &file]).code, 0);
        let commit = retried(
            &env,
            &["commit", "-q", "-m", &format!("user {n}"), "--", &file],
        );
        assert_eq!(commit.code, 0, "{}", commit.stderr);
        committed.push(file);
        let file = format!("src/s{n}.txt");
        env.write(&file, &format!("{n}\n"));
        assert_eq!(retried(&env, &["add", &file]).code, 0);
        staged.push(file);
        n += 1;
    }
    tool.join().unwrap();
    let tree = env.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
    for file in &committed {
        assert!(tree.lines().any(|l| l == file), "{file} left HEAD");
    }
    let status = env.status();
    for file in &staged {
        assert!(
            status.lines().any(|l| l == format!("A  {file}")),
            "{file} is no longer staged: {status}"
        );
    }
    // Nothing else shows: no staged deletion, no revert, no stray file.
    assert_eq!(status.lines().count(), staged.len(), "{status}");
    let inc = env.incident("INC-1");
    assert_eq!(inc["notes"].as_array().unwrap().len(), notes);
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "{}", fsck.stderr);
}
