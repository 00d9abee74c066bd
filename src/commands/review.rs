use crate::context::Context;
use crate::domain::{Change, ReviewFields};
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;
use crate::ui::editor::{self, Unsaved};

use super::args::IdArg;
use super::{ForceArgs, apply_change, read_value};

/// Record the post-incident review
///
/// Give any of the fields; the others keep their value. Without fields, on a
/// terminal, the review opens in the editor git would (GIT_EDITOR,
/// core.editor, VISUAL, EDITOR); with none configured, it asks first. The
/// timeline of events is generated from the ledger's history, not written
/// here.
#[derive(Debug, clap::Args)]
pub(super) struct ReviewArgs {
    #[command(flatten)]
    id: IdArg,
    /// What happened (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    what_happened: Option<String>,
    /// The root cause (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    root_cause: Option<String>,
    /// What worked well (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    went_well: Option<String>,
    /// What failed (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    went_wrong: Option<String>,
    #[command(flatten)]
    force: ForceArgs,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: ReviewArgs) -> Result<(), CliError> {
    let read = |v: Option<String>| v.map(|v| read_value(ctx, &v)).transpose();
    let mut fields = ReviewFields {
        what_happened: read(args.what_happened)?,
        root_cause: read(args.root_cause)?,
        went_well: read(args.went_well)?,
        went_wrong: read(args.went_wrong)?,
    };
    if fields == ReviewFields::default() {
        fields = edit(ctx, &args.id.id)?;
    }
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Review(fields),
        args.force.reason(),
    )
}

/// Opens the review in the editor, one `## Section` per field.
fn edit(ctx: &Context, id: &str) -> Result<ReviewFields, CliError> {
    if !(ctx.stdin_is_terminal && ctx.stdout_is_terminal) {
        return Err(
            CliError::usage("no review field given, and no terminal to open an editor")
                .with_hint("give --what-happened, --root-cause, --went-well or --went-wrong"),
        );
    }
    let ledger = ctx.ledger()?;
    let stored = ledger.load(&ledger.parse_id(id)?)?;
    let template = render::review::template(&stored.incident);
    let program = match ctx.editor() {
        Some(program) => program,
        None => editor::fallback("the review")
            .ok_or_else(|| {
                CliError::usage("no editor is configured; nothing recorded").with_hint(format!(
                    "set one with `git config --global core.editor nano` (or {}), or give --what-happened, --root-cause, --went-well or --went-wrong",
                    editor::SETTINGS
                ))
            })?
            .to_owned(),
    };
    let text = editor::edit(&program, &template, Unsaved::Discard)
        .map_err(|e| CliError::usage(format!("the editor failed: {e}")))?
        .ok_or_else(|| CliError::refused("the review was not saved; nothing recorded"))?;
    Ok(render::review::read(&text))
}
