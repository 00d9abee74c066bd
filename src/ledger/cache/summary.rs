//! What `list` and `cleanup` need of every incident, without reading every
//! file each time: a cache of one summary per incident file, kept in the git
//! directory (never committed) as a [`Journal`].
//!
//! Each entry is keyed by the file's path and holds the file's stat data
//! (modification and change times, size, inode) and a hash of its content,
//! as git's index does. A file whose stat data match its entry is not read
//! at all. One whose stat data differ is read and hashed, and parsed only
//! when the hash differs too. Racy timestamps: an entry whose file was
//! modified no earlier than the cache was written could be followed by an
//! edit within the same clock tick that leaves the stat data unchanged, so
//! such a file is always read and hashed; and after each write, an entry
//! that would be racy against it is recorded again with stat data that match
//! nothing (git "smudges" index entries the same way). A missing, damaged or
//! older cache is rebuilt from the files.
//!
//! The summary keeps, besides what `list` shows, the pending temporary
//! mitigations with every field `cleanup` shows, so neither command parses
//! an unchanged incident. Files are read one at a time per reader thread
//! and dropped once summarised: no command here holds every incident's text.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use xxhash_rust::xxh3::xxh3_64;

use super::journal::{FileTime, Journal, mtime};
use crate::domain::{Identity, Incident, IncidentId, Mitigation, Summary};
use crate::ledger::IoOp;
use crate::ledger::files::{check_walked, in_parallel, parse_incident, read_inside, text_of};
use crate::ledger::{Ledger, LedgerError};

/// An incident file's summary, with the path it was read from.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub(crate) path: PathBuf,
    pub(crate) summary: Summary,
    /// A [`Cleanup`] where anything is pending, left unparsed: only
    /// `cleanup` reads it, and `list` need not pay for it.
    cleanup: Option<Box<RawValue>>,
}

/// What `cleanup` shows of an incident besides its summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cleanup {
    pub(crate) uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mitigated_at: Option<DateTime<Utc>>,
    /// The temporary mitigations still in place, whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) pending: Vec<Mitigation>,
}

impl Cleanup {
    /// What is pending in `incident`, serialised; `None` when nothing is.
    fn pending_in(incident: &Incident) -> Option<Box<RawValue>> {
        let cleanup = Self {
            uid: incident.uid.clone(),
            mitigated_at: incident.mitigated_at,
            pending: incident.pending_mitigations().cloned().collect(),
        };
        if cleanup.pending.is_empty() {
            return None;
        }
        serde_json::value::to_raw_value(&cleanup).ok()
    }
}

/// The incidents `cleanup` lists, and the files that could not be read
/// (the others still count).
#[derive(Debug, Default)]
pub(crate) struct Pendings {
    pub(crate) incidents: Vec<Incident>,
    pub(crate) unreadable: Vec<LedgerError>,
}

impl Ledger {
    /// The incidents whose pending cleanups `cleanup` lists: the one `id`
    /// names, read whole, or every incident with anything pending, read
    /// from the summaries (no unchanged file is parsed).
    pub(crate) fn pending_cleanups(
        &self,
        id: Option<&IncidentId>,
    ) -> Result<Pendings, LedgerError> {
        if let Some(id) = id {
            return Ok(Pendings {
                incidents: vec![self.load(id)?.incident],
                unreadable: Vec::new(),
            });
        }
        let mut found = Pendings::default();
        for listed in self.summaries()? {
            match listed.and_then(|l| self.cleanup_incident(&l)) {
                Ok(incident) => found.incidents.extend(incident),
                Err(e) => found.unreadable.push(e),
            }
        }
        Ok(found)
    }

    /// The incident of `listed` as far as `cleanup` reads it (id, uid,
    /// title, severity, status, when declared and mitigated, the pending
    /// mitigations), everything else left empty; `None` when nothing is
    /// pending. From the cache; from the file should the cached form not
    /// read back.
    pub(crate) fn cleanup_incident(
        &self,
        listed: &Listed,
    ) -> Result<Option<Incident>, LedgerError> {
        let Some(raw) = &listed.cleanup else {
            return Ok(None);
        };
        let cleanup = match serde_json::from_str::<Cleanup>(raw.get()) {
            Ok(c) => c,
            Err(_) => {
                let path = listed.path.clone();
                let stored = self.load_paths(vec![path]).into_iter().next();
                let stored = stored.expect("one result for one path")?;
                return Ok(Some(stored.incident).filter(|i| i.pending_mitigations().count() > 0));
            }
        };
        Ok(Some(skeleton(&listed.summary, cleanup)))
    }
}

