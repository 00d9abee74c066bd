//! The one error type at the edge: what kind of failure it is (from which
//! the exit code follows), a message, where it happened, its causes and a
//! hint. Exit codes: 0 success, 1 refused by a rule or a check failed (and,
//! as SPEC names no other, an internal failure), 2 usage or unreadable
//! input, 130 interrupted.

use std::error::Error;

use crate::domain::ChangeError;
use crate::ledger::sync::SyncError;
use crate::ledger::{LedgerError, ParseError};

/// What kind of failure an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A rule refused, or a check found problems.
    Refused,
    /// Bad usage or unreadable input.
    Usage,
    /// git or the file system failed under the ledger: no rule refused.
    Internal,
    /// The user pressed Ctrl-C.
    Interrupted,
}

impl Kind {
    /// The kind's name in an error's JSON document.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Refused => "refused",
            Kind::Usage => "usage",
            Kind::Internal => "internal",
            Kind::Interrupted => "interrupted",
        }
    }

    /// The exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Kind::Refused | Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::Interrupted => 130,
        }
    }
}

/// What an internal error asks of the user.
const INTERNAL_HINT: &str = "no rule refused this: git or the file system failed; if the cause is not yours to fix (permissions, a full disk), please report it with the command you ran";

/// An error as the user sees it.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) kind: Kind,
    pub(crate) message: String,
    /// What the message's cause was caused by, outermost first; printed as
    /// `caused by:` lines.
    pub(crate) causes: Vec<String>,
    pub(crate) snippet: Option<Box<ParseError>>,
    pub(crate) hint: Option<String>,
}

impl CliError {
    /// A usage error as clap words it (its plain rendering): the first
    /// line's message, and its tip, if any, as the hint.
    pub(crate) fn usage_from_clap(text: &str) -> Self {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        let mut error = Self::new(Kind::Usage, message);
        error.hint = lines
            .find_map(|l| l.trim().strip_prefix("tip: "))
            .map(str::to_owned)
            .or_else(|| Some("see `git incident help`".to_owned()));
        error
    }

    pub(crate) fn new(kind: Kind, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            message: match kind {
                Kind::Internal => format!("internal error: {message}"),
                _ => message,
            },
            kind,
            causes: Vec::new(),
            snippet: None,
            hint: (kind == Kind::Internal).then(|| INTERNAL_HINT.to_owned()),
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self::new(Kind::Refused, message)
    }

    pub(crate) fn interrupted(message: impl Into<String>) -> Self {
        Self::new(Kind::Interrupted, message)
    }

    /// The exit code.
    pub(crate) fn code(&self) -> u8 {
        self.kind.code()
    }

