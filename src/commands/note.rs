use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change, read_value};

/// Record an investigation finding
#[derive(Debug, clap::Args)]
pub(super) struct NoteArgs {
    #[command(flatten)]
    id: IdArg,
    /// The finding; `@FILE` reads it from a file
    text: String,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: NoteArgs) -> Result<(), CliError> {
    let text = read_value(ctx, &args.text)?;
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Note(text),
        args.force.reason(),
    )
}
