//! The pre-commit hook `init --hooks` installs, and what it runs:
//! `validate --staged`, which reads the incident files as the index holds
//! them (what the commit will contain), never the working tree. The hook
//! runs this program by the path it was installed from, and nothing the
//! ledger names.

use std::path::{Path, PathBuf};

use super::files::{Durability, write_file};
use super::{INCIDENTS_DIR, IoOp, Ledger, LedgerError, Stored, parse_incident};

/// How the tool recognises a hook of its own, to replace it safely.
pub(crate) const MARK: &str = "# git-incident pre-commit hook";

impl Ledger {
    /// Installs the pre-commit hook where git looks for it (`core.hooksPath`
    /// respected). Refuses to replace a hook that is not ours.
    pub(crate) fn install_hook(&self, exe: &str) -> Result<PathBuf, LedgerError> {
        let out = self.git(&["rev-parse", "--git-path", "hooks/pre-commit"])?;
        let path = self.workdir().join(out.trim());
        if let Ok(existing) = std::fs::read_to_string(&path)
            && !existing.contains(MARK)
        {
            return Err(LedgerError::HookExists(path));
        }
        let base = match self.base().to_string_lossy().as_ref() {
            "" => ".".to_owned(),
            b => b.to_owned(),
        };
        let script = format!(
            "#!/bin/sh\n{MARK} (installed by `git incident init --hooks`):\n# refuses a commit whose staged incident files are invalid.\nexe={}\n[ -x \"$exe\" ] || exe=git-incident\nexec \"$exe\" -C {} validate --staged\n",
            quote(exe),
            quote(&base)
        );
        write_file(&path, script.as_bytes(), Durability::Durable)
            .map_err(LedgerError::io(IoOp::Write, &path))?;
        make_executable(&path)?;
        Ok(path)
    }

    /// The incident files as staged in the index, each read and parsed:
    /// the repository's index, or `index_file`, the temporary one in which
    /// `git commit -a` or `git commit PATH` stages a commit (git names it in
    /// `GIT_INDEX_FILE` while it runs a hook).
    pub(crate) fn load_staged(
        &self,
        index_file: Option<&Path>,
    ) -> Result<Vec<Result<Stored, LedgerError>>, LedgerError> {
        let index = match index_file {
            Some(file) => git2::Index::open(file)?,
            None => self.repo().index()?,
        };
        let folder = self.base().join(INCIDENTS_DIR);
        let mut out = Vec::new();
        for entry in index.iter() {
            let repo_path = PathBuf::from(String::from_utf8_lossy(&entry.path).into_owned());
            if !repo_path.starts_with(&folder) || repo_path.extension().is_none_or(|e| e != "toml")
            {
                continue;
            }
            let path = repo_path
                .strip_prefix(self.base())
                .unwrap_or(&repo_path)
                .to_path_buf();
            out.push(self.blob_text(&path, entry.id).and_then(|text| {
                parse_incident(&path, &text).map(|incident| Stored {
                    incident,
                    path,
                    text,
                })
            }));
        }
        Ok(out)
    }
}

/// `text` in single quotes for sh.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), LedgerError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(LedgerError::io(IoOp::Write, path))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), LedgerError> {
    Ok(())
}
