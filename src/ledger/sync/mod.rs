//! `sync`: fetch, merge, push, through the system `git` so the user's SSH,
//! credential helpers and hooks apply.
//!
//! The merge is done here, not by git: every incident file both sides
//! changed goes through the domain's semantic merge, so a sync never depends
//! on the merge driver being registered. A diverged ledger gets one merge
//! commit whose trailers name the merged incidents and every rule that
//! decided between the sides. A push lost to a concurrent one is fetched and
//! merged again, a bounded number of times; a push is never forced. Nothing
//! local is lost on any failure: the local commits stand, and the remote's
//! are kept in the remote-tracking branch until the next sync.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use git2::Oid;

use super::files::parse_incident;
use super::git::{self, Author, Moved, Staged};
use super::intent::{self, worktree_blob};
use super::trailer::{CHANGE, FROM, INCIDENT, MERGE_CONFLICT, MERGE_RULE, MERGED_INCIDENT, TO};
use super::{INCIDENTS_DIR, LOCK_WAIT, Ledger, LedgerError, edit};
use crate::domain::change::Verb;
use crate::domain::merge::{self, Options};
use crate::domain::sync::{Standing, Synced};
use crate::domain::{Identity, IncidentId};
use crate::ledger::IoOp;

/// How often a push lost to a concurrent one is fetched, merged and tried
/// again.
mod remote;

const PUSH_ATTEMPTS: u32 = 5;

/// What `sync` is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct SyncRequest {
    /// The remote; else the branch's upstream remote, else the only remote,
    /// else `origin`.
    pub(crate) remote: Option<String>,
    /// Whether git may ask for a password on the terminal.
    pub(crate) prompt: bool,
    /// Who makes the merge commit, and when (seconds since the epoch).
    pub(crate) who: Identity,
    pub(crate) time: i64,
}

/// Why a sync stopped; the local commits stand in every case.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this ledger has no remote to sync with")]
    NoRemote,
    #[error("cannot reach {remote}: {message}")]
    Offline { remote: String, message: String },
    #[error("{remote} refused the credentials: {message}")]
    Auth { remote: String, message: String },
    #[error("{remote} rejected the push: {message}")]
    Rejected { remote: String, message: String },
    #[error("{path} changed on both sides and is not an incident file the merge can read: {why}")]
    Conflict { path: PathBuf, why: String },
    #[error("the push lost to another one {0} times in a row")]
    Raced(u32),
}

impl Ledger {
    /// Fetches, merges and pushes the current branch.
    pub(crate) fn sync(&self, request: &SyncRequest) -> Result<Synced, LedgerError> {
        let _lock = git::lock(&self.repo, LOCK_WAIT)?;
        intent::finish_interrupted(&self.repo)?;
        let (branch_ref, _) = git::head_branch(&self.repo)?;
        let branch = branch_ref
            .strip_prefix("refs/heads/")
            .unwrap_or(&branch_ref)
            .to_owned();
        let remote = self.pick_remote(&branch, request.remote.as_deref())?;
        let upstream = self.upstream_branch(&branch);
        let tracking = format!("refs/remotes/{remote}/{upstream}");
        let mut synced = Synced {
            remote: remote.clone(),
            branch: branch.clone(),
            ..Synced::default()
        };
        for attempt in 0..PUSH_ATTEMPTS {
            synced.retries = attempt;
            let theirs = self.fetch(&remote, &upstream, &tracking, request.prompt)?;
            let (_, tip) = git::head_branch(&self.repo)?;
            let Some(ours) = tip else {
                return Err(SyncError::Conflict {
                    path: PathBuf::from(&branch),
                    why: "the branch has no commit yet".into(),
                }
                .into());
            };
            let ours = match theirs {
                Some(theirs) => self.catch_up(&branch_ref, ours, theirs, request, &mut synced)?,
                None => ours,
            };
            if Some(ours) == theirs {
                return Ok(synced);
            }
            synced.sent = self.count_between(theirs, ours)?;
            if self.push(&remote, &upstream, request.prompt)? {
                // The tracking branch now stands where the push put it, as
                // after git's own push.
                self.repo
                    .reference(&tracking, ours, true, "git-incident: sync")?;
                return Ok(synced);
            }
        }
        Err(SyncError::Raced(PUSH_ATTEMPTS).into())
    }

