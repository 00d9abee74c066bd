use crate::context::Context;
use crate::error::CliError;
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
pub(super) struct SyncArgs {
    /// The remote (default: the branch's upstream, else the only one, else origin)
    remote: Option<String>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &SyncArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let who = match ctx.committer() {
        Some(who) => who,
        None => ctx.identity()?,
    };
    let request = SyncRequest {
        remote: args.remote.clone(),
        prompt: ctx.stdin_is_terminal,
        who,
        time: ctx.now.timestamp(),
    };
    let synced = ledger.sync(&request)?;
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
