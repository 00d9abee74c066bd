//! An incident's audit history: the commits that touched its file, who made
//! them, when, and what each changed. The storage layer walks git to build
//! it; everything above reads it from here.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::commit::CommitId;
use super::delta::Delta;

/// A point of history: a commit and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub commit: CommitId,
    pub time: DateTime<Utc>,
}

/// How a commit came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Made by git-incident: it carries an `Incident-Change` trailer.
    Tool,
    /// A commit made with plain git or another tool (a hand edit).
    Outside,
    /// A merge commit (plain `git merge`/`pull`, or `sync`).
    Merge,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Tool => "tool",
            Source::Outside => "outside the tool",
            Source::Merge => "merge",
        }
    }
}

/// One commit in an incident's history.
#[derive(Debug, Clone)]
pub struct Revision {
    pub commit: CommitId,
    pub parents: Vec<CommitId>,
    /// `Name <email>`.
    pub author: String,
    pub committer: String,
    /// The record time: when the commit was made (committer date).
    pub record_time: DateTime<Utc>,
    /// When the changes happened, where it differs from the record time
    /// (`--at`, or a backdated hand edit).
    pub event_time: Option<DateTime<Utc>>,
    pub subject: String,
    pub source: Source,
    /// The `Incident-Change` verb of a tool commit.
    pub verb: Option<String>,
    /// The incident's file at this commit, relative to the ledger's root.
    pub path: PathBuf,
    pub deltas: Vec<Delta>,
    /// Why the file at this commit could not be read.
    pub problem: Option<String>,
}

impl Revision {
    /// When the changes happened: the event time where one was given, else
    /// the record time.
    pub fn at(&self) -> DateTime<Utc> {
        self.event_time.unwrap_or(self.record_time)
    }
}

/// An incident's history, oldest commit first.
#[derive(Debug, Clone)]
pub struct History {
    /// The id at the tip (after any renumbering).
    pub id: String,
    pub path: PathBuf,
    pub revisions: Vec<Revision>,
}
