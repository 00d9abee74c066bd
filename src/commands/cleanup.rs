use crate::context::Context;
use crate::domain::cleanup::{self, Pending};
use crate::domain::{Change, Incident};
use crate::error::{CliError, USAGE};
use crate::ledger::Ledger;
use crate::render;
use crate::render::cleanup::View;
use crate::render::fit;
use crate::render::plural;
use crate::ui::Ui;

use super::apply_change;
use super::args::{IdArg, start_point};

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
pub struct CleanupArgs {
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
  git incident cleanup                   what is still in place, with the diffs
  git incident cleanup INC-42            one incident's
  git incident cleanup --overdue         in a nightly CI job: fails when one is late
  git incident cleanup --since 7d        the weekly review
  git incident cleanup --since v2.3      since a tag (any revision)
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
    },
}

pub fn run(ctx: &Context, ui: &mut Ui, args: CleanupArgs) -> Result<(), CliError> {
    match args.action {
        Some(CleanupCommand::Done {
            id,
            mitigation,
            note,
        }) => apply_change(
            ctx,
            ui,
            &id.id,
            &Change::CleanupDone { mitigation, note },
            None,
        ),
        Some(CleanupCommand::Keep {
            id,
            mitigation,
            why,
        }) => apply_change(
            ctx,
            ui,
            &id.id,
            &Change::CleanupKeep { mitigation, why },
            None,
        ),
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

/// The incidents to look at: one, or every readable one (with a warning
/// for each that is not). Returns how many could not be read.
fn load(
    ledger: &Ledger,
    ui: &mut Ui,
    id: Option<&str>,
) -> Result<(Vec<Incident>, usize), CliError> {
    if let Some(id) = id {
        return Ok((vec![ledger.load(&ledger.parse_id(id)?)?.incident], 0));
    }
    // The summaries hold every pending mitigation: no file is parsed here.
    let mut found = Vec::new();
    let mut unreadable = 0;
    for listed in ledger.summaries()? {
        match listed {
            Ok(l) => match ledger.cleanup_incident(&l) {
                Ok(incident) => found.extend(incident),
                Err(e) => {
                    unreadable += 1;
                    ui.warn(&format!("skipped {e}"));
                }
            },
            Err(e) => {
                unreadable += 1;
                ui.warn(&format!("skipped {e}"));
            }
        }
    }
    Ok((found, unreadable))
}

fn list(ctx: &Context, ui: &mut Ui, id: Option<&str>, overdue: bool) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let (incidents, unreadable) = load(&ledger, ui, id)?;
    let all = cleanup::pending(incidents.iter(), ctx.now, |severity| {
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
        ui.print(&render::cleanup::listing(&shown, view));
        if !overdue {
            let summary = render::cleanup::summary(&all, None);
            ui.print(&format!("\n{}", fit(&summary, view.width)));
        }
    } else if !overdue {
        let of = incidents.first().filter(|_| id.is_some());
        let id = of.map(|i| i.id.to_string());
        let summary = render::cleanup::summary(&all, id.as_deref());
        ui.print(&fit(&summary, view.width));
    }
    if !overdue {
        return Ok(());
    }
    if !shown.is_empty() {
        return Err(CliError::refused(format!(
            "{} of {} pending cleanup {} past the cleanup deadline",
            shown.len(),
            plural(all.len(), "temporary mitigation"),
            if shown.len() == 1 { "is" } else { "are" },
        ))
        .with_hint(
            "undo each with `git incident cleanup done <ID> <M>`, or make it permanent with `git incident cleanup keep <ID> <M> --why \"...\"`",
        ));
    }
    if unreadable > 0 {
        // A check that could not see every incident must not pass.
        return Err(CliError::new(
            USAGE,
            format!(
                "{} could not be read; the overdue check is incomplete",
                plural(unreadable, "incident file")
            ),
        )
        .with_hint("`git incident validate` shows the problems"));
    }
    ui.status(&nothing_overdue(&all));
    Ok(())
}

/// The status line when nothing is overdue: what is pending, and what
/// falls due next.
fn nothing_overdue(all: &[Pending<'_>]) -> String {
    let next = all
        .iter()
        .filter_map(|p| p.deadline.map(|d| (d.due, p)))
        .min_by_key(|(due, p)| (*due, p.incident.declared_at));
    match next {
        Some((due, p)) => format!(
            "Nothing overdue: {} pending cleanup; the next deadline is {} ({} {}).",
            plural(all.len(), "temporary mitigation"),
            render::time(due),
            p.incident.id,
            p.mitigation.id
        ),
        None if all.is_empty() => {
            "Nothing overdue: no temporary mitigations are pending cleanup.".to_owned()
        }
        None => format!(
            "Nothing overdue: {} pending cleanup, none with a deadline.",
            plural(all.len(), "temporary mitigation")
        ),
    }
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
    // One incident: matched by its id at either end, or its uid now (it
    // may have been renumbered since).
    let id = id.map(|id| ledger.parse_id(id)).transpose()?;
    let uid = id.as_ref().and_then(|id| {
        span.now
            .iter()
            .find(|s| s.incident.id == *id)
            .map(|s| s.incident.uid.clone())
    });
    let keep = |inc: &Incident| {
        id.as_ref()
            .is_none_or(|id| inc.id == *id || uid.as_ref() == Some(&inc.uid))
    };
    let then = span.then.iter().map(|s| &s.incident).filter(|i| keep(i));
    let now = span.now.iter().map(|s| &s.incident).filter(|i| keep(i));
    let report = cleanup::since(then, now);
    let (from, to) = (span.from.as_ref(), &span.to);
    if ctx.json {
        ui.json(&render::cleanup::since_json(&report, from, to));
    } else {
        ui.print(&render::cleanup::since(&report, from, to, view(ctx, ui)));
    }
    Ok(())
}