    /// Brings `theirs` into the branch at `ours`: nothing when already in,
    /// a fast-forward when ours is behind, else a merge commit. The new tip.
    fn catch_up(
        &self,
        branch_ref: &str,
        ours: Oid,
        theirs: Oid,
        request: &SyncRequest,
        synced: &mut Synced,
    ) -> Result<Oid, LedgerError> {
        if ours == theirs || self.repo.graph_descendant_of(ours, theirs)? {
            return Ok(ours);
        }
        let received = self.count_between(Some(ours), theirs)?;
        if self.repo.graph_descendant_of(theirs, ours)? {
            let changes = self.changes_between(ours, theirs)?;
            let reason = format!("sync: fast-forward to {}/{}", synced.remote, synced.branch);
            self.advance(branch_ref, ours, theirs, &changes, request, &reason)?;
            synced.received += received;
            return Ok(theirs);
        }
        let base = self.repo.merge_base(ours, theirs)?;
        let ours = self.renumber_collisions(branch_ref, base, ours, theirs, request, synced)?;
        let mut plan = self.plan_merge(base, ours, theirs)?;
        let message = merge_message(synced, &plan);
        let tree = git::tree_with_changes(&self.repo, ours, &plan.changes)?;
        let author = author_of(request);
        let commit =
            git::commit_with_parents(&self.repo, [ours, theirs], tree, &message, &author, &author)?;
        self.advance(branch_ref, ours, commit, &plan.changes, request, &message)?;
        synced.received += received;
        synced.merge = Some(git::commit_id(commit));
        synced.merged.append(&mut plan.merged);
        synced.rules.append(&mut plan.rules);
        synced.conflicts.append(&mut plan.conflicts);
        Ok(commit)
    }

    /// Where the branch stands against its remote-tracking branch, from
    /// the last fetch (no network). `None` without an upstream.
    pub(crate) fn standing(&self) -> Result<Option<Standing>, LedgerError> {
        let (branch_ref, tip) = git::head_branch(&self.repo)?;
        let Some(tip) = tip else {
            return Ok(None);
        };
        let branch = branch_ref
            .strip_prefix("refs/heads/")
            .unwrap_or(&branch_ref);
        let Ok(remote) = self.pick_remote(branch, None) else {
            return Ok(None);
        };
        let upstream = format!("{remote}/{}", self.upstream_branch(branch));
        let Ok(theirs) = self.repo.refname_to_id(&format!("refs/remotes/{upstream}")) else {
            return Ok(None);
        };
        let (ahead, behind) = self.repo.graph_ahead_behind(tip, theirs)?;
        Ok(Some(Standing {
            upstream,
            ahead,
            behind,
        }))
    }

