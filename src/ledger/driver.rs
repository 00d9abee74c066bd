//! git's side of the semantic merge: the merge driver's files, and its
//! registration in a clone's config.
//!
//! git runs `git incident merge-driver %O %A %B %P` for every incident file
//! both sides changed, once `.gitattributes` names the `incident` driver and
//! the clone's config defines it. The config is per clone and never
//! committed, and git falls back to its text merge in silence when it is
//! missing: hence `init` and `init --clone` register it, and writes warn
//! while it is not.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::{ConfigLevel, Repository};

use super::error::LedgerError;
use super::files::read_given;
use super::{Ledger, write_atomic};
use crate::domain::merge::{self, Options, Refusal, Report};
use crate::ledger::IoOp;

/// The `.gitattributes` line that sends incident files to the driver.
pub(crate) const ATTRIBUTES: &str = "# Incident files merge entry by entry: `git incident init --clone` registers\n# the driver in a fresh clone (see `git incident merge-driver --help`).\nincidents/**/*.toml merge=incident\n";

/// The driver names registered: `incident`, and `git-incident`, which
/// ledgers made by earlier versions name in their `.gitattributes`.
const NAMES: [&str; 2] = ["incident", "git-incident"];

/// How a driver run ended.
#[derive(Debug)]
pub(crate) enum DriverOutcome {
    /// The semantic merge ran; `%A` holds its result.
    Merged(Report),
    /// The merge declined; `%A` holds git's text merge, with markers where
    /// it conflicts.
    Fallback { why: Refusal, conflicts: bool },
}

/// Merges the files git hands the driver, writing the result over `ours`.
pub(crate) fn merge_files(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    options: &Options,
) -> Result<DriverOutcome, LedgerError> {
    // A side that is not UTF-8, or past the size any ledger file may have,
    // is left to git's text merge.
    let read = |path: &Path| -> Result<Option<String>, LedgerError> {
        match read_given(Path::new(""), path) {
            Ok(bytes) => Ok(String::from_utf8(bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(None),
            Err(e) => Err(LedgerError::io(IoOp::Read, path)(e)),
        }
    };
    let texts = (read(base)?, read(ours)?, read(theirs)?);
    let result = match &texts {
        (Some(b), Some(o), Some(t)) => merge::merge(b, o, t, options),
        _ => Err(Refusal::Unreadable {
            side: merge::Side::Ours,
            message: "not UTF-8 text, or larger than 4 MiB".into(),
        }),
    };
    match result {
        Ok(merged) => {
            write_atomic(ours, merged.text.as_bytes())?;
            Ok(DriverOutcome::Merged(merged.report))
        }
        Err(why) => {
            let conflicts = text_merge(base, ours, theirs)?;
            Ok(DriverOutcome::Fallback { why, conflicts })
        }
    }
}

/// git's own line merge, writing markers into `ours`; true when it left
/// conflicts.
fn text_merge(base: &Path, ours: &Path, theirs: &Path) -> Result<bool, LedgerError> {
    let status = Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(ours)
        .arg(base)
        .arg(theirs)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| LedgerError::GitCommand {
            command: "merge-file".into(),
            stderr: e.to_string(),
        })?;
    // merge-file exits with the number of conflicts, negative on error.
    match status.code() {
        Some(0) => Ok(false),
        Some(n) if n > 0 && n < 128 => Ok(true),
        _ => Err(LedgerError::GitCommand {
            command: "merge-file".into(),
            stderr: format!("exited with {status}"),
        }),
    }
}

/// Defines the merge driver in the clone's own config (`.git/config`).
/// `command` runs the driver: `'/path/to/git-incident' merge-driver %O %A %B %P`.
pub(crate) fn register(repo: &Repository, command: &str) -> Result<(), LedgerError> {
    let mut config = repo.config()?.open_level(ConfigLevel::Local)?;
    for name in NAMES {
        config.set_str(
            &format!("merge.{name}.name"),
            "git-incident: merge incident files entry by entry",
        )?;
        config.set_str(&format!("merge.{name}.driver"), command)?;
    }
    Ok(())
}

impl Ledger {
    /// Defines the merge driver in this clone's config.
    pub(crate) fn register_driver(&self, command: &str) -> Result<(), LedgerError> {
        register(&self.repo, command)
    }
}

/// Whether the clone holding `dir` defines the merge driver; true where
/// `dir` is in no repository (there is nothing to warn about).
pub(crate) fn registered_at(dir: &Path) -> bool {
    match Repository::discover(dir) {
        Err(_) => true,
        Ok(repo) => repo
            .config()
            .and_then(|c| c.get_string("merge.incident.driver"))
            .is_ok_and(|d| !d.trim().is_empty()),
    }
}
