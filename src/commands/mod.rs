//! The command line: one file per subcommand, each an `XArgs` (whose doc
//! comment is its `--help`) and a `run`. Commands parse, call the ledger or
//! the runbook, render and print; they hold no git2 call, no TOML and no rule.

mod ack;
mod action;
mod args;
mod cancel;
mod cleanup;
mod close;
mod completions;
mod declare;
mod decline;
mod diff;
mod duplicate;
mod globals;
mod help;
mod init;
mod lead;
mod list;
mod log;
mod man;
mod merge_driver;
mod mitigate;
mod note;
mod reopen;
mod report;
mod resolve;
mod respond;
mod review;
mod runbook;
mod sev;
mod show;
mod stats;
mod sync;
mod update;
mod validate;
mod verify;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::context::{Context, GlobalArgs};
use crate::domain::Change;
use crate::domain::given::{Given, given};
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;

use help::GLOBAL;

/// A git-backed incident ledger.
///
/// Each incident is one TOML file in a git repository, and every change is one
/// commit, so the repository's history is the audit timeline. Start with
/// `git incident init`, then `git incident declare "<title>"`.
#[derive(Debug, Parser)]
#[command(
    name = "git-incident",
    bin_name = "git incident",
    version,
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// Run as if started in DIR (also GIT_INCIDENT_DIR)
    #[arg(
        short = 'C',
        global = true,
        value_name = "DIR",
        id = "chdir",
        value_hint = clap::ValueHint::DirPath,
        help_heading = GLOBAL
    )]
    dir: Option<PathBuf>,
    /// Print one JSON document on stdout, for scripts
    #[arg(long, global = true, help_heading = GLOBAL)]
    json: bool,
    /// Act as another responder
    #[arg(
        long = "as",
        global = true,
        value_name = "\"NAME <EMAIL>\"",
        help_heading = GLOBAL
    )]
    act_as: Option<String>,
    /// For a state change: when it happened, if recorded late (HH:MM,
    /// `yesterday 14:05`, `21:05 UTC`, RFC 3339, or an age such as `15m
    /// ago`). For list, show and stats: the point of history to read (a
    /// revision, or a time)
    #[arg(long, global = true, value_name = "TIME|REV", help_heading = GLOBAL)]
    at: Option<String>,
    /// Say nothing on stderr but warnings and errors
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    quiet: bool,
    /// Never colour the output (also NO_COLOR; CLICOLOR_FORCE=1 forces it)
    #[arg(long, global = true, help_heading = GLOBAL)]
    no_color: bool,
    /// Never page long output (GIT_PAGER, core.pager, PAGER, less)
    #[arg(long, global = true, help_heading = GLOBAL)]
    no_pager: bool,
    #[command(subcommand)]
    command: Command,
}

/// The command line as clap reads it and as `--help`, the manual pages and
/// the completions show it (see `help`).
pub(crate) fn command() -> clap::Command {
    help::per_command(Cli::command())
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    Declare(declare::DeclareArgs),
    Ack(ack::AckArgs),
    Lead(lead::LeadArgs),
    Sev(sev::SevArgs),
    Note(note::NoteArgs),
    Update(update::UpdateArgs),
    Mitigate(mitigate::MitigateArgs),
    Cleanup(cleanup::CleanupArgs),
    Resolve(resolve::ResolveArgs),
    Respond(respond::RespondArgs),
    Review(review::ReviewArgs),
    Action(action::ActionArgs),
    Close(close::CloseArgs),
    Reopen(reopen::ReopenArgs),
    Decline(decline::DeclineArgs),
    Duplicate(duplicate::DuplicateArgs),
    Cancel(cancel::CancelArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Log(log::LogArgs),
    Diff(diff::DiffArgs),
    Report(report::ReportArgs),
    Stats(stats::StatsArgs),
    Validate(validate::ValidateArgs),
    Verify(verify::VerifyArgs),
    Sync(sync::SyncArgs),
    Runbook(runbook::RunbookArgs),
    Completions(completions::CompletionsArgs),
    #[command(name = "__complete", hide = true)]
    Complete(completions::CompleteArgs),
    Man(man::ManArgs),
    #[command(hide = true)]
    MergeDriver(merge_driver::MergeDriverArgs),
}

/// Runs the command line and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let wants_json = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json");
    let parsed = command()
        .try_get_matches_from(args)
        .and_then(|m| Ok((globals::path(&m), Cli::from_arg_matches(&m)?)));
    let (path, cli) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // Through Ui, not clap's own printer: clap quotes the arguments
            // it could not read as they are, control characters and all.
            let mut ui = Ui::new(true, false);
            let text = e.render().ansi().to_string();
            if e.use_stderr() {
                ui.status(text.trim_end());
                if wants_json {
                    ui.error_json(&CliError::usage_from_clap(&e.render().to_string()));
                }
            } else {
                ui.print(&text);
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let globals = GlobalArgs {
        dir: cli.dir,
        act_as: cli.act_as,
        at: cli.at,
        json: cli.json,
        quiet: cli.quiet,
        no_color: cli.no_color,
        no_pager: cli.no_pager,
    };
    let ctx = Context::from_env(globals.clone());
    let mut ui = Ui::new(
        ctx.as_ref().map_or(!globals.no_color, |c| c.color),
        globals.quiet,
    );
    let result = globals::refuse_ignored(&path, &globals)
        .and(ctx)
        .and_then(|ctx| dispatch(&ctx, &mut ui, cli.command));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            ui.error(&e);
            if globals.json {
                ui.error_json(&e);
            }
            ExitCode::from(e.code())
        }
    }
}

