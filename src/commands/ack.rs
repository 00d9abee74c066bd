use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;
use super::args::IdArg;

/// Acknowledge an incident: it is real, and tracking begins
#[derive(Debug, clap::Args)]
pub(super) struct AckArgs {
    #[command(flatten)]
    id: IdArg,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &AckArgs) -> Result<(), CliError> {
    apply_change(ctx, ui, &args.id.id, &Change::Ack, None)
}
