//! A hermetic test environment: a temporary home with its own git config, a
//! fixed clock that advances one minute per command, and helpers that ask the
//! real `git` what happened.

#![allow(dead_code)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Duration, Utc};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_git-incident");
pub(crate) const ADA: &str = "Ada Lovelace <ada@example.com>";
pub(crate) const BOB: &str = "Bob Ng <bob@example.com>";

/// One test's world: a home folder, a ledger folder, a clock.
pub(crate) struct TestEnv {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    /// Where commands run (the ledger, once `init` made it).
    pub dir: PathBuf,
    now: Cell<DateTime<Utc>>,
}

/// What a command did.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout, trimmed.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout.trim()
    }

    /// Asserts the exit code.
    #[track_caller]
    pub(crate) fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr contains `text`.
    #[track_caller]
    pub(crate) fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

impl TestEnv {
    /// An empty folder with a git identity configured and no ledger.
    pub(crate) fn empty() -> Self {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let home = tmp.path().join("home");
        let dir = tmp.path().join("ledger");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        Self {
            _tmp: tmp,
            home,
            dir,
            now: Cell::new("2026-11-26T18:40:00Z".parse().unwrap()),
        }
    }

    /// A ledger made by `git incident init`, with a first commit.
    pub(crate) fn ledger() -> Self {
        let env = Self::empty();
        env.run(&["init"]).ok();
        env
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }

    /// Sets the clock for the next commands.
    pub(crate) fn set_now(&self, rfc3339: &str) {
        self.now.set(rfc3339.parse().expect("an RFC 3339 time"));
    }

    /// The command with the hermetic environment, not yet run.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(&self.dir);
        self.hermetic(&mut cmd);
        cmd.env("GIT_INCIDENT_NOW", self.now().to_rfc3339());
        cmd
    }

    fn hermetic(&self, cmd: &mut Command) {
        for var in [
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_AUTHOR_DATE",
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
            "GIT_COMMITTER_DATE",
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INCIDENT_DIR",
            "VISUAL",
            "EDITOR",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("NO_COLOR", "1")
            // No pager, even in a pseudo-terminal: test_pager sets its own.
            .env("GIT_PAGER", "cat")
            .env("TZ", "UTC")
            .env("COLUMNS", "100")
            .stdin(Stdio::null());
    }

    /// Runs `script` with `bash -eu` in the ledger folder, `git-incident` on
    /// the PATH so that `git incident` reaches it as it does for a user, and
    /// the clock fixed at the current time for the whole script.
    pub(crate) fn shell(&self, script: &str) -> Run {
        let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
        // The test's own PATH, for bash and git: the script runs as a user's would.
        #[allow(clippy::disallowed_methods)]
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin_dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        let mut cmd = Command::new("bash");
        cmd.args(["-euo", "pipefail", "-c", script])
            .current_dir(&self.dir);
        self.hermetic(&mut cmd);
        cmd.env("PATH", std::env::join_paths(dirs).expect("a PATH"))
            .env("GIT_INCIDENT_NOW", self.now().to_rfc3339());
        run_of(&cmd.output().expect("bash runs"))
    }

    /// Runs `git-incident` with `args`, then advances the clock a minute.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let out = self.query(args);
        self.now.set(self.now() + Duration::minutes(1));
        out
    }

    /// Runs `git-incident` with `args` in `dir` (another clone, say), then
    /// advances the clock a minute.
    pub(crate) fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .current_dir(dir)
            .output()
            .expect("the binary runs");
        self.now.set(self.now() + Duration::minutes(1));
        run_of(&out)
    }

    /// Runs `git-incident` without advancing the clock (for reading).
    pub(crate) fn query(&self, args: &[&str]) -> Run {
        run_of(&self.command(args).output().expect("the binary runs"))
    }

    /// Runs the real `git` in the ledger folder and returns its stdout.
    #[track_caller]
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let out = self.git_run(args);
        assert_eq!(out.code, 0, "git {args:?} failed: {}", out.stderr);
        out.stdout
    }

    /// Runs the real `git`, whatever its exit code.
    pub(crate) fn git_run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.dir);
        self.hermetic(&mut cmd);
        cmd.env("GIT_AUTHOR_DATE", self.now().to_rfc3339())
            .env("GIT_COMMITTER_DATE", self.now().to_rfc3339());
        run_of(&cmd.output().expect("git runs"))
    }

    pub(crate) fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub(crate) fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }

    /// The files the HEAD commit changed.
    pub(crate) fn head_files(&self) -> Vec<String> {
        self.git(&["show", "--format=", "--name-only", "HEAD"])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The HEAD commit's trailers as `Key: value` lines.
    pub(crate) fn head_trailers(&self) -> String {
        self.git(&["log", "-1", "--format=%(trailers)"])
            .trim()
            .to_owned()
    }

    pub(crate) fn head_subject(&self) -> String {
        self.git(&["log", "-1", "--format=%s"]).trim().to_owned()
    }

    /// `git status --porcelain`.
    pub(crate) fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    pub(crate) fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The incident file of `id`, relative to the ledger (`incidents/2026/INC-1.toml`).
    pub(crate) fn incident_path(&self, id: &str) -> String {
        let out = self.query(&["show", id, "--json"]);
        let v: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
        v["path"].as_str().unwrap().to_owned()
    }

    /// A new SSH key `~/NAME` made by ssh-keygen, trusted for `email`: its
    /// line is added to `~/allowed_signers`, which git is pointed at.
    pub(crate) fn trusted_ssh_key(&self, name: &str, email: &str) -> PathBuf {
        let key = self.home.join(name);
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", email, "-f"])
            .arg(&key)
            .output()
            .unwrap();
        assert!(made.status.success(), "ssh-keygen: {made:?}");
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        let signers = self.home.join("allowed_signers");
        let mut listed = std::fs::read_to_string(&signers).unwrap_or_default();
        listed.push_str(&format!("{email} {public}"));
        std::fs::write(&signers, listed).unwrap();
        self.git(&[
            "config",
            "gpg.ssh.allowedSignersFile",
            signers.to_str().unwrap(),
        ]);
        key
    }

    /// `show --json` of an incident.
    pub(crate) fn incident(&self, id: &str) -> serde_json::Value {
        serde_json::from_str(self.query(&["show", id, "--json"]).ok()).unwrap()
    }

    /// Declares a SEV-2 incident and returns its id.
    pub(crate) fn declare(&self, title: &str) -> String {
        self.run(&["declare", title, "--sev", "SEV-2"])
            .ok()
            .to_owned()
    }
}

