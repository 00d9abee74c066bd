//! The commits that touched each incident file, for `log`, `diff` and
//! `report`: without it, an incident's history is git's path-limited
//! `git log`, which visits every commit of the ledger (2.5 s at a million
//! commits, Bloom filters or not) and, in a fresh clone, first writes git's
//! commit-graph for the whole history.
//!
//! The index is kept in the git directory, as of one commit (`tip.json`
//! names it). Its entries, `COMMIT PATH` lines, one for every file a commit
//! changed against any of its parents (the commits `git log --full-history
//! -- PATH` shows, merges included), are spread over [`BUCKETS`] files by a
//! hash of the path, so a read opens one small file. Each bucket's length
//! and checksum are in `tip.json`: a bucket that is shorter, or whose bytes
//! do not sum to the same, is damaged, and the whole index is built again;
//! one that is longer holds an append that did not finish, and the part
//! past the recorded length is ignored (and cut at the next update).
//!
//! On every read the indexed commit is checked against HEAD: the same, the
//! index is used as it is; an ancestor of HEAD, only the commits since are
//! walked (`git log OLD..HEAD`) and their lines appended; anything else (a
//! reset, a rebase, a missing or damaged index, another format) builds it
//! again from the whole history, once. Updating takes a lock; a reader that
//! finds it taken, or cannot write the index, reads git's log as before.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::ledger::files::{read_private_json, write_private_json};
use crate::ledger::{INCIDENTS_DIR, Ledger};

const DIR: &str = "git-incident/log-index";
const LOCK: &str = "git-incident/log-index.lock";
const TIP: &str = "tip.json";
const FORMAT: &str = concat!("log-index-1/", env!("CARGO_PKG_VERSION"));
/// How many files the entries are spread over.
const BUCKETS: usize = 256;
/// A lock older than this was left by a process that died.
const STALE_LOCK: Duration = Duration::from_secs(30 * 60);
/// From how many commits to walk an update is worth telling the person
/// waiting.
const ANNOUNCE_FROM: usize = 5_000;

#[derive(Serialize, Deserialize)]
struct Tip {
    format: String,
    /// The commit (hex) the index describes.
    commit: String,
    /// Each bucket's length in bytes and checksum ([`fnv`]).
    buckets: Vec<(u64, u64)>,
}

/// What the index needs before it can answer for HEAD.
enum Due {
    Nothing,
    /// Walk the commits since this one.
    Since(Oid, Tip),
    Rebuild,
}

/// FNV-1a, 64 bits, continued from `state`: a bucket's checksum is brought
/// up to date over the bytes appended to it, without reading it again.
fn fnv(mut state: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        state ^= u64::from(b);
        state = state.wrapping_mul(0x0100_0000_01b3);
    }
    state
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn bucket_of(path: &str) -> usize {
    (fnv(FNV_START, path.as_bytes()) % BUCKETS as u64) as usize
}

fn bucket_file(dir: &Path, bucket: usize) -> PathBuf {
    dir.join(format!("{bucket:02x}"))
}

impl Ledger {
    fn log_index_dir(&self) -> PathBuf {
        self.repo().path().join(DIR)
    }

    fn read_tip(&self) -> Option<Tip> {
        read_private_json(&self.log_index_dir().join(TIP))
            .filter(|t: &Tip| t.format == FORMAT && t.buckets.len() == BUCKETS)
    }

    fn log_index_due(&self, head: Oid) -> Due {
        let Some(tip) = self.read_tip() else {
            return Due::Rebuild;
        };
        match Oid::from_str(&tip.commit) {
            Ok(at) if at == head => Due::Nothing,
            Ok(at) if self.is_ancestor(at, head) => Due::Since(at, tip),
            _ => Due::Rebuild,
        }
    }

    /// How many commits the index must walk before it answers for HEAD,
    /// when that is many: a first build, or a large pull. Worth telling the
    /// person waiting.
    pub(crate) fn log_index_work(&self) -> Option<usize> {
        let head = self.head_oid().ok()?;
        let range = match self.log_index_due(head) {
            Due::Nothing => return None,
            Due::Since(at, _) => format!("{at}..{head}"),
            Due::Rebuild => head.to_string(),
        };
        let count: usize = self
            .git(&["rev-list", "--count", &range, "--"])
            .ok()?
            .trim()
            .parse()
            .ok()?;
        (count >= ANNOUNCE_FROM).then_some(count)
    }

    /// The commits up to HEAD (`head`) that changed the file at `path`
    /// (relative to the ledger's root), in the index's order: every commit
    /// after the commits it descends from. `None` when the index cannot be
    /// brought up to date (another process holds it, the git directory is
    /// read-only): the caller reads git's log instead.
    pub(crate) fn indexed_commits(&self, head: Oid, path: &Path) -> Option<Vec<Oid>> {
        let key = path.to_str()?;
        for _ in 0..2 {
            let tip = match self.log_index_due(head) {
                Due::Nothing => self.read_tip(),
                due => self.update_log_index(head, due),
            }?;
            if tip.commit != head.to_string() {
                return None;
            }
            match read_bucket(&self.log_index_dir(), &tip, bucket_of(key), key) {
                Some(found) => return Some(found),
                // Damaged: built again, then read once more.
                None => {
                    let _ = fs::remove_file(self.log_index_dir().join(TIP));
                }
            }
        }
        None
    }

