//! What can go wrong in the ledger, with the paths and positions a user needs.

use std::path::PathBuf;

use crate::domain::{ChangeError, IncidentId};

/// A file that could not be read as what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct ParseError {
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
    /// The offending source line, for a snippet.
    pub(crate) source_line: String,
    /// How many characters the snippet should underline.
    pub(crate) width: usize,
}

/// What the ledger was doing with a file when the file system failed. Reading
/// and opening fail on input the user gave or left unreadable; the others on
/// the machine under the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoOp {
    Read,
    Open,
    OpenLock,
    Lock,
    Write,
    Create,
    Remove,
    Wait,
    Run,
}

impl IoOp {
    /// Whether the failure is unreadable input (exit 2) rather than the
    /// file system or git failing under a write.
    pub fn is_input(self) -> bool {
        matches!(self, IoOp::Read | IoOp::Open | IoOp::OpenLock)
    }
}

impl std::fmt::Display for IoOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IoOp::Read => "cannot read",
            IoOp::Open => "cannot open",
            IoOp::OpenLock => "cannot open the lock file",
            IoOp::Lock => "cannot lock",
            IoOp::Write => "cannot write",
            IoOp::Create => "cannot create",
            IoOp::Remove => "cannot remove",
            IoOp::Wait => "cannot wait for",
            IoOp::Run => "cannot run",
        })
    }
}

/// Errors of the ledger layer.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("no incident ledger here or in any parent folder of {}", .0.display())]
    NotALedger(PathBuf),
    #[error("{} is already an incident ledger", .0.display())]
    AlreadyALedger(PathBuf),
    #[error(transparent)]
    Parse(Box<ParseError>),
    #[error("{}:{line}: unresolved merge conflict markers", path.display())]
    ConflictMarkers { path: PathBuf, line: usize },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Unsafe { path: PathBuf, message: String },
    #[error(transparent)]
    BadId(#[from] crate::domain::id::IdError),
    #[error("no incident {id} in this ledger")]
    UnknownIncident { id: String, hint: Option<String> },
    #[error("`{0}` is neither a revision nor a time in this ledger's history")]
    UnknownRevision(String),
    #[error("`{text}` ({}) is before the first commit on this branch", crate::domain::when::shown(*time))]
    BeforeHistory {
        text: String,
        time: chrono::DateTime<chrono::Utc>,
    },
    #[error("{path} has changes that are not committed", path = .0.display())]
    Uncommitted(PathBuf),
    #[error("HEAD is detached; the ledger records incidents on a branch")]
    DetachedHead { branch: Option<String> },
    #[error("a {0} is in progress; resolve it first")]
    InProgress(&'static str),
    #[error("the ledger is busy: another git-incident has held {} for {secs}s", path.display())]
    Locked { path: PathBuf, secs: u64 },
    #[error("{} exists: a git command is updating it, or one that crashed left it behind", .0.display())]
    GitLocked(PathBuf),
    #[error("no incident number is left after {prefix}-{}", u64::MAX)]
    IdsExhausted { prefix: String },
    #[error("{} already exists: the next id, {id}, is taken", path.display())]
    IdTaken { id: String, path: PathBuf },
    #[error("{} is a pre-commit hook that git-incident did not write", .0.display())]
    HookExists(PathBuf),
    #[error("the repository's {hook} hook refused the change{}", if output.trim().is_empty() { String::new() } else { format!(":\n{}", output.trim_end()) })]
    HookRefused { hook: &'static str, output: String },
    #[error("the branch moved under us {0} times in a row; try again")]
    Contended(u32),
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{op} {}: {source}", path.display())]
    Io {
        op: IoOp,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sync(#[from] super::sync::SyncError),
    #[error("`git {command}` failed: {stderr}")]
    GitCommand { command: String, stderr: String },
}

impl From<ParseError> for LedgerError {
    fn from(e: ParseError) -> Self {
        LedgerError::Parse(Box::new(e))
    }
}

/// The hint for an id the ledger does not hold.
pub(crate) const LIST_HINT: &str = "`git incident list` shows the incidents in this ledger";

impl LedgerError {
    /// The one way to say that incident `id` is not in the ledger; `hint`
    /// says where to look instead.
    pub(crate) fn unknown_incident(id: &IncidentId, hint: impl Into<String>) -> Self {
        LedgerError::UnknownIncident {
            id: id.to_string(),
            hint: Some(hint.into()),
        }
    }

    pub(crate) fn io(op: IoOp, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| LedgerError::Io { op, path, source }
    }
}

/// Finds the line, column and source line of a byte offset.
pub(crate) fn locate(src: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..offset].chars().count() + 1;
    let source_line = src[line_start..].lines().next().unwrap_or("").to_owned();
    (line, column, source_line)
}

impl ParseError {
    /// Builds a parse error from a toml error and the text it was reading.
    pub(crate) fn from_toml(path: PathBuf, src: &str, err: &toml::de::Error) -> Self {
        let span = err.span().unwrap_or(0..0);
        let (line, column, source_line) = locate(src, span.start);
        let width = src
            .get(span.clone())
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
        Self {
            path,
            line,
            column,
            message: err.message().trim().to_owned(),
            source_line,
            width,
        }
    }
}
