//! The incidents as `stats` reads them at a revision, without parsing every
//! file each time: a cache, in the git directory, of each incident blob's
//! parsed form with its prose left out ([`Incident::for_metrics`]).
//!
//! Keyed by blob id, so an entry can never be stale: a blob's content never
//! changes. A revision's tree names its blobs; only those not in the cache
//! are read and parsed. The cache keeps the entries of the revision last
//! read, and is rebuilt whenever it is missing, damaged or from another
//! version; writing it is best effort.

use std::collections::HashMap;
use std::path::PathBuf;

use git2::Oid;

use crate::domain::CommitId;
use serde::{Deserialize, Serialize};

use crate::domain::Incident;
use crate::ledger::files::{in_parallel, parse_incident, read_private_json, write_private_json};
use crate::ledger::{Ledger, LedgerError, git};

#[derive(Default, Serialize, Deserialize)]
struct Cache {
    format: String,
    /// Blob id (hex) to the incident it holds, prose left out.
    entries: HashMap<String, Incident>,
}

const FORMAT: &str = concat!("metrics-1/", env!("CARGO_PKG_VERSION"));
const FILE: &str = "git-incident/metrics.json";

impl Ledger {
    /// Every incident file in `commit`, parsed, with its prose left out; a
    /// file that cannot be read or parsed is an error in its place.
    pub(crate) fn incidents_for_metrics_at(
        &self,
        commit: &CommitId,
    ) -> Result<Vec<Result<Incident, LedgerError>>, LedgerError> {
        let commit = git::oid(commit)?;
        let file = self.repo().path().join(FILE);
        let mut cache: Cache = read_private_json(&file)
            .filter(|c: &Cache| c.format == FORMAT)
            .unwrap_or_default();
        let blobs = self.incident_blobs_at(commit)?;
        // Blobs are read here (libgit2's repository stays on one thread),
        // parsed on every core.
        let missing: Vec<(PathBuf, Oid, Result<String, LedgerError>)> = blobs
            .iter()
            .filter(|(_, blob)| !cache.entries.contains_key(&blob.to_string()))
            .map(|(path, blob)| (path.clone(), *blob, self.blob_text(path, *blob)))
            .collect();
        let parsed = !missing.is_empty();
        let mut failed: HashMap<PathBuf, LedgerError> = HashMap::new();
        for (path, blob, result) in in_parallel(missing, |(path, blob, text)| {
            let incident = text.and_then(|t| parse_incident(&path, &t));
            (path, blob, incident.map(|i| i.for_metrics()))
        }) {
            match result {
                Ok(incident) => {
                    cache.entries.insert(blob.to_string(), incident);
                }
                Err(e) => {
                    failed.insert(path, e);
                }
            }
        }
        let found: Vec<Result<Incident, LedgerError>> = blobs
            .iter()
            .map(|(path, blob)| match failed.remove(path) {
                Some(e) => Err(e),
                None => cache
                    .entries
                    .get(&blob.to_string())
                    .cloned()
                    .ok_or_else(|| LedgerError::Invalid {
                        path: path.clone(),
                        message: "the file could not be read".into(),
                    }),
            })
            .collect();
        let wanted: std::collections::HashSet<String> =
            blobs.iter().map(|(_, b)| b.to_string()).collect();
        if parsed || cache.entries.len() != wanted.len() {
            cache.entries.retain(|blob, _| wanted.contains(blob));
            cache.format = FORMAT.to_owned();
            write_private_json(&file, &cache);
        }
        Ok(found)
    }
}
