use crate::context::Context;
use crate::domain::Change;
use crate::domain::cleanup::{self, OneIncident, Pending};
use crate::error::CliError;
use crate::render;
use crate::render::cleanup::View;
use crate::render::fit;
use crate::ui::Ui;

use super::args::{IdArg, start_point};
use super::{ForceArgs, ForceFlag, apply_change};

/// Temporary mitigations still in place, and their cleanup
///
/// Without a subcommand, lists every pending temporary mitigation of the
/// ledger (or of incident ID), grouped by incident, oldest first: severity,
/// mitigation id, kind, action, who applied it and how long ago, the cleanup
/// deadline, the cleanup plan and the target. Under each comes a unified
/// diff from `after` (the temporary state now in place) to `before` (the
/// stable state to restore): the change the cleanup must make. Where
/// `mitigate` recorded no before/after, the plan is the cleanup.
///
/// Deadlines come from `[cleanup]` in ledger.toml: `deadline` (default
/// 14d) and `by_severity` (SEV-1 and SEV-2: 7d), counted from when the
/// incident was mitigated. `--overdue` lists only what is past its deadline
/// and exits 1 when anything is, 0 when nothing is: made for a scheduled CI
/// job.
///
/// `--since REV|TIME` compares the ledger at a commit (or the last commit at
/// or before a time such as `7d` or `2026-11-20`) with HEAD: temporary
/// mitigations added, cleaned up and made permanent since then, for the
/// weekly operations review. One added and cleaned up in between shows in
/// both groups.
///
/// `cleanup done ID M` records that a measure was undone; `cleanup keep ID M
/// --why TEXT` makes it permanent, so it is no longer pending and its history
/// says why. Each is one commit. `close` is refused while an incident has
/// pending temporary mitigations.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, after_long_help = EXAMPLES)]
pub(super) struct CleanupArgs {
    #[command(subcommand)]
    action: Option<CleanupCommand>,
    /// Only this incident's mitigations, such as INC-42
    id: Option<String>,
    /// Only those past their cleanup deadline; exit 1 when there is any
    #[arg(long, conflicts_with = "since")]
    overdue: bool,
    /// What was added, cleaned up or made permanent since a revision (a
    /// commit, a tag, `HEAD~5`) or a time (`7d`, `2026-11-20 09:00`)
    #[arg(long, value_name = "REV|TIME")]
    since: Option<String>,
}

const EXAMPLES: &str = "\
Examples:
  git incident cleanup                   # what is still in place, with the diffs
  git incident cleanup INC-42            # one incident's
  git incident cleanup --overdue         # in a nightly CI job: fails when one is late
  git incident cleanup --since 7d        # the weekly review
  git incident cleanup --since v2.3      # since a tag (any revision)
  git incident cleanup done INC-42 M1 --note \"flag back at 100%\"
  git incident cleanup keep INC-42 M2 --why \"40 pods is the new baseline\"";

#[derive(Debug, clap::Subcommand)]
enum CleanupCommand {
    /// Record that a temporary mitigation was undone
    Done {
        #[command(flatten)]
        id: IdArg,
        /// The mitigation, such as M1
        mitigation: String,
        /// How it was cleaned up
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        force: ForceArgs,
    },
    /// Make a temporary mitigation permanent, so it is no longer pending
    Keep {
        #[command(flatten)]
        id: IdArg,
        /// The mitigation, such as M1
        mitigation: String,
        /// Why it stays; kept in the incident and the commit
        #[arg(long, value_name = "TEXT", required = true)]
        why: String,
        #[command(flatten)]
        force: ForceFlag,
    },
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: CleanupArgs) -> Result<(), CliError> {
    match args.action {
        Some(CleanupCommand::Done {
            id,
            mitigation,
            note,
            force,
        }) => apply_change(
            ctx,
            ui,
            &id.id,
            &Change::CleanupDone { mitigation, note },
            force.reason(),
        ),
        Some(CleanupCommand::Keep {
            id,
            mitigation,
            why,
            force,
        }) => {
            let force = force.reason(Some(&why));
            let change = Change::CleanupKeep { mitigation, why };
            apply_change(ctx, ui, &id.id, &change, force)
        }
        None => match &args.since {
            Some(since) => changes_since(ctx, ui, args.id.as_deref(), since),
            None => list(ctx, ui, args.id.as_deref(), args.overdue),
        },
    }
}

fn view(ctx: &Context, ui: &Ui) -> View {
    View {
        color: ui.color(),
        width: ctx.terminal_width(),
    }
}

fn list(ctx: &Context, ui: &mut Ui, id: Option<&str>, overdue: bool) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = id.map(|id| ledger.parse_id(id)).transpose()?;
    let found = ledger.pending_cleanups(id.as_ref())?;
    for e in &found.unreadable {
        ui.warn(&format!("skipped {e}"));
    }
    let all = cleanup::pending(found.incidents.iter(), ctx.now, |severity| {
        ledger.config.cleanup_deadline(severity)
    });
    let shown: Vec<Pending<'_>> = all
        .iter()
        .filter(|p| !overdue || p.is_overdue())
        .copied()
        .collect();
    let view = view(ctx, ui);
    if ctx.json {
        ui.json(&render::cleanup::listing_json(&shown, &all, ctx.now));
    } else if !shown.is_empty() {
        ui.page(ctx.pager());
        ui.print(&render::cleanup::listing(&shown, view));
        if !overdue {
            let summary = render::cleanup::summary(&all, None);
            ui.print(&format!("\n{}", fit(&summary, view.width)));
        }
    } else if !overdue {
        let of = found.incidents.first().filter(|_| id.is_some());
        let id = of.map(|i| i.id.to_string());
        let summary = render::cleanup::summary(&all, id.as_deref());
        ui.print(&fit(&summary, view.width));
    }
    if !overdue {
        return Ok(());
    }
    if !shown.is_empty() {
        return Err(
            CliError::refused(render::cleanup::overdue(shown.len(), all.len()))
                .with_hint(render::cleanup::OVERDUE_HINT),
        );
    }
    if !found.unreadable.is_empty() {
        // A check that could not see every incident must not pass.
        return Err(
            CliError::usage(render::cleanup::incomplete(found.unreadable.len()))
                .with_hint(render::cleanup::INCOMPLETE_HINT),
        );
    }
    ui.status(&render::cleanup::nothing_overdue(&all));
    Ok(())
}

fn changes_since(
    ctx: &Context,
    ui: &mut Ui,
    id: Option<&str>,
    since: &str,
) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    // A time before the ledger's first commit: nothing was recorded yet.
    let from = start_point(ctx, &ledger, "--since", since)?;
    let span = ledger.cleanup_span(from.as_ref())?;
    for e in &span.unreadable {
        ui.warn(&format!("skipped {e}"));
    }
    let id = id.map(|id| ledger.parse_id(id)).transpose()?;
    let one = id.map(|id| OneIncident::new(id, span.now.iter().map(|s| &s.incident)));
    let keep = |inc: &&_| one.as_ref().is_none_or(|one| one.matches(inc));
    let then = span.then.iter().map(|s| &s.incident).filter(keep);
    let now = span.now.iter().map(|s| &s.incident).filter(keep);
    let report = cleanup::since(then, now);
    let (from, to) = (span.from.as_ref(), &span.to);
    if ctx.json {
        ui.json(&render::cleanup::since_json(&report, from, to));
    } else {
        ui.page(ctx.pager());
        ui.print(&render::cleanup::since(&report, from, to, view(ctx, ui)));
    }
    Ok(())
}
