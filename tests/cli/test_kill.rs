//! SIGKILL at random points of `note` and `declare`, 300 times: after each
//! kill, git and the tool see one consistent ledger, nothing recorded is
//! lost, the next command succeeds at once, and a user's `git commit -a`
//! right after a kill commits the change or nothing, never its revert.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::harness::TestEnv;

const KILLS: u64 = 300;
/// The incident the notes go to.
const NOTED: &str = "incidents/2026/INC-1.toml";

/// A small deterministic generator (splitmix64): the same kill delays on
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The change in flight when the kill came, as the tool recorded it.
fn intent(env: &TestEnv) -> Option<(String, String)> {
    let text = std::fs::read_to_string(env.path(".git/git-incident/pending-write")).ok()?;
    let mut parts = text.trim_end().splitn(3, ' ');
    let new = parts.next()?.to_owned();
    parts.next()?;
    Some((new, parts.next()?.to_owned()))
}

/// What HEAD records: every note of INC-1 (where the notes go) and every
/// incident file (what the declarations add).
fn recorded_notes(env: &TestEnv) -> BTreeSet<String> {
    let mut notes: BTreeSet<String> = env
        .git(&["ls-tree", "-r", "--name-only", "HEAD", "incidents"])
        .lines()
        .filter(|p| p.ends_with(".toml"))
        .map(str::to_owned)
        .collect();
    {
        let text = env.git(&["show", &format!("HEAD:{NOTED}")]);
        let value: toml::Value = toml::from_str(&text).expect("HEAD's file parses");
        for note in value
            .get("notes")
            .and_then(|n| n.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(t) = note.get("text").and_then(|t| t.as_str()) {
                notes.insert(t.to_owned());
            }
        }
    }
    notes
}

fn blob(env: &TestEnv, spec: &str) -> Option<String> {
    let run = env.git_run(&["rev-parse", "--verify", "--quiet", spec]);
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

/// What must hold right after a kill, before any other command runs.
fn consistent_after_kill(env: &TestEnv, i: u64) {
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "kill {i}: {}", fsck.stderr);
    let in_flight = intent(env);
    let status = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    for line in status.lines() {
        let path = &line[3..];
        assert!(
            !path.contains(".tmp") && !path.contains("git-incident-tmp"),
            "kill {i}: a temporary file shows in git status: {status}"
        );
        // Only the change in flight may show, and only as what it adds.
        let flight = in_flight.as_ref().map(|(_, p)| p.as_str());
        assert_eq!(Some(path), flight, "kill {i}: {status}");
    }
    let staged = env.git(&["diff", "--cached", "--numstat"]);
    assert!(
        staged.lines().all(|l| l.split('\t').nth(1) == Some("0")),
        "kill {i}: the index holds a revert: {staged}"
    );
    // The files a kill can have touched: INC-1 and a declaration in flight.
    let flight = in_flight.as_ref().map(|(_, p)| p.clone());
    let touched: BTreeSet<String> = std::iter::once(NOTED.to_owned()).chain(flight).collect();
    for path in &touched {
        let path = path.as_str();
        let Ok(text) = std::fs::read_to_string(env.path(path)) else {
            // A declaration killed before its file was written.
            assert!(blob(env, &format!("HEAD:{path}")).is_none(), "kill {i}");
            assert!(blob(env, &format!(":{path}")).is_none(), "kill {i}");
            continue;
        };
        toml::from_str::<toml::Value>(&text)
            .unwrap_or_else(|e| panic!("kill {i}: {path} does not parse: {e}"));
        let head = blob(env, &format!("HEAD:{path}"));
        let index = blob(env, &format!(":{path}"));
        let file = env.git(&["hash-object", path]).trim().to_owned();
        let new = in_flight
            .as_ref()
            .filter(|(_, p)| p == path)
            .map(|(n, _)| n.clone());
        assert!(
            head.as_deref() == Some(file.as_str()) || new.as_deref() == Some(file.as_str()),
            "kill {i}: {path} is neither HEAD's nor the change in flight"
        );
        assert!(
            index == head || index == new,
            "kill {i}: {path}'s index entry is neither HEAD's nor the change in flight"
        );
    }
}

