//! Generates large ledgers through `git fast-import`, deterministically.
//!
//! `N` incidents, `K` commits each (the first declares it), interleaved in
//! time order across incidents, every commit changing exactly one incident
//! file. The same arguments (and the same `git-incident init` template) give
//! the same commit ids.
//!
//! Pack layout: all blobs are streamed first, incident by incident and newest
//! version first, with a tiny unique separator blob between incidents. So each
//! incident's versions form their own delta chain whose head (the version at
//! HEAD) is stored whole, which is what `git gc` would give a real ledger; the
//! separators stay behind as N dangling blobs of a few bytes (harmless, and
//! dropped by the next `git gc --prune`). Commit ids do not depend on this.

pub(crate) mod incident;
pub(crate) mod rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use incident::{PEOPLE, Settings, Version, simulate, year};
use rng::Rng;

/// Bumped when the generator's output changes, so stale caches are not reused.
pub(crate) const FORMAT: u32 = 2;

/// The ledger's shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub incidents: u64,
    pub changes: usize,
    pub seed: u64,
}

impl Params {
    /// The cache folder's name: `ledger-i1000-k10-s1`.
    pub(crate) fn dir_name(&self) -> String {
        format!(
            "ledger-i{}-k{}-s{}",
            self.incidents, self.changes, self.seed
        )
    }
}

/// An incident the harness measures against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Probe {
    pub id: String,
    /// Relative to the ledger's root: `incidents/2024/INC-500.toml`.
    pub path: String,
    pub status: String,
    /// Commits that touch its file.
    pub commits: u64,
}

/// What was generated; stored as `.git/bench-manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: u32,
    pub incidents: u64,
    pub changes: usize,
    pub seed: u64,
    pub head: String,
    pub commits: u64,
    /// `git-incident init` or `fallback`.
    pub template: String,
    pub template_hash: String,
    pub generate_secs: f64,
    pub fast_import_secs: f64,
    pub checkout_secs: f64,
    pub commit_graph_secs: f64,
    pub pack_bytes: u64,
    pub incident_bytes_at_head: u64,
    pub statuses: BTreeMap<String, u64>,
    /// Incidents per year folder.
    pub years: BTreeMap<String, u64>,
    /// Temporary mitigations still pending cleanup, across the ledger.
    pub pending_cleanups: u64,
    /// An incident from the middle of history (for show and log).
    pub mid: Probe,
    /// An open incident (for state changes).
    pub open: Probe,
    /// What `git-incident validate` said about the generated ledger.
    pub validate: String,
}

pub(crate) const MANIFEST: &str = ".git/bench-manifest.json";

/// Progress on stderr; the harness prints its results on stdout.
macro_rules! progress {
    ($($arg:tt)*) => {
        eprintln!($($arg)*)
    };
}
pub(crate) use progress;

/// The ledger for `params` under `cache`, generated unless already there.
pub(crate) fn ensure(
    params: Params,
    cache: &Path,
    bin: &Path,
    regen: bool,
) -> Result<(PathBuf, Manifest), String> {
    let dir = cache.join(params.dir_name());
    let manifest_path = dir.join(MANIFEST);
    if !regen && let Ok(text) = fs::read_to_string(&manifest_path) {
        match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.format == FORMAT => {
                let template = Template::new(bin);
                if template.hash != m.template_hash {
                    progress!(
                        "note: {} was generated from another `git-incident init` template \
                         ({} vs {} now); pass --regen to rebuild it",
                        dir.display(),
                        m.template_hash,
                        template.hash
                    );
                }
                return Ok((dir, m));
            }
            _ => progress!("{}: stale manifest, regenerating", dir.display()),
        }
    }
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let tmp = cache.join(format!("{}.tmp-{}", params.dir_name(), std::process::id()));
    if tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    let manifest = generate(params, &tmp, bin)?;
    fs::rename(&tmp, &dir).map_err(|e| format!("cannot rename into {}: {e}", dir.display()))?;
    Ok((dir, manifest))
}

/// The files of a fresh ledger: what `git-incident init` writes, or a minimal
/// stand-in when the binary cannot make one.
pub(crate) struct Template {
    pub files: Vec<(String, Vec<u8>)>,
    pub source: String,
    pub hash: String,
    pub settings: Settings,
}

