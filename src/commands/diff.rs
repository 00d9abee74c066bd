use crate::context::Context;
use crate::domain::CommitId;
use crate::domain::delta::diff;
use crate::error::CliError;
use crate::ledger::{Ledger, Stored};
use crate::render;
use crate::render::diff::Side;
use crate::ui::Ui;

use super::args::{IdArg, announce_log_index, label, point, start_point};

/// The incident between two points of history
///
/// First what changed, in words (fields changed, entries added or removed),
/// then the file's text diff. Without a revision: the incident's last change.
/// With one: from it to HEAD. With two: from the first to the second.
/// `--since REV|TIME` is the hand-over brief for a new incident lead:
/// everything that changed since then.
#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    #[command(flatten)]
    id: IdArg,
    /// Revisions: a commit, a branch, `HEAD~3`, a tag, or a time
    #[arg(value_name = "REV", num_args = 0..=2, conflicts_with = "since")]
    revs: Vec<String>,
    /// Everything since this revision or time (`2h ago`, `14:05`, a commit)
    #[arg(long, value_name = "REV|TIME")]
    since: Option<String>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &DiffArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = super::args::incident_id(ui, &ledger, &args.id.id)?;
    let head = ledger.head_commit()?;
    announce_log_index(ui, &ledger);
    let (from, to): (Option<CommitId>, CommitId) = match (&args.since, args.revs.as_slice()) {
        (Some(since), _) => (start_point(ctx, &ledger, "--since", since)?, head.clone()),
        (None, [a]) => (start_point(ctx, &ledger, "REV", a)?, head.clone()),
        (None, [a, b]) => (
            start_point(ctx, &ledger, "REV", a)?,
            point(ctx, &ledger, "REV", b)?,
        ),
        _ => {
            let history = ledger.history(&id, None)?;
            let last = history
                .revisions
                .last()
                .ok_or_else(|| CliError::refused(format!("{id} has no history on this branch")))?;
            (last.parents.first().cloned(), last.commit.clone())
        }
    };
    let read = |commit: Option<&CommitId>| -> Result<Option<Stored>, CliError> {
        match commit {
            Some(c) => Ok(ledger.load_as_of(c, &id)?),
            None => Ok(None),
        }
    };
    let (old, new) = (read(from.as_ref())?, read(Some(&to))?);
    if old.is_none() && new.is_none() {
        return Err(CliError::refused(format!(
            "{id} exists at neither point of history"
        )));
    }
    let deltas = diff(
        old.as_ref().map(|s| &s.incident),
        new.as_ref().map(|s| &s.incident),
    );
    let side = |commit: Option<&CommitId>,
                stored: &Option<Stored>,
                ledger: &Ledger|
     -> Result<String, CliError> {
        match commit {
            Some(c) => label(ledger, c),
            None => Ok(if stored.is_none() {
                "(none)".into()
            } else {
                String::new()
            }),
        }
    };
    let from_side = Side {
        label: side(from.as_ref(), &old, &ledger)?,
        text: old.as_ref().map(|s| s.text.as_str()),
    };
    let to_side = Side {
        label: side(Some(&to), &new, &ledger)?,
        text: new.as_ref().map(|s| s.text.as_str()),
    };
    if ctx.json {
        ui.json(&render::diff::json(
            &id,
            from.as_ref(),
            &to,
            &deltas,
            (&from_side, &to_side),
        ));
    } else {
        let color = ui.color();
        ui.page(ctx.pager());
        ui.print(&render::diff::diff(
            &id.to_string(),
            &from_side,
            &to_side,
            &deltas,
            color,
            ctx.terminal_width(),
        ));
    }
    Ok(())
}