/// An incident holding only what `cleanup` shows.
fn skeleton(s: &Summary, cleanup: Cleanup) -> Incident {
    {
        Incident {
            id: s.id.clone(),
            uid: cleanup.uid,
            aliases: Vec::new(),
            title: s.title.clone(),
            severity: s.severity.clone(),
            status: s.status,
            lead: s.lead.clone(),
            services: s.services.clone(),
            impact: None,
            started_at: s.declared_at,
            declared_at: s.declared_at,
            // Not kept in the summary; no listing reads it.
            declared_by: Identity::new("", ""),
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_by: None,
            closed_by: None,
            mitigated_at: cleanup.mitigated_at,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            exit_reason: None,
            duplicate_of: None,
            step: None,
            runbook: None,
            notes: Vec::new(),
            updates: Vec::new(),
            mitigations: cleanup.pending,
            review: None,
            actions: Vec::new(),
            overrides: Vec::new(),
        }
    }
}

/// A file's stat data, as git's index keeps them: modification time,
/// change time, size and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StatRecord", from = "StatRecord")]
pub(crate) struct Stat {
    mtime: FileTime,
    ctime: FileTime,
    size: u64,
    inode: u64,
}

/// How a [`Stat`] is stored: one array of six numbers.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct StatRecord(i64, u32, i64, u32, u64, u64);

impl From<Stat> for StatRecord {
    fn from(s: Stat) -> Self {
        StatRecord(s.mtime.0, s.mtime.1, s.ctime.0, s.ctime.1, s.size, s.inode)
    }
}

impl From<StatRecord> for Stat {
    fn from(r: StatRecord) -> Self {
        Stat {
            mtime: (r.0, r.1),
            ctime: (r.2, r.3),
            size: r.4,
            inode: r.5,
        }
    }
}

impl Stat {
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        #[cfg(unix)]
        let (ctime, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                (meta.ctime(), u32::try_from(meta.ctime_nsec()).unwrap_or(0)),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (ctime, inode) = ((0, 0), 0);
        Self {
            mtime: mtime(meta),
            ctime,
            size: meta.len(),
            inode,
        }
    }

    /// Stat data no file has: the entry must be checked by content.
    fn smudged(self) -> Self {
        Self {
            size: u64::MAX,
            ..self
        }
    }
}

/// Whether an entry whose stat data match the file's can be used without
/// reading the file: only if the file was last modified before the cache
/// was written (`written`). A file modified in the same clock tick as the
/// write, or later, may have been changed again since without a trace in
/// its stat data.
pub(crate) fn settled(stat: &Stat, written: Option<FileTime>) -> bool {
    written.is_some_and(|w| stat.mtime < w)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    stat: Stat,
    /// The content's length and hash (xxh3).
    len: u64,
    hash: u64,
    summary: Summary,
    /// A [`Cleanup`], where anything is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cleanup: Option<Box<RawValue>>,
}

/// What became of one file this run.
enum Seen {
    /// The cached entry holds (stat data or content unchanged).
    Kept,
    /// Same content, new stat data.
    Restat(Stat),
    /// Parsed now.
    Parsed(Box<Entry>),
}

/// `summaries-2`: the journal of stat-keyed entries (`-1` was one JSON
/// document keyed by content hash alone). The version changes whenever
/// `Summary` or the parsing rules may.
const FORMAT: &str = concat!("summaries-2/", env!("CARGO_PKG_VERSION"));
const FILE: &str = "git-incident/summaries.jsonl";
/// The cache of earlier versions, removed when found.
const OLD_FILE: &str = "git-incident/summaries.json";

