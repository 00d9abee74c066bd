//! The write path: a declaration or one change becomes one file written and
//! one commit (see `intent` for the order of the writes).

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid};

use super::files::{check_inside, parse_incident, read_inside};
use super::git::{self, Author, Moved, OneFileCommit, Staged};
use super::intent::{self, Intent, failpoint, worktree_blob};
use super::{
    Committed, INCIDENTS_DIR, LOCK_WAIT, Ledger, LedgerError, MAX_ATTEMPTS, edit, message,
};
use crate::domain::change::{Declaration, check_target};
use crate::domain::merge::keys::assign_new_keys;
use crate::domain::{Actor, Applied, Change, Incident, IncidentId};

impl Ledger {
    /// Declares a new incident under the next free id: one commit.
    pub(crate) fn declare(
        &self,
        declaration: Declaration,
        uid: String,
        actor: &Actor,
    ) -> Result<Committed, LedgerError> {
        let _lock = git::lock(&self.repo, LOCK_WAIT)?;
        intent::finish_interrupted(&self.repo)?;
        git::check_no_operation(&self.repo)?;
        let first_step = self.runbook.steps.first().map(|s| s.id.clone());
        for _ in 0..MAX_ATTEMPTS {
            let (branch, tip) = git::head_branch(&self.repo)?;
            let number = self.next_number(tip)?;
            let id = IncidentId::new(&self.config.prefix, number);
            let (incident, applied) = declaration.clone().into_incident(
                id.clone(),
                uid.clone(),
                Some(self.runbook_version.clone()),
                first_step.clone(),
                actor,
                &self.settings(),
            )?;
            let year = incident.declared_at.format("%Y").to_string();
            let path = PathBuf::from(INCIDENTS_DIR)
                .join(year)
                .join(format!("{id}.toml"));
            self.check_free(tip, &id, &path)?;
            let text = edit::render(None, &incident).map_err(unwritable(&path))?;
            if let Some(committed) =
                self.commit(&branch, tip, &path, &text, &incident, applied, actor)?
            {
                return Ok(committed);
            }
        }
        Err(LedgerError::Contended(MAX_ATTEMPTS))
    }

    /// The next free incident number: one past the highest in the working
    /// tree, in HEAD, or named by any tool commit in HEAD's history.
    pub(super) fn next_number(&self, tip: Option<Oid>) -> Result<u64, LedgerError> {
        let prefix = format!("{}-", self.config.prefix);
        let number = |name: &str| -> Option<u64> {
            name.strip_suffix(".toml")?
                .strip_prefix(&prefix)?
                .parse()
                .ok()
        };
        let mut max = 0;
        for path in self.incident_paths()? {
            if let Some(n) = path.file_name().and_then(|n| n.to_str()).and_then(number) {
                max = max.max(n);
            }
        }
        if let Some(tip) = tip {
            let tree = self.repo.find_commit(tip)?.tree()?;
            if let Ok(entry) = tree.get_path(&self.base.join(INCIDENTS_DIR))
                && entry.kind() == Some(ObjectType::Tree)
            {
                let incidents = self.repo.find_tree(entry.id())?;
                for year in incidents
                    .iter()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                {
                    for file in self.repo.find_tree(year.id())?.iter() {
                        if let Some(n) = file.name().ok().and_then(number) {
                            max = max.max(n);
                        }
                    }
                }
            }
        }
        if let Some(tip) = tip {
            // A number that ever existed is never given again, even after
            // its file was deleted or renumbered: every tool commit names
            // its incident, and those records are cached in the git
            // directory (read whole once, then only the new commits).
            let id_number = |id: &str| id.strip_prefix(&prefix)?.parse::<u64>().ok();
            for record in self.change_records(&git::commit_id(tip), None)? {
                if let Some(n) = id_number(&record.incident) {
                    max = max.max(n);
                }
            }
        }
        max.checked_add(1).ok_or_else(|| LedgerError::IdsExhausted {
            prefix: self.config.prefix.clone(),
        })
    }