const FALLBACK: [(&str, &str); 4] = [
    (
        "ledger.toml",
        "prefix = \"INC\"\nrunbook = \"runbook.toml\"\n",
    ),
    (
        "runbook.toml",
        "name = \"Incident Response\"\n\n[[severities]]\nname = \"SEV-1\"\n\n\
         [[severities]]\nname = \"SEV-2\"\n\n[[severities]]\nname = \"SEV-3\"\n\n\
         [[severities]]\nname = \"SEV-4\"\n",
    ),
    (".gitattributes", "incidents/**/*.toml merge=git-incident\n"),
    ("incidents/.gitkeep", ""),
];

/// FNV-1a, 64 bits: a stable fingerprint of the template.
fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    h
}

fn git_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_AUTHOR_NAME", "Ledger Admin")
        .env("GIT_AUTHOR_EMAIL", "admin@example.com")
        .env("GIT_COMMITTER_NAME", "Ledger Admin")
        .env("GIT_COMMITTER_EMAIL", "admin@example.com")
        .env_remove("GIT_INCIDENT_NOW")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
}

/// Runs git in `dir`; its stdout, or an error naming the command.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = git_env(Command::new("git").args(args).current_dir(dir))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("walked below root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, fs::read(&path)?));
        }
    }
    Ok(())
}

impl Template {
    pub(crate) fn new(bin: &Path) -> Self {
        let from_cli = || -> Result<Vec<(String, Vec<u8>)>, String> {
            let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
            let out = git_env(Command::new(bin).arg("init").arg(tmp.path()))
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
            }
            // Only what the init commit holds.
            let listed = git(tmp.path(), &["ls-tree", "-r", "--name-only", "HEAD"])?;
            let mut files = Vec::new();
            walk(tmp.path(), tmp.path(), &mut files).map_err(|e| e.to_string())?;
            files.retain(|(p, _)| listed.lines().any(|l| l == p));
            if !files.iter().any(|(p, _)| p == "ledger.toml") {
                return Err("init wrote no ledger.toml".into());
            }
            Ok(files)
        };
        let (mut files, source) = match from_cli() {
            Ok(files) => (files, "git-incident init".to_owned()),
            Err(e) => {
                progress!("note: `git-incident init` unusable ({e}); using a minimal template");
                let files = FALLBACK
                    .iter()
                    .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
                    .collect();
                (files, "fallback".to_owned())
            }
        };
        files.sort();
        let mut h = 0xCBF2_9CE4_8422_2325;
        for (path, bytes) in &files {
            h = fnv(path.as_bytes(), h);
            h = fnv(&[0], h);
            h = fnv(bytes, h);
        }
        let settings = settings_of(&files);
        Template {
            files,
            source,
            hash: format!("{h:016x}"),
            settings,
        }
    }
}

/// What incident files take from the template: the id prefix, severities,
/// step ids and the runbook's blob id.
fn settings_of(files: &[(String, Vec<u8>)]) -> Settings {
    let text = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    };
    let ledger: toml::Table = text("ledger.toml")
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let prefix = ledger
        .get("prefix")
        .and_then(|v| v.as_str())
        .unwrap_or("INC")
        .to_owned();
    let runbook_path = ledger
        .get("runbook")
        .and_then(|v| v.as_str())
        .unwrap_or("runbook.toml")
        .to_owned();
    let runbook_text = text(&runbook_path).unwrap_or_default();
    let runbook: toml::Table = runbook_text.parse().unwrap_or_default();
    let names = |key: &str, field: &str| -> Vec<String> {
        runbook
            .get(key)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get(field).and_then(|n| n.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut severities = names("severities", "name");
    if severities.is_empty() {
        severities = ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
            .map(String::from)
            .to_vec();
    }
    let review_required = ledger
        .get("review_required")
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| vec!["SEV-1".to_owned(), "SEV-2".to_owned()]);
    Settings {
        prefix,
        severities,
        review_required,
        steps: names("steps", "id"),
        runbook_version: blob_id(runbook_text.as_bytes()).map(|id| id[..8].to_owned()),
    }
}

