//! The two states of the ledger that `cleanup --since` compares: the
//! incidents as committed at an earlier point and at HEAD.

use chrono::DateTime;
use git2::Oid;

use crate::domain::CommitId;

use super::git::{commit_id, oid};
use crate::domain::history::Point;

use super::{Ledger, LedgerError, Stored};

/// The incidents at two points of history.
#[derive(Debug)]
pub(crate) struct Span {
    /// `None`: before the ledger's first commit, when nothing was recorded.
    pub(crate) from: Option<Point>,
    pub(crate) to: Point,
    pub(crate) then: Vec<Stored>,
    pub(crate) now: Vec<Stored>,
    /// Files that could not be read at either end; the others still count.
    pub(crate) unreadable: Vec<LedgerError>,
}

impl Ledger {
    /// The incidents as committed at `from` (none when `from` is `None`)
    /// and at HEAD.
    pub(crate) fn cleanup_span(&self, from: Option<&CommitId>) -> Result<Span, LedgerError> {
        let head = self.head_oid()?;
        let from = from.map(oid).transpose()?;
        let mut unreadable = Vec::new();
        let mut read = |commit: Oid| -> Result<Vec<Stored>, LedgerError> {
            let mut found = Vec::new();
            for stored in self.load_all_at(commit)? {
                match stored {
                    Ok(s) => found.push(s),
                    Err(e) => unreadable.push(e),
                }
            }
            Ok(found)
        };
        let then = match from {
            Some(commit) => read(commit)?,
            None => Vec::new(),
        };
        let now = read(head)?;
        Ok(Span {
            from: from.map(|commit| self.cleanup_point(commit)).transpose()?,
            to: self.cleanup_point(head)?,
            then,
            now,
            unreadable,
        })
    }

    fn cleanup_point(&self, commit: Oid) -> Result<Point, LedgerError> {
        let seconds = self.repo.find_commit(commit)?.time().seconds();
        Ok(Point {
            commit: commit_id(commit),
            time: DateTime::from_timestamp(seconds, 0).unwrap_or_default(),
        })
    }
}