    #[must_use]
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Keeps `first` and every error below it as the causes.
    #[must_use]
    pub(crate) fn caused_by(mut self, first: Option<&(dyn Error + 'static)>) -> Self {
        let mut next = first;
        while let Some(e) = next {
            self.causes.push(e.to_string());
            next = e.source();
        }
        self
    }
}

impl From<ChangeError> for CliError {
    fn from(e: ChangeError) -> Self {
        let hint = e.hint();
        let mut error = Self::refused(e.to_string()).caused_by(e.source());
        error.hint = hint;
        error
    }
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> Self {
        let message = e.to_string();
        // The message shows the error and, for these, its first cause.
        let below = match &e {
            LedgerError::Io { source, .. } => source.source(),
            LedgerError::Git(g) => g.source(),
            other => other.source(),
        };
        let (kind, hint): (Kind, Option<String>) = match &e {
            LedgerError::NotALedger(_) => (
                Kind::Usage,
                Some("create one with `git incident init`, or point at one with -C <dir> or GIT_INCIDENT_DIR".into()),
            ),
            LedgerError::AlreadyALedger(_) => (
                Kind::Refused,
                Some("the ledger is ready: `git incident declare \"<title>\"` records an incident".into()),
            ),
            LedgerError::Parse(p) => {
                let mut error = Self::usage(message)
                    .with_hint("fix the file, then check it with `git incident validate`")
                    .caused_by(below);
                error.snippet = Some(p.clone());
                return error;
            }
            LedgerError::ConflictMarkers { path, .. } => (
                Kind::Usage,
                Some(format!(
                    "resolve the merge conflict in {} and commit it; `git incident validate` checks the result",
                    path.display()
                )),
            ),
            LedgerError::Invalid { .. } => (
                Kind::Usage,
                Some("fix the file, then check it with `git incident validate`".into()),
            ),
            LedgerError::Unsafe { .. } => (
                Kind::Usage,
                Some("the ledger reads only regular files inside its folder, up to 4 MiB each; fix or remove this one (see `git log` for who added it)".into()),
            ),
            LedgerError::UnknownIncident { hint, .. } => (Kind::Refused, hint.clone()),
            LedgerError::BadId(_) => (
                Kind::Usage,
                Some("an incident id looks like INC-42 (or just 42)".into()),
            ),
            LedgerError::UnknownRevision(_) => (
                Kind::Usage,
                Some("give a commit, a branch, `HEAD~3`, or a time such as `2026-11-26 14:05` or `2h ago`".into()),
            ),
            LedgerError::BeforeHistory { .. } => (
                Kind::Refused,
                Some("nothing was recorded yet then; `git log --reverse` shows when the ledger began".into()),
            ),
            LedgerError::Uncommitted(path) => (
                Kind::Refused,
                Some(format!(
                    "commit your edit first (`git commit {0}`) or discard it (`git restore --staged --worktree {0}`), then run this again",
                    path.display()
                )),
            ),
            LedgerError::DetachedHead { branch } => (
                Kind::Refused,
                Some(match branch {
                    Some(branch) => format!(
                        "switch to the ledger's branch, `git switch {}`, then run this again",
                        branch
                    ),
                    None => "switch to the ledger's branch (`git branch` lists them) with `git switch <branch>`".into(),
                }),
            ),
            LedgerError::HookRefused { hook, .. } => (
                Kind::Refused,
                Some(format!(
                    "nothing was recorded; fix what the {hook} hook reports, or set `hooks = false` in ledger.toml if the repository's hooks are not meant for incident changes"
                )),
            ),
            LedgerError::InProgress(what) => (
                Kind::Refused,
                Some(match *what {
                    "merge" => "resolve the conflicts and `git commit` the merge (`git incident validate` checks the files), or abandon it with `git merge --abort`; then run this again".into(),
                    "am" => "finish it with `git am --continue` or abandon it with `git am --abort`; then run this again".into(),
                    what => format!("finish it with `git {what} --continue` or abandon it with `git {what} --abort`; then run this again"),
                }),
            ),
            LedgerError::Locked { .. } => (
                Kind::Refused,
                Some("another git-incident is still writing; try again when it is done".into()),
            ),
            LedgerError::GitLocked(path) => (
                Kind::Refused,
                Some(format!(
                    "wait for the other git command to finish; if none is running, remove the lock (`rm {}`) and run this again",
                    path.display()
                )),
            ),
            LedgerError::IdsExhausted { prefix } => (
                Kind::Refused,
                Some(format!(
                    "a file named {prefix}-{}.toml holds the last number; rename it to its real id, or set another `prefix` in ledger.toml",
                    u64::MAX
                )),
            ),
            LedgerError::IdTaken { path, .. } => (
                Kind::Refused,
                Some(format!(
                    "{} is not counted as an incident; move it out of the incidents folder or fix its name",
                    path.display()
                )),
            ),
            LedgerError::Change(c) => (Kind::Refused, c.hint()),
            LedgerError::Io { op, .. } if op.is_input() => (Kind::Usage, None),
            LedgerError::Sync(s) => sync_kind_and_hint(s),
            LedgerError::Contended(_) => (Kind::Refused, None),
            LedgerError::HookExists(_) => (
                Kind::Refused,
                Some("it is left as it is; add `git incident validate --staged` to it, or remove it and run `git incident init --hooks` again".into()),
            ),
            LedgerError::Git(_) | LedgerError::Io { .. } | LedgerError::GitCommand { .. } => {
                return Self::new(Kind::Internal, message).caused_by(below);
            }
        };
        let mut error = Self::new(kind, message).caused_by(below);
        error.hint = hint;
        error
    }
}

/// The kind and hint of a sync that stopped. No remote is a set-up
/// problem (usage, 2); the rest are refusals (1) after which the local
/// commits stand and a later sync catches up.
fn sync_kind_and_hint(e: &SyncError) -> (Kind, Option<String>) {
    let hint = match e {
        SyncError::NoRemote => {
            return (
                Kind::Usage,
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
    (Kind::Refused, Some(hint.into()))
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::path::PathBuf;

    use super::*;
    use crate::ledger::IoOp;

    fn io(op: IoOp, source: std::io::Error) -> CliError {
        LedgerError::Io {
            op,
            path: PathBuf::from("incidents/2026/INC-1.toml"),
            source,
        }
        .into()
    }

    #[test]
    fn the_exit_code_follows_from_the_kind() {
        assert_eq!(Kind::Refused.code(), 1);
        assert_eq!(Kind::Usage.code(), 2);
        assert_eq!(Kind::Internal.code(), 1);
        assert_eq!(Kind::Interrupted.code(), 130);
        assert_eq!(CliError::interrupted("stopped").code(), 130);
    }

    #[test]
    fn a_file_that_cannot_be_read_is_unreadable_input() {
        let e = io(IoOp::Read, std::io::ErrorKind::NotFound.into());
        assert_eq!(e.kind, Kind::Usage);
        assert_eq!(e.code(), 2);
        assert!(
            e.message
                .starts_with("cannot read incidents/2026/INC-1.toml: ")
        );
        assert_eq!(
            io(IoOp::Open, std::io::ErrorKind::NotFound.into()).kind,
            Kind::Usage
        );
    }

    #[test]
    fn a_failed_write_or_git_call_is_internal_not_a_refusal() {
        let e = io(IoOp::Write, std::io::ErrorKind::PermissionDenied.into());
        assert_eq!(e.kind, Kind::Internal);
        assert_eq!(e.code(), 1);
        assert!(
            e.message
                .starts_with("internal error: cannot write incidents/2026/INC-1.toml"),
            "{}",
            e.message
        );
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("report")));
        let git: CliError = LedgerError::Git(git2::Error::from_str("object not found")).into();
        assert_eq!(git.kind, Kind::Internal);
        assert_eq!(git.message, "internal error: git: object not found");
        let command: CliError = LedgerError::GitCommand {
            command: "maintenance run --auto".into(),
            stderr: "fatal: out of memory".into(),
        }
        .into();
        assert_eq!(command.kind, Kind::Internal);
    }

    #[test]
    fn rules_and_usage_keep_their_kind_and_hint() {
        let unknown: CliError = LedgerError::UnknownIncident {
            id: "INC-9".into(),
            hint: Some("see the list".into()),
        }
        .into();
        assert_eq!(unknown.kind, Kind::Refused);
        assert_eq!(unknown.hint.as_deref(), Some("see the list"));
        assert!(unknown.causes.is_empty());
        let detached: CliError = LedgerError::DetachedHead { branch: None }.into();
        assert_eq!(detached.kind, Kind::Refused);
        let not_a_ledger: CliError = LedgerError::NotALedger(PathBuf::from("/tmp")).into();
        assert_eq!(not_a_ledger.kind, Kind::Usage);
        let contended: CliError = LedgerError::Contended(8).into();
        assert_eq!(contended.kind, Kind::Refused);
    }

    #[derive(Debug)]
    struct Failure(&'static str, Option<Box<Failure>>);

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Failure {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    #[test]
    fn causes_below_the_message_are_kept_in_order() {
        let chain = Failure(
            "the disk refused the write",
            Some(Box::new(Failure(
                "the controller reset",
                Some(Box::new(Failure("a cable came loose", None))),
            ))),
        );
        let e = io(IoOp::Write, std::io::Error::other(chain));
        // The message already shows the first cause.
        assert!(
            e.message.ends_with(": the disk refused the write"),
            "{}",
            e.message
        );
        assert_eq!(e.causes, ["the controller reset", "a cable came loose"]);
    }
}
