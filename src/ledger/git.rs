//! Git plumbing: one file committed on the current branch without touching
//! anything else the user has staged, the ledger lock, and git's own upkeep.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository, Signature, Time};

use super::error::LedgerError;
use crate::domain::CommitId;

/// Who makes a commit, and when (seconds since the epoch, UTC).
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
    pub time: i64,
}

impl Author {
    fn signature(&self) -> Result<Signature<'static>, git2::Error> {
        Signature::new(&self.name, &self.email, &Time::new(self.time, 0))
    }
}

/// Holds the ledger lock for as long as it lives.
#[derive(Debug)]
pub struct LedgerLock {
    _file: File,
}

/// Takes the ledger lock, waiting up to `wait` for another invocation.
pub fn lock(repo: &Repository, wait: Duration) -> Result<LedgerLock, LedgerError> {
    let path = repo.commondir().join("git-incident.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(LedgerError::io("cannot open the lock file", &path))?;
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
                return Err(LedgerError::io("cannot lock", path)(e));
            }
        }
    }
}

/// The branch HEAD points at, and its tip (None on an unborn branch).
pub fn head_branch(repo: &Repository) -> Result<(String, Option<Oid>), LedgerError> {
    if repo.head_detached()? {
        return Err(LedgerError::DetachedHead);
    }
    let head = repo.find_reference("HEAD")?;
    let name = head
        .symbolic_target()?
        .ok_or(LedgerError::DetachedHead)?
        .to_owned();
    let tip = match repo.refname_to_id(&name) {
        Ok(oid) => Some(oid),
        Err(e) if e.code() == ErrorCode::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    Ok((name, tip))
}

/// The blob id at `path` in the tree of `commit`, if there is one.
pub fn blob_at(
    repo: &Repository,
    commit: Option<Oid>,
    path: &Path,
) -> Result<Option<Oid>, LedgerError> {
    let Some(commit) = commit else {
        return Ok(None);
    };
    let tree = repo.find_commit(commit)?.tree()?;
    match tree.get_path(path) {
        Ok(entry) if entry.kind() == Some(ObjectType::Blob) => Ok(Some(entry.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes `tree` with `path` set to `blob`, rebuilding only the trees on the
/// way down to it.
fn tree_with(
    repo: &Repository,
    tree: Option<&git2::Tree<'_>>,
    path: &[&str],
    blob: Oid,
) -> Result<Oid, git2::Error> {
    let mut builder = repo.treebuilder(tree)?;
    let (name, rest) = path.split_first().expect("a path has a file name");
    if rest.is_empty() {
        builder.insert(name, blob, 0o100_644)?;
    } else {
        let sub = match tree.and_then(|t| t.get_name(name)) {
            Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Some(repo.find_tree(entry.id())?)
            }
            _ => None,
        };
        let sub = tree_with(repo, sub.as_ref(), rest, blob)?;
        builder.insert(name, sub, 0o040_000)?;
    }
    builder.write()
}

/// Writes a tree of several files (for `init`), on top of `base`, through an
/// in-memory index: no intermediate trees, and the user's index untouched.
pub fn tree_with_files(
    repo: &Repository,
    base: Option<Oid>,
    files: &[(PathBuf, Vec<u8>)],
) -> Result<Oid, git2::Error> {
    let mut index = git2::Index::new()?;
    if let Some(commit) = base {
        index.read_tree(&repo.find_commit(commit)?.tree()?)?;
    }
    for (path, bytes) in files {
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100_644,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            id: repo.blob(bytes)?,
            flags: 0,
            flags_extended: 0,
            path: path.to_string_lossy().as_bytes().to_vec(),
        };
        index.add(&entry)?;
    }
    index.write_tree_to(repo)
}

fn path_parts(path: &Path) -> Vec<&str> {
    path.iter().filter_map(|p| p.to_str()).collect()
}

/// A commit to make: one file's new content on top of the branch tip.
pub struct OneFileCommit<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub message: &'a str,
    pub author: &'a Author,
}

/// Commits `change` on `branch` whose tip must still be `parent`.
///
/// Returns `Ok(None)` when the branch moved meanwhile (the caller re-reads and
/// retries); the compare-and-swap on the branch is what guarantees that no
/// concurrent commit is lost.
pub fn commit_one_file(
    repo: &Repository,
    branch: &str,
    parent: Option<Oid>,
    change: &OneFileCommit<'_>,
) -> Result<Option<Oid>, LedgerError> {
    let blob = repo.blob(change.bytes)?;
    let parent_commit = parent.map(|p| repo.find_commit(p)).transpose()?;
    let base_tree = parent_commit.as_ref().map(git2::Commit::tree).transpose()?;
    let tree = tree_with(repo, base_tree.as_ref(), &path_parts(change.path), blob)?;
    commit_tree(repo, branch, parent, tree, change.message, change.author)
}

/// Commits `tree` on `branch`, signing it where the user configured
/// `commit.gpgsign`, and moves the branch only if its tip is still `parent`.
pub fn commit_tree(
    repo: &Repository,
    branch: &str,
    parent: Option<Oid>,
    tree: Oid,
    message: &str,
    author: &Author,
) -> Result<Option<Oid>, LedgerError> {
    let sign = repo
        .config()
        .and_then(|c| c.get_bool("commit.gpgsign"))
        .unwrap_or(false);
    let commit = if sign {
        signed_commit(repo, parent, tree, message, author)?
    } else {
        let sig = author.signature()?;
        let tree = repo.find_tree(tree)?;
        let parents: Vec<git2::Commit<'_>> = parent
            .map(|p| repo.find_commit(p))
            .transpose()?
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(None, &sig, &sig, message, &tree, &parents)?
    };
    let first_line = message.lines().next().unwrap_or("");
    let reflog = format!("git-incident: {first_line}");
    let result = match parent {
        Some(old) => repo.reference_matching(branch, commit, true, old, &reflog),
        None => repo.reference(branch, commit, false, &reflog),
    };
    match result {
        Ok(_) => Ok(Some(commit)),
        Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => Ok(None),
        Err(e) if e.code() == ErrorCode::Locked => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Signs through `git commit-tree -S`, which knows every signing set-up git
/// supports (GPG, SSH, X.509, agents).
fn signed_commit(
    repo: &Repository,
    parent: Option<Oid>,
    tree: Oid,
    message: &str,
    author: &Author,
) -> Result<Oid, LedgerError> {
    let date = format!("{} +0000", author.time);
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(repo.path())
        .args(["commit-tree", "-S", "-F", "-"])
        .arg(tree.to_string());
    if let Some(parent) = parent {
        cmd.arg("-p").arg(parent.to_string());
    }
    cmd.env("GIT_AUTHOR_NAME", &author.name)
        .env("GIT_AUTHOR_EMAIL", &author.email)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", &author.name)
        .env("GIT_COMMITTER_EMAIL", &author.email)
        .env("GIT_COMMITTER_DATE", &date);
    let out = run_with_input(cmd, message.as_bytes())?;
    let text = String::from_utf8_lossy(&out);
    Oid::from_str(text.trim()).map_err(LedgerError::from)
}

fn run_with_input(mut cmd: Command, input: &[u8]) -> Result<Vec<u8>, LedgerError> {
    use std::io::Write;
    let described = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| LedgerError::GitCommand {
            command: described.clone(),
            stderr: e.to_string(),
        })?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .map_err(LedgerError::io("cannot write to", "git"))?;
    let out = child
        .wait_with_output()
        .map_err(LedgerError::io("cannot wait for", "git"))?;
    if !out.status.success() {
        return Err(LedgerError::GitCommand {
            command: described,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}

/// Brings the index entry of `path` in line with the file just committed,
/// leaving every other entry, staged or not, as it was. Waits briefly for a
/// concurrent git holding `index.lock`.
pub fn sync_index_entry(repo: &Repository, path: &Path) -> Result<(), LedgerError> {
    let started = Instant::now();
    loop {
        let result = repo.index().and_then(|mut index| {
            index.add_path(path)?;
            index.write()
        });
        match result {
            Ok(()) => return Ok(()),
            Err(e)
                if e.code() == ErrorCode::Locked && started.elapsed() < Duration::from_secs(2) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) if e.code() == ErrorCode::Locked => {
                return Err(LedgerError::IndexLocked(repo.path().join("index.lock")));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Waits briefly for a concurrent git to release `index.lock`, so that a
/// change is refused before anything is written rather than half-done.
pub fn wait_for_index(repo: &Repository) -> Result<(), LedgerError> {
    let lock = repo.path().join("index.lock");
    let started = Instant::now();
    while lock.exists() {
        if started.elapsed() > Duration::from_secs(2) {
            return Err(LedgerError::IndexLocked(lock));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// The id of the index entry at `path`, if any.
pub fn index_entry(repo: &Repository, path: &Path) -> Result<Option<Oid>, LedgerError> {
    let index = repo.index()?;
    Ok(index.get_path(path, 0).map(|e| e.id))
}

/// Runs git's automatic maintenance, as `git commit` does: libgit2 never packs,
/// so without it every change would stay a loose object forever.
pub fn auto_maintenance(workdir: &Path) {
    let _ = Command::new("git")
        .arg("-C")
        .arg(workdir)
        .args(["maintenance", "run", "--auto", "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs a git command in `dir` and returns its standard output.
pub fn git_output(dir: &Path, args: &[&str]) -> Result<String, LedgerError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| LedgerError::GitCommand {
            command: args.join(" "),
            stderr: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(LedgerError::GitCommand {
            command: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The domain's id for a git commit.
pub fn commit_id(oid: Oid) -> CommitId {
    CommitId::from_hex(oid.to_string())
}

/// git's id for a domain commit id.
pub fn oid(id: &CommitId) -> Result<Oid, LedgerError> {
    Ok(Oid::from_str(id.as_str())?)
}