/// `git hash-object` of some bytes.
fn blob_id(bytes: &[u8]) -> Option<String> {
    let mut child = Command::new("git")
        .args(["hash-object", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    let out = child.wait_with_output().ok()?;
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && id.len() >= 8).then_some(id)
}

/// One commit of the history: which version of which incident.
struct Event {
    at: i64,
    number: u32,
    seq: u32,
    by: u8,
    message: String,
}

fn data(w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    writeln!(w, "data {}", bytes.len())?;
    w.write_all(bytes)?;
    w.write_all(b"\n")
}

fn ident(by: usize, at: i64) -> String {
    let (name, email) = PEOPLE[by];
    format!("{name} <{email}> {at} +0000")
}

fn epoch(y: i32, m: u32, d: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .expect("a valid date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
}

/// Generates the ledger into `dir` (which must not exist).
pub(crate) fn generate(params: Params, dir: &Path, bin: &Path) -> Result<Manifest, String> {
    let started = Instant::now();
    let Params {
        incidents: n,
        changes: k,
        seed,
    } = params;
    if n == 0 || k == 0 || n > u64::from(u32::MAX) || k > 1_000_000 {
        return Err("need 1 <= incidents < 2^32 and 1 <= changes <= 10^6".into());
    }
    progress!(
        "generating {} incidents x {k} changes (seed {seed}) into {}",
        n,
        dir.display()
    );
    let template = Template::new(bin);
    let settings = &template.settings;
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    git(dir, &["init", "-q", "--initial-branch=main"])?;

    // Declaration times, spread over several years; numbers follow them.
    let (from, to) = (epoch(2022, 1, 1), epoch(2026, 9, 30));
    let span = u64::try_from(to - from).expect("to after from");
    let mut global = Rng::stream(seed, 0);
    let mut declared: Vec<i64> = (0..n)
        .map(|_| from + i64::try_from(global.range(0, span)).expect("fits"))
        .collect();
    declared.sort_unstable();
    let open_count = (n / 50).max(1);

    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--done"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git fast-import: {e}"))?;
    let stdin = child.stdin.take().expect("piped");
    let mut w = BufWriter::with_capacity(1 << 20, stdin);
    let io = |e: std::io::Error| format!("writing to git fast-import: {e}");

    // Blobs, incident by incident, newest first; remember the commits.
    let total = n * k as u64;
    let mut events: Vec<Event> = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut paths: Vec<String> = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    let mut years: BTreeMap<String, u64> = BTreeMap::new();
    let mut pending_cleanups = 0;
    let mut head_bytes = 0;
    let mut final_status: Vec<&'static str> = Vec::with_capacity(paths.capacity());
    let mut last_report = Instant::now();
    for (i, &at) in declared.iter().enumerate() {
        let number = i as u64 + 1;
        let mut rng = Rng::stream(seed, number);
        let open = number > n - open_count;
        let (versions, outcome) = simulate(settings, number, at, k, open, &mut rng);
        let y = year(at).to_string();
        paths.push(format!("incidents/{y}/{}-{number}.toml", settings.prefix));
        *years.entry(y).or_default() += 1;
        *statuses.entry(outcome.status.to_owned()).or_default() += 1;
        final_status.push(outcome.status);
        pending_cleanups += outcome.pending_cleanups as u64;
        head_bytes += versions.last().map_or(0, |v| v.text.len() as u64);
        for (seq, v) in versions.iter().enumerate().rev() {
            let mark = i as u64 * k as u64 + seq as u64 + 1;
            write!(w, "blob\nmark :{mark}\n").map_err(io)?;
            data(&mut w, v.text.as_bytes()).map_err(io)?;
        }
        // Unique and under 21 bytes, so fast-import neither deltas it nor
        // dedups it: the next incident's chain starts afresh.
        w.write_all(b"blob\n").map_err(io)?;
        data(&mut w, format!("~{number}").as_bytes()).map_err(io)?;
        for (
            seq,
            Version {
                at, by, message, ..
            },
        ) in versions.into_iter().enumerate()
        {
            events.push(Event {
                at,
                number: u32::try_from(number).expect("checked"),
                seq: u32::try_from(seq).expect("checked"),
                by: u8::try_from(by).expect("few people"),
                message,
            });
        }
        if last_report.elapsed().as_secs() >= 5 {
            progress!(
                "  blobs: {number}/{n} incidents ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    }
    events.sort_by_key(|e| (e.at, e.number, e.seq));

    // The set-up commit, then one commit per event.
    let t0 = from - 86_400;
    let setup_by = "Ledger Admin <admin@example.com>";
    write!(
        w,
        "commit refs/heads/main\nauthor {setup_by} {t0} +0000\ncommitter {setup_by} {t0} +0000\n"
    )
    .map_err(io)?;
    data(&mut w, b"Set up incident ledger\n\nIncident-Change: init\n").map_err(io)?;
    for (path, bytes) in &template.files {
        writeln!(w, "M 100644 inline {path}").map_err(io)?;
        data(&mut w, bytes).map_err(io)?;
    }
    w.write_all(b"\n").map_err(io)?;
    for (done, e) in events.iter().enumerate() {
        let idx = e.number as usize - 1;
        let mark = idx as u64 * k as u64 + u64::from(e.seq) + 1;
        let who = ident(usize::from(e.by), e.at);
        write!(w, "commit refs/heads/main\nauthor {who}\ncommitter {who}\n").map_err(io)?;
        data(&mut w, e.message.as_bytes()).map_err(io)?;
        write!(w, "M 100644 :{mark} {}\n\n", paths[idx]).map_err(io)?;
        if last_report.elapsed().as_secs() >= 5 {
            progress!(
                "  commits: {}/{} ({:.0} s)",
                done + 1,
                events.len(),
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    }
    w.write_all(b"done\n").map_err(io)?;
    w.flush().map_err(io)?;
    drop(w);
    let status = child.wait().map_err(|e| format!("git fast-import: {e}"))?;
    if !status.success() {
        return Err(format!("git fast-import failed: {status}"));
    }
    let fast_import_secs = started.elapsed().as_secs_f64();
    progress!("  fast-import done ({fast_import_secs:.1} s); checking out");

    let t = Instant::now();
    git(dir, &["reset", "--hard", "-q"])?;
    let checkout_secs = t.elapsed().as_secs_f64();
    progress!("  checkout done ({checkout_secs:.1} s); writing commit-graph with Bloom filters");
    let t = Instant::now();
    git(
        dir,
        &["commit-graph", "write", "--reachable", "--changed-paths"],
    )?;
    let commit_graph_secs = t.elapsed().as_secs_f64();
    progress!("  commit-graph done ({commit_graph_secs:.1} s)");

    let head = git(dir, &["rev-parse", "HEAD"])?.trim().to_owned();
    let pack_bytes = fs::read_dir(dir.join(".git/objects/pack"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);

    let probe = |number: u64| {
        let idx = usize::try_from(number - 1).expect("fits");
        Probe {
            id: format!("{}-{number}", settings.prefix),
            path: paths[idx].clone(),
            status: final_status[idx].to_owned(),
            commits: k as u64,
        }
    };
    let mid = probe((n / 2).max(1));
    let open = probe(n - open_count + 1);

    let validate = validate(bin, dir);
    progress!("  git-incident validate: {validate}");
    let mut manifest = Manifest {
        format: FORMAT,
        incidents: n,
        changes: k,
        seed,
        head,
        commits: total + 1,
        template: template.source.clone(),
        template_hash: template.hash.clone(),
        generate_secs: 0.0,
        fast_import_secs,
        checkout_secs,
        commit_graph_secs,
        pack_bytes,
        incident_bytes_at_head: head_bytes,
        statuses,
        years,
        pending_cleanups,
        mid,
        open,
        validate,
    };
    manifest.generate_secs = started.elapsed().as_secs_f64();
    let json = serde_json::to_string_pretty(&manifest).expect("serialisable");
    fs::write(dir.join(MANIFEST), json).map_err(|e| format!("cannot write manifest: {e}"))?;
    progress!(
        "generated {} commits in {:.1} s, HEAD {}",
        manifest.commits,
        manifest.generate_secs,
        manifest.head
    );
    Ok(manifest)
}

/// `git-incident validate` on the generated ledger, in one line.
fn validate(bin: &Path, dir: &Path) -> String {
    let out = git_env(Command::new(bin).arg("validate").current_dir(dir))
        .stdin(Stdio::null())
        .output();
    match out {
        Err(e) => format!("not run ({e})"),
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let mut text = String::new();
            let code = out.status.code().unwrap_or(-1);
            let _ = write!(
                text,
                "{} (exit {code})",
                if out.status.success() { "ok" } else { "FAILED" }
            );
            let first = stdout
                .lines()
                .chain(stderr.lines())
                .find(|l| !l.trim().is_empty());
            if let Some(line) = first {
                let _ = write!(text, ": {}", line.trim());
            }
            text
        }
    }
}
