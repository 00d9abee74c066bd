use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::{IdArg, who};
use super::{ForceArgs, apply_change};

/// Assign or hand over the incident lead
///
/// One person coordinates response and communication.
#[derive(Debug, clap::Args)]
pub(super) struct LeadArgs {
    #[command(flatten)]
    id: IdArg,
    /// The new lead, "Name <email>", or `me`
    who: String,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &LeadArgs) -> Result<(), CliError> {
    let lead = who(ctx, &args.who, None)?;
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Lead(lead),
        args.force.reason(),
    )
}
