use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;
use super::args::IdArg;

/// Reopen a resolved, closed or exited incident (back to acknowledged)
#[derive(Debug, clap::Args)]
pub(super) struct ReopenArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is reopened
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: ReopenArgs) -> Result<(), CliError> {
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Reopen { why: args.why },
        None,
    )
}
