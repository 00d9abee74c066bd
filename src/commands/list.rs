use crate::context::Context;
use crate::domain::Status;
use crate::domain::Summary;
use crate::domain::runbook::severity_named;
use crate::domain::summary::{Filter, newest_first};
use crate::error::CliError;
use crate::ledger::cache::summary::Listed;
use crate::render;
use crate::ui::Ui;

use std::path::PathBuf;

use crate::ledger::LedgerError;

use super::args::{self, SinceArg};

/// List incidents, newest first
///
/// With the global `--at REV|TIME`, lists the incidents as they stood then
/// ("what was open at 14:00?"): a revision, else the last commit made at or
/// before the time.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct ListArgs {
    /// Only incidents in this status (repeat for several)
    #[arg(long, value_name = "S")]
    status: Vec<Status>,
    /// Only incidents of this severity (repeat for several)
    #[arg(long, value_name = "S")]
    sev: Vec<String>,
    /// Only incidents affecting this service
    #[arg(long, value_name = "S")]
    service: Option<String>,
    #[command(flatten)]
    since: SinceArg,
    /// Only open incidents: declared, acknowledged or mitigated
    #[arg(long)]
    open: bool,
}

const EXAMPLES: &str = r#"Examples:
  # What is going on now
  git incident list --open
  # The last 30 days' SEV-1s of one service
  git incident list --sev SEV-1 --service checkout-api --since 30d
  # For scripts: every field, one JSON document
  git incident list --status resolved --json"#;

impl clap::builder::ValueParserFactory for Status {
    type Parser = clap::builder::ValueParser;

    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<Status>())
    }
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ListArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let known = ledger.runbook.severity_names();
    let severities = args
        .sev
        .iter()
        .map(|sev| {
            severity_named(&known, sev).cloned().ok_or_else(|| {
                CliError::usage(format!("--sev: unknown severity `{sev}`"))
                    .with_hint(format!("the runbook's severities are {}", known.join(", ")))
            })
        })
        .collect::<Result<_, _>>()?;
    let filter = Filter {
        statuses: args.status.clone(),
        severities,
        service: args.service.clone(),
        since: args.since.time(ctx)?,
        open: args.open,
    };
    let mut listed: Vec<(PathBuf, Summary)> = Vec::new();
    let skipped = |ui: &mut Ui, e: LedgerError| ui.warn(&format!("skipped {e}"));
    match args::at(ctx, &ledger)? {
        None => {
            for entry in ledger.summaries()? {
                match entry {
                    Ok(Listed { path, summary, .. }) => listed.push((path, summary)),
                    Err(e) => skipped(ui, e),
                }
            }
        }
        Some(commit) => {
            ui.status(&format!(
                "The incidents as they stood at {}",
                args::label(&ledger, &commit)?
            ));
            for entry in ledger.summaries_at(&commit)? {
                match entry {
                    Ok(l) => listed.push((l.path, l.summary)),
                    Err(e) => skipped(ui, e),
                }
            }
        }
    }
    let mut shown: Vec<&(PathBuf, Summary)> =
        listed.iter().filter(|(_, s)| filter.keeps(s)).collect();
    shown.sort_by(|a, b| newest_first(&a.1, &b.1));
    if ctx.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|(path, summary)| render::list::row(summary, path))
            .collect();
        ui.json(&rows);
        return Ok(());
    }
    let rows: Vec<&Summary> = shown.iter().map(|(_, s)| s).collect();
    ui.page(ctx.pager());
    ui.print(&render::list::table(&rows, ctx.terminal_width()));
    super::sync::say_standing(ui, &ledger);
    Ok(())
}
