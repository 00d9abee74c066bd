//! Git plumbing: one file committed on the current branch without touching
//! anything else the user has staged, the ledger lock, git's own lock files
//! taken as git takes them, and git's own upkeep.
//!
//! [`lock`] holds the locks and what a killed writer leaves behind,
//! [`index`] the staging of one entry and the quick index lookup,
//! [`commit`] the commit objects, their signing and the branch move,
//! [`checkout`] the working file as git's checkout would write it.

mod checkout;
mod commit;
pub(crate) mod hook;
mod index;
mod lock;
pub(crate) mod log;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use git2::{ErrorCode, ObjectType, Oid, Repository, Signature, Time};

use super::error::LedgerError;
use crate::domain::CommitId;
use crate::ledger::IoOp;

pub(crate) use checkout::{beside, worktree_bytes, write_worktree_file};
pub(crate) use commit::{
    Moved, OneFileCommit, commit_object, commit_with_parents, move_branch, one_file_commit,
    tree_with_changes, tree_with_files,
};
pub(crate) use index::{Staged, index_entry, stage};
pub(crate) use lock::{clear_leftovers, lock, lock_files, wait_for_locks};

/// Who makes a commit, and when (seconds since the epoch, UTC).
#[derive(Debug, Clone)]
pub(crate) struct Author {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) time: i64,
}

impl Author {
    fn signature(&self) -> Result<Signature<'static>, git2::Error> {
        Signature::new(&self.name, &self.email, &Time::new(self.time, 0))
    }
}

/// The branch HEAD points at, and its tip (None on an unborn branch).
pub(crate) fn head_branch(repo: &Repository) -> Result<(String, Option<Oid>), LedgerError> {
    let detached = || LedgerError::DetachedHead {
        branch: branch_of_head(repo),
    };
    if repo.head_detached()? {
        return Err(detached());
    }
    let head = repo.find_reference("HEAD")?;
    let name = head.symbolic_target()?.ok_or_else(detached)?.to_owned();
    Ok((name.clone(), branch_tip(repo, &name)?))
}

/// The local branch a detached HEAD most likely left: the one whose tip
/// it is, else one whose history holds it, else the only one there is.
fn branch_of_head(repo: &Repository) -> Option<String> {
    let head = repo.head().ok()?.target()?;
    let mut names = Vec::new();
    for branch in repo.branches(Some(git2::BranchType::Local)).ok()?.flatten() {
        let (branch, _) = branch;
        let (Some(name), Some(tip)) = (branch.name().ok().flatten(), branch.get().target()) else {
            continue;
        };
        if tip == head {
            return Some(name.to_owned());
        }
        let holds = repo.graph_descendant_of(tip, head).unwrap_or(false);
        names.push((!holds, name.to_owned()));
    }
    names.sort();
    match names.as_slice() {
        [(false, name), ..] => Some(name.clone()),
        [(_, name)] => Some(name.clone()),
        _ => None,
    }
}

/// Refuses a change while a merge, rebase, cherry-pick or revert is under
/// way: a commit of the tool's in the middle of one would be folded into
/// it, or lost when it is aborted.
pub(crate) fn check_no_operation(repo: &Repository) -> Result<(), LedgerError> {
    use git2::RepositoryState as S;
    let what = match repo.state() {
        S::Merge => "merge",
        S::Revert | S::RevertSequence => "revert",
        S::CherryPick | S::CherryPickSequence => "cherry-pick",
        S::Rebase | S::RebaseInteractive | S::RebaseMerge => "rebase",
        S::ApplyMailbox | S::ApplyMailboxOrRebase => "am",
        S::Clean | S::Bisect => return Ok(()),
    };
    Err(LedgerError::InProgress(what))
}

fn branch_tip(repo: &Repository, branch: &str) -> Result<Option<Oid>, LedgerError> {
    match repo.refname_to_id(branch) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The blob id at `path` in the tree of `commit`, if there is one.
pub(crate) fn blob_at(
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
        .map_err(LedgerError::io(IoOp::Wait, "git"))?;
    if !out.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    Ok(out.stdout)
}

/// Runs git's automatic maintenance, as `git commit` does (libgit2 never
/// packs, so without it every change would stay a loose object forever),
/// in the background: `--detach` checks what is due and leaves the work to
/// a process of its own, so that a change never waits seconds for a gc. A
/// git too old for `--detach` (before 2.47) gets the same command started
/// and left to run.
pub(crate) fn auto_maintenance(workdir: &Path) {
    let maintenance = |detach: bool| {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(workdir)
            .args(["maintenance", "run", "--auto", "--quiet"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if detach {
            command.arg("--detach");
        }
        command
    };
    // git exits 129 for an option it does not know.
    let detached = maintenance(true).status();
    if detached.is_ok_and(|s| s.code() == Some(129)) {
        let _ = maintenance(false).spawn();
    }
}

/// Runs a git command in `dir` and returns its standard output.
pub(crate) fn git_output(dir: &Path, args: &[&str]) -> Result<String, LedgerError> {
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
pub(crate) fn commit_id(oid: Oid) -> CommitId {
    CommitId::from_hex(oid.to_string())
}

/// git's id for a domain commit id.
pub(crate) fn oid(id: &CommitId) -> Result<Oid, LedgerError> {
    Ok(Oid::from_str(id.as_str())?)
}

/// What a git command that may fail in ways the caller tells apart did.
#[derive(Debug)]
pub(crate) struct GitRun {
    pub(crate) success: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs a git command that talks to a remote, with the user's own SSH,
/// credential helpers and hooks. `prompt` false: git must not ask for a
/// password on a terminal nobody watches (`GIT_TERMINAL_PROMPT=0`).
pub(crate) fn git_remote(dir: &Path, args: &[&str], prompt: bool) -> Result<GitRun, LedgerError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args).stdin(Stdio::null());
    if !prompt {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    let out = cmd.output().map_err(|e| LedgerError::GitCommand {
        command: args.join(" "),
        stderr: e.to_string(),
    })?;
    Ok(GitRun {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}
