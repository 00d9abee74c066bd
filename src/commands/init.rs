use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::{Author, Ledger};
use crate::render;
use crate::ui::Ui;

/// Create an incident ledger
///
/// Writes ledger.toml (settings), runbook.toml (the response runbook, which
/// guided response follows), incidents/ and .gitattributes, plus the JSON
/// Schemas editors validate against, and commits them as one commit; then
/// registers the incident merge driver in the clone's git config. Runs
/// `git init` first where DIR is not inside a repository. A dedicated ledger
/// repository is recommended: incident files on code branches change whenever
/// someone switches branch.
#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
    /// Where to create the ledger (default: the current folder)
    #[arg(value_hint = clap::ValueHint::DirPath)]
    dir: Option<PathBuf>,
    /// In a clone of an existing ledger: register the incident merge driver
    /// in this clone's git config (it is never committed), and nothing else
    #[arg(long = "clone")]
    clone: bool,
    /// Also install a pre-commit hook that refuses a commit of invalid
    /// incident files (`validate --staged`); in an existing ledger, only
    /// install the hook
    #[arg(long)]
    hooks: bool,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &InitArgs) -> Result<(), CliError> {
    let dir = args
        .dir
        .as_ref()
        .map_or(ctx.dir.clone(), |d| ctx.dir.join(d));
    if args.clone {
        let ledger = Ledger::find(&dir)?;
        ledger.register_driver(&ctx.driver_command())?;
        ui.status(&format!(
            "Registered the incident merge driver for {}",
            ledger.root().display()
        ));
        return Ok(());
    }
    if args.hooks
        && let Ok(ledger) = Ledger::find(&dir)
    {
        return install_hook(ctx, ui, &ledger);
    }
    let who = ctx.identity()?;
    let author = Author {
        name: who.name().to_owned(),
        email: who.email().to_owned(),
        time: ctx.now.timestamp(),
    };
    let made = Ledger::init(&dir, &author)?;
    let ledger = Ledger::find(&made.root)?;
    ledger.register_driver(&ctx.driver_command())?;
    if args.hooks {
        install_hook(ctx, ui, &ledger)?;
    }
    if made.created_repository {
        ui.status(&format!(
            "Initialized a git repository in {}",
            made.root.display()
        ));
    }
    ui.status(&format!(
        "Created an incident ledger in {} ({})",
        made.root.display(),
        made.commit.short()
    ));
    ui.status("Next: `git incident respond` to be guided, or `git incident declare \"<title>\" --sev SEV-2`.");
    if ctx.json {
        ui.json(&render::json::initialized(
            &made.root,
            &made.commit,
            made.created_repository,
        ));
    } else {
        ui.print(&made.root.display().to_string());
    }
    Ok(())
}

fn install_hook(ctx: &Context, ui: &mut Ui, ledger: &Ledger) -> Result<(), CliError> {
    let path = ledger.install_hook(&ctx.exe())?;
    ui.status(&format!(
        "Installed a pre-commit hook that validates staged incident files: {}",
        path.display()
    ));
    Ok(())
}
