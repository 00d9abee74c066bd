//! Reading committed trees: HEAD, a point in history, and the incidents as
//! committed there.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use git2::{ObjectType, Oid};

use super::files::{MAX_FILE, in_parallel, parse_incident, too_large};
use super::git::{self, commit_id, oid};
use super::{INCIDENTS_DIR, Ledger, LedgerError, Stored};
use crate::domain::{CommitId, IncidentId, Summary};

/// An incident's summary and where its file was.
pub(crate) struct ListedAt {
    pub(crate) path: PathBuf,
    pub(crate) summary: Summary,
}

/// git's file mode of a symbolic link.
const LINK_MODE: i32 = 0o120_000;

impl Ledger {
    /// Resolves a point in history: a revision as git reads it (`HEAD~3`,
    /// a commit id, a tag), else `time`, the last commit on the current
    /// branch made at or before it.
    pub(crate) fn resolve_point(
        &self,
        text: &str,
        time: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<CommitId, LedgerError> {
        if let Ok(object) = self.repo.revparse_single(text)
            && let Ok(commit) = object.peel_to_commit()
        {
            return Ok(git::commit_id(commit.id()));
        }
        let Some(time) = time else {
            return Err(LedgerError::UnknownRevision(text.to_owned()));
        };
        // git's own walk reads the commit-graph, so this stays quick on a
        // ledger of a million commits; libgit2 would parse every commit.
        let out = git::git_output(
            self.repo.workdir().unwrap_or(&self.root),
            &[
                "rev-list",
                "-1",
                "--first-parent",
                &format!("--min-age={}", time.timestamp()),
                "HEAD",
                "--",
            ],
        )?;
        match out.trim() {
            "" => Err(LedgerError::BeforeHistory {
                text: text.to_owned(),
                time,
            }),
            sha => Ok(git::commit_id(Oid::from_str(sha)?)),
        }
    }

    /// The tree of the ledger's folder in `commit`, if it has one.
    pub(super) fn ledger_tree(&self, commit: Oid) -> Result<Option<git2::Tree<'_>>, LedgerError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        if self.base.as_os_str().is_empty() {
            return Ok(Some(tree));
        }
        match tree.get_path(&self.base) {
            Ok(entry) => Ok(Some(self.repo.find_tree(entry.id())?)),
            Err(_) => Ok(None),
        }
    }

    /// Reads every incident as committed in `commit`.
    pub(crate) fn load_all_at(
        &self,
        commit: Oid,
    ) -> Result<Vec<Result<Stored, LedgerError>>, LedgerError> {
        self.parsed_at(commit, |path, text| {
            Ok(Stored {
                incident: parse_incident(&path, &text)?,
                path,
                text,
            })
        })
    }

    /// `each` of every incident file committed in `commit`, with its text,
    /// in the tree's order. libgit2's repository is not shared across
    /// threads: the blobs are read here, a batch at a time so that no more
    /// than a batch of texts is held, and parsed (the costly part) in
    /// parallel.
    fn parsed_at<T: Send>(
        &self,
        commit: Oid,
        each: impl Fn(PathBuf, String) -> Result<T, LedgerError> + Sync,
    ) -> Result<Vec<Result<T, LedgerError>>, LedgerError> {
        const BATCH: usize = 512;
        let blobs = self.incident_blobs_at(commit)?;
        let mut out = Vec::with_capacity(blobs.len());
        for batch in blobs.chunks(BATCH) {
            let texts: Vec<(PathBuf, Result<String, LedgerError>)> = batch
                .iter()
                .map(|(path, blob)| (path.clone(), self.blob_text(path, *blob)))
                .collect();
            out.extend(in_parallel(texts, |(path, text)| each(path, text?)));
        }
        Ok(out)
    }

    /// The incident files of `commit`: paths relative to the ledger's root
    /// and their blob ids.
    pub(crate) fn incident_blobs_at(
        &self,
        commit: Oid,
    ) -> Result<Vec<(PathBuf, Oid)>, LedgerError> {
        let Some(tree) = self.ledger_tree(commit)? else {
            return Ok(Vec::new());
        };
        let Some(entry) = tree
            .get_name(INCIDENTS_DIR)
            .filter(|e| e.kind() == Some(ObjectType::Tree))
        else {
            return Ok(Vec::new());
        };
        let incidents = self.repo.find_tree(entry.id())?;
        let mut found = Vec::new();
        for year in incidents
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
        {
            let year_name = year.name().unwrap_or_default().to_owned();
            for file in self.repo.find_tree(year.id())?.iter() {
                let Ok(name) = file.name() else { continue };
                // A committed link is not an incident file, whatever it names.
                if name.ends_with(".toml")
                    && file.kind() == Some(ObjectType::Blob)
                    && file.filemode() != LINK_MODE
                {
                    found.push((
                        PathBuf::from(INCIDENTS_DIR).join(&year_name).join(name),
                        file.id(),
                    ));
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Reads a committed incident file.
    pub(crate) fn read_blob(&self, path: &Path, blob: Oid) -> Result<Stored, LedgerError> {
        let text = self.blob_text(path, blob)?;
        let incident = parse_incident(path, &text)?;
        Ok(Stored {
            incident,
            path: path.to_path_buf(),
            text,
        })
    }

    pub(super) fn blob_text(&self, path: &Path, blob: Oid) -> Result<String, LedgerError> {
        // The header gives the size without inflating the blob.
        let (size, _) = self.repo.odb()?.read_header(blob)?;
        if u64::try_from(size).map_or(true, |n| n > MAX_FILE) {
            return Err(too_large(path));
        }
        let blob = self.repo.find_blob(blob)?;
        String::from_utf8(blob.content().to_vec()).map_err(|_| LedgerError::Invalid {
            path: path.to_path_buf(),
            message: "the file is not valid UTF-8".into(),
        })
    }

    /// The path of `id`'s file in `commit`, relative to the ledger's root.
    pub(crate) fn path_at(&self, commit: Oid, id: &str) -> Result<Option<PathBuf>, LedgerError> {
        let tree = self.repo().find_commit(commit)?.tree()?;
        let Ok(entry) = tree.get_path(&self.base().join(INCIDENTS_DIR)) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(None);
        }
        let incidents = self.repo().find_tree(entry.id())?;
        let name = format!("{id}.toml");
        let mut years: Vec<String> = incidents
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .filter_map(|e| e.name().ok().map(str::to_owned))
            .collect();
        years.sort();
        for year in years.iter().rev() {
            let sub = self
                .repo()
                .find_tree(incidents.get_name(year).expect("listed").id())?;
            if sub
                .get_name(&name)
                .is_some_and(|e| e.kind() == Some(ObjectType::Blob) && e.filemode() != LINK_MODE)
            {
                return Ok(Some(PathBuf::from(INCIDENTS_DIR).join(year).join(name)));
            }
        }
        Ok(None)
    }

    /// The blob at `path` (ledger-relative) in `commit`.
    pub(super) fn blob_in(&self, commit: Oid, path: &Path) -> Result<Option<Oid>, LedgerError> {
        super::git::blob_at(self.repo(), Some(commit), &self.base().join(path))
    }

    /// The incident as committed at `commit`, following renumbering: where
    /// `id` did not exist yet under that name, the history says which file
    /// it was then.
    pub(crate) fn load_as_of(
        &self,
        commit: &CommitId,
        id: &IncidentId,
    ) -> Result<Option<Stored>, LedgerError> {
        let commit = oid(commit)?;
        if let Some(path) = self.path_at(commit, &id.to_string())? {
            let blob = self.blob_in(commit, &path)?.expect("path_at found a blob");
            return self.read_blob(&path, blob).map(Some);
        }
        let history = self.history(id, None)?;
        let Some(entry) = history.revisions.iter().rev().find(|e| {
            oid(&e.commit).is_ok_and(|at| {
                at == commit || self.repo().graph_descendant_of(commit, at).unwrap_or(false)
            })
        }) else {
            return Ok(None);
        };
        match self.blob_in(commit, &entry.path)? {
            Some(blob) => self.read_blob(&entry.path, blob).map(Some),
            None => Ok(None),
        }
    }

    /// The summary of every incident committed at `commit`, for `list
    /// --at`: read and parsed from the tree (no cache is kept of the past),
    /// one result per file.
    pub(crate) fn summaries_at(
        &self,
        commit: &CommitId,
    ) -> Result<Vec<Result<ListedAt, LedgerError>>, LedgerError> {
        self.parsed_at(oid(commit)?, |path, text| {
            let incident = parse_incident(&path, &text)?;
            Ok(ListedAt {
                summary: Summary::of(&incident),
                path,
            })
        })
    }

    /// When `commit` was made (its committer date).
    pub(crate) fn commit_time(&self, commit: &CommitId) -> Result<DateTime<Utc>, LedgerError> {
        let seconds = self
            .repo()
            .find_commit(oid(commit)?)?
            .committer()
            .when()
            .seconds();
        Ok(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    /// The commit HEAD points at.
    pub(crate) fn head_commit(&self) -> Result<CommitId, LedgerError> {
        self.head_oid().map(commit_id)
    }

    pub(super) fn head_oid(&self) -> Result<Oid, LedgerError> {
        Ok(self.repo().head()?.peel_to_commit()?.id())
    }
}
