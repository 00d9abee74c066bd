use crate::context::Context;
use crate::error::CliError;
use crate::ledger::Ledger;
use crate::ledger::sync::SyncRequest;
use crate::render;
use crate::ui::Ui;

/// Fetch, merge and push the ledger
///
/// Runs the system `git`, so your SSH keys, credential helpers and the
/// remote's hooks apply. Incident files both sides changed are merged entry
/// by entry (no merge driver needed), in one merge commit whose trailers
/// name the merged incidents and the rules that decided; then the branch is
/// pushed, never forced, and a push lost to someone else's is merged and
/// tried again. Offline, your commits stay here and the next sync sends them.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct SyncArgs {
    /// The remote (default: the branch's upstream, else the only one, else origin)
    remote: Option<String>,
}

const EXAMPLES: &str = r#"Examples:
  # Before a hand-over, and after recording changes offline
  git incident sync
  # Another remote than the branch's upstream
  git incident sync backup
  # Sync after every change instead: in ledger.toml, [sync] after_change = true"#;

/// A sync as this command line asks for it: the merge commit is made by
/// whoever runs the command.
pub(super) fn request(ctx: &Context, remote: Option<String>) -> Result<SyncRequest, CliError> {
    let who = match ctx.committer() {
        Some(who) => who,
        None => ctx.identity()?,
    };
    Ok(SyncRequest {
        remote,
        prompt: ctx.stdin_is_terminal,
        who,
        time: ctx.now.timestamp(),
    })
}

/// `[sync] after_change`: syncs after a change; a failure is a warning,
/// the change stays committed.
pub(super) fn after_change(ctx: &Context, ui: &mut Ui, ledger: &Ledger) {
    if !ledger.config.sync.after_change {
        return;
    }
    let synced = request(ctx, None)
        .map_err(|e| e.message)
        .and_then(|r| ledger.sync(&r).map_err(|e| e.to_string()));
    match synced {
        Ok(synced) => ui.status(&render::sync::summary(&synced)),
        Err(e) => ui.warn(&format!(
            "sync after the change failed: {e}; the change is committed here, and `git incident sync` sends it later"
        )),
    }
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &SyncArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let synced = ledger.sync(&request(ctx, args.remote.clone())?)?;
    for (old, new) in &synced.renumbered {
        ui.warn(&format!(
            "{old} declared here is now {new}: {} already had an {old}; the file keeps {old} as an alias",
            synced.remote
        ));
    }
    for rule in &synced.rules {
        ui.status(&format!("merged {rule}"));
    }
    for conflict in &synced.conflicts {
        ui.warn(&format!("left for a person: {conflict}"));
    }
    ui.status(&render::sync::summary(&synced));
    if ctx.json {
        ui.json(&render::json::synced(&synced));
    }
    Ok(())
}

/// For `list` and `show`: a line where the ledger is ahead of or behind its
/// remote, as of the last fetch. A standing that cannot be read says
/// nothing: it is a courtesy, not the command's answer.
pub(super) fn say_standing(ui: &mut Ui, ledger: &Ledger) {
    if let Some(line) = ledger
        .standing()
        .ok()
        .flatten()
        .and_then(|s| render::sync::standing(&s))
    {
        ui.status(&line);
    }
}
