//! Commit objects: a tree with one file changed, the commit (signed where
//! the user's config asks), and the branch moved to it as git moves it.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{ObjectType, Oid, Repository};

use super::index::index_entry_for;
use super::lock::{GIT_LOCK_WAIT, GitLock, scratch_file};
use super::{Author, branch_tip, run_with_input};
use crate::ledger::IoOp;
use crate::ledger::error::LedgerError;

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
pub(crate) fn tree_with_files(
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

/// Writes the tree of commit `base` with each path set to its blob, or
/// removed where the blob is `None`, through an in-memory index.
pub(crate) fn tree_with_changes(
    repo: &Repository,
    base: Oid,
    changes: &[(PathBuf, Option<Oid>)],
) -> Result<Oid, git2::Error> {
    let mut index = git2::Index::new()?;
    index.read_tree(&repo.find_commit(base)?.tree()?)?;
    for (path, blob) in changes {
        match blob {
            Some(blob) => index.add(&index_entry_for(path, *blob, None))?,
            None => index.remove_path(path)?,
        }
    }
    index.write_tree_to(repo)
}

fn path_parts(path: &Path) -> Vec<&str> {
    path.iter().filter_map(|p| p.to_str()).collect()
}

/// A commit to make: one blob at one path on top of a parent.
pub(crate) struct OneFileCommit<'a> {
    pub(crate) path: &'a Path,
    pub(crate) blob: Oid,
    pub(crate) message: &'a str,
    pub(crate) author: &'a Author,
    pub(crate) committer: &'a Author,
}

/// Writes the commit object of `change` on top of `parent`; no ref moves.
pub(crate) fn one_file_commit(
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
pub(crate) fn commit_object(
    repo: &Repository,
    parent: Option<Oid>,
    tree: Oid,
    message: &str,
    author: &Author,
    committer: &Author,
) -> Result<Oid, LedgerError> {
    commit_on(repo, parent.as_slice(), tree, message, author, committer)
}

/// Writes a merge commit: `tree` on top of both `parents`, signed where the
/// user's config asks; no ref moves.
pub(crate) fn commit_with_parents(
    repo: &Repository,
    parents: [Oid; 2],
    tree: Oid,
    message: &str,
    author: &Author,
    committer: &Author,
) -> Result<Oid, LedgerError> {
    commit_on(repo, &parents, tree, message, author, committer)
}

/// `tree` on top of `parents` (none for a first commit), signed through
/// git where `commit.gpgsign` asks, else written by libgit2.
fn commit_on(
    repo: &Repository,
    parents: &[Oid],
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
        return signed_commit(repo, parents, tree, message, author, committer);
    }
    let tree = repo.find_tree(tree)?;
    let parents = parents
        .iter()
        .map(|p| repo.find_commit(*p))
        .collect::<Result<Vec<_>, _>>()?;
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

fn identity_env(cmd: &mut Command, author: &Author, committer: &Author) {
    cmd.env("GIT_AUTHOR_NAME", &author.name)
        .env("GIT_AUTHOR_EMAIL", &author.email)
        .env("GIT_AUTHOR_DATE", format!("{} +0000", author.time))
        .env("GIT_COMMITTER_NAME", &committer.name)
        .env("GIT_COMMITTER_EMAIL", &committer.email)
        .env("GIT_COMMITTER_DATE", format!("{} +0000", committer.time));
}

/// What became of a branch move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moved {
    Done,
    /// The branch was not at the expected tip but here.
    Elsewhere(Option<Oid>),
}

/// Moves `branch` from `old` to `new` as git does: its lock file taken,
/// the tip checked under it, one rename, then the reflogs.
pub(crate) fn move_branch(
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
        fs::create_dir_all(dir).map_err(LedgerError::io(IoOp::Create, dir))?;
    }
    let twin = scratch_file(repo, "ref")?;
    fs::write(&twin, format!("{new}\n")).map_err(LedgerError::io(IoOp::Write, &twin))?;
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
    parents: &[Oid],
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
    for parent in parents {
        cmd.arg("-p").arg(parent.to_string());
    }
    identity_env(&mut cmd, author, committer);
    let out = run_with_input(cmd, "commit-tree -S", message.as_bytes())?;
    let text = String::from_utf8_lossy(&out);
    Oid::from_str(text.trim()).map_err(LedgerError::from)
}
