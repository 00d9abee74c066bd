use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::apply_change;

/// Acknowledge an incident: it is real, and tracking begins
#[derive(Debug, clap::Args)]
pub struct AckArgs {
    /// The incident, such as INC-42 (or just 42)
    id: String,
}

pub fn run(ctx: &Context, ui: &mut Ui, args: &AckArgs) -> Result<(), CliError> {
    apply_change(ctx, ui, &args.id, &Change::Ack, None)
}
