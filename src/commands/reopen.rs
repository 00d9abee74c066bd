use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceFlag, apply_change};

/// Reopen a resolved, closed or exited incident (back to acknowledged)
#[derive(Debug, clap::Args)]
pub(super) struct ReopenArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is reopened
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
    #[command(flatten)]
    force: ForceFlag,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: ReopenArgs) -> Result<(), CliError> {
    let force = args.force.reason(Some(&args.why));
    let change = Change::Reopen { why: args.why };
    apply_change(ctx, ui, &args.id.id, &change, force)
}
