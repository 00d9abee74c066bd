//! An incident's audit history: the commits that touched its file, who made
//! them, when, and what each changed. The storage layer walks git to build
//! it; everything above reads it from here.

use chrono::{DateTime, Utc};

use super::commit::CommitId;

/// A point of history: a commit and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub commit: CommitId,
    pub time: DateTime<Utc>,
}