impl Ledger {
    /// The summary of every incident file, oldest year first; a file that
    /// cannot be read or parsed is an error in its place.
    pub(crate) fn summaries(&self) -> Result<Vec<Result<Listed, LedgerError>>, LedgerError> {
        let paths = self.incident_paths()?;
        let git_dir = self.repo().path();
        let header = serde_json::json!({ "format": FORMAT, "base": self.base() }).to_string();
        let (mut journal, mut entries) = Journal::open::<Entry>(git_dir.join(FILE), header);
        let written = journal.written;
        let root = self.root();
        let cached = &entries;
        let seen = in_parallel(paths, |path| {
            let key = key_of(&path);
            let seen = look(root, &path, cached.get(&key), written);
            (path, key, seen)
        });

        // The table after this run, in the files' order, and what changed.
        let mut table: Vec<(String, Entry)> = Vec::with_capacity(seen.len());
        let mut rows: Vec<(PathBuf, Option<LedgerError>)> = Vec::with_capacity(seen.len());
        let mut changed: Vec<usize> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        for (path, key, seen) in seen {
            let old = entries.remove(&key);
            let entry = match seen {
                Ok(Seen::Kept) => old,
                Ok(Seen::Restat(stat)) => {
                    changed.push(table.len());
                    old.map(|e| Entry { stat, ..e })
                }
                Ok(Seen::Parsed(entry)) => {
                    changed.push(table.len());
                    Some(*entry)
                }
                Err(e) => {
                    if old.is_some() {
                        gone.push(key.clone());
                    }
                    rows.push((path, Some(e)));
                    continue;
                }
            };
            let Some(entry) = entry else {
                // Kept or re-stated without a cached entry: cannot happen.
                continue;
            };
            table.push((key, entry));
            rows.push((path, None));
        }
        // Files no longer there.
        gone.extend(entries.into_keys());
        let mut changes: Vec<(&str, Option<&Entry>)> = changed
            .iter()
            .map(|&i| (table[i].0.as_str(), Some(&table[i].1)))
            .collect();
        changes.extend(gone.iter().map(|k| (k.as_str(), None)));
        journal.record(&changes, &table, |e, written| {
            (!settled(&e.stat, Some(written))).then(|| Entry {
                stat: e.stat.smudged(),
                ..e.clone()
            })
        });
        let old = git_dir.join(OLD_FILE);
        if old.exists() {
            let _ = fs::remove_file(old);
        }

        let mut table = table.into_iter();
        Ok(rows
            .into_iter()
            .map(|(path, error)| match error {
                Some(e) => Err(e),
                None => {
                    let (_, entry) = table.next().expect("an entry for each file read");
                    Ok(Listed {
                        path,
                        summary: entry.summary,
                        cleanup: entry.cleanup,
                    })
                }
            })
            .collect())
    }
}

/// A file's key in the cache: its path relative to the ledger's root.
fn key_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Checks one file against its cached entry: by stat data where they can be
/// trusted, else by content; parses it only when the content changed.
fn look(
    root: &Path,
    path: &Path,
    cached: Option<&Entry>,
    written: Option<FileTime>,
) -> Result<Seen, LedgerError> {
    let full = root.join(path);
    // The walk entered only real folders, so the file's own lstat data
    // is the whole inside check; a changed file is read through the full
    // check below.
    let meta = fs::symlink_metadata(&full).map_err(LedgerError::io(IoOp::Read, path))?;
    check_walked(path, &meta)?;
    let stat = Stat::of(&meta);
    if let Some(entry) = cached
        && entry.stat == stat
        && settled(&stat, written)
    {
        return Ok(Seen::Kept);
    }
    let bytes = read_inside(root, path)?;
    let (hash, bytes_len) = (xxh3_64(&bytes), bytes.len() as u64);
    if let Some(entry) = cached
        && entry.hash == hash
        && entry.len == bytes.len() as u64
    {
        return Ok(if entry.stat == stat {
            Seen::Kept
        } else {
            Seen::Restat(stat)
        });
    }
    let text = text_of(path, bytes)?;
    let incident = parse_incident(path, &text)?;
    Ok(Seen::Parsed(Box::new(Entry {
        // The stat data from before the read: a change during it shows as
        // a difference next time.
        stat,
        len: bytes_len,
        hash,
        summary: Summary::of(&incident),
        cleanup: Cleanup::pending_in(&incident),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime: FileTime) -> Stat {
        Stat {
            mtime,
            ctime: mtime,
            size: 10,
            inode: 1,
        }
    }

    #[test]
    fn an_entry_is_trusted_by_stat_only_when_older_than_the_cache() {
        let written = Some((100, 500));
        assert!(settled(&stat((100, 499)), written));
        assert!(settled(&stat((99, 900)), written));
        // Modified in the same tick as the write, or after: racy.
        assert!(!settled(&stat((100, 500)), written));
        assert!(!settled(&stat((101, 0)), written));
        // No usable cache: nothing is trusted.
        assert!(!settled(&stat((1, 0)), None));
    }

    #[test]
    fn smudged_stat_data_match_no_file() {
        let s = stat((5, 0));
        assert_ne!(s.smudged(), s);
        assert_eq!(s.smudged().mtime, s.mtime);
    }
}
