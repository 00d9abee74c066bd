use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceFlag, apply_change};

/// Decline an incident: it is not a real incident
#[derive(Debug, clap::Args)]
pub(super) struct DeclineArgs {
    #[command(flatten)]
    id: IdArg,
    /// Why it is not an incident
    #[arg(long, value_name = "TEXT", required = true)]
    why: String,
    #[command(flatten)]
    force: ForceFlag,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: DeclineArgs) -> Result<(), CliError> {
    let force = args.force.reason(Some(&args.why));
    let change = Change::Decline { why: args.why };
    apply_change(ctx, ui, &args.id.id, &change, force)
}
