//! How the help pages read, for `--help` and the manual pages alike: the
//! global options under their own heading after each command's own, the
//! global `--at` explained as the command reads it, the global options a
//! command does not take left out, and each page's examples as a manual's
//! EXAMPLES section.

use clap::{Arg, Command};

use super::globals::{At, honours};

/// The heading of the options every subcommand takes, shown after the
/// command's own.
pub(super) const GLOBAL: &str = "Global options";

/// Gives every subcommand of `cmd` (and theirs) its own copy of the global
/// `--at`, `--as` and `--json`, which clap then does not propagate over:
/// `--at` with its text for that command, and each hidden where the command
/// does not take it (see `globals`). A value given still reaches the
/// top-level option.
pub(super) fn per_command(cmd: Command) -> Command {
    let cmd = globals_last(cmd);
    let global = |id: &str| {
        cmd.get_arguments()
            .find(|a| a.get_id() == id)
            .cloned()
            .expect("a global option")
    };
    let globals = [global("at"), global("act_as"), global("json")];
    with_globals(cmd, &globals, "")
}

/// The global options after each command's own, in a synopsis too (clap
/// orders a page's options by the order each struct declares them in, so
/// that the globals and the command's own would interleave).
fn globals_last(cmd: Command) -> Command {
    let globals: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .collect();
    globals.iter().enumerate().fold(cmd, |cmd, (i, id)| {
        cmd.mut_arg(id, |a| a.display_order(GLOBAL_ORDER + i))
    })
}

/// Past any display order a command's own options are given.
const GLOBAL_ORDER: usize = 1000;

fn with_globals(cmd: Command, globals: &[Arg; 3], path: &str) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    names.iter().fold(cmd, |cmd, name| {
        let path = format!("{path} {name}").trim_start().to_owned();
        let honours = honours(&path);
        let [at, act_as, json] = globals.clone();
        let at = match honours.at {
            At::EventTime => at.value_name("TIME").help(
                "When it happened, if recorded late: HH:MM (the last time the clock showed it), \
                 `yesterday 14:05`, `21:05 UTC`, RFC 3339, or an age such as `15m ago`",
            ),
            At::History => at.value_name("REV|TIME").help(
                "The point of history to read: a revision (`HEAD~3`, a commit, a tag), else a \
                 time, read as the last commit made at or before it",
            ),
            At::Ignored | At::OwnRefusal => at.hide(true),
        };
        let act_as = act_as.hide(!honours.act_as);
        let json = json.hide(!honours.json);
        cmd.mut_subcommand(name, |sub| {
            with_globals(sub.arg(at).arg(act_as).arg(json), globals, &path)
        })
    })
}

/// The examples of a page (its long help's text from `Examples:` on), as
/// roff for a manual's EXAMPLES section: the lines as they stand, unfilled,
/// so a command and its continuation lines read as in `--help`.
pub(super) fn examples_roff(cmd: &Command) -> Option<String> {
    let text = cmd.get_after_long_help()?.to_string();
    let (_, examples) = text.split_once("Examples:\n")?;
    let mut roff = String::from(".SH EXAMPLES\n.nf\n");
    for line in examples.lines() {
        roff.push_str(&roff_line(line));
        roff.push('\n');
    }
    roff.push_str(".fi\n");
    Some(roff)
}

/// One line of text for roff: backslashes and hyphens escaped, and a
/// leading `.` or `'` (a request to roff) made plain.
fn roff_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    if line.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page's examples: each `git incident ...` command, joined with
    /// its continuation lines (comment lines aside).
    fn examples(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
        if let Some(text) = cmd.get_after_long_help() {
            let text = text.to_string().replace("\\\n", " ");
            for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
                if let Some((_, rest)) = line.split_once("git incident ") {
                    out.push((path.to_owned(), rest.to_owned()));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            examples(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    /// Words as a POSIX shell splits them, for the quoting the examples
    /// use: '...', "...", and an unquoted `#`, `|`, `>` or `)` ending it.
    fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word: Option<String> = None;
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.get_or_insert_default().push(c),
                (None, '"' | '\'') => {
                    quote = Some(c);
                    word.get_or_insert_default();
                }
                (None, '#' | '|' | '>') if word.is_none() => break,
                (None, ')') => break,
                (None, c) if c.is_whitespace() => words.extend(word.take()),
                (None, c) => word.get_or_insert_default().push(c),
            }
        }
        words.extend(word);
        words
    }

    #[test]
    fn every_example_is_a_command_line_that_parses() {
        let cmd = super::super::command();
        let mut found = Vec::new();
        examples(&cmd, "", &mut found);
        assert!(found.len() > 20, "{found:?}");
        for (page, line) in &found {
            let args = std::iter::once("git-incident".to_owned()).chain(words(line));
            if let Err(e) = cmd.clone().try_get_matches_from(args) {
                panic!("the example on `{page}` does not parse: git incident {line}\n{e}");
            }
        }
    }

    #[test]
    fn splits_words_as_the_shell_does() {
        assert_eq!(
            words(r#"note 1 "a b" 'c "d"' x  # comment"#),
            ["note", "1", "a b", "c \"d\"", "x"]
        );
        assert_eq!(words("list --json | jq"), ["list", "--json"]);
        assert_eq!(words("declare x --quiet)"), ["declare", "x", "--quiet"]);
    }

    #[test]
    fn roff_lines_escape_what_roff_reads() {
        assert_eq!(roff_line(".x 'a' \\ -b"), "\\&.x \\(aqa\\(aq \\e \\-b");
    }

    #[test]
    fn pages_show_the_global_options_their_command_takes() {
        let mut cmd = super::super::command();
        cmd.build();
        let global = |path: &[&str], id: &str| {
            let mut sub = &cmd;
            for name in path {
                sub = sub.find_subcommand(name).expect("a subcommand");
            }
            let arg = sub
                .get_arguments()
                .find(|a| a.get_id() == id)
                .expect("the global option");
            (!arg.is_hide_set())
                .then(|| arg.get_help().map(ToString::to_string).unwrap_or_default())
        };
        let event_time =
            |path: &[&str]| global(path, "at").is_some_and(|h| h.starts_with("When it happened"));
        let history = |path: &[&str]| {
            global(path, "at").is_some_and(|h| h.starts_with("The point of history"))
        };
        assert!(event_time(&["ack"]));
        assert!(event_time(&["cleanup", "done"]));
        assert!(event_time(&["action", "done"]));
        assert!(history(&["show"]));
        assert!(history(&["list"]));
        for path in [
            &["man"][..],
            &["completions"],
            &["cleanup"],
            &["respond"],
            &["log"],
        ] {
            assert_eq!(global(path, "at"), None, "{path:?}");
        }
        assert!(global(&["declare"], "act_as").is_some());
        assert_eq!(global(&["list"], "act_as"), None);
        assert!(global(&["list"], "json").is_some());
        assert_eq!(global(&["man"], "json"), None);
    }
}
