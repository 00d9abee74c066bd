//! Git plumbing: one file committed on the current branch without touching
//! anything else the user has staged, the ledger lock, git's own lock files
//! taken as git takes them, and git's own upkeep.
//!
//! Every lock file the tool creates (`index.lock`, `refs/heads/<b>.lock`) is
//! a hard link to a file in the tool's scratch folder in the git directory.
//! Only the holder of the ledger lock creates scratch files, so the next
//! holder can prove that a lock file left behind is one of its own (same
//! inode as a scratch file) and remove it; a lock file it cannot prove its
//! own belongs to a git that may still be running, and is never touched.

use std::fs::{self, File};
use std::io::Write as _;
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

/// How long a change waits for a git command holding `index.lock` or the
/// branch's lock file; git itself does not wait at all.
const GIT_LOCK_WAIT: Duration = Duration::from_secs(2);

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

/// The tool's scratch folder, shared by every worktree of the repository:
/// temporary files live here, where `git status` never looks.
pub fn scratch_dir(repo: &Repository) -> PathBuf {
    repo.commondir().join("git-incident").join("tmp")
}

fn scratch_file(repo: &Repository, kind: &str) -> Result<PathBuf, LedgerError> {
    let dir = scratch_dir(repo);
    fs::create_dir_all(&dir).map_err(LedgerError::io("cannot create", &dir))?;
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
pub fn clear_leftovers(repo: &Repository, locks: &[PathBuf]) -> Vec<PathBuf> {
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
struct GitLock {
    lock: PathBuf,
    target: PathBuf,
    /// The scratch file the lock is a hard link of: the proof it is ours.
    twin: PathBuf,
    done: bool,
}

impl GitLock {
    /// Links `twin` (already holding the new content) as the lock of
    /// `target`, waiting up to `wait` for a git that holds it.
    fn take(twin: PathBuf, target: &Path, wait: Duration) -> Result<Self, LedgerError> {
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
                    return Err(LedgerError::io("cannot create", &lock)(e));
                }
            }
        }
    }

    /// Puts the new content in place: one rename, as git does.
    fn commit(mut self) -> Result<(), LedgerError> {
        self.done = true;
        fs::rename(&self.lock, &self.target)
            .map_err(LedgerError::io("cannot write", &self.target))?;
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
    Ok((name.clone(), branch_tip(repo, &name)?))
}

fn branch_tip(repo: &Repository, branch: &str) -> Result<Option<Oid>, LedgerError> {
    match repo.refname_to_id(branch) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The lock files a change may leave behind: the index's and the branch's.
pub fn lock_files(repo: &Repository) -> Vec<PathBuf> {
    let mut locks = vec![repo.path().join("index.lock")];
    if let Ok(head) = repo.find_reference("HEAD")
        && let Ok(Some(branch)) = head.symbolic_target()
    {
        locks.push(repo.commondir().join(format!("{branch}.lock")));
    }
    locks
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
        let entry = index_entry_for(path, repo.blob(bytes)?, None);
        index.add(&entry)?;
    }
    index.write_tree_to(repo)
}

fn path_parts(path: &Path) -> Vec<&str> {
    path.iter().filter_map(|p| p.to_str()).collect()
}

/// A commit to make: one blob at one path on top of a parent.
pub struct OneFileCommit<'a> {
    pub path: &'a Path,
    pub blob: Oid,
    pub message: &'a str,
    pub author: &'a Author,
    pub committer: &'a Author,
}

/// Writes the commit object of `change` on top of `parent`; no ref moves.
pub fn one_file_commit(
    repo: &Repository,
    parent: Option<Oid>,
    change: &OneFileCommit<'_>,
) -> Result<Oid, LedgerError> {
    let parent_commit = parent.map(|p| repo.find_commit(p)).transpose()?;
    let base_tree = parent_commit.as_ref().map(git2::Commit::tree).transpose()?;
    let tree = tree_with(
        repo,
        base_tree.as_ref(),
        &path_parts(change.path),
        change.blob,
    )?;
    commit_object(
        repo,
        parent,
        tree,
        change.message,
        change.author,
        change.committer,
    )
}