fn dispatch(ctx: &Context, ui: &mut Ui, command: Command) -> Result<u8, CliError> {
    match command {
        Command::Init(args) => init::run(ctx, ui, &args),
        Command::Declare(args) => declare::run(ctx, ui, args),
        Command::Ack(args) => ack::run(ctx, ui, &args),
        Command::Lead(args) => lead::run(ctx, ui, &args),
        Command::Sev(args) => sev::run(ctx, ui, args),
        Command::Note(args) => note::run(ctx, ui, args),
        Command::Update(args) => update::run(ctx, ui, args),
        Command::Mitigate(args) => mitigate::run(ctx, ui, args),
        Command::Cleanup(args) => cleanup::run(ctx, ui, args),
        Command::Resolve(args) => resolve::run(ctx, ui, args),
        Command::Respond(args) => respond::run(ctx, ui, &args),
        Command::Review(args) => review::run(ctx, ui, args),
        Command::Action(args) => action::run(ctx, ui, args),
        Command::Close(args) => close::run(ctx, ui, args),
        Command::Reopen(args) => reopen::run(ctx, ui, args),
        Command::Decline(args) => decline::run(ctx, ui, args),
        Command::Duplicate(args) => duplicate::run(ctx, ui, args),
        Command::Cancel(args) => cancel::run(ctx, ui, args),
        Command::List(args) => list::run(ctx, ui, &args),
        Command::Show(args) => show::run(ctx, ui, &args),
        Command::Log(args) => log::run(ctx, ui, &args),
        Command::Diff(args) => diff::run(ctx, ui, &args),
        Command::Report(args) => report::run(ctx, ui, &args),
        Command::Stats(args) => stats::run(ctx, ui, &args),
        Command::Validate(args) => validate::run(ctx, ui, &args),
        Command::Verify(args) => verify::run(ctx, ui, &args),
        Command::Sync(args) => sync::run(ctx, ui, &args),
        Command::Runbook(args) => runbook::run(ctx, ui, &args),
        Command::Completions(args) => completions::run(ctx, ui, &args),
        Command::Complete(args) => completions::complete(ctx, ui, &args),
        Command::Man(args) => man::run(ctx, ui, &args),
        Command::MergeDriver(args) => merge_driver::run(ctx, ui, &args),
    }?;
    Ok(0)
}

/// `--force --why`: override a rule that would refuse the change; the
/// override is recorded in the incident and in the commit.
#[derive(Debug, Clone, clap::Args)]
struct ForceArgs {
    /// Override a rule that refuses this change (needs --why)
    #[arg(long, requires = "why")]
    force: bool,
    /// Why the rule is overridden; kept in the incident and the commit
    #[arg(long, requires = "force", value_name = "TEXT")]
    why: Option<String>,
}

impl ForceArgs {
    fn reason(&self) -> Option<String> {
        self.force.then(|| self.why.clone()).flatten()
    }
}

/// `--force` on a command whose own `--why` is required or recorded anyway:
/// that reason is the override's too.
#[derive(Debug, Clone, clap::Args)]
struct ForceFlag {
    /// Override a rule that refuses this change; --why is kept as the reason
    #[arg(long, requires = "why")]
    force: bool,
}

impl ForceFlag {
    fn reason(&self, why: Option<&str>) -> Option<String> {
        self.force.then(|| why.map(str::to_owned)).flatten()
    }
}

/// Applies one change and reports it: what happened on stderr, the id (or
/// the id of what was created) on stdout, or one JSON document.
fn apply_change(
    ctx: &Context,
    ui: &mut Ui,
    id: &str,
    change: &Change,
    force: Option<String>,
) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = args::incident_id(ui, &ledger, id)?;
    let actor = ctx.actor(force)?;
    let committed = ledger.apply(&id, change, &actor)?;
    let times = ctx.at.as_ref().map(|_| ("event time", actor.at));
    report(ctx, ui, &committed, times.as_slice());
    sync::after_change(ctx, ui, &ledger);
    Ok(())
}

/// Says what a change did on stderr, with every time the command line gave
/// as the ledger understood it (`times`: what each is, and when), and prints
/// its id or its JSON on stdout.
fn report(
    ctx: &Context,
    ui: &mut Ui,
    committed: &crate::ledger::Committed,
    times: &[(&str, DateTime<Utc>)],
) {
    let short = committed.commit.short();
    // git falls back to a text merge in silence where the driver is missing.
    if !crate::ledger::driver::registered_at(&ctx.dir) {
        ui.warn("this clone has no incident merge driver: `git pull` merges incident files as plain text; run `git incident init --clone`");
    }
    let said = committed.hooks_said.trim_end();
    if !said.is_empty() {
        ui.status(said);
    }
    for rule in &committed.applied.overridden {
        ui.warn(&format!("overrode: {rule}"));
    }
    ui.status(&format!(
        "{}: {} ({short})",
        committed.id, committed.applied.summary
    ));
    for (what, t) in times {
        let local = ctx.local_offset(*t);
        ui.status(&format!("  {what}: {}", render::time_and_local(*t, local)));
    }
    if ctx.json {
        ui.json(&render::json::applied(
            &committed.id,
            &committed.applied,
            &committed.commit,
            &committed.path,
            &committed.incident,
        ));
    } else {
        ui.print(
            &committed
                .applied
                .created
                .clone()
                .unwrap_or_else(|| committed.id.to_string()),
        );
    }
}

/// Reads `@path` values from a file; `@@` escapes a literal `@`; anything
/// else is the value itself (see [`crate::domain::given`], which guided
/// response's prompts read the same way).
fn read_value(ctx: &Context, value: &str) -> Result<String, CliError> {
    match given(value) {
        Given::Text(text) => Ok(text.to_owned()),
        Given::File(path) => crate::ledger::read_given_text(&ctx.dir, Path::new(path))
            .map_err(|e| CliError::usage(format!("cannot read {path}: {e}"))),
    }
}