    /// Incidents declared here since `base` whose id `theirs` already gives
    /// another incident (two clones declared offline): each is renumbered
    /// to the next number neither side has, in a commit of its own, keeping
    /// its old id as an alias. An id already published never changes. The
    /// new tip.
    fn renumber_collisions(
        &self,
        branch_ref: &str,
        base: Oid,
        mut ours: Oid,
        theirs: Oid,
        request: &SyncRequest,
        synced: &mut Synced,
    ) -> Result<Oid, LedgerError> {
        let added: Vec<(PathBuf, Oid)> = self
            .changes_between(base, ours)?
            .into_iter()
            .filter(|(path, _)| self.is_incident_path(path))
            .filter_map(|(path, blob)| Some((path, blob?)))
            .collect();
        let mut next = self
            .next_number(Some(ours))?
            .max(self.next_number(Some(theirs))?);
        for (repo_path, blob) in added {
            if git::blob_at(&self.repo, Some(base), &repo_path)?.is_some() {
                continue;
            }
            let path = repo_path
                .strip_prefix(&self.base)
                .unwrap_or(&repo_path)
                .to_path_buf();
            let text = self.blob_text(&path, blob)?;
            let mut incident = parse_incident(&path, &text)?;
            let Some(their_path) = self.path_at(theirs, &incident.id.to_string())? else {
                continue;
            };
            let their_blob = git::blob_at(&self.repo, Some(theirs), &self.base.join(&their_path))?;
            let their_uid = match their_blob {
                Some(b) => parse_incident(&their_path, &self.blob_text(&their_path, b)?)?.uid,
                None => continue,
            };
            if their_uid == incident.uid {
                continue;
            }
            let old = incident.id.clone();
            let new = IncidentId::new(&self.config.prefix, next);
            next += 1;
            incident.aliases.push(old.clone());
            incident.id = new.clone();
            let new_text =
                edit::render(Some(&text), &incident).map_err(|e| LedgerError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            let new_path = path.with_file_name(format!("{new}.toml"));
            let new_repo_path = self.base.join(&new_path);
            let new_blob = self.repo.blob(new_text.as_bytes())?;
            let changes = vec![(repo_path.clone(), None), (new_repo_path, Some(new_blob))];
            let message = format!(
                "{new}: renumbered from {old}, which {remote} gives another incident\n\n\
                 {remote} already had {old} (declared in another clone while this one was \
                 offline); an id already published never changes, so this one does. {old} \
                 stays an alias of {new}.\n\n\
                 {INCIDENT}: {new}\n{CHANGE}: {verb}\n{FROM}: {old}\n{TO}: {new}\n",
                remote = synced.remote,
                verb = Verb::Renumber.as_str(),
            );
            let tree = git::tree_with_changes(&self.repo, ours, &changes)?;
            let author = author_of(request);
            let commit =
                git::commit_object(&self.repo, Some(ours), tree, &message, &author, &author)?;
            self.advance(branch_ref, ours, commit, &changes, request, &message)?;
            ours = commit;
            synced.renumbered.push((old.to_string(), new.to_string()));
        }
        Ok(ours)
    }

    /// How many commits `to` has that `from` has not.
    fn count_between(&self, from: Option<Oid>, to: Oid) -> Result<usize, LedgerError> {
        let mut walk = self.repo.revwalk()?;
        walk.push(to)?;
        if let Some(from) = from {
            walk.hide(from)?;
        }
        Ok(walk.count())
    }

    /// Every path whose blob differs between two commits, with its blob in
    /// `to` (`None`: removed).
    fn changes_between(
        &self,
        from: Oid,
        to: Oid,
    ) -> Result<Vec<(PathBuf, Option<Oid>)>, LedgerError> {
        let (a, b) = (
            self.repo.find_commit(from)?.tree()?,
            self.repo.find_commit(to)?.tree()?,
        );
        let diff = self.repo.diff_tree_to_tree(Some(&a), Some(&b), None)?;
        diff.deltas()
            .flat_map(|d| [d.old_file(), d.new_file()])
            .filter_map(|f| f.path().map(Path::to_path_buf))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|path| {
                let blob = git::blob_at(&self.repo, Some(to), &path)?;
                Ok((path, blob))
            })
            .collect()
    }

    /// What merging `theirs` into `ours` changes in ours: their side where
    /// only they changed a file, the semantic merge where both changed an
    /// incident file.
    fn plan_merge(&self, base: Oid, ours: Oid, theirs: Oid) -> Result<MergePlan, LedgerError> {
        let options = Options {
            severities: self.runbook.severity_names(),
        };
        let mut plan = MergePlan::default();
        for (path, their_blob) in self.changes_between(base, theirs)? {
            let our_blob = git::blob_at(&self.repo, Some(ours), &path)?;
            let base_blob = git::blob_at(&self.repo, Some(base), &path)?;
            if our_blob == their_blob {
                continue;
            }
            if our_blob == base_blob {
                plan.changes.push((path, their_blob));
                continue;
            }
            let conflict = |why: &str| SyncError::Conflict {
                path: path.clone(),
                why: why.to_owned(),
            };
            if !self.is_incident_path(&path) {
                return Err(conflict("both sides changed it").into());
            }
            let (Some(our_blob), Some(their_blob)) = (our_blob, their_blob) else {
                return Err(conflict("one side removed it, the other changed it").into());
            };
            let text = |blob: Option<Oid>| -> Result<String, LedgerError> {
                let Some(blob) = blob else {
                    return Ok(String::new());
                };
                let blob = self.repo.find_blob(blob)?;
                String::from_utf8(blob.content().to_vec())
                    .map_err(|_| conflict("it is not UTF-8 text").into())
            };
            let merged = merge::merge(
                &text(base_blob)?,
                &text(Some(our_blob))?,
                &text(Some(their_blob))?,
                &options,
            )
            .map_err(|why| conflict(&why.to_string()))?;
            let name = incident_name(&path);
            for rule in &merged.report.rules {
                plan.rules
                    .push(format!("{name} {}: {}", rule.field, rule.why));
            }
            for c in &merged.report.conflicts {
                plan.conflicts
                    .push(format!("{name} {}: {}", c.field, c.why));
            }
            plan.merged.push(name);
            let blob = self.repo.blob(merged.text.as_bytes())?;
            plan.changes.push((path, Some(blob)));
        }
        Ok(plan)
    }

