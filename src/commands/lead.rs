use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;
use super::args::{IdArg, who};

/// Assign or hand over the incident lead
///
/// One person coordinates response and communication.
#[derive(Debug, clap::Args)]
pub(super) struct LeadArgs {
    #[command(flatten)]
    id: IdArg,
    /// The new lead, "Name <email>", or `me`
    who: String,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &LeadArgs) -> Result<(), CliError> {
    let lead = who(ctx, &args.who, None)?;
    apply_change(ctx, ui, &args.id.id, &Change::Lead(lead), None)
}