/// Writes a commit object, signed where the user's config says
/// `commit.gpgsign`; no ref moves.
pub fn commit_object(
    repo: &Repository,
    parent: Option<Oid>,
    tree: Oid,
    message: &str,
    author: &Author,
    committer: &Author,
) -> Result<Oid, LedgerError> {
    let sign = repo
        .config()
        .and_then(|c| c.get_bool("commit.gpgsign"))
        .unwrap_or(false);
    if sign {
        return signed_commit(repo, parent, tree, message, author, committer);
    }
    let tree = repo.find_tree(tree)?;
    let parents: Vec<git2::Commit<'_>> = parent
        .map(|p| repo.find_commit(p))
        .transpose()?
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    Ok(repo.commit(
        None,
        &author.signature()?,
        &committer.signature()?,
        message,
        &tree,
        &parents,
    )?)
}

/// What became of a branch move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Done,
    /// The branch was not at the expected tip but here.
    Elsewhere(Option<Oid>),
}

/// Moves `branch` from `old` to `new` as git does: its lock file taken,
/// the tip checked under it, one rename, then the reflogs.
pub fn move_branch(
    repo: &Repository,
    branch: &str,
    old: Option<Oid>,
    new: Oid,
    committer: &Author,
    reason: &str,
    failpoint: impl Fn(&str),
) -> Result<Moved, LedgerError> {
    let target = repo.commondir().join(branch);
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(LedgerError::io("cannot create", dir))?;
    }
    let twin = scratch_file(repo, "ref")?;
    fs::write(&twin, format!("{new}\n")).map_err(LedgerError::io("cannot write", &twin))?;
    let lock = GitLock::take(twin, &target, GIT_LOCK_WAIT)?;
    let current = branch_tip(repo, branch)?;
    if current != old {
        return Ok(Moved::Elsewhere(current));
    }
    failpoint("ref-locked");
    lock.commit()?;
    // As git does, a reflog entry for the branch and for HEAD; one that
    // cannot be written costs the log a line, not the change.
    let zero = Oid::ZERO_SHA1;
    let line = format!(
        "{} {new} {} <{}> {} +0000\tgit-incident: {}\n",
        old.unwrap_or(zero),
        committer.name,
        committer.email,
        committer.time,
        reason.lines().next().unwrap_or(""),
    );
    let log_all = repo
        .config()
        .and_then(|c| c.get_bool("core.logAllRefUpdates"))
        .unwrap_or(true);
    for log in [
        repo.commondir().join("logs").join(branch),
        repo.path().join("logs").join("HEAD"),
    ] {
        if log_all || log.exists() {
            let _ = append(&log, line.as_bytes());
        }
    }
    Ok(Moved::Done)
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    File::options()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(bytes)
}

/// Signs through `git commit-tree -S`, which knows every signing set-up git
/// supports (GPG, SSH, X.509, agents).
fn signed_commit(
    repo: &Repository,
    parent: Option<Oid>,
    tree: Oid,
    message: &str,
    author: &Author,
    committer: &Author,
) -> Result<Oid, LedgerError> {
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
        .env("GIT_AUTHOR_DATE", format!("{} +0000", author.time))
        .env("GIT_COMMITTER_NAME", &committer.name)
        .env("GIT_COMMITTER_EMAIL", &committer.email)
        .env("GIT_COMMITTER_DATE", format!("{} +0000", committer.time));
    let out = run_with_input(cmd, "commit-tree -S", message.as_bytes())?;
    let text = String::from_utf8_lossy(&out);
    Oid::from_str(text.trim()).map_err(LedgerError::from)
}

