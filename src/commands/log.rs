use crate::context::Context;
use crate::domain::CommitId;
use crate::error::CliError;
use crate::ledger::{Ledger, LedgerError};
use crate::render;
use crate::ui::Ui;

/// The audit timeline of one incident, from git history
///
/// Every commit that changed the incident's file, oldest first: when it was
/// recorded (the commit's time), when it happened where that differs (a
/// backdated `--at` or hand edit), who made it, and what changed field by
/// field. Changes made outside the tool (hand edits committed with plain git,
/// merges) are shown and marked; a merge shows only what it changed itself
/// and any entry of the merged branch it left out, and work on a branch that
/// a merge discarded is still listed. The history follows the incident back
/// across a renumbering.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The incident, such as INC-42 (or just 42)
    id: String,
}

pub fn run(ctx: &Context, ui: &mut Ui, args: &LogArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = ledger.parse_id(&args.id)?;
    announce_commit_graph(ui, &ledger);
    let history = ledger.history(&id, None)?;
    if ctx.json {
        ui.json(&render::log::timeline_json(&history));
    } else {
        let color = ui.color();
        let text = render::log::timeline(&history, color);
        ui.print(&render::fit_lines(&text, ctx.terminal_width()));
    }
    Ok(())
}

/// Says so before a history read that will first write git's commit-graph
/// for the whole history: on a large ledger that takes a while, once.
pub(super) fn announce_commit_graph(ui: &mut Ui, ledger: &Ledger) {
    if ledger.commit_graph_missing() {
        ui.status(
            "Writing git's commit-graph with changed-path filters (once; every later history read is fast)...",
        );
    }
}

/// Reads a point in history as a revision first (`HEAD~3`, a commit, a tag),
/// then as a time (the last commit made at or before it).
pub(super) fn point(
    ctx: &Context,
    ledger: &Ledger,
    what: &str,
    text: &str,
) -> Result<CommitId, CliError> {
    let time = ctx.parse_time(what, text).ok();
    Ok(ledger.resolve_point(text, time)?)
}

/// As [`point`], where a time before the first commit means the state before
/// anything was recorded (`None`): the start of a `diff` or `--since`.
pub(super) fn start_point(
    ctx: &Context,
    ledger: &Ledger,
    what: &str,
    text: &str,
) -> Result<Option<CommitId>, CliError> {
    let time = ctx.parse_time(what, text).ok();
    match ledger.resolve_point(text, time) {
        Ok(commit) => Ok(Some(commit)),
        Err(LedgerError::BeforeHistory { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `3f2a1b4c (2026-11-26 18:40 UTC)`.
pub(super) fn label(ledger: &Ledger, commit: &CommitId) -> Result<String, CliError> {
    Ok(format!(
        "{} ({})",
        commit.short(),
        render::time(ledger.commit_time(commit)?)
    ))
}
