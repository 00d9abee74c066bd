//! An incident's history from git: the commits that touched its file, who
//! made them, when, and what each changed at field level.
//!
//! Finding the commits is the log index's job ([`super::cache::log_index`]):
//! the commits that changed the file, kept as of HEAD, so that a read costs
//! the incident's own commits and not the ledger's whole history. Where the
//! index cannot answer (a file's older name, a tip other than HEAD, an
//! index another process is updating), git's own path-limited `git log`
//! finds them. Only the blobs of the commits found are then read with git2
//! and compared as parsed incidents ([`crate::domain::delta`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use git2::Oid;

use crate::domain::delta::{Delta, diff, dropped, event_time};
use crate::domain::history::{History, Revision, Source};
use crate::domain::{CommitId, Incident, IncidentId};

use super::error::{LIST_HINT, LedgerError};
use super::git::{commit_id, oid};
use super::{Ledger, trailer};
use crate::domain::change::Verb;

/// A commit as `git log` printed it.
pub(super) struct Raw {
    pub(super) commit: Oid,
    pub(super) parents: Vec<Oid>,
    pub(super) author: String,
    pub(super) committer: String,
    pub(super) record_time: DateTime<Utc>,
    pub(super) subject: String,
    pub(super) trailers: Vec<(String, String)>,
}

/// Every field of the format ends with `%x00` ([`git::log`]).
const LOG_FIELDS: usize = 9;
const LOG_FORMAT: &str =
    "--format=%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%s%x00%(trailers:only,unfold)%x00";
/// How many renames a history follows back, against a cycle in odd histories.
const MAX_RENAMES: usize = 64;

pub(super) fn epoch(text: &str) -> DateTime<Utc> {
    text.trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or_default()
}

/// A record of [`LOG_FORMAT`] as a commit.
fn raw(f: &[String]) -> Option<Raw> {
    Some(Raw {
        commit: Oid::from_str(f[0].trim()).ok()?,
        parents: f[1]
            .split_whitespace()
            .filter_map(|p| Oid::from_str(p).ok())
            .collect(),
        author: format!("{} <{}>", f[2], f[3]),
        committer: format!("{} <{}>", f[4], f[5]),
        record_time: epoch(&f[6]),
        subject: f[7].clone(),
        trailers: trailer::parse(&f[8])
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    })
}

impl Ledger {
    /// The commits that touched one path (a file, or a folder), newest
    /// first, up to `tip`.
    pub(super) fn commits_touching(&self, tip: Oid, path: &Path) -> Result<Vec<Raw>, LedgerError> {
        let repo_path = self.base().join(path);
        let tip = tip.to_string();
        let path = repo_path.to_string_lossy();
        let mut found = Vec::new();
        self.git_records(
            &[
                "-c",
                "log.showSignature=false",
                "log",
                // Every commit that touched the file, even on a branch whose
                // work a merge later threw away: an audit must not hide it.
                "--full-history",
                LOG_FORMAT,
                &tip,
                "--",
                &path,
            ],
            LOG_FIELDS,
            |f| found.extend(raw(f)),
        )?;
        Ok(found)
    }

    /// The commits the log index listed (ancestors before descendants),
    /// newest first as `git log` shows them: by commit time, and among
    /// commits of the same second, a descendant before its ancestors.
    fn commits_listed(&self, commits: &[Oid]) -> Result<Vec<Raw>, LedgerError> {
        let mut found = Vec::with_capacity(commits.len());
        for chunk in commits.chunks(4096) {
            let mut args = vec![
                "-c".to_owned(),
                "log.showSignature=false".to_owned(),
                "log".to_owned(),
                "--no-walk=unsorted".to_owned(),
                LOG_FORMAT.to_owned(),
            ];
            args.extend(chunk.iter().map(Oid::to_string));
            args.push("--".to_owned());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            self.git_records(&args, LOG_FIELDS, |f| found.extend(raw(f)))?;
        }
        found.reverse();
        found.sort_by_key(|r| std::cmp::Reverse(r.record_time));
        Ok(found)
    }

