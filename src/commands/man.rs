//! The manual pages, from the same definitions as `--help`: one page per
//! subcommand, named as git names its own (`git-incident-declare.1`), so
//! that `git incident --help` and `git help incident`, which git turns into
//! `man git-incident`, find a page, and the top page's SEE ALSO names pages
//! that exist.

use std::path::PathBuf;

use crate::context::Context;
use crate::error::{CliError, Kind};
use crate::ui::Ui;

/// Print the manual page, or write every page into a folder
///
/// Without --dir, prints the top page (roff) on stdout. With --dir, writes
/// git-incident.1 and one page per subcommand (git-incident-declare.1,
/// git-incident-cleanup-done.1, ...) into DIR, creating it, and prints each
/// file written.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:
  # Where man finds them, when ~/.cargo/bin is on PATH
  git incident man --dir ~/.cargo/share/man/man1
  # Read the top page without installing it
  git incident man | man -l -")]
pub(super) struct ManArgs {
    /// Write every page into DIR instead of printing the top page
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    dir: Option<PathBuf>,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ManArgs) -> Result<(), CliError> {
    let pages = pages();
    let Some(dir) = &args.dir else {
        let (_, top) = pages.into_iter().next().ok_or_else(no_page)?;
        ui.print(&String::from_utf8_lossy(&top?));
        return Ok(());
    };
    let dir = ctx.dir.join(dir);
    let count = pages.len();
    for (name, page) in pages {
        let path = dir.join(&name);
        crate::ledger::write_atomic(&path, &page?)?;
        ui.print(&path.display().to_string());
    }
    ui.status(&format!(
        "Wrote {count} manual pages into {}; `man git-incident` reads them where {} is on man's path",
        dir.display(),
        dir.display()
    ));
    Ok(())
}

fn no_page() -> CliError {
    CliError::new(Kind::Internal, "there is no manual page to render")
}

/// Every page, the top one first: (file name, roff).
fn pages() -> Vec<(String, Result<Vec<u8>, CliError>)> {
    let mut cmd = super::command()
        .name("git-incident")
        .disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    pages
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Result<Vec<u8>, CliError>)>) {
    // The examples as a section of their own, in place of clap_mangen's
    // EXTRA, which would fill them into one paragraph.
    let examples = super::help::examples_roff(cmd);
    let bare = match examples {
        Some(_) => cmd
            .clone()
            .after_long_help(None::<&str>)
            .after_help(None::<&str>),
        None => cmd.clone(),
    };
    let man = clap_mangen::Man::new(bare);
    let mut out = Vec::new();
    let page = man
        .render(&mut out)
        .map(|()| with_examples(out, examples.as_deref()))
        .map_err(|e| CliError::new(Kind::Internal, format!("cannot render the manual: {e}")));
    pages.push((man.get_filename(), page));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages);
    }
}

/// The page with its EXAMPLES section before VERSION, as man pages order
/// them, or at the end.
fn with_examples(page: Vec<u8>, examples: Option<&str>) -> Vec<u8> {
    let Some(examples) = examples else {
        return page;
    };
    let page = String::from_utf8_lossy(&page);
    let at = page.find("\n.SH VERSION").map_or(page.len(), |i| i + 1);
    let (head, tail) = page.split_at(at);
    format!("{head}{examples}{tail}").into_bytes()
}
