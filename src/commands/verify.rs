use crate::context::Context;
use crate::error::CliError;
use crate::render;
use crate::ui::Ui;

/// Audit the ledger's integrity
///
/// Errors (exit 1): incident files changed but not committed; history
/// rewritten since the last verified point (an amend, rebase, reset or
/// force-push that dropped or replaced the commit a successful `verify`
/// recorded in refs/git-incident/verified); commits whose
/// `Incident-Change` trailer does not match what they changed; and, where
/// signing is configured (commit.gpgsign, or gpg.format ssh with
/// gpg.ssh.allowedSignersFile), a commit that is unsigned, signed by a key
/// git does not trust, or signed by someone other than its committer.
/// Warnings (exit 0): commits made outside the tool, with their author.
/// A run without errors records HEAD as the verified point.
#[derive(Debug, clap::Args)]
pub(super) struct VerifyArgs {}

pub(super) fn run(ctx: &Context, ui: &mut Ui, _args: &VerifyArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let audit = ledger.audit()?;
    if !audit.failed()
        && let Some(head) = &audit.head
    {
        ledger.mark_verified(head)?;
    }
    if ctx.json {
        ui.json(&render::json::verified(&audit));
    } else {
        for line in render::verify::findings(&audit) {
            ui.print(&line);
        }
    }
    let summary = render::verify::summary(&audit);
    if audit.failed() {
        Err(CliError::refused(summary))
    } else {
        ui.status(&summary);
        Ok(())
    }
}
