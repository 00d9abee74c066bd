//! What a `sync` did, as the views read it: what came in, what went out,
//! and what the merge decided. The ledger fills it; render shows it.

use serde::Serialize;

use super::CommitId;

/// Where the branch stands against its remote-tracking branch, as of the
/// last fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// `origin/main`.
    pub upstream: String,
    /// Commits here the remote has not got.
    pub ahead: usize,
    /// Commits the remote had at the last fetch that are not here.
    pub behind: usize,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Synced {
    pub remote: String,
    pub branch: String,
    /// Commits that came in (fast-forwarded or merged).
    pub received: usize,
    /// Commits that went out.
    pub sent: usize,
    /// The merge commit, where the two had diverged.
    pub merge: Option<CommitId>,
    /// The incidents both sides changed, merged entry by entry.
    pub merged: Vec<String>,
    /// `INC-N field: why` for every rule that decided between the sides.
    pub rules: Vec<String>,
    /// `INC-N field: why` for what is left marked for a person.
    pub conflicts: Vec<String>,
    /// `(old, new)` for each incident declared here offline whose id the
    /// remote already gave another: renumbered, the old id kept as an alias.
    pub renumbered: Vec<(String, String)>,
    /// Pushes lost to a concurrent push, then merged and retried.
    pub retries: u32,
}