/// Runs `cmd` with `input` on its stdin; a failure is told with git's own
/// message under the short name `what`.
fn run_with_input(mut cmd: Command, what: &str, input: &[u8]) -> Result<Vec<u8>, LedgerError> {
    let failed = |stderr: String| LedgerError::GitCommand {
        command: what.to_owned(),
        stderr,
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    // A git that fails early closes its stdin; its message says why.
    let _ = child.stdin.take().expect("stdin is piped").write_all(input);
    let out = child
        .wait_with_output()
        .map_err(LedgerError::io("cannot wait for", "git"))?;
    if !out.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    Ok(out.stdout)
}

/// What the index should hold at one path: a blob (with the working file
/// whose stat it records, if written), or nothing.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Relative to the working tree.
    pub path: PathBuf,
    pub blob: Option<Oid>,
    /// The working file, to record its stat so `git status` need not hash it.
    pub file: Option<PathBuf>,
}

fn index_entry_for(path: &Path, blob: Oid, meta: Option<&fs::Metadata>) -> git2::IndexEntry {
    let mut entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100_644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: path.to_string_lossy().as_bytes().to_vec(),
    };
    #[cfg(unix)]
    if let Some(meta) = meta {
        use std::os::unix::fs::MetadataExt;
        // The index keeps 32-bit fields; git truncates the same way.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            entry.ctime = git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
            entry.mtime = git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
            entry.dev = meta.dev() as u32;
            entry.ino = meta.ino() as u32;
            entry.uid = meta.uid();
            entry.gid = meta.gid();
            entry.file_size = meta.size() as u32;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    entry
}

fn index_path(repo: &Repository) -> PathBuf {
    repo.path().join("index")
}

fn read_index_bytes(path: &Path) -> Result<Option<Vec<u8>>, LedgerError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LedgerError::io("cannot read", path)(e)),
    }
}

/// Sets the index entries of `changes`, leaving every other entry as it is
/// at that moment: the new index is built from the index as it is, put in
/// place under `index.lock` only if the index did not change meanwhile
/// (else built again), so a concurrent `git add` is never undone.
///
/// An index libgit2 cannot read whole (a split or sparse index) is updated
/// by git itself (`git update-index --index-info`), which takes the same
/// lock.
pub fn stage(
    repo: &Repository,
    changes: &[Staged],
    failpoint: impl Fn(&str),
) -> Result<(), LedgerError> {
    let index_file = index_path(repo);
    let started = Instant::now();
    loop {
        let before = read_index_bytes(&index_file)?;
        let scratch = scratch_file(repo, "index")?;
        if let Some(bytes) = &before {
            fs::write(&scratch, bytes).map_err(LedgerError::io("cannot write", &scratch))?;
        } else {
            let _ = fs::remove_file(&scratch);
        }
        let built = git2::Index::open(&scratch).and_then(|mut index| {
            for change in changes {
                match change.blob {
                    Some(blob) => {
                        let meta = change.file.as_ref().and_then(|f| fs::metadata(f).ok());
                        index.add(&index_entry_for(&change.path, blob, meta.as_ref()))?;
                    }
                    None => match index.remove_path(&change.path) {
                        Err(e) if e.code() != ErrorCode::NotFound => return Err(e),
                        _ => {}
                    },
                }
            }
            index.write()
        });
        if built.is_err() {
            let _ = fs::remove_file(&scratch);
            return stage_with_git(repo, changes, started);
        }
        let lock = GitLock::take(
            scratch,
            &index_file,
            GIT_LOCK_WAIT.saturating_sub(started.elapsed()),
        )?;
        if read_index_bytes(&index_file)? != before {
            drop(lock);
            continue;
        }
        failpoint("index-locked");
        return lock.commit();
    }
}

