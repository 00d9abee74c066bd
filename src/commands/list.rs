use crate::context::Context;
use crate::domain::Status;
use crate::domain::Summary;
use crate::domain::summary::{Filter, newest_first};
use crate::error::CliError;
use crate::ledger::cache::summary::Listed;
use crate::render;
use crate::ui::Ui;

use super::args::SinceArg;

/// List incidents, newest first
#[derive(Debug, clap::Args)]
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

impl clap::builder::ValueParserFactory for Status {
    type Parser = clap::builder::ValueParser;

    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<Status>())
    }
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ListArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let filter = Filter {
        statuses: args.status.clone(),
        severities: args.sev.clone(),
        service: args.service.clone(),
        since: args.since.time(ctx)?,
        open: args.open,
    };
    let mut listed = Vec::new();
    for entry in ledger.summaries()? {
        match entry {
            Ok(l) => listed.push(l),
            Err(e) => ui.warn(&format!("skipped {e}")),
        }
    }
    let mut shown: Vec<&Listed> = listed.iter().filter(|l| filter.keeps(&l.summary)).collect();
    shown.sort_by(|a, b| newest_first(&a.summary, &b.summary));
    if ctx.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|l| render::list::row(&l.summary, &l.path))
            .collect();
        ui.json(&rows);
        return Ok(());
    }
    let rows: Vec<&Summary> = shown.iter().map(|l| &l.summary).collect();
    ui.print(&render::list::table(&rows, ctx.terminal_width()));
    super::sync::say_standing(ui, &ledger);
    Ok(())
}
