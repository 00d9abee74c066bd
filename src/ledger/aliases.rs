//! The former ids of renumbered incidents, as committed at HEAD: which file
//! lists which old ids in its `aliases`.
//!
//! A sync renumbers an incident declared offline when the remote had already
//! given its number to another incident, so the old id is, by construction,
//! the id of a different incident. Telling the two apart at every command
//! that takes an id must not cost a read of every incident: this index, in
//! the git directory, holds the aliases of the few files that have any, and
//! the commit it is valid at. When HEAD has moved it is brought up to date
//! from the difference of the two trees (a commit or two touch one file);
//! when that commit is gone (a reset, a gc) or the index is missing, damaged
//! or from another version, it is rebuilt from HEAD's tree. Writing it is
//! best effort: it only ever costs time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, FileMode, ObjectType, Oid};
use serde::{Deserialize, Serialize};

use super::files::{read_private_json, write_private_json};
use super::git::head_branch;
use super::{INCIDENTS_DIR, Ledger, LedgerError};
use crate::domain::IncidentId;

const FORMAT: &str = concat!("aliases-1/", env!("CARGO_PKG_VERSION"));
const FILE: &str = "git-incident/aliases.json";

#[derive(Default, Serialize, Deserialize)]
struct Index {
    format: String,
    /// The commit (hex) the index describes.
    commit: String,
    /// A file's path under `incidents/` to the former ids it lists; files
    /// with none are left out.
    files: BTreeMap<String, Vec<IncidentId>>,
}

/// Only the field this index reads: any other content of the file is left
/// to the commands that read incidents, and so are its errors.
#[derive(Deserialize)]
struct Aliases {
    #[serde(default)]
    aliases: Vec<IncidentId>,
}

/// What an id a user typed names, once renumberings are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// The incident the command acts on.
    pub(crate) id: IncidentId,
    /// The id typed, when it was a former id of `id`.
    pub(crate) former: Option<IncidentId>,
    /// Other incidents that once had the id typed (renumbered away from it).
    pub(crate) also: Vec<IncidentId>,
}

impl Ledger {
    /// Every incident (by its id now) with the former ids its file lists,
    /// as committed at HEAD.
    pub(crate) fn former_ids(&self) -> Result<Vec<(IncidentId, Vec<IncidentId>)>, LedgerError> {
        let (_, Some(head)) = head_branch(&self.repo)? else {
            return Ok(Vec::new());
        };
        let file = self.repo.path().join(FILE);
        let cached: Option<Index> = read_private_json(&file).filter(|i: &Index| i.format == FORMAT);
        let index = match cached {
            Some(index) if index.commit == head.to_string() => index,
            cached => {
                let index = self.index_at(head, cached)?;
                write_private_json(&file, &index);
                index
            }
        };
        Ok(index
            .files
            .iter()
            .filter_map(|(path, aliases)| {
                let stem = Path::new(path).file_stem()?.to_str()?;
                let own = IncidentId::parse(stem, "").ok()?;
                Some((own, aliases.clone()))
            })
            .collect())
    }

    /// The index at `head`: `previous` brought up to date when its commit
    /// is still there, else built from `head`'s tree.
    fn index_at(&self, head: Oid, previous: Option<Index>) -> Result<Index, LedgerError> {
        let new_tree = self.incidents_tree(head)?;
        let mut index = Index {
            format: FORMAT.to_owned(),
            commit: head.to_string(),
            files: BTreeMap::new(),
        };
        let old = previous.and_then(|p| {
            let commit = Oid::from_str(&p.commit).ok()?;
            let tree = self.incidents_tree(commit).ok()?;
            Some((p.files, tree))
        });
        let (files, old_tree) = match old {
            Some((files, tree)) => (files, tree),
            None => (BTreeMap::new(), None),
        };
        index.files = files;
        let mut options = DiffOptions::new();
        options.skip_binary_check(true);
        let diff = self.repo.diff_tree_to_tree(
            old_tree.as_ref(),
            new_tree.as_ref(),
            Some(&mut options),
        )?;
        for delta in diff.deltas() {
            if let Some(path) = delta.old_file().path() {
                index.files.remove(&key(path));
            }
            let new = delta.new_file();
            let (Some(path), false) = (new.path(), delta.status() == Delta::Deleted) else {
                continue;
            };
            if !is_incident_file(path)
                || !matches!(new.mode(), FileMode::Blob | FileMode::BlobExecutable)
            {
                continue;
            }
            let aliases = self.aliases_in(&PathBuf::from(INCIDENTS_DIR).join(path), new.id());
            if !aliases.is_empty() {
                index.files.insert(key(path), aliases);
            }
        }
        Ok(index)
    }

    /// The `incidents/` tree of the ledger in `commit`, if it has one.
    fn incidents_tree(&self, commit: Oid) -> Result<Option<git2::Tree<'_>>, LedgerError> {
        let Some(tree) = self.ledger_tree(commit)? else {
            return Ok(None);
        };
        match tree.get_name(INCIDENTS_DIR) {
            Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Ok(Some(self.repo.find_tree(entry.id())?))
            }
            _ => Ok(None),
        }
    }

    /// The former ids a committed file lists; none when it cannot be read,
    /// which the commands that read the file itself report.
    fn aliases_in(&self, path: &Path, blob: Oid) -> Vec<IncidentId> {
        match self.blob_text(path, blob) {
            Ok(text) if text.contains("aliases") => toml::from_str::<Aliases>(&text)
                .map(|a| a.aliases)
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Reads an id a user typed, following a renumbering: an id this ledger
    /// holds no file for, but that an incident lists among its aliases,
    /// names that incident; an id the ledger does hold, that other
    /// incidents once had too, says which.
    pub(crate) fn resolve_id(&self, text: &str) -> Result<Named, LedgerError> {
        let id = self.parse_id(text)?;
        let held = self.locate(&id)?.is_some();
        let mut named = Named {
            id: id.clone(),
            former: None,
            also: Vec::new(),
        };
        for (own, aliases) in self.former_ids()? {
            if own == id || !aliases.contains(&id) {
                continue;
            }
            if held || named.former.is_some() {
                named.also.push(own);
            } else {
                named.id = own;
                named.former = Some(id.clone());
            }
        }
        Ok(named)
    }
}

/// A path under `incidents/` as the index keys it.
fn key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `YEAR/NAME.toml`: where incident files live under `incidents/`.
fn is_incident_file(path: &Path) -> bool {
    path.components().count() == 2 && path.extension().is_some_and(|e| e == "toml")
}
