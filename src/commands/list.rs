use crate::context::Context;
use crate::domain::Summary;
use crate::domain::summary::{Filter, newest_first};
use crate::domain::{Identity, IncidentId, Status};
use crate::error::CliError;
use crate::ledger::cache::summary::Listed;
use crate::render;
use crate::ui::Ui;

use super::args::SinceArg;

/// List incidents, newest first
#[derive(Debug, clap::Args)]
pub struct ListArgs {
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

pub fn run(ctx: &Context, ui: &mut Ui, args: &ListArgs) -> Result<(), CliError> {
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
        // Serialised straight from the summaries: no JSON tree of
        // thousands of rows is built first.
        #[derive(serde::Serialize)]
        struct Row<'a> {
            id: &'a IncidentId,
            title: &'a str,
            severity: &'a str,
            status: &'a str,
            lead: &'a Option<Identity>,
            services: &'a [String],
            declared_at: String,
            pending_cleanups: usize,
            path: &'a std::path::Path,
        }
        let rows: Vec<Row<'_>> = shown
            .iter()
            .map(|l| {
                let i = &l.summary;
                Row {
                    id: &i.id,
                    title: &i.title,
                    severity: &i.severity,
                    status: i.status.as_str(),
                    lead: &i.lead,
                    services: &i.services,
                    declared_at: i.declared_at.to_rfc3339(),
                    pending_cleanups: i.pending_cleanups,
                    path: &l.path,
                }
            })
            .collect();
        ui.json(&rows);
        return Ok(());
    }
    let rows: Vec<&Summary> = shown.iter().map(|l| &l.summary).collect();
    ui.print(&render::list::table(&rows, ctx.terminal_width()));
    Ok(())
}