    /// Where the file at `path` in `commit` came from, when `commit` renamed
    /// it: the renumber trailer says so, else git's rename detection.
    fn renamed_from(&self, raw: &Raw, path: &Path) -> Result<Option<PathBuf>, LedgerError> {
        let Some(parent) = raw.parents.first().copied() else {
            return Ok(None);
        };
        if self.blob_in(parent, path)?.is_some() {
            return Ok(None);
        }
        let renumbered = raw
            .trailers
            .iter()
            .any(|(k, v)| k == trailer::CHANGE && v == Verb::Renumber.as_str());
        if renumbered
            && let Some((_, from)) = raw.trailers.iter().find(|(k, _)| k == trailer::FROM)
            && let Some(old) = self.path_at(parent, from)?
        {
            return Ok(Some(old));
        }
        let out = self.git(&[
            "diff-tree",
            "-r",
            "-M",
            "--name-status",
            "--no-commit-id",
            &parent.to_string(),
            &raw.commit.to_string(),
        ])?;
        let target = self.base().join(path);
        for line in out.lines() {
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.len() == 3 && parts[0].starts_with('R') && Path::new(parts[2]) == target {
                let old = Path::new(parts[1]);
                return Ok(Some(
                    old.strip_prefix(self.base()).unwrap_or(old).to_path_buf(),
                ));
            }
        }
        Ok(None)
    }

    /// The history of incident `id` up to `tip` (HEAD when `None`), oldest
    /// first, following its file back across renumbering.
    pub(crate) fn history(
        &self,
        id: &IncidentId,
        tip: Option<&CommitId>,
    ) -> Result<History, LedgerError> {
        let tip = match tip {
            Some(tip) => oid(tip)?,
            None => self.head_oid()?,
        };
        let path = self
            .path_at(tip, &id.to_string())?
            .ok_or_else(|| LedgerError::unknown_incident(id, LIST_HINT))?;
        let id = id.to_string();
        let head = self.head_oid().ok();
        let mut segments: Vec<(PathBuf, Vec<Raw>)> = Vec::new();
        let (mut from, mut current) = (tip, path.clone());
        for _ in 0..MAX_RENAMES {
            // The index answers for the file as it is at HEAD; an older
            // name, or an older tip, is read from git's log.
            let indexed = match head {
                Some(head) if head == from && segments.is_empty() => {
                    self.indexed_commits(head, &current)
                }
                _ => None,
            };
            let raws = match indexed {
                Some(commits) => self.commits_listed(&commits)?,
                None => self.commits_touching(from, &current)?,
            };
            let oldest = raws.last();
            let next = match oldest {
                Some(raw) => self
                    .renamed_from(raw, &current)?
                    .zip(raw.parents.first().copied()),
                None => None,
            };
            segments.push((current.clone(), raws));
            match next {
                Some((old, parent)) => {
                    current = old;
                    from = parent;
                }
                None => break,
            }
        }
        let mut revisions = Vec::new();
        let mut cache: HashMap<Oid, Result<Incident, String>> = HashMap::new();
        let mut last_good: Option<Incident> = None;
        let mut read = |ledger: &Ledger, path: &Path, blob: Oid| -> Result<Incident, String> {
            cache
                .entry(blob)
                .or_insert_with(|| {
                    ledger
                        .read_blob(path, blob)
                        .map(|s| s.incident)
                        .map_err(|e| e.to_string())
                })
                .clone()
        };
        let mut previous_path: Option<PathBuf> = None;
        for (seg_path, raws) in segments.into_iter().rev() {
            for raw in raws.into_iter().rev() {
                let after_blob = self.blob_in(raw.commit, &seg_path)?;
                let parent = raw.parents.first().copied();
                let before_path = match &previous_path {
                    Some(p) if *p != seg_path => p.clone(),
                    _ => seg_path.clone(),
                };
                let before_blob = match parent {
                    Some(p) => self.blob_in(p, &before_path)?,
                    None => None,
                };
                let before = match before_blob {
                    Some(b) => read(self, &before_path, b).ok().or(last_good.clone()),
                    None => None,
                };
                let (after, problem) = match after_blob {
                    Some(b) => match read(self, &seg_path, b) {
                        Ok(inc) => (Some(inc), None),
                        Err(e) => (None, Some(e)),
                    },
                    None => (None, None),
                };
                let mut deltas = if problem.is_some() {
                    Vec::new()
                } else {
                    diff(before.as_ref(), after.as_ref())
                };
                // A merge shows only what it changed itself, as git's
                // combined diff does: what it brought in from another parent
                // is already in that parent's own commits above.
                for other in raw.parents.iter().skip(1) {
                    if problem.is_some() {
                        break;
                    }
                    let theirs = match self.blob_in(*other, &before_path)? {
                        Some(b) => read(self, &before_path, b).ok(),
                        None => None,
                    };
                    let from_theirs = diff(theirs.as_ref(), after.as_ref());
                    deltas.retain(|d| from_theirs.contains(d));
                    if let (Some(theirs), Some(after)) = (&theirs, &after) {
                        deltas.extend(dropped(theirs, after));
                    }
                }
                if after.is_some() {
                    last_good.clone_from(&after);
                }
                revisions.push(revision(raw, &seg_path, deltas, problem));
                previous_path = Some(seg_path.clone());
            }
        }
        Ok(History {
            id,
            path,
            revisions,
        })
    }
}

