//! Shell completion: `completions SHELL` prints a script for bash, zsh or
//! fish that completes both `git-incident ...` and `git incident ...` by
//! asking the hidden `__complete`, which reads the command line against
//! clap's definition (see `engine`) and the ledger in the working
//! directory for incident ids, severities and services. Elvish and
//! PowerShell get clap's static script.
//!
//! `__complete` never fails where a shell would show it: outside a ledger,
//! or with a ledger it cannot read, it offers what needs no ledger. What it
//! prints of the ledger's own text is a value no shell reads as syntax, or
//! nothing.

mod engine;

use std::ffi::OsString;

use crate::context::Context;
use crate::domain::summary::newest_first;
use crate::error::CliError;
use crate::ledger::Ledger;
use crate::ui::Ui;

use engine::{Candidate, FromLedger, Wanted};

const BASH: &str = include_str!("git-incident.bash");
const ZSH: &str = include_str!("git-incident.zsh");
const FISH: &str = include_str!("git-incident.fish");

/// Print a shell completion script
///
/// The bash, zsh and fish scripts complete both `git-incident ...` and `git
/// incident ...`: subcommands, options, and the ledger's incident ids,
/// severities and services, read from the ledger in the working directory
/// (or -C's) as you type.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct CompletionsArgs {
    /// The shell
    shell: clap_complete::Shell,
}

const EXAMPLES: &str = r#"Examples:
  # bash (with bash-completion, which git's own completion also uses)
  git incident completions bash > ~/.local/share/bash-completion/completions/git-incident
  # zsh: a folder on $fpath, before compinit runs in ~/.zshrc
  git incident completions zsh > ~/.zfunc/_git-incident
  # fish
  git incident completions fish > ~/.config/fish/completions/git-incident.fish"#;

pub(super) fn run(_ctx: &Context, ui: &mut Ui, args: &CompletionsArgs) -> Result<(), CliError> {
    use clap_complete::Shell;
    match args.shell {
        Shell::Bash => ui.print(BASH),
        Shell::Zsh => ui.print(ZSH),
        Shell::Fish => ui.print(FISH),
        shell => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut super::command(), "git-incident", &mut out);
            ui.print(&String::from_utf8_lossy(&out));
        }
    }
    Ok(())
}

/// What the completion scripts call: the words to offer, one a line, a
/// tab before the text a shell may show beside it; or, alone on the first
/// line, `:files` or `:dirs` for a path the shell completes itself.
#[derive(Debug, clap::Args)]
pub(super) struct CompleteArgs {
    /// The word under the cursor, counted from 0 among WORDS
    #[arg(long)]
    index: usize,
    /// The words after the program's name (`git-incident`, or `git
    /// incident`), as the shell split them
    #[arg(last = true, allow_hyphen_values = true)]
    words: Vec<OsString>,
}

pub(super) fn complete(ctx: &Context, ui: &mut Ui, args: &CompleteArgs) -> Result<(), CliError> {
    let mut cmd = super::command();
    cmd.build();
    let words: Vec<String> = args
        .words
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let reading = engine::read(&cmd, &words, args.index);
    let (mut words, ledger) = match reading.wanted {
        Wanted::Files | Wanted::Dirs => {
            let paths = if reading.wanted == Wanted::Dirs {
                ":dirs"
            } else {
                ":files"
            };
            ui.print(paths);
            return Ok(());
        }
        Wanted::Words { words, ledger } => (words, ledger),
    };
    if let Some(wanted) = ledger {
        let dir = reading.chdir.map_or(ctx.dir.clone(), |d| ctx.dir.join(d));
        if let Ok(ledger) = Ledger::find(&dir) {
            words.extend(from_ledger(&ledger, &wanted));
        }
    }
    let lines: Vec<String> = words
        .into_iter()
        .map(|c| match c.help {
            Some(help) if !help.is_empty() => format!("{}\t{}", c.value, shown(&help)),
            _ => c.value,
        })
        .collect();
    if !lines.is_empty() {
        ui.print(&lines.join("\n"));
    }
    Ok(())
}

/// The ledger's values that match what was typed: ids newest first, with
/// their titles, matched case-insensitively and by number (`4` offers
/// INC-4 and INC-42); the runbook's severities; the services ledger.toml
/// lists, else those the incidents name.
fn from_ledger(ledger: &Ledger, wanted: &FromLedger) -> Vec<Candidate> {
    let typed = wanted.typed.to_ascii_lowercase();
    let values: Vec<Candidate> = match wanted.kind {
        engine::Ledger::Ids => {
            let mut summaries: Vec<_> = ledger
                .summaries()
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|l| l.summary)
                .collect();
            summaries.sort_by(newest_first);
            summaries
                .into_iter()
                .map(|s| Candidate::new(s.id.to_string(), Some(s.title)))
                .filter(|c| {
                    let id = c.value.to_ascii_lowercase();
                    id.starts_with(&typed)
                        || id
                            .rsplit_once('-')
                            .is_some_and(|(_, n)| !typed.is_empty() && n.starts_with(&typed))
                })
                .collect()
        }
        engine::Ledger::Severities => ledger
            .runbook
            .severities
            .iter()
            .map(|s| Candidate::new(s.name.clone(), Some(s.description.clone())))
            .collect(),
        engine::Ledger::Services => {
            let mut services = ledger.settings().services;
            if services.is_empty() {
                services = ledger
                    .summaries()
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .flat_map(|l| l.summary.services)
                    .collect();
                services.sort();
                services.dedup();
            }
            services
                .into_iter()
                .map(|s| Candidate::new(s, None))
                .collect()
        }
    };
    values
        .into_iter()
        .filter(|c| plain(&c.value))
        .filter(|c| {
            wanted.kind == engine::Ledger::Ids || c.value.to_ascii_lowercase().starts_with(&typed)
        })
        .map(|c| Candidate::new(format!("{}{}", wanted.prefix, c.value), c.help))
        .collect()
}

/// A value every shell takes as a word as it stands: letters, digits and
/// `._:/@+-`. A service named `$(rm -rf ~)` in a hand-edited ledger.toml,
/// or one with a space or a control character, is left out.
fn plain(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('-')
        && !value.starts_with(':')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "._:/@+-".contains(c))
}

/// The text shown beside a word: one line, no tab or control character,
/// at most 60 characters.
fn shown(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_values_reach_a_shell() {
        for ok in ["checkout-api", "SEV-1", "eu/web", "db:primary", "café"] {
            assert!(plain(ok), "{ok}");
        }
        for bad in [
            "",
            "$(rm -rf ~)",
            "a b",
            "a\tb",
            "a\nb",
            "`id`",
            "x;y",
            "-rf",
            ":files",
            "a*",
            "\u{1b}[8m",
        ] {
            assert!(!plain(bad), "{bad:?}");
        }
    }

    #[test]
    fn shown_text_is_one_short_line() {
        assert_eq!(shown("a\tb\nc\u{1b}d"), "a b c d");
        assert_eq!(shown(&"x".repeat(70)).chars().count(), 63);
    }
}
