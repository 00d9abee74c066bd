use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::{LedgerError, parse_incident, read_given};
use crate::render;
use crate::ui::Ui;

/// Check incident files against the schema and the rules
///
/// Checks every incident file of the ledger, or the files given. Prints one
/// `file:line:col: message` line per problem and exits 1 when there is any:
/// made for CI and pre-commit hooks.
#[derive(Debug, clap::Args)]
pub(super) struct ValidateArgs {
    /// Files to check (default: every incident file)
    paths: Vec<PathBuf>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ValidateArgs) -> Result<(), CliError> {
    let mut problems = Vec::new();
    let mut checked = 0;
    // Files given that cannot be read at all: unreadable input, not a
    // problem in a file.
    let mut unreadable = 0;
    if args.paths.is_empty() {
        let ledger = ctx.ledger()?;
        for stored in ledger.load_all()? {
            checked += 1;
            if let Err(e) = stored {
                problems.push(describe(&e));
            }
        }
    } else {
        for path in &args.paths {
            checked += 1;
            let Ok(bytes) = read_given(&ctx.dir, path).inspect_err(|e| {
                unreadable += 1;
                problems.push(format!("{}: cannot read: {e}", path.display()));
            }) else {
                continue;
            };
            let result = String::from_utf8(bytes)
                .map_err(|_| LedgerError::Invalid {
                    path: path.clone(),
                    message: "the file is not valid UTF-8".into(),
                })
                .and_then(|text| parse_incident(path, &text));
            if let Err(e) = result {
                problems.push(describe(&e));
            }
        }
    }
    if ctx.json {
        ui.json(&render::json::validated(checked, &problems));
    } else {
        for problem in &problems {
            ui.print(problem);
        }
    }
    if unreadable > 0 {
        return Err(CliError::usage(format!(
            "{unreadable} of {checked} files could not be read"
        )));
    }
    if problems.is_empty() {
        ui.status(&format!("{checked} incident files checked, no problems."));
        Ok(())
    } else {
        Err(CliError::refused(format!(
            "{} of {checked} incident files have problems",
            problems.len()
        )))
    }
}

/// `file:line:col: message`, or `file: message` where no position applies.
fn describe(e: &LedgerError) -> String {
    match e {
        LedgerError::Parse(p) => p.to_string(),
        LedgerError::ConflictMarkers { path, line } => {
            format!(
                "{}:{line}:1: unresolved merge conflict markers",
                path.display()
            )
        }
        other => other.to_string(),
    }
}
