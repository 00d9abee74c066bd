//! A write that a crash interrupted, finished by the next writer.
//!
//! A change is committed first (the branch moves in one atomic step), then
//! the working file and its index entry follow. A crash between the two
//! leaves a committed change whose working file, or index entry, is still
//! the old version: `git status` shows the last change as if undone, and the
//! next command would take the file for a hand edit and refuse.
//!
//! So before the branch moves, the writer records its intent (the path, the
//! blob it replaces, the blob it commits) in the git directory, and removes
//! it once the file and the index are written. The next writer, holding the
//! ledger lock (so that no live writer owns the intent), finishes what it
//! finds: only where the branch holds the new blob and the file is still the
//! old or the new version. A file edited since is never touched.

use std::fs;
use std::path::PathBuf;

use git2::{ObjectType, Oid, Repository};

use super::{LedgerError, git, write_atomic, write_private};

/// What a writer is about to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The file, relative to the repository's working tree.
    pub path: PathBuf,
    /// The blob the commit replaces; `None` for a new file.
    pub old: Option<Oid>,
    /// The blob the commit holds.
    pub new: Oid,
}

const FILE: &str = "git-incident/pending-write";

fn marker(repo: &Repository) -> PathBuf {
    repo.path().join(FILE)
}

impl Intent {
    /// Records the intent before the branch moves, written whole or not at
    /// all.
    pub fn record(&self, repo: &Repository) -> Result<(), LedgerError> {
        let old = self.old.map_or_else(|| "-".to_owned(), |o| o.to_string());
        let text = format!("{} {old} {}\n", self.new, self.path.display());
        let file = marker(repo);
        write_private(&file, text.as_bytes()).map_err(LedgerError::io("cannot write", &file))
    }

    /// The write is complete: nothing is left to finish.
    pub fn clear(repo: &Repository) {
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
    /// The file and its index entry now hold the committed version.
    Finished,
    /// Nothing was left undone, or the branch has moved on since.
    Moot,
    /// The file was edited since the crash: left as it is, and the intent
    /// kept, so that discarding the edit lets the next command finish.
    Edited,
}

/// Finishes a write that a crash interrupted, if one is recorded: see the
/// module's comment. Call with the ledger lock held. Returns the file that
/// was brought up to date, if any.
pub fn finish_interrupted(repo: &Repository) -> Result<Option<PathBuf>, LedgerError> {
    if !marker(repo).exists() {
        return Ok(None);
    }
    let Some(intent) = Intent::read(repo) else {
        Intent::clear(repo);
        return Ok(None);
    };
    match finish(repo, &intent)? {
        Outcome::Finished => {
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

fn finish(repo: &Repository, intent: &Intent) -> Result<Outcome, LedgerError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(Outcome::Moot);
    };
    let (_, tip) = git::head_branch(repo)?;
    if git::blob_at(repo, tip, &intent.path)? != Some(intent.new) {
        // The branch never moved (or has moved on): nothing was left undone.
        return Ok(Outcome::Moot);
    }
    let file = workdir.join(&intent.path);
    let on_disk = match fs::read(&file) {
        Ok(bytes) => Some(Oid::hash_object(ObjectType::Blob, &bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(LedgerError::io("cannot read", &file)(e)),
    };
    let staged = git::index_entry(repo, &intent.path)?;
    let untouched = |blob: Option<Oid>| blob == intent.old || blob == Some(intent.new);
    if !untouched(on_disk) || !untouched(staged) {
        return Ok(Outcome::Edited);
    }
    if on_disk == Some(intent.new) && staged == Some(intent.new) {
        return Ok(Outcome::Moot);
    }
    if on_disk != Some(intent.new) {
        let blob = repo.find_blob(intent.new)?;
        write_atomic(&file, blob.content())?;
    }
    git::sync_index_entry(repo, &intent.path)?;
    Ok(Outcome::Finished)
}

/// Stops the process on the spot where `set` (`GIT_INCIDENT_FAILPOINT`,
/// read by the context) names this point: how the tests crash a write
/// half-way, for real, to show that the next command finishes it.
pub fn failpoint(set: Option<&str>, name: &str) {
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
