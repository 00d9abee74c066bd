//! Benchmarks `git-incident` against the plain git CLI doing the same work, on
//! generated ledgers of any size.
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
  --only NAMES      comma-separated measurements: list,show,log,cleanup,stats,note
  --out FILE        also write the results as JSON
  --keep            keep the scratch copy of the ledger
  --cache DIR       where generated ledgers live (default target/bench-ledgers)
  --regen           regenerate the ledger even when cached
  --gen-only        generate (or find) the ledger, print its path and HEAD, stop";

const MEASUREMENTS: [&str; 6] = ["list", "show", "log", "cleanup", "stats", "note"];

#[derive(Debug)]
struct Options {
    params: Params,
    runs: usize,
    warmup: usize,
    only: Vec<String>,
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
        only: Vec::new(),
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
        match key.as_str() {
            // `cargo bench` appends --bench; libtest-style filters are ignored.
            "--bench" => {}
            "--incidents" => o.params.incidents = number(&key, value(&key)?)?,
            "--changes" => {
                o.params.changes =
                    usize::try_from(number(&key, value(&key)?)?).map_err(|e| e.to_string())?;
            }
            "--seed" => o.params.seed = number(&key, value(&key)?)?,
            "--runs" => {
                o.runs = usize::try_from(number(&key, value(&key)?)?).map_err(|e| e.to_string())?;
            }
            "--warmup" => {
                o.warmup =
                    usize::try_from(number(&key, value(&key)?)?).map_err(|e| e.to_string())?;
            }
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
            "--out" => o.out = Some(PathBuf::from(value(&key)?)),
            "--cache" => o.cache = PathBuf::from(value(&key)?),
            "--keep" => o.keep = true,
            "--regen" => o.regen = true,
            "--gen-only" => o.gen_only = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
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

/// One side of a measurement.
#[derive(Debug, Clone)]
enum Cmd {
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
        Cmd::exec(BIN, args)
    }

    fn command(&self, dir: &Path) -> Command {
        let mut cmd = match self {
            Cmd::Exec(program, args) => {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
            Cmd::Shell(script) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(script);
                c
            }
        };
        bench_env(&mut cmd).current_dir(dir);
        cmd
    }

    /// For the table's legend.
    fn display(&self) -> String {
        match self {
            Cmd::Exec(program, args) => {
                let name = if program == BIN {
                    "git-incident"
                } else {
                    program.as_str()
                };
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
            }
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

/// Runs a command once, timing spawn to exit; stdout is discarded.
fn time_once(cmd: &Cmd, dir: &Path) -> Result<Duration, Failure> {
    let mut command = cmd.command(dir);
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
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(Failure {
            code: out.status.code(),
            line: stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("(no output)")
                .trim()
                .to_owned(),
        })
    }
}

/// Runs a command and returns its stdout, for the checks.
fn capture(cmd: &Cmd, dir: &Path) -> Result<String, Failure> {
    let out = cmd.command(dir).output().map_err(|e| Failure {
        code: None,
        line: format!("cannot run: {e}"),
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(Failure {
            code: out.status.code(),
            line: stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("(no output)")
                .trim()
                .to_owned(),
        })
    }
}

/// Timings of one side, or why it could not be measured.
#[derive(Debug, Clone)]
enum Outcome {
    Samples(Vec<Duration>),
    Failed(Failure),
}

impl Outcome {
    fn median(&self) -> Option<Duration> {
        let Outcome::Samples(s) = self else {
            return None;
        };
        let mut s = s.clone();
        s.sort();
        let n = s.len();
        Some(if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        })
    }

    fn cell(&self) -> String {
        match self {
            Outcome::Failed(f) => format!("n/a ({f})"),
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

/// One row: the tool and plain git doing the same work.
struct Pair {
    name: &'static str,
    what: String,
    gi: Cmd,
    git: Cmd,
    /// Makes a commit; the scratch ledger is reset after every run.
    mutates: bool,
}

fn read_all_blobs() -> Cmd {
    Cmd::Shell(
        "git ls-tree -r --format='%(objectname)' HEAD incidents/ | git cat-file --batch >/dev/null"
            .into(),
    )
}

fn pairs(m: &Manifest, now: &str) -> Vec<Pair> {
    let mid = &m.mid;
    let open = &m.open;
    let note_text = "bench note";
    let note_git = format!(
        "printf '\\n[[notes]]\\nat = {now}\\nby = \"Bench Runner <bench@example.com>\"\\n\
         text = \"{note_text}\"\\n' >> {path} && git add {path} && \
         git commit -q -m '{id}: note: {note_text}' -m 'Incident: {id}\nIncident-Change: note'",
        path = open.path,
        id = open.id,
    );
    vec![
        Pair {
            name: "list",
            what: "read every incident at HEAD".into(),
            gi: Cmd::gi(&["list", "--json"]),
            git: read_all_blobs(),
            mutates: false,
        },
        Pair {
            name: "show",
            what: format!("one incident ({})", mid.id),
            gi: Cmd::gi(&["show", &mid.id]),
            git: Cmd::exec("git", &["show", &format!("HEAD:{}", mid.path)]),
            mutates: false,
        },
        Pair {
            name: "log",
            what: format!(
                "history of one incident ({}, {} commits)",
                mid.id, mid.commits
            ),
            gi: Cmd::gi(&["log", &mid.id]),
            git: Cmd::exec(
                "git",
                &["log", "--format=%H%x09%an%x09%at%x09%s", "--", &mid.path],
            ),
            mutates: false,
        },
        Pair {
            name: "cleanup",
            what: "pending mitigations across the ledger".into(),
            gi: Cmd::gi(&["cleanup", "--json"]),
            git: read_all_blobs(),
            mutates: false,
        },
        Pair {
            name: "stats",
            what: "ledger statistics".into(),
            gi: Cmd::gi(&["stats", "--json"]),
            git: read_all_blobs(),
            mutates: false,
        },
        Pair {
            name: "note",
            what: format!("one state change = one commit ({})", open.id),
            gi: Cmd::gi(&["note", &open.id, note_text]),
            git: Cmd::Shell(note_git),
            mutates: true,
        },
    ]
}

/// Puts the scratch ledger back to the generated HEAD.
fn reset(dir: &Path, head: &str) -> Result<(), String> {
    generator::git(dir, &["reset", "--hard", "-q", head]).map(|_| ())
}

/// Times both sides of a pair, interleaved run by run.
fn measure(
    pair: &Pair,
    dir: &Path,
    head: &str,
    runs: usize,
    warmup: usize,
) -> Result<(Outcome, Outcome), String> {
    let after = |pair: &Pair| -> Result<(), String> {
        if pair.mutates {
            reset(dir, head)?;
        }
        Ok(())
    };
    // The first run tells whether the side works at all; it counts as warmup.
    let mut failed: [Option<Failure>; 2] = [None, None];
    let sides = [&pair.gi, &pair.git];
    for (i, cmd) in sides.iter().enumerate() {
        for w in 0..warmup.max(1) {
            let result = time_once(cmd, dir);
            after(pair)?;
            if let Err(f) = result {
                if w == 0 {
                    failed[i] = Some(f);
                    break;
                }
                return Err(format!("{} failed during warmup: {f}", cmd.display()));
            }
        }
    }
    let mut samples: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for r in 0..runs {
        let order = if r % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            if failed[i].is_some() {
                continue;
            }
            let result = time_once(sides[i], dir);
            after(pair)?;
            match result {
                Ok(d) => samples[i].push(d),
                Err(f) => failed[i] = Some(f),
            }
        }
    }
    let [gi, git] = samples;
    let [gi_failed, git_failed] = failed;
    let outcome = |s: Vec<Duration>, f: Option<Failure>| match f {
        Some(f) => Outcome::Failed(f),
        None => Outcome::Samples(s),
    };
    Ok((outcome(gi, gi_failed), outcome(git, git_failed)))
}

/// Quick correctness checks of the tool against the generated ledger.
fn checks(dir: &Path, m: &Manifest, head: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    out.push(("validate (at generation)".to_owned(), m.validate.clone()));
    let array_len = |cmd: &Cmd| -> String {
        match capture(cmd, dir) {
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
    let round_trip = match capture(&note, dir) {
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
    reset(dir, head)?;
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
    json!({
        "cpus": std::thread::available_parallelism().map_or(0, usize::from),
        "git": git_version,
        "os": uname,
    })
}

fn run(o: &Options) -> Result<(), String> {
    let bin = Path::new(BIN);
    let (ledger, manifest) = generator::ensure(o.params, &o.cache, bin, o.regen)?;
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

    // A scratch copy, so the cached ledger stays as generated.
    let scratch = o.cache.join(format!("scratch-{}", std::process::id()));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| e.to_string())?;
    }
    let status = Command::new("cp")
        .arg("-a")
        .arg(&ledger)
        .arg(&scratch)
        .status()
        .map_err(|e| format!("cannot run cp: {e}"))?;
    if !status.success() {
        return Err(format!("cp -a {} failed", ledger.display()));
    }
    let result = bench(o, &scratch, &manifest);
    if o.keep {
        progress!("kept the scratch ledger at {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

fn bench(o: &Options, dir: &Path, m: &Manifest) -> Result<(), String> {
    let head = m.head.as_str();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let now_text = generator::incident::time(i64::try_from(now).unwrap_or(0));

    let load_before = load();
    progress!("checks …");
    let checks = checks(dir, m, head)?;

    let selected: Vec<Pair> = pairs(m, &now_text)
        .into_iter()
        .filter(|p| o.only.is_empty() || o.only.iter().any(|n| n == p.name))
        .collect();
    let mut rows = Vec::new();
    for pair in &selected {
        progress!(
            "measuring {} ({} runs + {} warmup) …",
            pair.name,
            o.runs,
            o.warmup
        );
        let (gi, git) = measure(pair, dir, head, o.runs, o.warmup)?;
        rows.push((pair, gi, git));
    }

    let load_after = load();
    let mut report = String::new();
    let n = m.incidents;
    report.push_str(&format!(
        "\nLedger: {n} incidents x {} changes = {} commits, seed {}, HEAD {}\n\
         Generated in {:.1} s (fast-import {:.1} s, commit-graph --changed-paths {:.1} s); \
         pack {:.1} MiB; incident files at HEAD {:.1} MiB; template: {}\n\
         Runs: {} per side after {} warmup, interleaved; medians (min–max); \
         load average {load_before} before, {load_after} after\n\n",
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
    ));
    report.push_str("| measurement | git-incident | plain git | ratio |\n|---|---|---|---|\n");
    let mut results = Vec::new();
    for (pair, gi, git) in &rows {
        let ratio = match (gi.median(), git.median()) {
            (Some(a), Some(b)) if b > Duration::ZERO => Some(a.as_secs_f64() / b.as_secs_f64()),
            _ => None,
        };
        let ratio_text = ratio.map_or("–".to_owned(), |r| format!("{r:.2}x"));
        report.push_str(&format!(
            "| {} | {} | {} | {ratio_text} |\n",
            pair.name,
            gi.cell(),
            git.cell()
        ));
        results.push(json!({
            "name": pair.name,
            "what": pair.what,
            "git_incident": gi.json(&pair.gi),
            "git": git.json(&pair.git),
            "ratio": ratio.map(|r| (r * 100.0).round() / 100.0),
        }));
    }
    report.push_str("\nWhat each row runs (in the ledger's root):\n");
    for (pair, _, _) in &rows {
        report.push_str(&format!(
            "  {:<8} {}\n           git-incident: {}\n           plain git:    {}\n",
            pair.name,
            pair.what,
            pair.gi.display(),
            pair.git.display()
        ));
    }
    report.push_str("\nChecks:\n");
    for (what, verdict) in &checks {
        report.push_str(&format!("  {what}: {verdict}\n"));
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(report.as_bytes());
    let _ = stdout.flush();

    if let Some(path) = &o.out {
        let doc = json!({
            "date_unix": now,
            "machine": machine(),
            "binary": BIN,
            "runs": o.runs,
            "warmup": o.warmup,
            "load_average": { "before": load_before, "after": load_after },
            "ledger": serde_json::to_value(m).unwrap_or(Value::Null),
            "checks": checks
                .iter()
                .map(|(what, verdict)| json!({ "check": what, "result": verdict }))
                .collect::<Vec<_>>(),
            "results": results,
        });
        let text = serde_json::to_string_pretty(&doc).expect("serialisable");
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        progress!("wrote {}", path.display());
    }
    Ok(())
}
