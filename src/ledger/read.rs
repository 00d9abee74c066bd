//! Reading the working tree: where an incident's file is, and the incidents
//! as they are on disk now.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::LIST_HINT;
use super::files::{check_dir_inside, in_parallel, parse_incident, read_text};
use super::{INCIDENTS_DIR, Ledger, LedgerError, Stored};
use crate::domain::IncidentId;
use crate::ledger::IoOp;

impl Ledger {
    /// The year folders, oldest first.
    fn year_dirs(&self) -> Result<Vec<PathBuf>, LedgerError> {
        let dir = self.root.join(INCIDENTS_DIR);
        // A linked incidents/ is refused here, once; a linked year folder
        // is not a folder to the walk (its entry's type is a link).
        check_dir_inside(&self.root, Path::new(INCIDENTS_DIR))?;
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut years: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| PathBuf::from(INCIDENTS_DIR).join(e.file_name()))
            .collect();
        years.sort();
        Ok(years)
    }

    /// The path of an incident's file, relative to the ledger's root.
    pub(crate) fn find_path(&self, id: &IncidentId) -> Result<PathBuf, LedgerError> {
        self.locate(id)?
            .ok_or_else(|| LedgerError::unknown_incident(id, LIST_HINT))
    }

    /// The path of an incident's file, if the working tree has it.
    pub(super) fn locate(&self, id: &IncidentId) -> Result<Option<PathBuf>, LedgerError> {
        let name = format!("{id}.toml");
        for year in self.year_dirs()?.into_iter().rev() {
            let path = year.join(&name);
            // Whatever is there: reading it refuses a link or a FIFO by name.
            if fs::symlink_metadata(self.root.join(&path)).is_ok() {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    /// Reads an id as a user typed it, and whether the working tree holds
    /// that incident: what the domain's rules ask of other incidents.
    pub(super) fn lookup(&self, text: &str) -> Result<(IncidentId, bool), LedgerError> {
        let id = self.parse_id(text)?;
        let held = self.locate(&id)?.is_some();
        Ok((id, held))
    }

    /// Reads one incident from the working tree.
    pub(crate) fn load(&self, id: &IncidentId) -> Result<Stored, LedgerError> {
        let path = self.find_path(id)?;
        let text = read_text(&self.root, &path)?;
        let incident = parse_incident(&path, &text)?;
        Ok(Stored {
            incident,
            path,
            text,
        })
    }

    /// The paths of every incident file, oldest year first.
    pub(crate) fn incident_paths(&self) -> Result<Vec<PathBuf>, LedgerError> {
        let mut paths = Vec::new();
        for year in self.year_dirs()? {
            let dir = self.root.join(&year);
            let entries = fs::read_dir(&dir).map_err(LedgerError::io(IoOp::Read, &dir))?;
            // Names sorted as bytes within a year (years come sorted): the
            // order a sort of the whole paths gives, without comparing
            // path components, which cost a fifth of `list`.
            let mut names: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name())
                .filter(|name| name.to_str().is_some_and(|n| n.ends_with(".toml")))
                .collect();
            names.sort_unstable();
            paths.extend(names.into_iter().map(|name| year.join(name)));
        }
        Ok(paths)
    }

    /// Reads every incident; a file that cannot be read is an error in its
    /// place, so one bad file does not hide the others.
    pub(crate) fn load_all(&self) -> Result<Vec<Result<Stored, LedgerError>>, LedgerError> {
        Ok(self.load_paths(self.incident_paths()?))
    }

    /// Reads the incident files at `paths` (relative to the ledger's root),
    /// each a result of its own, in the same order.
    pub(crate) fn load_paths(&self, paths: Vec<PathBuf>) -> Vec<Result<Stored, LedgerError>> {
        let root = self.root.as_path();
        in_parallel(paths, |path| {
            let text = read_text(root, &path)?;
            let incident = parse_incident(&path, &text)?;
            Ok(Stored {
                incident,
                path,
                text,
            })
        })
    }
}
