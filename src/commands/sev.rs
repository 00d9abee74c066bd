use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceFlag, apply_change};

/// Change an incident's severity
#[derive(Debug, clap::Args)]
pub(super) struct SevArgs {
    #[command(flatten)]
    id: IdArg,
    /// The new severity, such as SEV-1
    severity: String,
    /// Why the severity changed; kept in the commit
    #[arg(long, value_name = "TEXT")]
    why: Option<String>,
    #[command(flatten)]
    force: ForceFlag,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: SevArgs) -> Result<(), CliError> {
    let force = args.force.reason(args.why.as_deref());
    let change = Change::Severity {
        to: args.severity,
        why: args.why,
    };
    apply_change(ctx, ui, &args.id.id, &change, force)
}