    fn is_incident_path(&self, repo_path: &Path) -> bool {
        repo_path.starts_with(self.base.join(INCIDENTS_DIR))
            && repo_path.extension().is_some_and(|e| e == "toml")
    }

    /// Moves the branch from `from` to `to`, writing the working files and
    /// index entries of `changes` as a checkout would. Refused, with
    /// nothing written, when one of those files has edits not committed.
    fn advance(
        &self,
        branch_ref: &str,
        from: Oid,
        to: Oid,
        changes: &[(PathBuf, Option<Oid>)],
        request: &SyncRequest,
        reason: &str,
    ) -> Result<(), LedgerError> {
        let workdir = self.workdir().to_path_buf();
        for (path, _) in changes {
            self.check_untouched(from, path, &workdir)?;
        }
        git::wait_for_locks(&self.repo, branch_ref)?;
        let mut staged = Vec::new();
        for (path, blob) in changes {
            let file = workdir.join(path);
            match blob {
                Some(blob) => {
                    let content = self.repo.find_blob(*blob)?.content().to_vec();
                    if let Some(dir) = file.parent() {
                        fs::create_dir_all(dir).map_err(LedgerError::io(IoOp::Create, dir))?;
                    }
                    let bytes = git::worktree_bytes(&self.repo, path, &content);
                    git::write_worktree_file(&self.repo, &file, &bytes)?;
                    staged.push(Staged {
                        path: path.clone(),
                        blob: Some(*blob),
                        file: Some(file),
                    });
                }
                None => {
                    match fs::remove_file(&file) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(LedgerError::io(IoOp::Remove, &file)(e));
                        }
                        _ => {}
                    }
                    staged.push(Staged {
                        path: path.clone(),
                        blob: None,
                        file: None,
                    });
                }
            }
        }
        git::stage(&self.repo, &staged, |_| {})?;
        let author = author_of(request);
        match git::move_branch(
            &self.repo,
            branch_ref,
            Some(from),
            to,
            &author,
            reason,
            |_| {},
        )? {
            Moved::Done => Ok(()),
            Moved::Elsewhere(_) => Err(LedgerError::Contended(1)),
        }
    }

    /// Refuses when the working file or index entry at `path` is not what
    /// commit `tip` holds there (absent where it holds nothing).
    fn check_untouched(&self, tip: Oid, path: &Path, workdir: &Path) -> Result<(), LedgerError> {
        let committed = git::blob_at(&self.repo, Some(tip), path)?;
        let staged = git::index_entry(&self.repo, path)?;
        let on_disk = match fs::read(workdir.join(path)) {
            Ok(bytes) => Some(worktree_blob(
                &bytes,
                &committed.into_iter().collect::<Vec<_>>(),
            )?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(LedgerError::io(IoOp::Read, workdir.join(path))(e)),
        };
        if on_disk == committed && staged == committed {
            Ok(())
        } else {
            Err(LedgerError::Uncommitted(path.to_path_buf()))
        }
    }
}

/// What a merge changes on our side, and what it says about it.
#[derive(Debug, Default)]
struct MergePlan {
    changes: Vec<(PathBuf, Option<Oid>)>,
    merged: Vec<String>,
    rules: Vec<String>,
    conflicts: Vec<String>,
}

fn author_of(request: &SyncRequest) -> Author {
    Author {
        name: request.who.name().to_owned(),
        email: request.who.email().to_owned(),
        time: request.time,
    }
}

/// `INC-7` for `incidents/2026/INC-7.toml`.
fn incident_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// The merge commit's message: a subject, and one trailer per merged
/// incident, per rule that decided and per conflict left for a person.
fn merge_message(synced: &Synced, plan: &MergePlan) -> String {
    let one_line = |v: &str| v.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut msg = format!("Merge {}/{} by sync", synced.remote, synced.branch);
    if !plan.merged.is_empty() {
        let _ = write!(msg, ": {}", plan.merged.join(", "));
    }
    msg.push_str("\n\n");
    for name in &plan.merged {
        let _ = writeln!(msg, "{MERGED_INCIDENT}: {name}");
    }
    for rule in &plan.rules {
        let _ = writeln!(msg, "{MERGE_RULE}: {}", one_line(rule));
    }
    for conflict in &plan.conflicts {
        let _ = writeln!(msg, "{MERGE_CONFLICT}: {}", one_line(conflict));
    }
    msg
}
