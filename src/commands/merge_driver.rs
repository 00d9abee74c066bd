use std::path::PathBuf;

use crate::context::Context;
use crate::domain::merge::Options;
use crate::error::CliError;
use crate::ledger::Ledger;
use crate::ledger::driver::{DriverOutcome, merge_files};
use crate::ui::Ui;

/// Merge three versions of an incident file: git's merge driver
///
/// git runs it for incident files both sides changed, once `init` (or
/// `init --clone` in a fresh clone) registered it: `git incident
/// merge-driver %O %A %B %P`. It merges entry by entry and field by field,
/// writes the result over %A, and exits 0 when clean, or 1 when it left
/// something for a person to decide (marked inside the text, the file stays
/// valid). Input it cannot merge safely (not an incident file, markers
/// already in it, two different incidents) gets git's own text merge,
/// markers and all, and exit 1.
#[derive(Debug, clap::Args)]
pub(super) struct MergeDriverArgs {
    /// The common ancestor's version (%O)
    base: PathBuf,
    /// Our version (%A); the result is written here
    ours: PathBuf,
    /// Their version (%B)
    theirs: PathBuf,
    /// The file's path in the repository (%P), for messages and settings
    path: Option<PathBuf>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &MergeDriverArgs) -> Result<(), CliError> {
    let name = args.path.as_ref().map_or_else(
        || args.ours.display().to_string(),
        |p| p.display().to_string(),
    );
    // The severity order comes from the ledger holding the file, where it
    // can be read; the default order (SEV-1 most severe) otherwise.
    let options = args
        .path
        .as_ref()
        .and_then(|p| ctx.dir.join(p).parent().map(std::path::Path::to_path_buf))
        .and_then(|dir| Ledger::find(&dir).ok())
        .map(|ledger| Options {
            severities: ledger.runbook.severity_names(),
        })
        .unwrap_or_default();
    let at = |p: &PathBuf| ctx.dir.join(p);
    let outcome = merge_files(
        &at(&args.base),
        &at(&args.ours),
        &at(&args.theirs),
        &options,
    )?;
    match outcome {
        DriverOutcome::Merged(report) => {
            for rule in &report.rules {
                ui.status(&format!("{name}: {}: {}", rule.field, rule.why));
            }
            if report.conflicts.is_empty() {
                return Ok(());
            }
            for conflict in &report.conflicts {
                ui.warn(&format!("{name}: {}: {}", conflict.field, conflict.why));
            }
            Err(CliError::refused(format!(
                "{name}: {} conflicts left for a person",
                report.conflicts.len()
            ))
            .with_hint("edit the file where the markers are, then `git add` it"))
        }
        DriverOutcome::Fallback { why, conflicts } => {
            if conflicts {
                Err(CliError::refused(format!(
                    "{name}: {why}; left git's text merge, with conflict markers"
                ))
                .with_hint(
                    "resolve the markers by hand, then `git incident validate` and `git add`",
                ))
            } else {
                ui.warn(&format!("{name}: {why}; merged as plain text"));
                Ok(())
            }
        }
    }
}
