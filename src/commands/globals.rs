//! Which global options each command honours, in one table that both the
//! refusal of an option a command would ignore and the help pages read: a
//! page shows the options its command takes, and only those.

use clap::ArgMatches;

use crate::context::GlobalArgs;
use crate::error::CliError;

/// What the global `--at` is to a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// Not read: refused.
    Ignored,
    /// A change's event time, if recorded late.
    EventTime,
    /// The point of history a read shows.
    History,
    /// Refused by the command itself, which says why (`respond`).
    OwnRefusal,
}

/// Which global options a command honours: `--at`, `--as` (whom a change
/// is recorded for) and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Honours {
    pub(super) at: At,
    pub(super) act_as: bool,
    pub(super) json: bool,
}

/// By the command's path as typed, such as `cleanup done`; a subcommand
/// not named honours what its parent does.
pub(super) fn honours(path: &str) -> Honours {
    let change = Honours {
        at: At::EventTime,
        act_as: true,
        json: true,
    };
    let read = Honours {
        at: At::Ignored,
        act_as: false,
        json: true,
    };
    let history = Honours {
        at: At::History,
        ..read
    };
    let prints = Honours {
        json: false,
        ..read
    };
    match path {
        "declare" | "ack" | "lead" | "sev" | "note" | "update" | "mitigate" | "resolve"
        | "review" | "action" | "close" | "reopen" | "decline" | "duplicate" | "cancel"
        | "cleanup done" | "cleanup keep" | "merge-driver" => change,
        "respond" => Honours {
            at: At::OwnRefusal,
            ..change
        },
        "init" | "sync" => Honours {
            act_as: true,
            ..read
        },
        "list" | "show" | "stats" => history,
        "completions" | "__complete" | "man" => prints,
        path => match path.rsplit_once(' ') {
            Some((parent, _)) => honours(parent),
            None => read,
        },
    }
}

/// The command's path as typed: its name and its subcommand's, such as
/// `cleanup done`.
pub(super) fn path(matches: &ArgMatches) -> String {
    let mut names = Vec::new();
    let mut matches = matches;
    while let Some((name, sub)) = matches.subcommand() {
        names.push(name);
        matches = sub;
    }
    names.join(" ")
}

/// Refuses a global option the command would ignore: a responder who
/// asks `list --at 14:00` and gets today's list has been misled.
pub(super) fn refuse_ignored(path: &str, globals: &GlobalArgs) -> Result<(), CliError> {
    let honours = honours(path);
    let refuse = |flag: &str, hint: &str| {
        Err(
            CliError::usage(format!("{flag} does not apply to `git incident {path}`"))
                .with_hint(hint),
        )
    };
    if globals.at.is_some() && honours.at == At::Ignored {
        return refuse(
            "--at",
            "--at gives a change's event time, or the point of history for list, show and stats",
        );
    }
    if globals.act_as.is_some() && !honours.act_as {
        return refuse(
            "--as",
            "--as names whom a change is recorded for; reads are the same for everyone",
        );
    }
    if globals.json && !honours.json {
        return refuse("--json", "this command prints no JSON");
    }
    Ok(())
}