/// `stage` through git itself, retried while another git holds the lock.
fn stage_with_git(
    repo: &Repository,
    changes: &[Staged],
    started: Instant,
) -> Result<(), LedgerError> {
    let workdir = repo.workdir().unwrap_or(repo.path());
    let mut input = String::new();
    for change in changes {
        let path = change.path.to_string_lossy();
        match change.blob {
            Some(blob) => input.push_str(&format!("100644 {blob}\t{path}\n")),
            None => input.push_str(&format!("0 {}\t{path}\n", Oid::ZERO_SHA1)),
        }
    }
    loop {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(workdir)
            .args(["update-index", "--index-info"]);
        match run_with_input(cmd, "update-index --index-info", input.as_bytes()) {
            Ok(_) => return Ok(()),
            Err(LedgerError::GitCommand { stderr, .. })
                if stderr.contains("index.lock") && started.elapsed() < GIT_LOCK_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(LedgerError::GitCommand { stderr, .. }) if stderr.contains("index.lock") => {
                return Err(LedgerError::GitLocked(repo.path().join("index.lock")));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Waits briefly for a concurrent git to release `index.lock` and the
/// branch's lock file, so that a change is refused before anything is
/// written rather than undone half-way.
pub fn wait_for_locks(repo: &Repository, branch: &str) -> Result<(), LedgerError> {
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

/// The id of the index entry at `path`, if any, read from the index as it
/// is now (never a copy cached earlier in the process).
pub fn index_entry(repo: &Repository, path: &Path) -> Result<Option<Oid>, LedgerError> {
    let bytes = read_index_bytes(&index_path(repo))?.unwrap_or_default();
    if bytes.is_empty() {
        return Ok(None);
    }
    if let Some(found) = scan_index(&bytes, path.to_string_lossy().as_bytes()) {
        return Ok(found);
    }
    // A split or sparse index, or a format this reader does not know: git
    // reads it.
    let workdir = repo.workdir().unwrap_or(repo.path());
    let spec = format!(":{}", path.to_string_lossy());
    let out = Command::new("git")
        .arg("-C")
        .arg(workdir)
        .args(["rev-parse", "--verify", "--quiet", &spec])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| LedgerError::GitCommand {
            command: "rev-parse".into(),
            stderr: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(Oid::from_str(text.trim()).ok())
}

/// Finds the stage-0 entry of `path` in the bytes of an index (versions 2
/// to 4), walking the entries without building them: a lookup costs a
/// fraction of libgit2's full read of a large index. `None` where the index
/// is one this walk cannot answer for: a split index (its entries live in
/// two files), a sparse index (a folder entry may hide the path), or an
/// unknown format.
fn scan_index(bytes: &[u8], path: &[u8]) -> Option<Option<Oid>> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32_at(8)?;
    let mut at = 12;
    let mut name: Vec<u8> = Vec::new();
    let mut found = None;
    for _ in 0..count {
        let id = Oid::from_bytes(bytes.get(at + 40..at + 60)?).ok()?;
        let flags = u16::from_be_bytes(bytes.get(at + 60..at + 62)?.try_into().ok()?);
        let mut path_at = at + 62;
        if version >= 3 && flags & 0x4000 != 0 {
            path_at += 2;
        }
        if version == 4 {
            // The path is the previous one less N bytes, plus a suffix.
            let (strip, used) = varint(bytes.get(path_at..)?)?;
            path_at += used;
            name.truncate(name.len().checked_sub(strip)?);
            let end = path_at + bytes.get(path_at..)?.iter().position(|&b| b == 0)?;
            name.extend_from_slice(&bytes[path_at..end]);
            at = end + 1;
        } else {
            let end = path_at + bytes.get(path_at..)?.iter().position(|&b| b == 0)?;
            name.clear();
            name.extend_from_slice(&bytes[path_at..end]);
            // Entries are padded with 1 to 8 NULs to a multiple of 8.
            at += (end - at + 8) & !7;
        }
        if name == path && flags & 0x3000 == 0 {
            found = Some(id);
        }
    }
    // The extensions, up to the 20-byte checksum.
    while at + 8 <= bytes.len().checked_sub(20)? {
        let signature = bytes.get(at..at + 4)?;
        if signature == b"link" || signature == b"sdir" {
            return None;
        }
        at += 8 + usize::try_from(u32_at(at + 4)?).ok()?;
    }
    Some(found)
}

/// git's offset varint (as in index v4), and how many bytes it took.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    let mut value = usize::from(byte & 127);
    while byte & 128 != 0 {
        used += 1;
        byte = *bytes.get(used)?;
        value = value.checked_add(1)?.checked_mul(128)? + usize::from(byte & 127);
    }
    Some((value, used + 1))
}

/// Whether git's checkout writes `path` with CRLF line ends, from the
/// `text`/`eol` attributes and `core.autocrlf`/`core.eol`, as git decides.
pub fn checkout_wants_crlf(repo: &Repository, path: &Path) -> bool {
    if !line_end_attributes_possible(repo, path) {
        return config_wants_crlf(repo, None);
    }
    let flags = git2::AttrCheckFlags::FILE_THEN_INDEX;
    let attr = |name: &str| {
        repo.get_attr(path, name, flags)
            .ok()
            .flatten()
            .map(str::to_owned)
    };
    let text_attr = attr("text");
    let text = git2::AttrValue::from_string(text_attr.as_deref());
    if matches!(text, git2::AttrValue::False) || attr("binary").is_some() {
        return false;
    }
    match attr("eol").as_deref() {
        Some("crlf") => return true,
        Some("lf") => return false,
        _ => {}
    }
    config_wants_crlf(repo, Some(!matches!(text, git2::AttrValue::Unspecified)))
}

/// What `core.autocrlf` and `core.eol` say, for a path whose `text`
/// attribute is set (`Some(true)`), unspecified, or not looked up (`None`).
fn config_wants_crlf(repo: &Repository, text_set: Option<bool>) -> bool {
    let config = repo.config().ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    match get("core.autocrlf").as_deref() {
        Some("true" | "yes" | "on" | "1") => return true,
        Some("input") => return false,
        _ => {}
    }
    text_set == Some(true) && get("core.eol").as_deref() == Some("crlf")
}

/// Whether any attributes file on the way to `path` could set line ends.
/// libgit2's attribute lookup reads the whole index, which costs more than
/// the rest of a change on a large ledger; most ledgers have no such
/// attribute, and this look at a few small files says so.
fn line_end_attributes_possible(repo: &Repository, path: &Path) -> bool {
    let config = repo.config().ok();
    if config
        .as_ref()
        .is_some_and(|c| c.get_string("core.attributesFile").is_ok())
    {
        return true;
    }
    let mut files = vec![repo.path().join("info").join("attributes")];
    if let Some(workdir) = repo.workdir() {
        let mut dir = workdir.to_path_buf();
        files.push(dir.join(".gitattributes"));
        for part in path.parent().into_iter().flat_map(Path::components) {
            dir.push(part);
            files.push(dir.join(".gitattributes"));
        }
    }
    files.iter().any(|file| {
        fs::read_to_string(file).is_ok_and(|text| {
            ["eol", "text", "crlf", "binary"]
                .iter()
                .any(|word| text.contains(word))
        })
    })
}

/// Writes a working-tree file atomically: a temporary file in the scratch
/// folder (never seen by `git status`), flushed, then renamed into place.
/// Where the working tree is on another file system than the git directory,
/// the temporary file sits beside the target under one fixed name, so a
/// crash leaves at most one, which the next write of that file replaces.
pub fn write_worktree_file(
    repo: &Repository,
    path: &Path,
    bytes: &[u8],
) -> Result<(), LedgerError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(LedgerError::io("cannot create", dir))?;
    let write = |tmp: &Path| -> std::io::Result<()> {
        let mut file = File::create(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(tmp, path)
    };
    let tmp = scratch_file(repo, "file")?;
    match write(&tmp) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let _ = fs::remove_file(&tmp);
            let tmp = beside(path);
            write(&tmp).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                LedgerError::io("cannot write", path)(e)
            })
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(LedgerError::io("cannot write", path)(e))
        }
    }
}

