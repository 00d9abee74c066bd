use crate::context::Context;
use crate::error::CliError;
use crate::ledger::LedgerError;
use crate::render;
use crate::ui::Ui;

use super::args::{self, IdArg, label};

/// Show one incident
///
/// With the global `--at REV|TIME`, shows the incident as it stood then: a
/// revision (`HEAD~3`, a commit id, a tag), else a time, read as the last
/// commit made at or before it (what the responders had recorded by then).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct ShowArgs {
    #[command(flatten)]
    id: IdArg,
}

const EXAMPLES: &str = r#"Examples:
  git incident show INC-42
  # As it stood at 14:05: what the responders knew then
  git incident show 42 --at 14:05
  # Three commits ago, every field, for a script
  git incident show INC-42 --at HEAD~3 --json"#;

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ShowArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = super::args::incident_id(ui, &ledger, &args.id.id)?;
    let (stored, commit) = match args::at(ctx, &ledger)? {
        None => (ledger.load(&id)?, None),
        Some(commit) => {
            let stored = ledger.load_as_of(&commit, &id)?.ok_or_else(|| {
                LedgerError::unknown_incident(
                    &id,
                    format!("{id} did not exist yet at {}", commit.short()),
                )
            })?;
            ui.status(&format!("{id} as it stood at {}", label(&ledger, &commit)?));
            (stored, Some(commit))
        }
    };
    if ctx.json {
        ui.json(&render::json::shown(
            &stored.incident,
            &stored.path,
            commit.as_ref(),
        ));
    } else {
        let color = ui.color();
        let text = render::incident::show(&stored.incident, color);
        ui.page(ctx.pager());
        ui.print(&render::fit_lines(&text, ctx.terminal_width()));
        super::sync::say_standing(ui, &ledger);
    }
    Ok(())
}
