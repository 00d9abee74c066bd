//! The repository's own hooks around a change's commit, as `git commit
//! --only <file>` runs them: `pre-commit` and `commit-msg` before anything
//! is written, `post-commit` after the branch moved. The hooks see a
//! temporary index holding HEAD plus the incident file (`GIT_INDEX_FILE`),
//! never the user's other staged work. Hooks come from `core.hooksPath` or
//! the git directory's `hooks/`, the user's own set-up; the ledger names
//! none.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use super::super::error::LedgerError;
use super::tree_with_files;

/// What a hook said, for the person who made the change.
#[derive(Debug, Default, Clone)]
pub(crate) struct HookOutput(pub(crate) String);

/// The hooks folder git would run hooks from.
fn hooks_dir(repo: &Repository) -> Option<PathBuf> {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        // A relative hooksPath is relative to where hooks run: the top of
        // the work tree.
        Some(path) if path.is_relative() => Some(repo.workdir()?.join(path)),
        Some(path) => Some(path),
        None => Some(repo.commondir().join("hooks")),
    }
}

/// The hook named `name`, where there is one git would run (a file that
/// is executable).
fn hook(repo: &Repository, name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = hooks_dir(repo)?.join(name);
    let meta = std::fs::metadata(&path).ok()?;
    (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(path)
}

/// Runs one hook in the work tree's top folder, its output captured.
fn run(
    repo: &Repository,
    hook: &Path,
    args: &[&Path],
    index: Option<&Path>,
) -> Result<(bool, String), LedgerError> {
    let workdir = repo.workdir().unwrap_or_else(|| repo.path());
    let mut command = Command::new(hook);
    command
        .args(args)
        .current_dir(workdir)
        .stdin(Stdio::null())
        .env("GIT_EDITOR", ":")
        .env_remove("GIT_INDEX_FILE");
    if let Some(index) = index {
        command.env("GIT_INDEX_FILE", index);
    }
    let out = command
        .output()
        .map_err(LedgerError::io(super::super::IoOp::Run, hook.to_path_buf()))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// Runs `pre-commit` and `commit-msg` for a commit of `file` (its path in
/// the repository) holding `bytes` on top of `tip`. Returns the message as
/// `commit-msg` left it, and what the hooks printed; a hook that fails
/// refuses the change with its output.
pub(crate) fn before_commit(
    repo: &Repository,
    tip: Option<Oid>,
    file: &Path,
    bytes: &[u8],
    message: &str,
) -> Result<(String, HookOutput), LedgerError> {
    // The tool's own pre-commit hook (`init --hooks`) validates what a
    // hand commit stages; a change of the tool's is validated already.
    let pre = hook(repo, "pre-commit").filter(|path| {
        !std::fs::read_to_string(path).is_ok_and(|text| text.contains(super::super::hooks::MARK))
    });
    let msg = hook(repo, "commit-msg");
    if pre.is_none() && msg.is_none() {
        return Ok((message.to_owned(), HookOutput::default()));
    }
    let dir = repo.path().join("git-incident");
    std::fs::create_dir_all(&dir)
        .map_err(LedgerError::io(super::super::IoOp::Write, dir.clone()))?;
    let pid = std::process::id();
    let index_path = dir.join(format!("hook-index.{pid}"));
    let message_path = dir.join(format!("COMMIT_EDITMSG.{pid}"));
    let cleanup = || {
        let _ = std::fs::remove_file(&index_path);
        let _ = std::fs::remove_file(&message_path);
    };
    let result = (|| {
        let mut said = String::new();
        if let Some(pre) = &pre {
            let tree = tree_with_files(repo, tip, &[(file.to_path_buf(), bytes.to_vec())])?;
            let mut index = git2::Index::open(&index_path)?;
            index.read_tree(&repo.find_tree(tree)?)?;
            index.write()?;
            let (ok, text) = run(repo, pre, &[], Some(&index_path))?;
            said.push_str(&text);
            if !ok {
                return Err(LedgerError::HookRefused {
                    hook: "pre-commit",
                    output: text,
                });
            }
        }
        let mut message = message.to_owned();
        if let Some(msg) = &msg {
            std::fs::write(&message_path, &message).map_err(LedgerError::io(
                super::super::IoOp::Write,
                message_path.clone(),
            ))?;
            let index = pre.is_some().then_some(index_path.as_path());
            let (ok, text) = run(repo, msg, &[&message_path], index)?;
            said.push_str(&text);
            if !ok {
                return Err(LedgerError::HookRefused {
                    hook: "commit-msg",
                    output: text,
                });
            }
            message = std::fs::read_to_string(&message_path).map_err(LedgerError::io(
                super::super::IoOp::Read,
                message_path.clone(),
            ))?;
        }
        Ok((message, HookOutput(said)))
    })();
    cleanup();
    result
}

/// Runs `post-commit` once the branch moved; like git, its exit status
/// changes nothing.
pub(crate) fn after_commit(repo: &Repository) -> HookOutput {
    let Some(post) = hook(repo, "post-commit") else {
        return HookOutput::default();
    };
    HookOutput(
        run(repo, &post, &[], None)
            .map(|(_, text)| text)
            .unwrap_or_default(),
    )
}
