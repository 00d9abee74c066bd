//! Benchmarks `git-incident` against the plain git CLI doing the same work, on
//! generated ledgers of any size: wall time (medians), peak memory of the
//! tool and its git children, a fresh clone's first commands, a `note` while
//! git's auto gc is due, and packed growth per change. With `--bin` it times
//! several builds of the tool side by side (before and after a change).
//!
//! ```sh
//! cargo bench --bench ledger -- --incidents 10000 --changes 10
//! ```
//!
//! See benches/README.md for what each row compares and measured figures.

// A benchmark harness reports on stdout and shows progress on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "gen/mod.rs"]
mod generator;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use generator::{Manifest, Params, progress};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_git-incident");
const USAGE: &str = "\
usage: cargo bench --bench ledger -- [OPTIONS]

  --incidents N     incidents in the generated ledger (default 1000)
  --changes K       commits per incident, the first declares it (default 10)
  --seed S          generator seed (default 1)
  --runs R          timed runs per measurement and side (default 10)
  --warmup W        untimed runs first (default 2)
  --clone-runs R    runs of the fresh-clone, auto-gc and sync rows (default 3)
  --growth-changes C  changes made for the growth row (default 50)
  --only NAMES      comma-separated measurements (default: all); see below
  --bin [LABEL=]PATH  a git-incident binary to time; repeat to compare builds
                    side by side (`self`: the one this bench was built with,
                    the default)
  --out FILE        also write the results as JSON
  --keep            keep the scratch copies of the ledger
  --cache DIR       where generated ledgers live (default target/bench-ledgers)
  --regen           regenerate the ledger even when cached
  --gen-only        generate (or find) the ledger, print its path and HEAD, stop

measurements: list, show, log, cleanup, stats, stats-changed, stats-cold, note,
  clone, clone-log, clone-list, note-gc, sync-0, sync-100, growth";

const MEASUREMENTS: [&str; 15] = [
    "list",
    "show",
    "log",
    "cleanup",
    "stats",
    "stats-changed",
    "stats-cold",
    "note",
    "clone",
    "clone-log",
    "clone-list",
    "note-gc",
    "sync-0",
    "sync-100",
    "growth",
];

/// A git-incident binary under test.
#[derive(Debug, Clone)]
struct Tool {
    label: String,
    path: PathBuf,
}

