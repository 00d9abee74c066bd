//! The one error type at the edge: a message, where it happened, its causes,
//! a hint, and the exit code (0 success, 1 refused by a rule or a check
//! failed, 2 usage or unreadable input).

use crate::domain::ChangeError;
use crate::ledger::sync::SyncError;
use crate::ledger::{LedgerError, ParseError};

/// Exit code: a rule refused, or a check found problems.
pub(crate) const REFUSED: u8 = 1;
/// Exit code: bad usage or unreadable input.
pub(crate) const USAGE: u8 = 2;

/// An error as the user sees it.
#[derive(Debug)]
pub(crate) struct CliError {
    pub message: String,
    pub snippet: Option<Box<ParseError>>,
    pub hint: Option<String>,
    pub code: u8,
}

impl CliError {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            snippet: None,
            hint: None,
            code,
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self::new(REFUSED, message)
    }

    #[must_use]
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<ChangeError> for CliError {
    fn from(e: ChangeError) -> Self {
        let hint = e.hint();
        Self {
            message: e.to_string(),
            snippet: None,
            hint,
            code: REFUSED,
        }
    }
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> Self {
        let message = e.to_string();
        let (code, hint): (u8, Option<String>) = match &e {
            LedgerError::NotALedger(_) => (
                USAGE,
                Some("create one with `git incident init`, or point at one with -C <dir> or GIT_INCIDENT_DIR".into()),
            ),
            LedgerError::AlreadyALedger(_) => (
                REFUSED,
                Some("the ledger is ready: `git incident declare \"<title>\"` records an incident".into()),
            ),
            LedgerError::Parse(p) => {
                return Self {
                    message,
                    snippet: Some(p.clone()),
                    hint: Some("fix the file, then check it with `git incident validate`".into()),
                    code: USAGE,
                };
            }
            LedgerError::ConflictMarkers { path, .. } => (
                USAGE,
                Some(format!(
                    "resolve the merge conflict in {} and commit it; `git incident validate` checks the result",
                    path.display()
                )),
            ),
            LedgerError::Invalid { .. } => (
                USAGE,
                Some("fix the file, then check it with `git incident validate`".into()),
            ),
            LedgerError::Unsafe { .. } => (
                USAGE,
                Some("the ledger reads only regular files inside its folder, up to 4 MiB each; fix or remove this one (see `git log` for who added it)".into()),
            ),
            LedgerError::UnknownIncident { hint, .. } => (REFUSED, hint.clone()),
            LedgerError::BadId(_) => (
                USAGE,
                Some("an incident id looks like INC-42 (or just 42)".into()),
            ),
            LedgerError::UnknownRevision(_) => (
                USAGE,
                Some("give a commit, a branch, `HEAD~3`, or a time such as `2026-11-26 14:05` or `2h ago`".into()),
            ),
            LedgerError::BeforeHistory { .. } => (
                REFUSED,
                Some("nothing was recorded yet then; `git log --reverse` shows when the ledger began".into()),
            ),
            LedgerError::Uncommitted(path) => (
                REFUSED,
                Some(format!(
                    "commit your edit first (`git commit {0}`) or discard it (`git restore --staged --worktree {0}`), then run this again",
                    path.display()
                )),
            ),
            LedgerError::DetachedHead => (
                REFUSED,
                Some("switch to the ledger's branch, for example `git switch main`".into()),
            ),
            LedgerError::Locked { .. } => (
                REFUSED,
                Some("another git-incident is still writing; try again when it is done".into()),
            ),
            LedgerError::GitLocked(path) => (
                REFUSED,
                Some(format!(
                    "wait for the other git command to finish; if none is running, remove the lock (`rm {}`) and run this again",
                    path.display()
                )),
            ),
            LedgerError::IdsExhausted { prefix } => (
                REFUSED,
                Some(format!(
                    "a file named {prefix}-{}.toml holds the last number; rename it to its real id, or set another `prefix` in ledger.toml",
                    u64::MAX
                )),
            ),
            LedgerError::IdTaken { path, .. } => (
                REFUSED,
                Some(format!(
                    "{} is not counted as an incident; move it out of the incidents folder or fix its name",
                    path.display()
                )),
            ),
            LedgerError::Change(c) => (REFUSED, c.hint()),
            LedgerError::Io { action, .. } if action.contains("read") || action.contains("open") => {
                (USAGE, None)
            }
            LedgerError::Sync(s) => sync_code_and_hint(s),
            LedgerError::Contended(_)
            | LedgerError::Git(_)
            | LedgerError::Io { .. }
            | LedgerError::GitCommand { .. } => (REFUSED, None),
        };
        Self {
            message,
            snippet: None,
            hint,
            code,
        }
    }
}

/// The exit code and hint of a sync that stopped. No remote is a set-up
/// problem (usage, 2); the rest are refusals (1) after which the local
/// commits stand and a later sync catches up.
fn sync_code_and_hint(e: &SyncError) -> (u8, Option<String>) {
    let hint = match e {
        SyncError::NoRemote => {
            return (
                USAGE,
                Some("add one with `git remote add origin <url>`, or name it: `git incident sync <remote>`".into()),
            );
        }
        SyncError::Offline { .. } => {
            "your changes are committed here and nothing is lost; run `git incident sync` again once the remote is reachable"
        }
        SyncError::Auth { .. } => {
            "check that `git fetch` works here (SSH key, credential helper); then run `git incident sync` again"
        }
        SyncError::Rejected { .. } => {
            "the remote's hook said why, above; fix that in a new change, then sync again (nothing was forced)"
        }
        SyncError::Conflict { .. } => {
            "merge by hand: `git pull`, resolve and commit, then `git incident sync`"
        }
        SyncError::Raced(_) => "others are pushing right now; run `git incident sync` again",
    };
    (REFUSED, Some(hint.into()))
}
