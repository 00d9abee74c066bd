use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change};

/// Acknowledge an incident: it is real, and tracking begins
///
/// Acknowledging an incident that is already acknowledged records nothing
/// and succeeds, so that scripts and pagers may run it twice.
#[derive(Debug, clap::Args)]
pub(super) struct AckArgs {
    #[command(flatten)]
    id: IdArg,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &AckArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = super::args::incident_id(ui, &ledger, &args.id.id)?;
    let stored = ledger.load(&id)?;
    let inc = &stored.incident;
    if let Some(at) = inc.acknowledged_at {
        let by = inc
            .acknowledged_by
            .as_ref()
            .map_or_else(String::new, |who| format!(" by {}", who.name()));
        ui.status(&format!(
            "{id} is already acknowledged ({}{by}); nothing to record",
            render::time(at)
        ));
        if ctx.json {
            ui.json(&render::json::unchanged(&id, inc, &stored.path));
        } else {
            ui.print(&id.to_string());
        }
        return Ok(());
    }
    apply_change(ctx, ui, &id.to_string(), &Change::Ack, args.force.reason())
}
