use crate::context::Context;
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;

use super::args::{IdArg, announce_log_index};

/// The audit timeline of one incident, from git history
///
/// Every commit that changed the incident's file, oldest first: when it was
/// recorded (the commit's time), when it happened where that differs (a
/// backdated `--at` or hand edit), who made it, and what changed field by
/// field. Changes made outside the tool (hand edits committed with plain git,
/// merges) are shown and marked; a merge shows only what it changed itself
/// and any entry of the merged branch it left out, and work on a branch that
/// a merge discarded is still listed. The history follows the incident back
/// across a renumbering.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct LogArgs {
    #[command(flatten)]
    id: IdArg,
}

const EXAMPLES: &str = r#"Examples:
  git incident log INC-42
  # For a script: one JSON document
  git incident log INC-42 --json
  # The same commits in plain git, through their trailers
  git log --grep 'Incident: INC-42' --format='%h %an %s'"#;

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &LogArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = super::args::incident_id(ui, &ledger, &args.id.id)?;
    announce_log_index(ui, &ledger);
    let history = ledger.history(&id, None)?;
    if ctx.json {
        ui.json(&render::log::timeline_json(&history));
    } else {
        let color = ui.color();
        let text = render::log::timeline(&history, color);
        ui.page(ctx.pager());
        ui.print(&render::fit_lines(&text, ctx.terminal_width()));
    }
    Ok(())
}
