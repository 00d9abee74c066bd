use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceFlag, apply_change};

/// Cancel an incident: withdrawn, for example declared by mistake
#[derive(Debug, clap::Args)]
pub(super) struct CancelArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is withdrawn
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
    #[command(flatten)]
    force: ForceFlag,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: CancelArgs) -> Result<(), CliError> {
    let force = args.force.reason(Some(&args.why));
    let change = Change::Cancel { why: args.why };
    apply_change(ctx, ui, &args.id.id, &change, force)
}
