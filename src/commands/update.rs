use crate::context::Context;
use crate::domain::{Audience, Change};
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change, read_value};

/// Record a stakeholder update
///
/// Share verified information, not speculation. The ledger's
/// `update_cadence` says how often each severity should hear from you.
#[derive(Debug, clap::Args)]
pub(super) struct UpdateArgs {
    #[command(flatten)]
    id: IdArg,
    /// The update; `@FILE` reads it from a file
    text: String,
    /// Who it is for
    #[arg(long, value_enum, default_value = "internal")]
    audience: AudienceArg,
    #[command(flatten)]
    force: ForceArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AudienceArg {
    Internal,
    External,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: UpdateArgs) -> Result<(), CliError> {
    let audience = match args.audience {
        AudienceArg::Internal => Audience::Internal,
        AudienceArg::External => Audience::External,
    };
    let text = read_value(ctx, &args.text)?;
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Update { text, audience },
        args.force.reason(),
    )
}