    /// Refuses a declaration whose file would replace anything: a file,
    /// link or folder at `path` in the working tree or in HEAD, or the id
    /// held in another year's folder.
    fn check_free(
        &self,
        tip: Option<Oid>,
        id: &IncidentId,
        path: &Path,
    ) -> Result<(), LedgerError> {
        let taken = |path: &Path| LedgerError::IdTaken {
            id: id.to_string(),
            path: path.to_path_buf(),
        };
        check_inside(&self.root, path)?;
        if fs::symlink_metadata(self.root.join(path)).is_ok()
            || git::blob_at(&self.repo, tip, &self.base.join(path))?.is_some()
        {
            return Err(taken(path));
        }
        match self.lookup(&id.to_string())? {
            (_, true) => Err(taken(&self.find_path(id)?)),
            (_, false) => Ok(()),
        }
    }

    /// Applies one change to one incident: one commit.
    pub(crate) fn apply(
        &self,
        id: &IncidentId,
        change: &Change,
        actor: &Actor,
    ) -> Result<Committed, LedgerError> {
        self.apply_at_step(id, change, None, actor)
    }

    /// As [`Ledger::apply`], for guided response: the same commit moves the
    /// incident's `step` to where the walk stands, so the walk's position
    /// is never a commit of its own.
    pub(crate) fn apply_at_step(
        &self,
        id: &IncidentId,
        change: &Change,
        step: Option<&str>,
        actor: &Actor,
    ) -> Result<Committed, LedgerError> {
        let _lock = git::lock(&self.repo, LOCK_WAIT)?;
        intent::finish_interrupted(&self.repo)?;
        git::check_no_operation(&self.repo)?;
        check_target(change, |text| self.lookup(text))?;
        for _ in 0..MAX_ATTEMPTS {
            let (branch, tip) = git::head_branch(&self.repo)?;
            let path = self.find_path(id)?;
            let committed = self.committed_blob(tip, &path)?;
            // The committed text: the working file may be its CRLF checkout.
            let text = self.blob_text(&path, committed)?;
            let mut incident = parse_incident(&path, &text)?;
            let before = incident.clone();
            let applied = change.apply(&mut incident, actor, &self.settings())?;
            if let Some(step) = step {
                incident.step = Some(step.to_owned());
            }
            if let Some(keys) = &self.keys {
                assign_new_keys(&before, &mut incident, keys);
            }
            let new_text = edit::render(Some(&text), &incident).map_err(unwritable(&path))?;
            if let Some(committed) =
                self.commit(&branch, tip, &path, &new_text, &incident, applied, actor)?
            {
                return Ok(committed);
            }
        }
        Err(LedgerError::Contended(MAX_ATTEMPTS))
    }

