use crate::context::Context;
use crate::domain::{Change, MitigationKind, NewMitigation};
use crate::error::CliError;
use crate::ui::Ui;

use super::args::IdArg;
use super::{ForceArgs, apply_change, read_value};

/// Record a mitigation, and print its id (M1, M2, ...)
///
/// The first mitigation marks the incident mitigated. A temporary measure (a
/// disabled flag, a scaled-up pool, a rollback) needs a cleanup plan and stays
/// on `git incident cleanup` until it is undone; give the state it changed
/// with --target, --before (the stable state to restore) and --after (the
/// temporary state now in place). `@FILE` reads a value from a file, such as
/// a config snapshot.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct MitigateArgs {
    #[command(flatten)]
    id: IdArg,
    /// What was done
    action: String,
    /// What kind of measure
    #[arg(long, value_enum, default_value = "other")]
    kind: KindArg,
    /// The measure must be undone later (needs --cleanup)
    #[arg(long, requires = "cleanup")]
    temporary: bool,
    /// How the temporary measure will be undone
    #[arg(long, value_name = "PLAN", requires = "temporary")]
    cleanup: Option<String>,
    /// What was changed: a flag, a file, a deployment
    #[arg(long, value_name = "T")]
    target: Option<String>,
    /// The stable state, which the cleanup restores (`@FILE` reads a file)
    #[arg(long, value_name = "X")]
    before: Option<String>,
    /// The temporary state now in place (`@FILE` reads a file)
    #[arg(long, value_name = "Y")]
    after: Option<String>,
    #[command(flatten)]
    force: ForceArgs,
}

const EXAMPLES: &str = r#"Examples:
  git incident mitigate INC-42 "Rolled back web-7f3a to web-7e11" --kind rollback
  # Temporary: on `git incident cleanup` until undone, with the state to restore
  git incident mitigate INC-42 "Disabled flag new-checkout-flow" --kind flag --temporary \
      --cleanup "Re-enable gradually: 10%, 50%, 100%" --target flags/checkout.toml \
      --before "enabled = true" --after "enabled = false"
  # The states from files, such as a config before and after
  git incident mitigate INC-42 "Scaled checkout to 40 pods" --kind scale --temporary \
      --cleanup "Back to 10 once the queue drains" --target deploy/checkout \
      --before @replicas-before.yaml --after @replicas-after.yaml"#;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum KindArg {
    Rollback,
    Flag,
    Scale,
    Restart,
    Throttle,
    Other,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: MitigateArgs) -> Result<(), CliError> {
    let kind = match args.kind {
        KindArg::Rollback => MitigationKind::Rollback,
        KindArg::Flag => MitigationKind::Flag,
        KindArg::Scale => MitigationKind::Scale,
        KindArg::Restart => MitigationKind::Restart,
        KindArg::Throttle => MitigationKind::Throttle,
        KindArg::Other => MitigationKind::Other,
    };
    let read = |v: Option<String>| v.map(|v| read_value(ctx, &v)).transpose();
    let mitigation = NewMitigation {
        kind: Some(kind),
        action: args.action,
        temporary: args.temporary,
        cleanup: args.cleanup,
        target: args.target,
        before: read(args.before)?,
        after: read(args.after)?,
    };
    apply_change(
        ctx,
        ui,
        &args.id.id,
        &Change::Mitigate(mitigation),
        args.force.reason(),
    )
}