    /// Brings the index to `head` under the lock; the new tip.
    fn update_log_index(&self, head: Oid, due: Due) -> Option<Tip> {
        let lock = self.repo().path().join(LOCK);
        let _held = Held::take(&lock)?;
        // Another process may have done it while this one waited.
        let due = match (self.log_index_due(head), due) {
            (Due::Nothing, _) => return self.read_tip(),
            (now, _) => now,
        };
        let dir = self.log_index_dir();
        if let Due::Since(at, tip) = due
            && let Some(tip) = self.append_since(&dir, at, head, tip)
        {
            return Some(tip);
        }
        self.rebuild_log_index(&dir, head)
    }

    /// Appends the commits of `at..head`; `None` when a bucket to append to
    /// is damaged.
    fn append_since(&self, dir: &Path, at: Oid, head: Oid, mut tip: Tip) -> Option<Tip> {
        let mut lines: Vec<Vec<u8>> = vec![Vec::new(); BUCKETS];
        self.walk_changes(&format!("{at}..{head}"), |commit, path| {
            let line = format!("{commit} {path}\n");
            lines[bucket_of(path)].extend_from_slice(line.as_bytes());
        })
        .ok()?;
        for (bucket, new) in lines.iter().enumerate() {
            if new.is_empty() {
                continue;
            }
            let (len, sum) = tip.buckets[bucket];
            let file = bucket_file(dir, bucket);
            let mut f = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&file)
                .ok()?;
            let mut old = Vec::new();
            (&mut f).take(len).read_to_end(&mut old).ok()?;
            if old.len() as u64 != len || fnv(FNV_START, &old) != sum {
                return None;
            }
            // Whatever a torn append left past the recorded length goes.
            f.set_len(len).ok()?;
            f.seek(SeekFrom::Start(len)).ok()?;
            f.write_all(new).ok()?;
            tip.buckets[bucket] = (len + new.len() as u64, fnv(sum, new));
        }
        tip.commit = head.to_string();
        write_tip(dir, &tip)?;
        Some(tip)
    }

    /// Builds the index from the whole history up to `head`, in a folder of
    /// its own that then replaces the old one.
    fn rebuild_log_index(&self, dir: &Path, head: Oid) -> Option<Tip> {
        let parent = dir.parent()?;
        fs::create_dir_all(parent).ok()?;
        let fresh = parent.join(format!(".log-index.{}.tmp", std::process::id()));
        let _ = fs::remove_dir_all(&fresh);
        let built = self.build_into(&fresh, head);
        if built.is_none() {
            let _ = fs::remove_dir_all(&fresh);
            return None;
        }
        let old = parent.join(format!(".log-index.{}.old", std::process::id()));
        if dir.exists() {
            fs::rename(dir, &old).ok()?;
        }
        let moved = fs::rename(&fresh, dir);
        let _ = fs::remove_dir_all(&old);
        if moved.is_err() {
            let _ = fs::remove_dir_all(&fresh);
            return None;
        }
        built
    }

    fn build_into(&self, fresh: &Path, head: Oid) -> Option<Tip> {
        fs::create_dir_all(fresh).ok()?;
        let mut writers = Vec::with_capacity(BUCKETS);
        for bucket in 0..BUCKETS {
            let file = fs::File::create(bucket_file(fresh, bucket)).ok()?;
            writers.push(BufWriter::with_capacity(8 * 1024, file));
        }
        let mut sums = vec![(0u64, FNV_START); BUCKETS];
        let mut failed = false;
        self.walk_changes(&head.to_string(), |commit, path| {
            let line = format!("{commit} {path}\n");
            let bucket = bucket_of(path);
            failed |= writers[bucket].write_all(line.as_bytes()).is_err();
            let (len, sum) = sums[bucket];
            sums[bucket] = (len + line.len() as u64, fnv(sum, line.as_bytes()));
        })
        .ok()?;
        for w in &mut writers {
            failed |= w.flush().is_err();
        }
        if failed {
            return None;
        }
        let tip = Tip {
            format: FORMAT.to_owned(),
            commit: head.to_string(),
            buckets: sums,
        };
        write_tip(fresh, &tip)?;
        Some(tip)
    }

    /// Every incident file each commit of `range` changed against any of
    /// its parents (a root commit: every file it has), oldest commit first
    /// and no commit before one it descends from; each pair once. Paths are
    /// relative to the ledger's root.
    fn walk_changes(
        &self,
        range: &str,
        mut each: impl FnMut(&str, &str),
    ) -> Result<(), std::io::Error> {
        let incidents = self.base().join(INCIDENTS_DIR);
        let mut child = Command::new("git")
            .arg("-C")
            .arg(self.workdir())
            .args([
                "-c",
                "core.quotePath=false",
                "-c",
                "log.showSignature=false",
                "log",
                "--format=%x01%H",
                "--name-only",
                "--no-renames",
                // A merge lists what it changed against each parent.
                "-m",
                "--full-history",
                "--date-order",
                "--reverse",
                range,
                "--",
            ])
            .arg(&incidents)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let base = self.base().to_path_buf();
        let mut commit = String::new();
        let mut seen: HashSet<String> = HashSet::new();
        let out = child.stdout.take().ok_or(std::io::ErrorKind::BrokenPipe)?;
        let mut reader = BufReader::with_capacity(64 * 1024, out);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches('\n');
            if let Some(hex) = text.strip_prefix('\x01') {
                if hex != commit {
                    commit = hex.to_owned();
                    seen.clear();
                }
                continue;
            }
            if text.is_empty() || commit.is_empty() {
                continue;
            }
            let path = Path::new(text);
            let Some(rel) = path.strip_prefix(&base).ok().and_then(Path::to_str) else {
                continue;
            };
            if seen.insert(rel.to_owned()) {
                each(&commit, rel);
            }
        }
        if !child.wait()?.success() {
            return Err(std::io::Error::other("git log failed"));
        }
        Ok(())
    }
}

