use crate::context::Context;
use crate::error::CliError;
use crate::ui::Ui;

/// Print a shell completion script
///
/// For example: `git-incident completions bash > ~/.local/share/bash-completion/completions/git-incident`.
#[derive(Debug, clap::Args)]
pub(super) struct CompletionsArgs {
    /// The shell
    shell: clap_complete::Shell,
}

pub(super) fn run(_ctx: &Context, ui: &mut Ui, args: &CompletionsArgs) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut super::command(), "git-incident", &mut out);
    ui.print(&String::from_utf8_lossy(&out));
    Ok(())
}
