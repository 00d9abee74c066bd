//! A write that a crash interrupted, finished or undone by the next writer.
//!
//! A change is written in this order: the working file, its index entry,
//! then the branch moves (one rename: the change is recorded). At no moment
//! does the index hold an older version than HEAD, so a user's plain
//! `git commit` (or `commit -a`) after a crash at any point commits the
//! change or nothing, never its revert.
//!
//! Before writing anything, the writer records its intent (the path, the
//! blob it replaces, the blob it commits) in the git directory, and removes
//! it once done. The next writer, holding the ledger lock (so that no live
//! writer owns the intent), first removes the lock files and scratch files a
//! killed writer left (see `git`), then settles the intent: where the branch
//! holds the new blob, the file and the index entry are brought up to it;
//! where it still holds the old one, they are put back. A file or entry
//! that is neither version (edited since) is never touched, and the intent
//! kept, so that discarding the edit lets the next command finish.

use std::fs;
use std::path::PathBuf;

use git2::{ObjectType, Oid, Repository};

use super::files::{Durability, write_file};
use super::{LedgerError, git};
use crate::ledger::IoOp;

/// What a writer is about to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Intent {
    /// The file, relative to the repository's working tree.
    pub(crate) path: PathBuf,
    /// The blob the commit replaces; `None` for a new file.
    pub(crate) old: Option<Oid>,
    /// The blob the commit holds.
    pub(crate) new: Oid,
}

const FILE: &str = "git-incident/pending-write";

fn marker(repo: &Repository) -> PathBuf {
    repo.path().join(FILE)
}

impl Intent {
    /// Records the intent before the branch moves, written whole or not at
    /// all.
    pub(crate) fn record(&self, repo: &Repository) -> Result<(), LedgerError> {
        let old = self.old.map_or_else(|| "-".to_owned(), |o| o.to_string());
        let text = format!("{} {old} {}\n", self.new, self.path.display());
        let file = marker(repo);
        write_file(&file, text.as_bytes(), Durability::BestEffort)
            .map_err(LedgerError::io(IoOp::Write, &file))
    }

    /// The write is complete: nothing is left to finish.
    pub(crate) fn clear(repo: &Repository) {
        let _ = fs::remove_file(marker(repo));
    }

    fn read(repo: &Repository) -> Option<Self> {
        let text = fs::read_to_string(marker(repo)).ok()?;
        let mut parts = text.trim_end_matches('\n').splitn(3, ' ');
        let new = Oid::from_str(parts.next()?).ok()?;
        let old = match parts.next()? {
            "-" => None,
            o => Some(Oid::from_str(o).ok()?),
        };
        let path = PathBuf::from(parts.next().filter(|p| !p.is_empty())?);
        Some(Self { path, old, new })
    }
}

/// What became of an interrupted write.
enum Outcome {
    /// The file and its index entry now hold the version the branch holds.
    Settled,
    /// Nothing was left undone, or the branch has moved on since.
    Moot,
    /// The file or its entry was edited since the crash: left as it is, and
    /// the intent kept.
    Edited,
}

/// Clears a killed writer's leftovers and settles its intent, if one is
/// recorded: see the module's comment. Call with the ledger lock held.
/// Returns the file that was brought in line with the branch, if any.
pub(crate) fn finish_interrupted(repo: &Repository) -> Result<Option<PathBuf>, LedgerError> {
    git::clear_leftovers(repo, &git::lock_files(repo));
    clear_private_temps(repo);
    if !marker(repo).exists() {
        return Ok(None);
    }
    let Some(intent) = Intent::read(repo) else {
        Intent::clear(repo);
        return Ok(None);
    };
    match settle(repo, &intent)? {
        Outcome::Settled => {
            Intent::clear(repo);
            Ok(Some(intent.path))
        }
        Outcome::Moot => {
            Intent::clear(repo);
            Ok(None)
        }
        Outcome::Edited => Ok(None),
    }
}

/// The temporary files of the intent's own atomic write, which only a
/// holder of the ledger lock makes.
fn clear_private_temps(repo: &Repository) {
    let Some(dir) = marker(repo).parent().map(std::path::Path::to_path_buf) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".pending-write.") && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn settle(repo: &Repository, intent: &Intent) -> Result<Outcome, LedgerError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(Outcome::Moot);
    };
    let file = workdir.join(&intent.path);
    let _ = fs::remove_file(git::beside(&file));
    let (_, tip) = git::head_branch(repo)?;
    let committed = git::blob_at(repo, tip, &intent.path)?;
    let target = if committed == Some(intent.new) {
        Some(intent.new)
    } else if committed == intent.old {
        intent.old
    } else {
        // The branch has moved on (a reset, the user's own commit).
        return Ok(Outcome::Moot);
    };
    let known: Vec<Oid> = intent.old.into_iter().chain([intent.new]).collect();
    let on_disk = match fs::read(&file) {
        Ok(bytes) => Some(worktree_blob(&bytes, &known)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(LedgerError::io(IoOp::Read, &file)(e)),
    };
    let staged = git::index_entry(repo, &intent.path)?;
    let untouched = |blob: Option<Oid>| blob == intent.old || blob == Some(intent.new);
    if !untouched(on_disk) || !untouched(staged) {
        return Ok(Outcome::Edited);
    }
    if on_disk == target && staged == target {
        return Ok(Outcome::Moot);
    }
    if on_disk != target {
        match target {
            Some(blob) => {
                let blob = repo.find_blob(blob)?;
                let bytes = git::worktree_bytes(repo, &intent.path, blob.content());
                git::write_worktree_file(repo, &file, &bytes)?;
            }
            None => fs::remove_file(&file).map_err(LedgerError::io(IoOp::Remove, &file))?,
        }
    }
    git::stage(
        repo,
        &[git::Staged {
            path: intent.path.clone(),
            blob: target,
            file: target.map(|_| file.clone()),
        }],
        |_| {},
    )?;
    Ok(Outcome::Settled)
}

/// The blob a working file stands for: its bytes as they are, or, where
/// git's checkout wrote them with CRLF line ends, as git would clean them;
/// whichever of `known` it matches.
pub(crate) fn worktree_blob(bytes: &[u8], known: &[Oid]) -> Result<Oid, LedgerError> {
    let raw = Oid::hash_object(ObjectType::Blob, bytes)?;
    if known.contains(&raw) || !bytes.contains(&b'\r') {
        return Ok(raw);
    }
    let clean = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    let clean = Oid::hash_object(ObjectType::Blob, clean.as_bytes())?;
    Ok(if known.contains(&clean) { clean } else { raw })
}

/// Stops the process on the spot where `set` (`GIT_INCIDENT_FAILPOINT`,
/// read by the context) names this point: how the tests crash a write
/// half-way, for real, to show that the next command finishes it.
pub(crate) fn failpoint(set: Option<&str>, name: &str) {
    if set == Some(name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intent_reads_back_and_a_damaged_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let intent = Intent {
            path: PathBuf::from("incidents/2026/INC 1.toml"),
            old: None,
            new: Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
        };
        intent.record(&repo).unwrap();
        assert_eq!(Intent::read(&repo), Some(intent.clone()));
        fs::write(marker(&repo), "nonsense").unwrap();
        assert_eq!(Intent::read(&repo), None);
        assert_eq!(finish_interrupted(&repo).unwrap(), None);
        assert!(!marker(&repo).exists());
    }
}