    /// Writes `text` at `path` and commits it: the working file, its index
    /// entry, then the branch (see `intent` for why in this order). Returns
    /// `None` when the incident changed meanwhile and the caller must retry.
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        branch: &str,
        tip: Option<Oid>,
        path: &Path,
        text: &str,
        incident: &Incident,
        applied: Applied,
        actor: &Actor,
    ) -> Result<Option<Committed>, LedgerError> {
        // What we write must read back: never commit a file the next command
        // would refuse.
        parse_incident(path, text)?;
        let mut message = message::commit_message(&incident.id, &applied);
        let author = Author {
            name: actor.by.name().to_owned(),
            email: actor.by.email().to_owned(),
            time: actor.now.timestamp(),
        };
        let committer = self.committer.as_ref().map_or_else(
            || author.clone(),
            |who| Author {
                name: who.name().to_owned(),
                email: who.email().to_owned(),
                time: actor.now.timestamp(),
            },
        );
        let repo_path = self.base.join(path);
        let file = self.root.join(path);
        git::wait_for_locks(&self.repo, branch)?;
        let old = git::blob_at(&self.repo, tip, &repo_path)?;
        // The repository's hooks, before anything is written: one that
        // fails refuses the change with nothing recorded.
        let mut said = String::new();
        if self.config.hooks {
            let (edited, output) =
                git::hook::before_commit(&self.repo, tip, &repo_path, text.as_bytes(), &message)?;
            message = edited;
            said = output.0;
        }
        let new = self.repo.blob(text.as_bytes())?;
        let change = OneFileCommit {
            path: &repo_path,
            blob: new,
            message: &message,
            author: &author,
            committer: &committer,
        };
        // Made (and signed) before anything is written: a signing failure
        // leaves everything as it was.
        let commit = git::one_file_commit(&self.repo, tip, &change)?;
        Intent {
            path: repo_path.clone(),
            old,
            new,
        }
        .record(&self.repo)?;
        let stop = |point: &str| failpoint(self.failpoint.as_deref(), point);
        stop("before-write");
        let written = (|| -> Result<Option<Oid>, LedgerError> {
            let bytes = git::worktree_bytes(&self.repo, &repo_path, text.as_bytes());
            git::write_worktree_file(&self.repo, &file, &bytes)?;
            stop("after-write");
            let staged = Staged {
                path: repo_path.clone(),
                blob: Some(new),
                file: Some(file.clone()),
            };
            git::stage(&self.repo, &[staged], stop)?;
            stop("after-index");
            let (mut parent, mut commit) = (tip, commit);
            for _ in 0..MAX_ATTEMPTS {
                let moved = git::move_branch(
                    &self.repo, branch, parent, commit, &committer, &message, stop,
                )?;
                let Moved::Elsewhere(current) = moved else {
                    return Ok(Some(commit));
                };
                // A plain `git commit` moved the branch meanwhile.
                let there = git::blob_at(&self.repo, current, &repo_path)?;
                if there == Some(new) {
                    // It committed this very change (`commit -a`): recorded,
                    // and not to be recorded twice.
                    return Ok(current);
                }
                if there != old {
                    return Ok(None);
                }
                parent = current;
                commit = git::one_file_commit(&self.repo, parent, &change)?;
            }
            Err(LedgerError::Contended(MAX_ATTEMPTS))
        })();
        let commit = match written {
            Ok(Some(commit)) => commit,
            Ok(None) => {
                intent::finish_interrupted(&self.repo)?;
                return Ok(None);
            }
            Err(e) => {
                // Put the file and its entry back as the branch has them.
                let _ = intent::finish_interrupted(&self.repo);
                return Err(e);
            }
        };
        stop("after-commit");
        Intent::clear(&self.repo);
        if self.config.hooks {
            said.push_str(&git::hook::after_commit(&self.repo).0);
        }
        if let Some(workdir) = self.repo.workdir() {
            git::auto_maintenance(workdir);
        }
        Ok(Some(Committed {
            id: incident.id.clone(),
            path: path.to_path_buf(),
            commit: git::commit_id(commit),
            applied,
            incident: incident.clone(),
            hooks_said: said,
        }))
    }

    /// Refuses, as a change would, when the incident's file has edits that
    /// are not committed (in the working tree or staged).
    pub(crate) fn check_committed(&self, id: &IncidentId) -> Result<(), LedgerError> {
        let path = self.find_path(id)?;
        let (_, tip) = git::head_branch(&self.repo)?;
        self.committed_blob(tip, &path).map(|_| ())
    }

    /// The blob `tip` holds for the incident file at `path`, refused when the
    /// file has edits that are not committed: the working file (read as
    /// git would hash it) and its index entry must both be that blob.
    fn committed_blob(&self, tip: Option<Oid>, path: &Path) -> Result<Oid, LedgerError> {
        let repo_path = self.base.join(path);
        let bytes = read_inside(&self.root, path)?;
        let committed = git::blob_at(&self.repo, tip, &repo_path)?;
        let on_disk = worktree_blob(&bytes, &committed.into_iter().collect::<Vec<_>>())?;
        let staged = git::index_entry(&self.repo, &repo_path)?;
        committed
            .filter(|c| *c == on_disk && staged == Some(*c))
            .ok_or_else(|| LedgerError::Uncommitted(path.to_path_buf()))
    }
}

/// A change whose result TOML cannot hold (every time the ledger reads is
/// bounded, so this guards rather than happens).
fn unwritable(path: &Path) -> impl FnOnce(toml::ser::Error) -> LedgerError {
    let path = path.to_path_buf();
    move |e| LedgerError::Invalid {
        path,
        message: format!("the changed incident cannot be written: {e}"),
    }
}
