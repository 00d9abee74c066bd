use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;
use super::args::IdArg;

/// Decline an incident: it is not a real incident
#[derive(Debug, clap::Args)]
pub(super) struct DeclineArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is not an incident
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: DeclineArgs) -> Result<(), CliError> {
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Decline { why: args.why },
        None,
    )
}
