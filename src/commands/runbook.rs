use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::{LedgerError, parse_toml, read_given_text};
use crate::render;
use crate::runbook::Runbook;
use crate::ui::Ui;

/// Print the runbook in force, or check a runbook file
#[derive(Debug, clap::Args)]
pub(super) struct RunbookArgs {
    /// Check this runbook file instead of printing the ledger's
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &RunbookArgs) -> Result<(), CliError> {
    if let Some(path) = &args.check {
        let text = read_given_text(&ctx.dir, path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        let runbook: Runbook = parse_toml(path, &text)?;
        let problems = runbook.problems();
        if let Some(first) = problems.first() {
            return Err(LedgerError::Invalid {
                path: path.clone(),
                message: first.clone(),
            }
            .into());
        }
        ui.status(&format!(
            "{}: a valid runbook with {} severities and {} steps.",
            path.display(),
            runbook.severities.len(),
            runbook.steps.len()
        ));
        return Ok(());
    }
    let ledger = ctx.ledger()?;
    if ctx.json {
        ui.json(&render::runbook::json(
            &ledger.runbook,
            &ledger.runbook_version,
        ));
    } else {
        let color = ui.color();
        let text = render::runbook::describe(&ledger.runbook, &ledger.runbook_version, color);
        ui.page(ctx.pager());
        ui.print(&render::fit_lines(&text, ctx.terminal_width()));
    }
    Ok(())
}