fn revision(raw: Raw, path: &Path, deltas: Vec<Delta>, problem: Option<String>) -> Revision {
    let verb = raw
        .trailers
        .iter()
        .find(|(k, _)| k == trailer::CHANGE)
        .map(|(_, v)| v.clone());
    let source = if raw.parents.len() > 1 {
        Source::Merge
    } else if verb.is_some() {
        Source::Tool
    } else {
        Source::Outside
    };
    let stated = raw
        .trailers
        .iter()
        .find(|(k, _)| k == trailer::EVENT_TIME)
        .and_then(|(_, v)| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc));
    let event = stated
        .or_else(|| event_time(&deltas))
        .filter(|t| *t != raw.record_time);
    Revision {
        commit: commit_id(raw.commit),
        parents: raw.parents.into_iter().map(commit_id).collect(),
        author: raw.author,
        committer: raw.committer,
        record_time: raw.record_time,
        event_time: event,
        subject: raw.subject,
        source,
        verb,
        path: path.to_path_buf(),
        deltas,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_log(out: &str) -> Vec<Raw> {
        let mut found = Vec::new();
        crate::ledger::git::log::read_records(out.as_bytes(), LOG_FIELDS, 1 << 20, |f| {
            found.extend(raw(f));
        })
        .unwrap();
        found
    }

    #[test]
    fn reads_the_log_format() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            "{a}\0{b}\0Ada\0ada@x.org\0Ada\0ada@x.org\01764182400\0INC-1: acknowledged\0Incident: INC-1\nIncident-Change: ack\n\0\n"
        );
        let raws = parse_log(&out);
        assert_eq!(raws.len(), 1);
        assert_eq!(raws[0].author, "Ada <ada@x.org>");
        assert_eq!(raws[0].parents.len(), 1);
        assert_eq!(
            raws[0].trailers,
            vec![
                ("Incident".to_owned(), "INC-1".to_owned()),
                ("Incident-Change".to_owned(), "ack".to_owned())
            ]
        );
        assert_eq!(raws[0].record_time.timestamp(), 1_764_182_400);
    }

    #[test]
    fn a_subject_cannot_fake_a_commit() {
        // The separators of the old format, and a newline, in a subject
        // stay text: only NUL ends a field, and git never prints one.
        let a = "a".repeat(40);
        let forged = format!("x\x1e{}\x1f\x1fMallory\x1fm@x\x1f\n", "c".repeat(40));
        let out = format!("{a}\0\0Ada\0ada@x.org\0Ada\0ada@x.org\01764182400\0{forged}\0\0\n");
        let raws = parse_log(&out);
        assert_eq!(raws.len(), 1);
        assert_eq!(raws[0].subject, forged);
        assert_eq!(raws[0].author, "Ada <ada@x.org>");
    }
}
