use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change};

/// Mark an incident resolved: service restored and stable
///
/// Monitor system health and confirm error rates are back to normal first.
#[derive(Debug, clap::Args)]
pub(super) struct ResolveArgs {
    #[command(flatten)]
    id: IdArg,
    /// How it was resolved
    #[arg(long, value_name = "TEXT")]
    summary: Option<String>,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: ResolveArgs) -> Result<(), CliError> {
    let change = Change::Resolve {
        summary: args.summary,
    };
    apply_change(ctx, ui, &args.id.id, &change, args.force.reason())
}