#[derive(Debug)]
struct Options {
    params: Params,
    runs: usize,
    warmup: usize,
    clone_runs: usize,
    growth_changes: usize,
    only: Vec<String>,
    tools: Vec<Tool>,
    out: Option<PathBuf>,
    keep: bool,
    cache: PathBuf,
    regen: bool,
    gen_only: bool,
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut o = Options {
        params: Params {
            incidents: 1000,
            changes: 10,
            seed: 1,
        },
        runs: 10,
        warmup: 2,
        clone_runs: 3,
        growth_changes: 50,
        only: Vec::new(),
        tools: Vec::new(),
        out: None,
        keep: false,
        cache: Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap_or(Path::new("target"))
            .join("bench-ledgers"),
        regen: false,
        gen_only: false,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name}: `{v}` is not a number"))
        };
        let count = |name: &str, v: String| {
            number(name, v).and_then(|n| usize::try_from(n).map_err(|e| e.to_string()))
        };
        match key.as_str() {
            // `cargo bench` appends --bench; libtest-style filters are ignored.
            "--bench" => {}
            "--incidents" => o.params.incidents = number(&key, value(&key)?)?,
            "--changes" => o.params.changes = count(&key, value(&key)?)?,
            "--seed" => o.params.seed = number(&key, value(&key)?)?,
            "--runs" => o.runs = count(&key, value(&key)?)?,
            "--warmup" => o.warmup = count(&key, value(&key)?)?,
            "--clone-runs" => o.clone_runs = count(&key, value(&key)?)?,
            "--growth-changes" => o.growth_changes = count(&key, value(&key)?)?,
            "--only" => {
                for name in value(&key)?.split(',').filter(|s| !s.is_empty()) {
                    if !MEASUREMENTS.contains(&name) {
                        return Err(format!(
                            "--only: unknown measurement `{name}`; one of {}",
                            MEASUREMENTS.join(", ")
                        ));
                    }
                    o.only.push(name.to_owned());
                }
            }
            "--bin" => {
                let v = value(&key)?;
                let (label, path) = match v.split_once('=') {
                    Some((label, path)) => (label.to_owned(), path.to_owned()),
                    None => (v.clone(), v),
                };
                // `self`: the binary this bench was built with.
                let path = if path == "self" { BIN.to_owned() } else { path };
                let path = std::fs::canonicalize(&path)
                    .map_err(|e| format!("--bin: cannot find `{path}`: {e}"))?;
                o.tools.push(Tool { label, path });
            }
            "--out" => o.out = Some(PathBuf::from(value(&key)?)),
            "--cache" => o.cache = PathBuf::from(value(&key)?),
            "--keep" => o.keep = true,
            "--regen" => o.regen = true,
            "--gen-only" => o.gen_only = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.runs == 0 || o.clone_runs == 0 || o.growth_changes == 0 {
        return Err("--runs, --clone-runs and --growth-changes must be at least 1".into());
    }
    if o.tools.is_empty() {
        o.tools.push(Tool {
            label: "git-incident".into(),
            path: PathBuf::from(BIN),
        });
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --all-targets` runs this target without --bench: do nothing.
    if args.is_empty() {
        eprintln!("ledger bench: run it with `cargo bench --bench ledger -- [OPTIONS]`");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The environment every measured command runs in, both sides alike.
fn bench_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_AUTHOR_NAME", "Bench Runner")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench Runner")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env_remove("GIT_INCIDENT_NOW")
        .env_remove("GIT_INCIDENT_DIR")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
}

/// What one side runs.
#[derive(Debug, Clone)]
enum Cmd {
    /// The git-incident binary under test, with these arguments.
    Tool(Vec<String>),
    /// A program and its arguments.
    Exec(String, Vec<String>),
    /// A pipeline, through `sh -c`.
    Shell(String),
}

impl Cmd {
    fn exec(program: &str, args: &[&str]) -> Self {
        Cmd::Exec(
            program.to_owned(),
            args.iter().map(|a| (*a).to_owned()).collect(),
        )
    }

    fn gi(args: &[&str]) -> Self {
        Cmd::Tool(args.iter().map(|a| (*a).to_owned()).collect())
    }

    /// The command, run in `dir`; `tool` is the binary for `Cmd::Tool`;
    /// `wrap` runs it under another program (such as `/usr/bin/time`).
    fn command(&self, dir: &Path, tool: &Path, wrap: &[String]) -> Command {
        let (program, args): (String, Vec<String>) = match self {
            Cmd::Tool(args) => (tool.display().to_string(), args.clone()),
            Cmd::Exec(program, args) => (program.clone(), args.clone()),
            Cmd::Shell(script) => ("sh".into(), vec!["-c".into(), script.clone()]),
        };
        let mut cmd = match wrap.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(program);
                c
            }
            None => Command::new(program),
        };
        cmd.args(args);
        bench_env(&mut cmd).current_dir(dir);
        cmd
    }

    /// For the table's legend.
    fn display(&self) -> String {
        let words = |name: &str, args: &[String]| {
            let mut s = name.to_owned();
            for a in args {
                if a.contains([' ', '%', '\'', '"']) {
                    s.push_str(&format!(" '{a}'"));
                } else {
                    s.push(' ');
                    s.push_str(a);
                }
            }
            s
        };
        match self {
            Cmd::Tool(args) => words("git-incident", args),
            Cmd::Exec(program, args) => words(program, args),
            Cmd::Shell(script) => format!("sh -c \"{script}\""),
        }
    }
}

/// Why a command did not succeed: exit code and first stderr line.
#[derive(Debug, Clone)]
struct Failure {
    code: Option<i32>,
    line: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "exit {code}, {}", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

fn failure(out: &std::process::Output) -> Failure {
    let stderr = String::from_utf8_lossy(&out.stderr);
    Failure {
        code: out.status.code(),
        line: stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no output)")
            .trim()
            .to_owned(),
    }
}

/// Runs a command once, timing spawn to exit; stdout is discarded.
fn time_once(cmd: &Cmd, dir: &Path, tool: &Path) -> Result<Duration, Failure> {
    let mut command = cmd.command(dir, tool, &[]);
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let out = command.output().map_err(|e| Failure {
        code: None,
        line: format!("cannot run: {e}"),
    })?;
    let elapsed = start.elapsed();
    if out.status.success() {
        Ok(elapsed)
    } else {
        Err(failure(&out))
    }
}

const TIME: &str = "/usr/bin/time";

/// Peak resident memory in KiB of one run: the largest of the process and
/// every descendant it waited for (GNU time's `%M`, from wait4). Untimed: the
/// wrapper's own spawn would skew the timings.
fn rss_once(cmd: &Cmd, dir: &Path, tool: &Path, scratch: &Path) -> Option<u64> {
    let report = scratch.with_extension(format!("rss-{}", std::process::id()));
    let wrap = [
        TIME.to_owned(),
        "-o".to_owned(),
        report.display().to_string(),
        "-f".to_owned(),
        "%M".to_owned(),
    ];
    let out = cmd
        .command(dir, tool, &wrap)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&report).ok();
    let _ = std::fs::remove_file(&report);
    if !out.success() {
        return None;
    }
    text?.lines().last()?.trim().parse().ok()
}

/// Runs a command and returns its stdout, for the checks.
fn capture(cmd: &Cmd, dir: &Path, tool: &Path) -> Result<String, Failure> {
    let out = cmd.command(dir, tool, &[]).output().map_err(|e| Failure {
        code: None,
        line: format!("cannot run: {e}"),
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(failure(&out))
    }
}

/// Runs a shell script in `dir` for setting up a run (not timed).
fn sh(dir: &Path, script: &str) -> Result<(), String> {
    let out = bench_env(Command::new("sh").arg("-c").arg(script))
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "set-up `{script}` failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Timings of one side, or why it could not be measured.
#[derive(Debug, Clone)]
enum Outcome {
    Samples(Vec<Duration>),
    Failed(Failure),
    /// Not run, and why (such as a command this build does not have).
    Skipped(String),
}

impl Outcome {
    fn median(&self) -> Option<Duration> {
        let Outcome::Samples(s) = self else {
            return None;
        };
        let mut s = s.clone();
        s.sort();
        let n = s.len();
        if n == 0 {
            return None;
        }
        Some(if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        })
    }

    fn cell(&self) -> String {
        match self {
            Outcome::Failed(f) => format!("n/a ({f})"),
            Outcome::Skipped(why) => format!("– ({why})"),
            Outcome::Samples(s) => {
                let min = s.iter().min().copied().unwrap_or_default();
                let max = s.iter().max().copied().unwrap_or_default();
                format!(
                    "{} ({}–{})",
                    fmt_dur(self.median().unwrap_or_default()),
                    fmt_dur(min),
                    fmt_dur(max)
                )
            }
        }
    }

    fn json(&self, cmd: &Cmd) -> Value {
        let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
        match self {
            Outcome::Failed(f) => json!({
                "command": cmd.display(),
                "error": f.to_string(),
                "exit_code": f.code,
            }),
            Outcome::Skipped(why) => json!({ "command": cmd.display(), "skipped": why }),
            Outcome::Samples(s) => json!({
                "command": cmd.display(),
                "median_ms": self.median().map(ms),
                "min_ms": s.iter().min().copied().map(ms),
                "max_ms": s.iter().max().copied().map(ms),
                "samples_ms": s.iter().copied().map(ms).collect::<Vec<_>>(),
            }),
        }
    }
}

fn fmt_dur(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1e3)
    } else if ms >= 1_000.0 {
        format!("{:.2} s", ms / 1e3)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn fmt_kib(kib: Option<u64>) -> String {
    match kib {
        None => "–".to_owned(),
        Some(k) if k >= 10 * 1024 => format!("{:.0} MB", k as f64 / 1024.0),
        Some(k) => format!("{:.1} MB", k as f64 / 1024.0),
    }
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > Duration::ZERO => Some(a.as_secs_f64() / b.as_secs_f64()),
        _ => None,
    }
}

/// What happens before each run of a side (untimed).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Prep {
    Nothing,
    /// One new commit on the open incident through plain git (the tool's
    /// sides only): the state "right after one change".
    Commit,
    /// Remove the tool's caches (`.git/git-incident/`; the tool's sides).
    DropCaches,
    /// A fresh `git clone --no-local` of the ledger to run in, removed after.
    FreshClone,
    /// Two extra packs with `gc.autoPackLimit=2`, so git's auto gc is due.
    GcDue,
    /// `origin` points at an upstream with this many new commits.
    Incoming(usize),
}

/// One row: the tool and plain git doing the same work.
struct Pair {
    name: &'static str,
    what: String,
    gi: Cmd,
    git: Cmd,
    prep: Prep,
    /// Makes commits; the ledger is reset after every run.
    mutates: bool,
    /// Runs and warmup for this row, where not the defaults.
    runs: Option<(usize, usize)>,
}

fn read_all_blobs() -> Cmd {
    Cmd::Shell(
        "git ls-tree -r --format='%(objectname)' HEAD incidents/ | git cat-file --batch >/dev/null"
            .into(),
    )
}

/// A note through the git CLI: append the block the tool would write, add,
/// commit with the tool's trailers.
fn note_git(m: &Manifest, now: &str, text: &str) -> String {
    format!(
        "printf '\\n[[notes]]\\nat = {now}\\nby = \"Bench Runner <bench@example.com>\"\\n\
         text = \"{text}\"\\n' >> {path} && git add {path} && \
         git commit -q -m '{id}: note: {text}' -m 'Incident: {id}\nIncident-Change: note'",
        path = m.open.path,
        id = m.open.id,
    )
}

fn pairs(m: &Manifest, now: &str) -> Vec<Pair> {
    let mid = &m.mid;
    let open = &m.open;
    let note_text = "bench note";
    let log_git = Cmd::exec(
        "git",
        &["log", "--format=%H%x09%an%x09%at%x09%s", "--", &mid.path],
    );
    let pair = |name, what: String, gi, git| Pair {
        name,
        what,
        gi,
        git,
        prep: Prep::Nothing,
        mutates: false,
        runs: None,
    };
    let few = Some((usize::MAX, 0));
    vec![
        pair(
            "list",
            "read every incident at HEAD".into(),
            Cmd::gi(&["list", "--json"]),
            read_all_blobs(),
        ),
        pair(
            "show",
            format!("one incident ({})", mid.id),
            Cmd::gi(&["show", &mid.id]),
            Cmd::exec("git", &["show", &format!("HEAD:{}", mid.path)]),
        ),
        pair(
            "log",
            format!(
                "history of one incident ({}, {} commits)",
                mid.id, mid.commits
            ),
            Cmd::gi(&["log", &mid.id]),
            log_git.clone(),
        ),
        pair(
            "cleanup",
            "pending mitigations across the ledger".into(),
            Cmd::gi(&["cleanup", "--json"]),
            read_all_blobs(),
        ),
        pair(
            "stats",
            "ledger statistics, caches warm".into(),
            Cmd::gi(&["stats", "--json"]),
            read_all_blobs(),
        ),
        Pair {
            prep: Prep::Commit,
            ..pair(
                "stats-changed",
                "ledger statistics right after one new commit (made by plain git)".into(),
                Cmd::gi(&["stats", "--json"]),
                read_all_blobs(),
            )
        },
        Pair {
            prep: Prep::DropCaches,
            runs: Some((usize::MAX, 1)),
            ..pair(
                "stats-cold",
                "ledger statistics with .git/git-incident/ removed".into(),
                Cmd::gi(&["stats", "--json"]),
                read_all_blobs(),
            )
        },
        Pair {
            mutates: true,
            ..pair(
                "note",
                format!("one state change = one commit ({})", open.id),
                Cmd::gi(&["note", &open.id, note_text]),
                Cmd::Shell(note_git(m, now, note_text)),
            )
        },
        Pair {
            prep: Prep::FreshClone,
            runs: few,
            ..pair(
                "clone-log",
                format!("first `log {}` in a fresh clone", mid.id),
                Cmd::gi(&["log", &mid.id]),
                log_git,
            )
        },
        Pair {
            prep: Prep::FreshClone,
            runs: few,
            ..pair(
                "clone-list",
                "first `list` in a fresh clone".into(),
                Cmd::gi(&["list", "--json"]),
                read_all_blobs(),
            )
        },
        Pair {
            prep: Prep::GcDue,
            mutates: true,
            runs: few,
            ..pair(
                "note-gc",
                format!("a note while git's auto gc is due ({})", open.id),
                Cmd::gi(&["note", &open.id, note_text]),
                Cmd::Shell(note_git(m, now, note_text)),
            )
        },
        // `sync` with nothing and with 100 commits to bring in. The plain-git
        // side is `git pull --ff-only`; the tool's side is skipped with a
        // notice while the build has no `sync` command.
        Pair {
            prep: Prep::Incoming(0),
            mutates: true,
            runs: few,
            ..pair(
                "sync-0",
                "sync with an upstream that has nothing new".into(),
                Cmd::gi(&["sync"]),
                Cmd::exec("git", &["pull", "-q", "--ff-only", "origin", "main"]),
            )
        },
        Pair {
            prep: Prep::Incoming(100),
            mutates: true,
            runs: few,
            ..pair(
                "sync-100",
                "sync with an upstream 100 commits ahead".into(),
                Cmd::gi(&["sync"]),
                Cmd::exec("git", &["pull", "-q", "--ff-only", "origin", "main"]),
            )
        },
    ]
}

/// The ledgers a run works in: one scratch copy per tool (each build keeps
/// its own caches, so alternating builds never invalidate each other's), the
/// plain-git side in the first.
struct Bench<'a> {
    o: &'a Options,
    m: &'a Manifest,
    /// The cached, generated ledger (only read: the source of fresh clones).
    source: PathBuf,
    scratch: Vec<PathBuf>,
    now: String,
    /// Counts set-up commits, so each has a text of its own.
    serial: std::cell::Cell<u64>,
}

/// A side of a row: one of the tools, or plain git.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Tool(usize),
    Git,
}

impl Bench<'_> {
    fn head(&self) -> &str {
        &self.m.head
    }

    fn dir(&self, side: Side) -> &Path {
        match side {
            Side::Tool(i) => &self.scratch[i],
            Side::Git => &self.scratch[0],
        }
    }

    fn tool(&self, side: Side) -> &Path {
        match side {
            Side::Tool(i) => &self.o.tools[i].path,
            Side::Git => Path::new(BIN),
        }
    }

    fn next(&self) -> u64 {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        n
    }

    /// Puts a scratch ledger back to the generated HEAD.
    fn reset(&self, dir: &Path) -> Result<(), String> {
        generator::git(dir, &["reset", "--hard", "-q", self.head()]).map(|_| ())
    }

    /// The upstream for `Prep::Incoming(n)`: a clone of the ledger with `n`
    /// new commits on top (new ones every run, so nothing is already here).
    fn upstream(&self, n: usize) -> Result<PathBuf, String> {
        let dir = self
            .o
            .cache
            .join(format!("upstream-{}", std::process::id()));
        if !dir.exists() {
            let status = Command::new("git")
                .args(["clone", "-q", "--shared"])
                .arg(&self.source)
                .arg(&dir)
                .status()
                .map_err(|e| format!("cannot run git clone: {e}"))?;
            if !status.success() {
                return Err("git clone for the upstream failed".into());
            }
        }
        self.reset(&dir)?;
        if n > 0 {
            let batch = self.next();
            let one = note_git(self.m, &self.now, &format!("incoming {batch} $i"));
            sh(
                &dir,
                &format!("i=0; while [ $i -lt {n} ]; do i=$((i+1)); {one} || exit 1; done"),
            )?;
        }
        Ok(dir)
    }

    /// Sets up a run of `side`; returns the folder to run it in.
    fn prepare(&self, pair: &Pair, side: Side) -> Result<PathBuf, String> {
        let dir = self.dir(side).to_path_buf();
        let tool_side = matches!(side, Side::Tool(_));
        match pair.prep {
            Prep::Nothing => {}
            Prep::Commit if tool_side => {
                let text = format!("bench change {}", self.next());
                sh(&dir, &note_git(self.m, &self.now, &text))?;
            }
            Prep::DropCaches if tool_side => {
                let caches = dir.join(".git/git-incident");
                if caches.exists() {
                    std::fs::remove_dir_all(&caches).map_err(|e| e.to_string())?;
                }
            }
            Prep::Commit | Prep::DropCaches => {}
            Prep::FreshClone => {
                let clone = self.o.cache.join(format!("clone-{}", std::process::id()));
                if clone.exists() {
                    std::fs::remove_dir_all(&clone).map_err(|e| e.to_string())?;
                }
                let status = Command::new("git")
                    .args(["clone", "-q", "--no-local"])
                    .arg(&self.source)
                    .arg(&clone)
                    .status()
                    .map_err(|e| format!("cannot run git clone: {e}"))?;
                if !status.success() {
                    return Err("git clone failed".into());
                }
                return Ok(clone);
            }
            Prep::GcDue => {
                // Two one-object packs on top of the ledger's: more than
                // gc.autoPackLimit, which the row sets to 2.
                let n = self.next();
                sh(
                    &dir,
                    &format!(
                        "for i in 1 2; do printf 'gc due {n} %s' $i | git hash-object -w --stdin \
                         | git pack-objects -q .git/objects/pack/pack >/dev/null || exit 1; done"
                    ),
                )?;
            }
            Prep::Incoming(n) => {
                let upstream = self.upstream(n)?;
                let url = upstream.display().to_string();
                sh(
                    &dir,
                    &format!(
                        "git remote remove origin 2>/dev/null; git remote add origin '{url}' \
                         && git update-ref refs/remotes/origin/main {}",
                        self.head()
                    ),
                )?;
            }
        }
        Ok(dir)
    }

    /// Undoes what a run changed.
    fn finish(&self, pair: &Pair, ran_in: &Path) -> Result<(), String> {
        if pair.prep == Prep::FreshClone {
            return std::fs::remove_dir_all(ran_in).map_err(|e| e.to_string());
        }
        // A detached auto gc must end before the next run starts.
        wait_for_gc(ran_in);
        if pair.mutates {
            self.reset(ran_in)?;
        }
        Ok(())
    }

    /// Times every side of a pair, interleaved run by run.
    fn measure(&self, pair: &Pair, sides: &[Side]) -> Result<Vec<(Outcome, Option<u64>)>, String> {
        let (runs, warmup) = match pair.runs {
            Some((r, w)) => (r.min(self.o.clone_runs), w.min(self.o.warmup)),
            None => (self.o.runs, self.o.warmup),
        };
        let cmd = |side: Side| match side {
            Side::Tool(_) => &pair.gi,
            Side::Git => &pair.git,
        };
        let mut failed: Vec<Option<Failure>> = vec![None; sides.len()];
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); sides.len()];
        let once = |side: Side| -> Result<Result<Duration, Failure>, String> {
            let dir = self.prepare(pair, side)?;
            let result = time_once(cmd(side), &dir, self.tool(side));
            self.finish(pair, &dir)?;
            Ok(result)
        };
        for (i, &side) in sides.iter().enumerate() {
            for _ in 0..warmup {
                if let Err(f) = once(side)? {
                    failed[i] = Some(f);
                    break;
                }
            }
        }
        for r in 0..runs {
            // Alternate the order, so no side always runs right after another.
            let mut order: Vec<usize> = (0..sides.len()).collect();
            if r % 2 == 1 {
                order.reverse();
            }
            for i in order {
                if failed[i].is_some() {
                    continue;
                }
                match once(sides[i])? {
                    Ok(d) => samples[i].push(d),
                    Err(f) => failed[i] = Some(f),
                }
            }
        }
        // Peak memory: one more run of each side that worked.
        let mut out = Vec::new();
        for (i, &side) in sides.iter().enumerate() {
            if let Some(f) = failed[i].take() {
                out.push((Outcome::Failed(f), None));
                continue;
            }
            let dir = self.prepare(pair, side)?;
            let rss = rss_once(cmd(side), &dir, self.tool(side), &self.scratch[0]);
            self.finish(pair, &dir)?;
            out.push((Outcome::Samples(std::mem::take(&mut samples[i])), rss));
        }
        Ok(out)
    }
}

/// Waits (up to ten minutes) while a detached `git gc` or maintenance run
/// holds its lock in `dir`.
fn wait_for_gc(dir: &Path) {
    let locks = [
        dir.join(".git/gc.pid"),
        dir.join(".git/objects/maintenance.lock"),
    ];
    let start = Instant::now();
    while locks.iter().any(|l| l.exists()) && start.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Bytes of every pack of the repository in `dir`.
fn pack_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join(".git/objects/pack"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Packed growth per change: `git gc`, C changes, `git gc` again; the
/// difference in pack bytes over C.
fn growth(b: &Bench<'_>, side: Side) -> Result<Result<f64, Failure>, String> {
    let dir = b.dir(side).to_path_buf();
    let c = b.o.growth_changes;
    b.reset(&dir)?;
    let gc = |dir: &Path| generator::git(dir, &["gc", "-q", "--prune=now"]);
    gc(&dir)?;
    let before = pack_bytes(&dir);
    for i in 0..c {
        let text = format!("growth {i}");
        let cmd = match side {
            Side::Tool(_) => Cmd::gi(&["note", &b.m.open.id, &text]),
            Side::Git => Cmd::Shell(note_git(b.m, &b.now, &text)),
        };
        if let Err(f) = time_once(&cmd, &dir, b.tool(side)) {
            b.reset(&dir)?;
            return Ok(Err(f));
        }
        wait_for_gc(&dir);
    }
    gc(&dir)?;
    let after = pack_bytes(&dir);
    b.reset(&dir)?;
    Ok(Ok((after as f64 - before as f64) / c as f64))
}

/// Quick correctness checks of the tool against the generated ledger.
fn checks(b: &Bench<'_>, side: Side) -> Result<Vec<(String, String)>, String> {
    let (dir, tool, m) = (b.dir(side), b.tool(side), b.m);
    let mut out = Vec::new();
    out.push(("validate (at generation)".to_owned(), m.validate.clone()));
    let array_len = |cmd: &Cmd| -> String {
        match capture(cmd, dir, tool) {
            Err(f) => format!("n/a ({f})"),
            Ok(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => items.len().to_string(),
                // `{"pending": [...], ...}`: the entries are the object's list.
                Ok(Value::Object(map)) if map.values().any(Value::is_array) => {
                    let list = map
                        .get("pending")
                        .or_else(|| map.get("incidents"))
                        .filter(|v| v.is_array())
                        .or_else(|| map.values().find(|v| v.is_array()));
                    list.and_then(Value::as_array)
                        .map_or(0, Vec::len)
                        .to_string()
                }
                Ok(other) => format!("not a JSON array: {}", truncate(&other.to_string(), 80)),
                Err(e) => format!("not JSON: {e}"),
            },
        }
    };
    let verdict = |got: String, want: u64| {
        if got == want.to_string() {
            format!("ok ({got})")
        } else {
            format!("MISMATCH: got {got}, expected {want}")
        }
    };
    out.push((
        "list --json entries".to_owned(),
        verdict(array_len(&Cmd::gi(&["list", "--json"])), m.incidents),
    ));
    out.push((
        "cleanup --json entries".to_owned(),
        verdict(
            array_len(&Cmd::gi(&["cleanup", "--json"])),
            m.pending_cleanups,
        ),
    ));
    // A change must touch only what it changes: a generated file the tool
    // re-renders differently shows up as removed lines.
    let note = Cmd::gi(&["note", &m.open.id, "round-trip check"]);
    let round_trip = match capture(&note, dir, tool) {
        Err(f) => format!("n/a ({f})"),
        Ok(_) => {
            let stat = generator::git(dir, &["diff", "--numstat", "HEAD~1", "HEAD"])?;
            let files: Vec<&str> = stat.lines().collect();
            match files.as_slice() {
                [line] => {
                    let mut parts = line.split('\t');
                    let added = parts.next().unwrap_or("?");
                    let removed = parts.next().unwrap_or("?");
                    if removed == "0" {
                        format!("ok (+{added} -0 lines in one file)")
                    } else {
                        format!(
                            "DIFFERS: the tool rewrote the generated file (+{added} -{removed})"
                        )
                    }
                }
                _ => format!("UNEXPECTED: {} files changed", files.len()),
            }
        }
    };
    wait_for_gc(dir);
    b.reset(dir)?;
    out.push((
        format!("note on a generated file ({})", m.open.id),
        round_trip,
    ));
    Ok(out)
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// The 1-minute load average: others' work on a shared machine skews timings.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn machine() -> Value {
    let git_version = generator::git(Path::new("."), &["--version"])
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let uname = Command::new("uname")
        .arg("-srm")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    json!({
        "cpus": std::thread::available_parallelism().map_or(0, usize::from),
        "cpu": cpu,
        "git": git_version,
        "os": uname,
    })
}

/// `git-incident --version` of a binary, for the report.
fn version(tool: &Path) -> String {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn run(o: &Options) -> Result<(), String> {
    let (ledger, manifest) = generator::ensure(o.params, &o.cache, Path::new(BIN), o.regen)?;
    let head = manifest.head.clone();
    if o.gen_only {
        println!("{}\t{head}", ledger.display());
        return Ok(());
    }
    progress!(
        "ledger {} ({} commits, HEAD {})",
        ledger.display(),
        manifest.commits,
        &head[..12]
    );

    // Scratch copies, so the cached ledger stays as generated.
    let mut scratch = Vec::new();
    for i in 0..o.tools.len() {
        let dir = o.cache.join(format!("scratch-{}-{i}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
        }
        let status = Command::new("cp")
            .arg("-a")
            .arg(&ledger)
            .arg(&dir)
            .status()
            .map_err(|e| format!("cannot run cp: {e}"))?;
        if !status.success() {
            return Err(format!("cp -a {} failed", ledger.display()));
        }
        scratch.push(dir);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let bench = Bench {
        o,
        m: &manifest,
        source: ledger,
        scratch,
        now: generator::incident::time(i64::try_from(now).unwrap_or(0)),
        serial: std::cell::Cell::new(0),
    };
    let result = measure_all(&bench, now);
    let upstream = o.cache.join(format!("upstream-{}", std::process::id()));
    if o.keep {
        for dir in &bench.scratch {
            progress!("kept the scratch ledger at {}", dir.display());
        }
    } else {
        for dir in &bench.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    let _ = std::fs::remove_dir_all(upstream);
    result
}

/// A measured row: one outcome and peak RSS per tool, then plain git's.
struct Row<'a> {
    pair: &'a Pair,
    tools: Vec<(Outcome, Option<u64>)>,
    git: (Outcome, Option<u64>),
}

fn measure_all(b: &Bench<'_>, now: u64) -> Result<(), String> {
    let o = b.o;
    let m = b.m;
    let wanted = |name: &str| o.only.is_empty() || o.only.iter().any(|n| n == name);
    let load_before = load();
    progress!("checks …");
    let mut checks = Vec::new();
    for (i, tool) in o.tools.iter().enumerate() {
        for (what, verdict) in self::checks(b, Side::Tool(i))? {
            checks.push((format!("[{}] {what}", tool.label), verdict));
        }
    }

    let all = pairs(m, &b.now);
    let selected: Vec<&Pair> = all.iter().filter(|p| wanted(p.name)).collect();
    let mut rows = Vec::new();
    let mut notices = Vec::new();
    for pair in selected {
        progress!("measuring {} …", pair.name);
        // A command this build does not have: its side is skipped.
        let mut sides = Vec::new();
        let mut skipped = Vec::new();
        for (i, tool) in o.tools.iter().enumerate() {
            let missing = matches!(&pair.gi, Cmd::Tool(args) if args.first().is_some_and(|a| a == "sync"))
                && !Command::new(&tool.path)
                    .args(["sync", "--help"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
            if missing {
                let notice = format!(
                    "{}: skipped for {} (`git-incident sync --help` fails: no sync command yet)",
                    pair.name, tool.label
                );
                progress!("{notice}");
                notices.push(notice);
                skipped.push(i);
            } else {
                sides.push(Side::Tool(i));
            }
        }
        sides.push(Side::Git);
        if pair.prep == Prep::GcDue {
            for dir in &b.scratch {
                generator::git(dir, &["config", "gc.autoPackLimit", "2"])?;
            }
        }
        let measured = b.measure(pair, &sides);
        if pair.prep == Prep::GcDue {
            for dir in &b.scratch {
                generator::git(dir, &["config", "--unset", "gc.autoPackLimit"])?;
            }
        }
        if matches!(pair.prep, Prep::Commit | Prep::Incoming(_)) {
            for dir in &b.scratch {
                b.reset(dir)?;
            }
        }
        let mut measured = measured?.into_iter();
        let mut tools = Vec::new();
        for i in 0..o.tools.len() {
            if skipped.contains(&i) {
                tools.push((Outcome::Skipped("no sync command".into()), None));
            } else {
                tools.push(measured.next().expect("one outcome per side"));
            }
        }
        let git = measured.next().expect("the git side");
        rows.push(Row { pair, tools, git });
    }

    // One-shot rows.
    let mut clone_row = None;
    if wanted("clone") {
        progress!("measuring clone …");
        let mut samples = Vec::new();
        for _ in 0..o.clone_runs {
            let clone = o.cache.join(format!("clone-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&clone);
            let start = Instant::now();
            generator::git(
                &o.cache,
                &[
                    "clone",
                    "-q",
                    "--no-local",
                    &b.source.display().to_string(),
                    &clone.display().to_string(),
                ],
            )?;
            samples.push(start.elapsed());
            let _ = std::fs::remove_dir_all(&clone);
        }
        clone_row = Some(Outcome::Samples(samples));
    }
    let mut growth_row = None;
    if wanted("growth") {
        progress!("measuring growth ({} changes a side) …", o.growth_changes);
        let mut per = Vec::new();
        for i in 0..o.tools.len() {
            per.push(growth(b, Side::Tool(i))?);
        }
        per.push(growth(b, Side::Git)?);
        growth_row = Some(per);
    }

    let load_after = load();
    let report = report(
        b,
        &rows,
        clone_row.as_ref(),
        growth_row.as_deref(),
        &checks,
        &notices,
        (&load_before, &load_after),
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(report.as_bytes());
    let _ = stdout.flush();

    if let Some(path) = &o.out {
        let round = |r: Option<f64>| r.map(|r| (r * 100.0).round() / 100.0);
        let results: Vec<Value> = rows
            .iter()
            .map(|row| {
                let git_median = row.git.0.median();
                let tools: Vec<Value> = row
                    .tools
                    .iter()
                    .zip(&o.tools)
                    .map(|((outcome, rss), tool)| {
                        let mut v = outcome.json(&row.pair.gi);
                        v["label"] = json!(tool.label);
                        v["bin"] = json!(tool.path.display().to_string());
                        v["peak_rss_kib"] = json!(rss);
                        v["ratio_to_git"] = json!(round(ratio(outcome.median(), git_median)));
                        v
                    })
                    .collect();
                let mut git = row.git.0.json(&row.pair.git);
                git["peak_rss_kib"] = json!(row.git.1);
                json!({
                    "name": row.pair.name,
                    "what": row.pair.what,
                    "git_incident": tools.first().cloned().unwrap_or(Value::Null),
                    "tools": tools,
                    "git": git,
                    "ratio": round(ratio(row.tools[0].0.median(), git_median)),
                    "ratio_last_to_first": (row.tools.len() > 1).then(|| round(ratio(
                        row.tools.last().and_then(|t| t.0.median()),
                        row.tools[0].0.median(),
                    ))),
                })
            })
            .collect();
        let doc = json!({
            "date_unix": now,
            "machine": machine(),
            "binary": o.tools[0].path.display().to_string(),
            "tools": o.tools.iter().map(|t| json!({
                "label": t.label,
                "bin": t.path.display().to_string(),
                "version": version(&t.path),
            })).collect::<Vec<_>>(),
            "runs": o.runs,
            "warmup": o.warmup,
            "clone_runs": o.clone_runs,
            "load_average": { "before": load_before, "after": load_after },
            "ledger": serde_json::to_value(m).unwrap_or(Value::Null),
            "checks": checks
                .iter()
                .map(|(what, verdict)| json!({ "check": what, "result": verdict }))
                .collect::<Vec<_>>(),
            "notices": notices,
            "results": results,
            "clone_ms": clone_row.as_ref().map(|c| c.json(&Cmd::exec("git", &["clone", "--no-local"]))),
            "growth_bytes_per_change": growth_row.as_ref().map(|per| {
                per.iter()
                    .map(|r| match r {
                        Ok(bytes) => json!(bytes.round()),
                        Err(f) => json!({ "error": f.to_string() }),
                    })
                    .collect::<Vec<_>>()
            }),
        });
        let text = serde_json::to_string_pretty(&doc).expect("serialisable");
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        progress!("wrote {}", path.display());
    }
    Ok(())
}

/// The Markdown report: the table, the RSS, what each row runs, the checks.
fn report(
    b: &Bench<'_>,
    rows: &[Row<'_>],
    clone: Option<&Outcome>,
    growth: Option<&[Result<f64, Failure>]>,
    checks: &[(String, String)],
    notices: &[String],
    (load_before, load_after): (&str, &str),
) -> String {
    let (o, m) = (b.o, b.m);
    let mut r = String::new();
    let _ = write!(
        r,
        "\nLedger: {} incidents x {} changes = {} commits, seed {}, HEAD {}\n\
         Generated in {:.1} s (fast-import {:.1} s, commit-graph --changed-paths {:.1} s); \
         pack {:.1} MiB; incident files at HEAD {:.1} MiB; template: {}\n\
         Runs: {} per side after {} warmup ({} for the clone, auto-gc and sync rows), \
         interleaved; medians (min–max); load average {load_before} before, {load_after} after\n",
        m.incidents,
        m.changes,
        m.commits,
        m.seed,
        &m.head[..12],
        m.generate_secs,
        m.fast_import_secs,
        m.commit_graph_secs,
        m.pack_bytes as f64 / 1048576.0,
        m.incident_bytes_at_head as f64 / 1048576.0,
        m.template,
        o.runs,
        o.warmup,
        o.clone_runs,
    );
    for t in &o.tools {
        let _ = writeln!(
            r,
            "Tool `{}`: {} ({})",
            t.label,
            t.path.display(),
            version(&t.path)
        );
    }
    let labels: Vec<&str> = o.tools.iter().map(|t| t.label.as_str()).collect();
    let many = labels.len() > 1;
    let mut head = String::from("\n| measurement |");
    for l in &labels {
        let _ = write!(head, " {l} |");
    }
    head.push_str(" plain git |");
    for l in &labels {
        let _ = write!(head, " {} / git |", if many { l } else { "ratio" });
    }
    if many {
        let _ = write!(head, " {} / {} |", labels[labels.len() - 1], labels[0]);
    }
    head.push_str(" peak RSS (");
    head.push_str(&labels.join(", "));
    head.push_str(", git) |\n|---|");
    let columns = labels.len() * 2 + 2 + usize::from(many);
    for _ in 0..columns {
        head.push_str("---|");
    }
    r.push_str(&head);
    r.push('\n');
    for row in rows {
        let git = row.git.0.median();
        let _ = write!(r, "| {} |", row.pair.name);
        for t in &row.tools {
            let _ = write!(r, " {} |", t.0.cell());
        }
        let _ = write!(r, " {} |", row.git.0.cell());
        for t in &row.tools {
            let text = ratio(t.0.median(), git).map_or("–".to_owned(), |x| format!("{x:.2}x"));
            let _ = write!(r, " {text} |");
        }
        if many {
            let x = ratio(
                row.tools.last().and_then(|t| t.0.median()),
                row.tools[0].0.median(),
            );
            let _ = write!(r, " {} |", x.map_or("–".to_owned(), |x| format!("{x:.2}x")));
        }
        let rss: Vec<String> = row
            .tools
            .iter()
            .map(|t| fmt_kib(t.1))
            .chain([fmt_kib(row.git.1)])
            .collect();
        let _ = writeln!(r, " {} |", rss.join(" / "));
    }
    if let Some(clone) = clone {
        let _ = writeln!(
            r,
            "\n`git clone --no-local` of the ledger: {}",
            clone.cell()
        );
    }
    if let Some(per) = growth {
        let _ = write!(
            r,
            "Packed growth per change (`git gc`, {} changes, `git gc`):",
            o.growth_changes
        );
        let names = labels.iter().copied().chain(["plain git"]);
        for (name, g) in names.zip(per) {
            match g {
                Ok(bytes) => {
                    let _ = write!(r, " {name} {:.2} KB;", bytes / 1000.0);
                }
                Err(f) => {
                    let _ = write!(r, " {name} n/a ({f});");
                }
            }
        }
        r.push('\n');
    }
    r.push_str("\nWhat each row runs (in the ledger's root):\n");
    for row in rows {
        let _ = writeln!(
            r,
            "  {:<13} {}\n                git-incident: {}\n                plain git:    {}",
            row.pair.name,
            row.pair.what,
            row.pair.gi.display(),
            row.pair.git.display()
        );
    }
    for n in notices {
        let _ = writeln!(r, "Notice: {n}");
    }
    r.push_str("\nChecks:\n");
    for (what, verdict) in checks {
        let _ = writeln!(r, "  {what}: {verdict}");
    }
    r
}
