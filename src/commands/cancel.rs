use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;
use super::args::IdArg;

/// Cancel an incident: withdrawn, for example declared by mistake
#[derive(Debug, clap::Args)]
pub(super) struct CancelArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is withdrawn
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: CancelArgs) -> Result<(), CliError> {
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Cancel { why: args.why },
        None,
    )
}
