use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change};

/// Close a resolved incident
///
/// Refused while temporary mitigations are still in place, and for the
/// severities in `review_required` (ledger.toml) while the review or the
/// follow-up actions are missing. A closed incident changes only through
/// `reopen` (follow-up actions and cleanups can still be marked done).
#[derive(Debug, clap::Args)]
pub(super) struct CloseArgs {
    #[command(flatten)]
    id: IdArg,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: CloseArgs) -> Result<(), CliError> {
    apply_change(ctx, ui, &args.id.id, &Change::Close, args.force.reason())
}
