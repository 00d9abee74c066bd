//! What `list` and `cleanup` need of every incident, without parsing every
//! file each time: a cache of one summary per incident file, kept in the git
//! directory (never committed).
//!
//! Each entry is keyed by the file's path and checked against its content:
//! every file is still read and hashed (xxh3, a few milliseconds for ten
//! thousand files), and only a file whose length or hash differs from the
//! cached one is parsed. So a hand edit, a checkout or a merge can never
//! show a stale row, and there is no timestamp race to reason about. A
//! missing, unreadable or older cache is rebuilt from the files; writing it
//! is best effort (a read-only repository only costs speed).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::{
    Ledger, LedgerError, in_parallel, parse_incident, read_private_json, text_of,
    write_private_json,
};
use crate::domain::Summary;

/// An incident file's summary, with the path it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub path: PathBuf,
    pub summary: Summary,
}

/// The cache file. `format` changes whenever `Summary` or the parsing rules
/// do, so a cache written by another version is ignored, not misread.
#[derive(Default, Serialize, Deserialize)]
struct Cache {
    format: String,
    /// The ledger's folder in the repository, in case it moves.
    base: PathBuf,
    entries: HashMap<PathBuf, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    len: usize,
    hash: u64,
    summary: Summary,
}

const FORMAT: &str = concat!("summaries-1/", env!("CARGO_PKG_VERSION"));
const FILE: &str = "git-incident/summaries.json";

impl Ledger {
    /// The summary of every incident file, oldest year first; a file that
    /// cannot be read or parsed is an error in its place.
    pub fn summaries(&self) -> Result<Vec<Result<Listed, LedgerError>>, LedgerError> {
        let paths = self.incident_paths()?;
        let file = self.repo().path().join(FILE);
        let cache: Cache = read_private_json(&file)
            .filter(|c: &Cache| c.format == FORMAT && c.base == self.base())
            .unwrap_or_default();
        let root = self.root();
        let read = |path: PathBuf| -> (PathBuf, Result<(Entry, bool), LedgerError>) {
            let entry = fs::read(root.join(&path))
                .map_err(LedgerError::io("cannot read", &path))
                .and_then(|bytes| summarize(&cache, &path, bytes));
            (path, entry)
        };
        let read = in_parallel(paths, read);
        let parsed = read
            .iter()
            .filter(|(_, r)| matches!(r, Ok((_, true))))
            .count();
        let kept = read.iter().filter(|(_, r)| r.is_ok()).count();
        if parsed > 0 || kept != cache.entries.len() {
            let entries = read
                .iter()
                .filter_map(|(path, r)| Some((path.clone(), r.as_ref().ok()?.0.clone())))
                .collect();
            write_private_json(
                &file,
                &Cache {
                    format: FORMAT.to_owned(),
                    base: self.base().to_path_buf(),
                    entries,
                },
            );
        }
        Ok(read
            .into_iter()
            .map(|(path, r)| {
                r.map(|(entry, _)| Listed {
                    path,
                    summary: entry.summary,
                })
            })
            .collect())
    }
}

/// The entry for one file: the cached one where length and hash match, else
/// parsed now (`true`).
fn summarize(cache: &Cache, path: &Path, bytes: Vec<u8>) -> Result<(Entry, bool), LedgerError> {
    let (len, hash) = (bytes.len(), xxh3_64(&bytes));
    if let Some(entry) = cache.entries.get(path)
        && entry.len == len
        && entry.hash == hash
    {
        return Ok((entry.clone(), false));
    }
    let text = text_of(path, bytes)?;
    let incident = parse_incident(path, &text)?;
    let summary = Summary::of(&incident);
    Ok((Entry { len, hash, summary }, true))
}
