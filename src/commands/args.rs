//! What several commands read the same way: the incident id, a person given
//! as `me` or `Name <email>`, `--since`, and points of history (`--at`, a
//! revision or a time). One place, so `show` does not borrow from `log`.

use chrono::{DateTime, Utc};

use crate::context::Context;
use crate::domain::{CommitId, Identity};
use crate::error::CliError;
use crate::ledger::{Ledger, LedgerError};
use crate::render;
use crate::ui::Ui;

/// The incident a command acts on.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct IdArg {
    /// The incident, such as INC-42
    pub(super) id: String,
}

/// The incident a user named, following a renumbering with a notice.
pub(super) fn incident_id(
    ui: &mut Ui,
    ledger: &Ledger,
    text: &str,
) -> Result<crate::domain::IncidentId, CliError> {
    let named = ledger.resolve_id(text)?;
    if let Some(old) = &named.former {
        ui.warn(&format!(
            "{old} is now {}: a sync renumbered it, as the remote had given {old} to another incident",
            named.id
        ));
    }
    for other in &named.also {
        ui.warn(&format!(
            "{} was also the id of what is now {other}: a sync renumbered that one; \
             this is {}, use {other} for the other",
            named.id, named.id
        ));
    }
    Ok(named.id)
}

/// `--since T`: only what was declared since then.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct SinceArg {
    /// Only incidents declared since then: a time, or an age such as `7d`
    #[arg(long, value_name = "T")]
    since: Option<String>,
}

impl SinceArg {
    /// The time given, read in the context's clock and zone.
    pub(super) fn time(&self, ctx: &Context) -> Result<Option<DateTime<Utc>>, CliError> {
        self.since
            .as_deref()
            .map(|t| ctx.parse_time("--since", t))
            .transpose()
    }
}

/// A person given on the command line: `me` (the configured identity) or
/// `Name <email>`. `what` names the argument in the error, such as
/// `--owner`; `None` for a positional argument.
pub(super) fn who(ctx: &Context, text: &str, what: Option<&str>) -> Result<Identity, CliError> {
    if text == "me" {
        return ctx.identity();
    }
    Identity::parse(text).map_err(|e| match what {
        Some(what) => CliError::refused(format!("{what}: {e}")),
        None => CliError::refused(e.to_string()),
    })
}

/// The global `--at` as a point of history, where given.
pub(super) fn at(ctx: &Context, ledger: &Ledger) -> Result<Option<CommitId>, CliError> {
    ctx.at
        .as_deref()
        .map(|at| point(ctx, ledger, "--at", at))
        .transpose()
}

/// Reads a point in history as a revision first (`HEAD~3`, a commit, a tag),
/// then as a time (the last commit made at or before it).
pub(super) fn point(
    ctx: &Context,
    ledger: &Ledger,
    what: &str,
    text: &str,
) -> Result<CommitId, CliError> {
    let time = time_of(ctx, what, text)?;
    Ok(ledger.resolve_point(text, time)?)
}

/// `text` as a time, if it reads as one. One outside the years the ledger
/// accepts is an error, not a revision to try (before 1970 silently meant
/// the present).
fn time_of(
    ctx: &Context,
    what: &str,
    text: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, CliError> {
    match ctx.parse_time(what, text) {
        Ok(t) => Ok(Some(t)),
        Err(_) if !ctx.time_out_of_range(text) => Ok(None),
        Err(e) => Err(e),
    }
}

/// As [`point`], where a time before the first commit means the state before
/// anything was recorded (`None`): the start of a `diff` or `--since`.
pub(super) fn start_point(
    ctx: &Context,
    ledger: &Ledger,
    what: &str,
    text: &str,
) -> Result<Option<CommitId>, CliError> {
    let time = time_of(ctx, what, text)?;
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

/// Says so before a history read that must first index many commits (a
/// first read on a large ledger, or after a large pull): once.
pub(super) fn announce_log_index(ui: &mut Ui, ledger: &Ledger) {
    if let Some(commits) = ledger.log_index_work() {
        ui.status(&format!(
            "Indexing the ledger's history: {commits} commits (once; later reads walk only new commits)..."
        ));
    }
}
