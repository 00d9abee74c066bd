//! Where guided response records its answers: the [`Journal`] port the
//! engine writes through, one change at a time, and reads the files an
//! answer names (`@FILE`).
//!
//! The engine owns this contract and names no store: a journal says whether
//! a rule refused a change (the walk shows why and goes on) or the journal
//! itself failed (the walk stops), with an error type of its own. The
//! ledger-backed journal lives with the `respond` command; the engine's
//! tests use one in memory.

use chrono::{DateTime, Utc};

use crate::domain::delta::Field;
use crate::domain::{Change, ChangeError, Declaration, Incident};

/// Where changes go: one commit each.
pub(crate) trait Journal {
    /// Why the journal could not record a change, rules aside; the engine
    /// only carries it back to its caller.
    type Error;
    /// Declares a new incident.
    fn declare(&mut self, declaration: Declaration) -> Result<Recorded, JournalError<Self::Error>>;
    /// Applies one change to incident `id`. `step` is where the walk
    /// stands: the same record moves the incident's `step` there, so the
    /// walk's position never takes a record of its own.
    fn apply(
        &mut self,
        id: &str,
        change: &Change,
        step: Option<&str>,
    ) -> Result<Recorded, JournalError<Self::Error>>;
    /// The text of the file an answer names (`@FILE`), relative to where
    /// the responder runs the walk; `Err` says why it cannot be read.
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        let _ = path;
        Err("files cannot be read here".to_owned())
    }
    /// What happened so far, oldest first, for the review.
    fn timeline(
        &mut self,
        incident: &Incident,
    ) -> Result<Vec<TimelineEntry>, JournalError<Self::Error>>;
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
    /// The incident as it is now, when others changed it since the journal
    /// last read or recorded it; `None` when it did not move.
    fn meanwhile(
        &mut self,
        incident: &Incident,
    ) -> Result<Option<Meanwhile>, JournalError<Self::Error>> {
        let _ = incident;
        Ok(None)
    }
}

/// An incident that others changed between two answers.
#[derive(Debug, Clone)]
pub(crate) struct Meanwhile {
    /// The incident as it is now.
    pub incident: Incident,
    /// What they did, oldest first.
    pub changes: Vec<Concurrent>,
}

/// One change someone else recorded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Concurrent {
    /// `Name <email>`.
    pub who: String,
    /// What it was, such as `note` or `lead`.
    pub what: String,
    /// The fields it set.
    pub fields: Vec<Field>,
}

/// A change that was recorded.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    /// The incident as it is now.
    pub incident: Incident,
    /// What happened, as the commit's subject says it.
    pub summary: String,
    /// The commit, abbreviated.
    pub commit: String,
}

/// One line of the review's timeline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub who: Option<String>,
    pub what: String,
}

/// Why a journal did not record a change.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JournalError<E> {
    /// A rule refused it; the walk shows why and goes on.
    #[error(transparent)]
    Refused(#[from] ChangeError),
    /// The journal failed; the walk stops.
    #[error(transparent)]
    Failed(E),
}
