use crate::context::Context;
use crate::domain::stats::{GroupBy, compute};
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;

use super::args::{self, SinceArg, label};

/// Ledger metrics, reproducible from any revision
///
/// Counts by severity and status; response times over every incident but
/// the exits (declined, duplicate, cancelled), as median and 90th percentile
/// (nearest rank): time to declare = impact start to declaration; time to
/// acknowledge = declaration to acknowledgement; time to mitigate = impact
/// start to the first mitigation; time to resolve = impact start to
/// resolution. Documentation lag = record time (the commit's) minus event
/// time (`--at`), over the tool's changes that record an event; hand edits
/// carry no event time and are left out. Pending temporary mitigations and
/// those past the ledger's cleanup deadline (counted from when the incident
/// was mitigated); resolved or closed incidents of severities that need a
/// review whose review lacks what happened or the root cause.
///
/// With the global `--at REV|TIME`, everything is read at that commit (the
/// incident files and the history up to it) and overdue is judged at its
/// time, so the same revision always gives the same numbers. Without it:
/// HEAD, judged now.
#[derive(Debug, clap::Args)]
pub(super) struct StatsArgs {
    #[command(flatten)]
    since: SinceArg,
    /// Also break the figures down by severity or by service
    #[arg(long, value_enum, value_name = "BY")]
    by: Option<By>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum By {
    Severity,
    Service,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &StatsArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let since = args.since.time(ctx)?;
    let (commit, as_of) = match args::at(ctx, &ledger)? {
        Some(commit) => {
            let time = ledger.commit_time(&commit)?;
            (commit, time)
        }
        None => (ledger.head_commit()?, ctx.now),
    };
    let mut incidents = Vec::new();
    for found in ledger.incidents_for_metrics_at(&commit)? {
        match found {
            Ok(incident) => incidents.push(incident),
            Err(e) => ui.warn(&format!("skipped {e}")),
        }
    }
    if ledger.change_records_uncached() {
        ui.status("Reading every commit's trailers (once; later runs read only new commits)...");
    }
    let records = ledger.change_records(&commit, since)?;
    let by = args.by.map(|b| match b {
        By::Severity => GroupBy::Severity,
        By::Service => GroupBy::Service,
    });
    let stats = compute(
        &incidents,
        &records,
        by,
        since,
        as_of,
        |sev| ledger.config.cleanup_deadline(sev),
        &ledger.config.review_required,
    );
    if ctx.json {
        ui.json(&render::stats::json(&stats, &commit));
    } else {
        let color = ui.color();
        ui.page(ctx.pager());
        ui.print(&render::stats::stats(
            &stats,
            &label(&ledger, &commit)?,
            color,
        ));
    }
    Ok(())
}