fn run_of(out: &Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Where the fixtures live.
pub(crate) fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

impl TestEnv {
    /// Puts fixture `name` (under tests/fixtures) in place as INC-1 and
    /// commits it with plain git, as a hand-made incident file would be.
    pub(crate) fn install_fixture(&self, name: &str) -> String {
        let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
        let rel = "incidents/2026/INC-1.toml";
        self.write(rel, &text);
        self.git(&["add", rel]);
        self.git(&["commit", "-q", "-m", &format!("Add fixture {name}")]);
        rel.to_owned()
    }

    /// Everything a refused command must leave alone: HEAD, the index and the
    /// working tree (status and the incident files' bytes).
    pub(crate) fn snapshot_state(&self) -> (String, String, Vec<(PathBuf, Vec<u8>)>) {
        let mut files = Vec::new();
        let incidents = self.path("incidents");
        if incidents.exists() {
            for year in std::fs::read_dir(&incidents).unwrap() {
                let year = year.unwrap().path();
                if year.is_dir() {
                    for file in std::fs::read_dir(&year).unwrap() {
                        let file = file.unwrap().path();
                        files.push((file.clone(), std::fs::read(&file).unwrap()));
                    }
                }
            }
        }
        files.sort();
        let head = self.git_run(&["rev-parse", "HEAD"]).stdout;
        let status = self.git_run(&["status", "--porcelain"]).stdout;
        (head, status, files)
    }

    /// Runs a command that must be refused with `code`, and checks that it
    /// changed nothing.
    #[track_caller]
    pub(crate) fn refused(&self, args: &[&str], code: i32, message: &str) -> Run {
        let before = self.snapshot_state();
        let run = self.run(args);
        run.code(code).stderr_has(message);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(self.snapshot_state(), before, "{args:?} changed the ledger");
        run
    }
}
