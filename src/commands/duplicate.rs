use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::{ForceArgs, apply_change};

/// Mark an incident a duplicate of another
#[derive(Debug, clap::Args)]
pub(super) struct DuplicateArgs {
    /// The duplicate, such as INC-43
    id: String,
    /// The incident it duplicates, such as INC-42
    #[arg(long, value_name = "ID", required = true)]
    of: String,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: DuplicateArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let of = ledger.parse_id(&args.of)?.to_string();
    apply_change(
        ctx,
        ui,
        &args.id,
        &Change::Duplicate { of },
        args.force.reason(),
    )
}
