use crate::context::Context;
use crate::domain::when::parse_date;
use crate::domain::{ActionKind, Change, NewAction};
use crate::error::CliError;
use crate::ui::Ui;

use super::args::{IdArg, who};
use super::{ForceArgs, apply_change};

/// Follow-up actions: add one (printing its id, A1, A2, ...) or mark one done
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct ActionArgs {
    #[command(subcommand)]
    done: Option<ActionCommand>,
    /// The incident, such as INC-42
    #[arg(required = true)]
    id: Option<String>,
    /// What should be done
    #[arg(required = true)]
    text: Option<String>,
    /// Who owns it, "Name <email>", or `me`
    #[arg(long, value_name = "WHO", required = true)]
    owner: Option<String>,
    /// What it improves
    #[arg(long, value_enum, default_value = "preventive")]
    kind: KindArg,
    /// When it is due, YYYY-MM-DD; a date in the past needs --force
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    #[command(flatten)]
    force: ForceArgs,
}

#[derive(Debug, clap::Subcommand)]
enum ActionCommand {
    /// Mark a follow-up action done
    Done {
        #[command(flatten)]
        id: IdArg,
        /// The action, such as A1
        action: String,
        #[command(flatten)]
        force: ForceArgs,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum KindArg {
    /// Find it sooner: monitoring, alerts
    Detective,
    /// Keep it from happening: safeguards, tests, safer deploys
    Preventive,
    /// Fix what broke
    Corrective,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: ActionArgs) -> Result<(), CliError> {
    if let Some(ActionCommand::Done { id, action, force }) = args.done {
        let change = Change::ActionDone { action };
        return apply_change(ctx, ui, &id.id, &change, force.reason());
    }
    let (Some(id), Some(text), Some(owner)) = (args.id, args.text, args.owner) else {
        return Err(CliError::usage(
            "an action needs an incident, a text and --owner",
        ));
    };
    let owner = who(ctx, &owner, Some("--owner"))?;
    let due = args
        .due
        .as_deref()
        .map(|d| {
            parse_date(d).map_err(|e| {
                CliError::usage(format!("--due: {e}"))
                    .with_hint("give the date as YYYY-MM-DD, such as 2026-12-10")
            })
        })
        .transpose()?;
    let kind = match args.kind {
        KindArg::Detective => ActionKind::Detective,
        KindArg::Preventive => ActionKind::Preventive,
        KindArg::Corrective => ActionKind::Corrective,
    };
    let change = Change::Action(NewAction {
        text,
        owner,
        kind,
        due,
    });
    apply_change(ctx, ui, &id, &change, args.force.reason())
}
