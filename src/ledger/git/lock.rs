//! The ledger lock, and git's own lock files taken as git takes them.
//!
//! Every lock file the tool creates (`index.lock`, `refs/heads/<b>.lock`) is
//! a hard link to a file in the tool's scratch folder in the git directory.
//! Only the holder of the ledger lock creates scratch files, so the next
//! holder can prove that a lock file left behind is one of its own (same
//! inode as a scratch file) and remove it; a lock file it cannot prove its
//! own belongs to a git that may still be running, and is never touched.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::Repository;

use crate::ledger::IoOp;
use crate::ledger::error::LedgerError;

/// How long a change waits for a git command holding `index.lock` or the
/// branch's lock file; git itself does not wait at all.
pub(super) const GIT_LOCK_WAIT: Duration = Duration::from_secs(2);

/// Holds the ledger lock for as long as it lives.
#[derive(Debug)]
pub(crate) struct LedgerLock {
    _file: File,
}

/// Takes the ledger lock, waiting up to `wait` for another invocation.
pub(crate) fn lock(repo: &Repository, wait: Duration) -> Result<LedgerLock, LedgerError> {
    let path = repo.commondir().join("git-incident.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(LedgerError::io(IoOp::OpenLock, &path))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(LedgerLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LedgerError::Locked {
                    path,
                    secs: wait.as_secs(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(LedgerError::io(IoOp::Lock, path)(e));
            }
        }
    }
}

/// The tool's scratch folder, shared by every worktree of the repository:
/// temporary files live here, where `git status` never looks.
pub(crate) fn scratch_dir(repo: &Repository) -> PathBuf {
    repo.commondir().join("git-incident").join("tmp")
}

pub(super) fn scratch_file(repo: &Repository, kind: &str) -> Result<PathBuf, LedgerError> {
    let dir = scratch_dir(repo);
    fs::create_dir_all(&dir).map_err(LedgerError::io(IoOp::Create, &dir))?;
    Ok(dir.join(format!("{kind}.{}", std::process::id())))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

/// Clears what a killed writer left behind: lock files among `locks` that
/// are provably its own, then every scratch file. Call with the ledger lock
/// held (see the module's comment). Returns the lock files removed.
pub(crate) fn clear_leftovers(repo: &Repository, locks: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(scratch_dir(repo)) else {
        return Vec::new();
    };
    let scratch: Vec<(PathBuf, fs::Metadata)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.path(), e.metadata().ok()?)))
        .collect();
    let mut removed = Vec::new();
    for lock in locks {
        let Ok(meta) = fs::symlink_metadata(lock) else {
            continue;
        };
        if scratch.iter().any(|(_, m)| same_file(m, &meta)) && fs::remove_file(lock).is_ok() {
            removed.push(lock.clone());
        }
    }
    for (path, _) in scratch {
        let _ = fs::remove_file(path);
    }
    removed
}

/// A git lock file (`<target>.lock`), taken as git takes it: created only
/// where none exists, and renamed over the target to commit.
pub(super) struct GitLock {
    lock: PathBuf,
    target: PathBuf,
    /// The scratch file the lock is a hard link of: the proof it is ours.
    twin: PathBuf,
    done: bool,
}

impl GitLock {
    /// Links `twin` (already holding the new content) as the lock of
    /// `target`, waiting up to `wait` for a git that holds it.
    pub(super) fn take(twin: PathBuf, target: &Path, wait: Duration) -> Result<Self, LedgerError> {
        let mut lock = target.as_os_str().to_owned();
        lock.push(".lock");
        let lock = PathBuf::from(lock);
        let started = Instant::now();
        loop {
            match fs::hard_link(&twin, &lock) {
                Ok(()) => {
                    return Ok(Self {
                        lock,
                        target: target.to_path_buf(),
                        twin,
                        done: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if started.elapsed() >= wait {
                        let _ = fs::remove_file(&twin);
                        return Err(LedgerError::GitLocked(lock));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => {
                    let _ = fs::remove_file(&twin);
                    return Err(LedgerError::io(IoOp::Create, &lock)(e));
                }
            }
        }
    }

    /// Puts the new content in place: one rename, as git does.
    pub(super) fn commit(mut self) -> Result<(), LedgerError> {
        self.done = true;
        fs::rename(&self.lock, &self.target).map_err(LedgerError::io(IoOp::Write, &self.target))?;
        let _ = fs::remove_file(&self.twin);
        Ok(())
    }
}

impl Drop for GitLock {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.lock);
            let _ = fs::remove_file(&self.twin);
        }
    }
}

/// The lock files a change may leave behind: the index's and the branch's.
pub(crate) fn lock_files(repo: &Repository) -> Vec<PathBuf> {
    let mut locks = vec![repo.path().join("index.lock")];
    if let Ok(head) = repo.find_reference("HEAD")
        && let Ok(Some(branch)) = head.symbolic_target()
    {
        locks.push(repo.commondir().join(format!("{branch}.lock")));
    }
    locks
}

/// Waits briefly for a concurrent git to release `index.lock` and the
/// branch's lock file, so that a change is refused before anything is
/// written rather than undone half-way.
pub(crate) fn wait_for_locks(repo: &Repository, branch: &str) -> Result<(), LedgerError> {
    wait_for(repo.path().join("index.lock"))?;
    wait_for(repo.commondir().join(format!("{branch}.lock")))
}

fn wait_for(lock: PathBuf) -> Result<(), LedgerError> {
    let started = Instant::now();
    while lock.exists() {
        if started.elapsed() > GIT_LOCK_WAIT {
            return Err(LedgerError::GitLocked(lock));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a lock file that is a link of a scratch file is the tool's own.
    #[test]
    fn a_lock_file_is_removed_only_when_provably_the_tools_own() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let ours = repo.path().join("index.lock");
        let twin = scratch_file(&repo, "index").unwrap();
        fs::write(&twin, "x").unwrap();
        fs::hard_link(&twin, &ours).unwrap();
        let theirs = repo.path().join("refs/heads/main.lock");
        fs::write(&theirs, "x").unwrap();
        let removed = clear_leftovers(&repo, &[ours.clone(), theirs.clone()]);
        assert_eq!(removed, std::slice::from_ref(&ours));
        assert!(!ours.exists() && theirs.exists() && !twin.exists());
    }
}