fn write_tip(dir: &Path, tip: &Tip) -> Option<()> {
    let file = dir.join(TIP);
    write_private_json(&file, tip);
    // Best effort writes report nothing: read it back.
    read_private_json::<Tip>(&file)
        .filter(|t| t.commit == tip.commit)
        .map(|_| ())
}

/// The commits a bucket lists for `key`, in order; `None` when the bucket
/// is damaged.
fn read_bucket(dir: &Path, tip: &Tip, bucket: usize, key: &str) -> Option<Vec<Oid>> {
    let (len, sum) = tip.buckets[bucket];
    let mut bytes = Vec::new();
    match fs::File::open(bucket_file(dir, bucket)) {
        Ok(f) => {
            f.take(len).read_to_end(&mut bytes).ok()?;
        }
        Err(_) if len == 0 => {}
        Err(_) => return None,
    }
    if bytes.len() as u64 != len || fnv(FNV_START, &bytes) != sum {
        return None;
    }
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines() {
        let (commit, path) = line.split_once(' ')?;
        if path == key {
            let commit = Oid::from_str(commit).ok()?;
            if seen.insert(commit) {
                found.push(commit);
            }
        }
    }
    Some(found)
}

/// The index's lock, held while it lives.
struct Held(PathBuf);

impl Held {
    fn take(path: &Path) -> Option<Held> {
        fs::create_dir_all(path.parent()?).ok()?;
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => return Some(Held(path.to_path_buf())),
                Err(_) => {
                    let stale = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if !stale {
                        return None;
                    }
                    let _ = fs::remove_file(path);
                }
            }
        }
        None
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_continues_over_appended_bytes() {
        let whole = fnv(FNV_START, b"abc def\n");
        assert_eq!(fnv(fnv(FNV_START, b"abc "), b"def\n"), whole);
        assert_ne!(fnv(FNV_START, b"abc dfe\n"), whole);
    }

    #[test]
    fn a_bucket_reads_back_only_when_whole() {
        let dir = tempfile::tempdir().unwrap();
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let key = "incidents/2026/INC-1.toml";
        let bucket = bucket_of(key);
        let text = format!("{a} {key}\n{b} incidents/2026/INC-9.toml\n{b} {key}\n");
        fs::write(bucket_file(dir.path(), bucket), &text).unwrap();
        let mut tip = Tip {
            format: FORMAT.into(),
            commit: a.clone(),
            buckets: vec![(0, FNV_START); BUCKETS],
        };
        tip.buckets[bucket] = (text.len() as u64, fnv(FNV_START, text.as_bytes()));
        let found = read_bucket(dir.path(), &tip, bucket, key).unwrap();
        assert_eq!(found.len(), 2);
        // A torn append past the recorded length is ignored.
        fs::write(bucket_file(dir.path(), bucket), format!("{text}{a} inc")).unwrap();
        assert_eq!(read_bucket(dir.path(), &tip, bucket, key), Some(found));
        // Shorter, or other bytes: damaged.
        fs::write(bucket_file(dir.path(), bucket), &text[..40]).unwrap();
        assert_eq!(read_bucket(dir.path(), &tip, bucket, key), None);
        fs::write(bucket_file(dir.path(), bucket), text.replace('a', "c")).unwrap();
        assert_eq!(read_bucket(dir.path(), &tip, bucket, key), None);
    }
}