/// The temporary file beside `path`, for a working tree on another file
/// system than its git directory.
pub fn beside(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.git-incident-tmp"))
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

/// The bytes git's checkout would write for a blob: with CRLF line ends
/// where the attributes or config ask for them.
pub fn worktree_bytes(repo: &Repository, path: &Path, blob: &[u8]) -> Vec<u8> {
    if !checkout_wants_crlf(repo, path) || blob.contains(&b'\r') {
        return blob.to_vec();
    }
    let mut out = Vec::with_capacity(blob.len() + blob.len() / 32);
    for &byte in blob {
        if byte == b'\n' {
            out.push(b'\r');
        }
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A long-running process (`respond`) opened the repository long ago;
    /// the user staged and committed files since. Staging one entry keeps
    /// every one of theirs.
    #[test]
    fn staging_reads_the_index_as_it_is_now_not_as_it_was_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        fs::write(root.join("a.txt"), "a\n").unwrap();
        git(root, &["add", "a.txt"]);
        git(root, &["commit", "-q", "-m", "a"]);
        let repo = Repository::open(root).unwrap();
        // What libgit2 would cache for the life of the process.
        assert!(
            repo.index()
                .unwrap()
                .get_path(Path::new("a.txt"), 0)
                .is_some()
        );
        fs::write(root.join("b.txt"), "b\n").unwrap();
        git(root, &["add", "b.txt"]);
        git(root, &["commit", "-q", "-m", "b"]);
        fs::write(root.join("c.txt"), "c\n").unwrap();
        git(root, &["add", "c.txt"]);
        assert!(index_entry(&repo, Path::new("c.txt")).unwrap().is_some());
        fs::write(root.join("a.txt"), "a2\n").unwrap();
        let blob = repo.blob(b"a2\n").unwrap();
        let staged = Staged {
            path: "a.txt".into(),
            blob: Some(blob),
            file: Some(root.join("a.txt")),
        };
        stage(&repo, &[staged], |_| {}).unwrap();
        assert_eq!(
            git(root, &["status", "--porcelain"]),
            "M  a.txt\nA  c.txt\n"
        );
        assert!(!root.join(".git/index.lock").exists());
        assert_eq!(fs::read_dir(scratch_dir(&repo)).unwrap().count(), 0);
    }

    /// The quick lookup agrees with git for every index version, and gives
    /// way to git for a split index.
    #[test]
    fn the_index_walk_finds_what_git_finds_in_every_version() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for name in [
            "a.txt",
            "dir/b.txt",
            "dir/sub/c.txt",
            "dir/sub/cd.txt",
            "z.txt",
        ] {
            let file = root.join(name);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(&file, name).unwrap();
        }
        git(root, &["add", "."]);
        let repo = Repository::open(root).unwrap();
        for version in ["2", "3", "4"] {
            git(root, &["update-index", "--index-version", version]);
            let bytes = fs::read(root.join(".git/index")).unwrap();
            for name in [
                "a.txt",
                "dir/b.txt",
                "dir/sub/c.txt",
                "dir/sub/cd.txt",
                "z.txt",
            ] {
                let want = git(root, &["rev-parse", &format!(":{name}")]);
                let found = scan_index(&bytes, name.as_bytes()).unwrap().unwrap();
                assert_eq!(found.to_string(), want.trim(), "v{version} {name}");
            }
            assert_eq!(scan_index(&bytes, b"dir/sub"), Some(None), "v{version}");
            assert_eq!(scan_index(&bytes, b"nope"), Some(None), "v{version}");
        }
        git(root, &["update-index", "--split-index"]);
        let bytes = fs::read(root.join(".git/index")).unwrap();
        assert_eq!(scan_index(&bytes, b"a.txt"), None);
        let want = git(root, &["rev-parse", ":dir/b.txt"]);
        let found = index_entry(&repo, Path::new("dir/b.txt")).unwrap().unwrap();
        assert_eq!(found.to_string(), want.trim());
    }

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
