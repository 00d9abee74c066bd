use clap::CommandFactory;

use crate::context::Context;
use crate::error::{CliError, Kind};
use crate::ui::Ui;

use super::Cli;

/// Print the manual page (roff)
///
/// For example: `git-incident man > ~/.local/share/man/man1/git-incident.1`.
#[derive(Debug, clap::Args)]
pub(super) struct ManArgs {}

pub(super) fn run(_ctx: &Context, ui: &mut Ui, _args: &ManArgs) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command().name("git-incident"))
        .render(&mut out)
        .map_err(|e| CliError::new(Kind::Internal, format!("cannot render the manual: {e}")))?;
    ui.print(&String::from_utf8_lossy(&out));
    Ok(())
}
