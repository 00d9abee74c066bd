//! Whether an incident's working file is what HEAD holds, asked before a
//! guided response starts so no answer is given that could not be recorded.

use super::intent::worktree_blob;
use super::{Ledger, LedgerError, git};
use crate::domain::IncidentId;

impl Ledger {
    /// Refuses, as a change would, when the incident's file has edits that
    /// are not committed (in the working tree or staged).
    pub fn check_committed(&self, id: &IncidentId) -> Result<(), LedgerError> {
        let path = self.find_path(id)?;
        let repo_path = self.base.join(&path);
        let bytes =
            std::fs::read(self.root.join(&path)).map_err(LedgerError::io("cannot read", &path))?;
        let (_, tip) = git::head_branch(&self.repo)?;
        let committed = git::blob_at(&self.repo, tip, &repo_path)?;
        let on_disk = worktree_blob(&bytes, &committed.into_iter().collect::<Vec<_>>())?;
        let staged = git::index_entry(&self.repo, &repo_path)?;
        if committed != Some(on_disk) || staged != committed {
            return Err(LedgerError::Uncommitted(path));
        }
        Ok(())
    }
}
