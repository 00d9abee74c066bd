use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change, read_value};

/// Record an investigation finding
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct NoteArgs {
    #[command(flatten)]
    id: IdArg,
    /// The finding; `@FILE` reads it from a file
    text: String,
    #[command(flatten)]
    force: ForceArgs,
}

const EXAMPLES: &str = r#"Examples:
  git incident note INC-42 "5xx began at 18:30, right after deploy web-7f3a"
  # Found at 18:40, written down now
  git incident note 42 "Connection pool exhausted since 18:25" --at 18:40
  # A longer finding, from a file
  git incident note INC-42 @findings.md"#;

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
