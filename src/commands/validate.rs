use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::rest::{ids_twice, problems_at_rest};
use crate::ledger::{LedgerError, Stored, parse_incident, read_given};
use crate::render;
use crate::ui::Ui;

/// Check incident files against the schema and the rules
///
/// Checks every incident file of the ledger, or the files given: types and
/// unknown fields, the id against the file name, milestones in order and
/// consistent with the status, mitigation and action ids used once, no
/// entry before the incident started, severities the runbook knows and
/// services ledger.toml lists, and (for the whole ledger) an id in one
/// folder only. Prints one `file:line:col: message` line per problem and
/// exits 1 when there is any: made for CI and pre-commit hooks.
#[derive(Debug, clap::Args)]
pub(super) struct ValidateArgs {
    /// Files to check (default: every incident file)
    #[arg(conflicts_with = "staged")]
    paths: Vec<PathBuf>,
    /// Check the incident files as staged in the index, what a commit will
    /// hold (the pre-commit hook's check)
    #[arg(long)]
    staged: bool,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ValidateArgs) -> Result<(), CliError> {
    let mut problems = Vec::new();
    let mut checked = 0;
    // Files given that cannot be read at all: unreadable input, not a
    // problem in a file.
    let mut unreadable = 0;
    let mut sound: Vec<Stored> = Vec::new();
    let settings;
    if args.paths.is_empty() {
        let ledger = ctx.ledger()?;
        settings = ledger.settings();
        let loaded = if args.staged {
            ledger.load_staged(ctx.index_file.as_deref())?
        } else {
            ledger.load_all()?
        };
        for stored in loaded {
            checked += 1;
            match stored {
                Ok(stored) => sound.push(stored),
                Err(e) => problems.push(describe(&e)),
            }
        }
        problems.extend(ids_twice(&sound));
    } else {
        // Outside a ledger only what the file itself says can be checked.
        settings = ctx.ledger().map(|l| l.settings()).unwrap_or_default();
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
                .and_then(|text| {
                    parse_incident(path, &text).map(|incident| Stored {
                        incident,
                        path: path.clone(),
                        text,
                    })
                });
            match result {
                Ok(stored) => sound.push(stored),
                Err(e) => problems.push(describe(&e)),
            }
        }
    }
    for stored in &sound {
        problems.extend(problems_at_rest(stored, &settings));
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
            "{} in {checked} incident files",
            render::plural(problems.len(), "problem")
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
