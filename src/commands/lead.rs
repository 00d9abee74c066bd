use crate::context::Context;
use crate::domain::{Change, Identity};
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;

/// Assign or hand over the incident lead
///
/// One person coordinates response and communication.
#[derive(Debug, clap::Args)]
pub struct LeadArgs {
    /// The incident, such as INC-42
    id: String,
    /// The new lead, "Name <email>", or `me`
    who: String,
}

pub fn run(ctx: &Context, ui: &mut Ui, args: &LeadArgs) -> Result<(), CliError> {
    let who = if args.who == "me" {
        ctx.identity()?
    } else {
        Identity::parse(&args.who).map_err(|e| CliError::refused(e.to_string()))?
    };
    apply_change(ctx, ui, &args.id, &Change::Lead(who), None)
}