/// After the next command: HEAD, the index and every file agree.
fn settled(env: &TestEnv, i: u64) {
    assert_eq!(env.status(), "", "kill {i}");
    assert!(intent(env).is_none(), "kill {i}");
    let scratch = env.path(".git/git-incident/tmp");
    if scratch.exists() {
        assert_eq!(std::fs::read_dir(scratch).unwrap().count(), 0, "kill {i}");
    }
}

#[test]
#[allow(clippy::print_stderr)]
fn three_hundred_kills_leave_a_consistent_ledger_and_lose_nothing() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    env.write("user.txt", "mine\n");
    env.git(&["add", "user.txt"]);
    env.git(&["commit", "-q", "-m", "The user's own file"]);
    // How long an uninterrupted run takes: the kills spread over it.
    let span = |args: &[&str]| {
        let started = Instant::now();
        env.run(args).ok();
        started.elapsed()
    };
    let note_span = span(&["note", "INC-1", "timing note"]);
    let declare_span = span(&["declare", "Timing", "--sev", "SEV-3"]);
    let mut rng = Rng(0x5eed_0fc0_ffee);
    let mut recorded = recorded_notes(&env);
    let mut user_commits = 0;
    let (mut mid_write, mut completed) = (0, 0);
    for i in 0..KILLS {
        let declare = i % 4 == 3;
        let text = format!("killed {i}");
        let (args, span): (Vec<&str>, Duration) = if declare {
            (vec!["declare", &text, "--sev", "SEV-3"], declare_span)
        } else {
            (vec!["note", "INC-1", &text], note_span)
        };
        let micros = u64::try_from(span.as_micros()).unwrap_or(u64::MAX);
        let delay = Duration::from_micros(rng.below(micros + micros / 5));
        let mut child = env
            .command(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let finished = child.wait().unwrap();
        if intent(&env).is_some() {
            mid_write += 1;
        }
        if finished.success() {
            completed += 1;
        }
        consistent_after_kill(&env, i);
        let now = recorded_notes(&env);
        assert!(
            now.is_superset(&recorded),
            "kill {i}: a recorded note is lost"
        );
        recorded = now;
        if finished.success() {
            assert!(declare || recorded.contains(&text), "kill {i}");
        }
        if i % 3 == 0 {
            // The user commits their own work with plain git at once.
            env.write("user.txt", &format!("mine {i}\n"));
            let commit = env.git_run(&["commit", "-q", "-a", "-m", &format!("user {i}")]);
            if commit.code == 0 {
                user_commits += 1;
                let now = recorded_notes(&env);
                assert!(
                    now.is_superset(&recorded),
                    "kill {i}: the user's commit lost a note"
                );
                recorded = now;
            } else {
                // Only a lock the killed run held can stop it; the next
                // command clears it.
                assert!(
                    commit.stderr.contains(".lock"),
                    "kill {i}: {}",
                    commit.stderr
                );
            }
        }
        let next = format!("after {i}");
        env.run(&["note", "INC-1", &next]).ok();
        let now = recorded_notes(&env);
        assert!(
            now.is_superset(&recorded) && now.contains(&next),
            "kill {i}"
        );
        recorded = now;
        if env.status() != "" {
            // The user's own edit of user.txt, when their commit was stopped.
            env.git(&["commit", "-q", "-a", "-m", &format!("user again {i}")]);
        }
        settled(&env, i);
    }
    eprintln!(
        "{KILLS} kills: {mid_write} in the middle of a write, {completed} after the command \
         finished, {user_commits} user commits went through"
    );
    assert!(mid_write > 0, "no kill landed in the middle of a write");
    assert!(
        user_commits > KILLS / 6,
        "{user_commits} user commits went through"
    );
    assert!(env.git(&["show", "HEAD:user.txt"]).starts_with("mine"));
}
