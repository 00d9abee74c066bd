//! What a shell should offer for the word under the cursor, read from the
//! command line so far against clap's definition of the commands: the
//! subcommands, the options, their possible values, paths, or values only
//! the ledger knows (ids, severities, services), which the caller fills in.
//! Pure: no ledger, no terminal.

use std::path::PathBuf;

use clap::{Arg, Command, ValueHint};

/// Values only the ledger knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ledger {
    Ids,
    Severities,
    Services,
}

/// One thing to offer, with the text a shell may show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    pub(super) value: String,
    pub(super) help: Option<String>,
}

impl Candidate {
    pub(super) fn new(value: impl Into<String>, help: Option<String>) -> Self {
        Self {
            value: value.into(),
            help,
        }
    }
}

/// Values of the ledger's that the word wants, which the caller adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FromLedger {
    pub(super) kind: Ledger,
    /// What each value is written after (`--sev=`), usually nothing.
    pub(super) prefix: String,
    /// What was typed of the value, to match the values against.
    pub(super) typed: String,
}

/// What the word under the cursor wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Wanted {
    /// These words, already matched against what was typed, and maybe
    /// values of the ledger's.
    Words {
        words: Vec<Candidate>,
        ledger: Option<FromLedger>,
    },
    /// A path to a file or folder, which the shell completes itself.
    Files,
    /// A path to a folder.
    Dirs,
}

/// A reading of the words typed after the program's name: what the one at
/// `index` wants, and the `-C` folder given, which ledger values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reading {
    pub(super) wanted: Wanted,
    pub(super) chdir: Option<PathBuf>,
}

/// Which ledger values an argument takes, by its id.
fn ledger_values(arg: &Arg) -> Option<Ledger> {
    match arg.get_id().as_str() {
        "id" | "of" => Some(Ledger::Ids),
        "sev" | "severity" => Some(Ledger::Severities),
        "service" | "services" => Some(Ledger::Services),
        _ => None,
    }
}

/// Statuses, for `list --status`, whose parser clap cannot list.
fn fixed_values(arg: &Arg) -> Vec<Candidate> {
    if arg.get_id() == "status" {
        return crate::domain::Status::ALL
            .iter()
            .map(|s| Candidate::new(s.as_str(), None))
            .collect();
    }
    arg.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| Candidate::new(v.get_name(), v.get_help().map(ToString::to_string)))
        .collect()
}

/// `words` are what follows the program's name (`git-incident`, or `git
/// incident`); `index` is the word under the cursor, `words.len()` for a
/// new one. `cmd` must be built, so that the global options are on every
/// subcommand.
pub(super) fn read(cmd: &Command, words: &[String], index: usize) -> Reading {
    let mut walk = Walk {
        cmd,
        positionals: 0,
        pending: None,
        options_ended: false,
        chdir: None,
    };
    for word in words.iter().take(index) {
        walk.step(word);
    }
    let current = words.get(index).map_or("", String::as_str);
    let previous = index.checked_sub(1).and_then(|i| words.get(i));
    let wanted = walk.wanted(current, previous.map(String::as_str));
    Reading {
        wanted,
        chdir: walk.chdir,
    }
}

struct Walk<'a> {
    cmd: &'a Command,
    /// Positional words given to `cmd` so far.
    positionals: usize,
    /// An option whose value comes next.
    pending: Option<&'a Arg>,
    options_ended: bool,
    chdir: Option<PathBuf>,
}

impl<'a> Walk<'a> {
    fn step(&mut self, word: &str) {
        if let Some(arg) = self.pending.take() {
            // bash splits `--sev=SEV-1` at the `=`: the value follows it.
            if word == "=" {
                self.pending = Some(arg);
            } else {
                self.took(arg, word);
            }
            return;
        }
        if !self.options_ended && word == "--" {
            self.options_ended = true;
            return;
        }
        if !self.options_ended && word.starts_with("--") {
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (word, None),
            };
            if let Some(arg) = self.long(&name[2..]) {
                match value {
                    Some(value) => self.took(arg, value),
                    None if arg.get_action().takes_values() => self.pending = Some(arg),
                    None => {}
                }
            }
            return;
        }
        if !self.options_ended && word.len() > 1 && word.starts_with('-') {
            for (at, c) in word.char_indices().skip(1) {
                let Some(arg) = self.short(c) else {
                    return;
                };
                if arg.get_action().takes_values() {
                    let rest = &word[at + c.len_utf8()..];
                    if rest.is_empty() {
                        self.pending = Some(arg);
                    } else {
                        self.took(arg, rest);
                    }
                    return;
                }
            }
            return;
        }
        if self.positionals == 0
            && let Some(sub) = self.subcommand(word)
        {
            self.cmd = sub;
            self.options_ended = false;
            return;
        }
        self.positionals += 1;
    }

    /// `-C` given twice (git's, then this program's) counts from the
    /// first, as git's own do.
    fn took(&mut self, arg: &Arg, value: &str) {
        if arg.get_id() == "chdir" {
            self.chdir = Some(match self.chdir.take() {
                Some(first) => std::path::Path::new(&first).join(value),
                None => value.into(),
            });
        }
    }

    fn long(&self, name: &str) -> Option<&'a Arg> {
        self.cmd.get_arguments().find(|a| {
            a.get_long() == Some(name)
                || a.get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&name))
        })
    }

    fn short(&self, c: char) -> Option<&'a Arg> {
        self.cmd.get_arguments().find(|a| a.get_short() == Some(c))
    }

    fn subcommand(&self, word: &str) -> Option<&'a Command> {
        self.cmd
            .get_subcommands()
            .find(|s| s.get_name() == word || s.get_all_aliases().any(|a| a == word))
    }

    /// The positional argument the next positional word would be.
    fn positional(&self) -> Option<&'a Arg> {
        let mut before = self.positionals;
        for arg in self.cmd.get_positionals() {
            let most = arg.get_num_args().map_or(1, |n| n.max_values()).max(1);
            if before < most {
                return Some(arg);
            }
            before -= most;
        }
        None
    }

    fn wanted(&self, current: &str, previous: Option<&str>) -> Wanted {
        if let Some(arg) = self.pending {
            // bash: `--sev=` puts the cursor on the `=` itself.
            let current = if current == "=" && previous.is_some() {
                ""
            } else {
                current
            };
            return values(arg, "", current);
        }
        if !self.options_ended
            && current.starts_with("--")
            && let Some((name, value)) = current.split_once('=')
        {
            return match self.long(&name[2..]) {
                Some(arg) if arg.get_action().takes_values() => {
                    values(arg, &format!("{name}="), value)
                }
                _ => words(Vec::new()),
            };
        }
        if !self.options_ended && current.starts_with('-') {
            return words(matching(self.options(), current));
        }
        let mut offered = Vec::new();
        if self.positionals == 0 {
            offered.extend(
                self.cmd
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| Candidate::new(s.get_name(), about(s))),
            );
        }
        let Some(arg) = self.positional() else {
            return words(matching(offered, current));
        };
        match values(arg, "", current) {
            Wanted::Words { words: own, ledger } => {
                offered = matching(offered, current);
                offered.extend(own);
                Wanted::Words {
                    words: offered,
                    ledger,
                }
            }
            paths if offered.is_empty() => paths,
            _ => words(matching(offered, current)),
        }
    }

    /// Every option `cmd` shows in its help, by its long name, else its
    /// short one.
    fn options(&self) -> Vec<Candidate> {
        self.cmd
            .get_arguments()
            .filter(|a| !a.is_positional() && !a.is_hide_set())
            .flat_map(|a| {
                let help = a.get_help().map(|h| first_line(&h.to_string()));
                let mut names: Vec<String> = a
                    .get_long_and_visible_aliases()
                    .into_iter()
                    .flatten()
                    .map(|l| format!("--{l}"))
                    .collect();
                if names.is_empty() {
                    names.extend(a.get_short().map(|s| format!("-{s}")));
                }
                names
                    .into_iter()
                    .map(move |n| Candidate::new(n, help.clone()))
            })
            .collect()
    }
}

fn words(words: Vec<Candidate>) -> Wanted {
    Wanted::Words {
        words,
        ledger: None,
    }
}

/// The values `arg` takes, matched against `typed`, each to be written
/// after `prefix`.
fn values(arg: &Arg, prefix: &str, typed: &str) -> Wanted {
    if let Some(kind) = ledger_values(arg) {
        return Wanted::Words {
            words: Vec::new(),
            ledger: Some(FromLedger {
                kind,
                prefix: prefix.to_owned(),
                typed: typed.to_owned(),
            }),
        };
    }
    let fixed = fixed_values(arg);
    if fixed.is_empty() {
        match arg.get_value_hint() {
            ValueHint::DirPath if prefix.is_empty() => return Wanted::Dirs,
            ValueHint::AnyPath | ValueHint::FilePath if prefix.is_empty() => {
                return Wanted::Files;
            }
            _ => {}
        }
    }
    words(
        matching(fixed, typed)
            .into_iter()
            .map(|c| Candidate::new(format!("{prefix}{}", c.value), c.help))
            .collect(),
    )
}

/// Those of `candidates` that start with what was typed.
fn matching(candidates: Vec<Candidate>, typed: &str) -> Vec<Candidate> {
    candidates
        .into_iter()
        .filter(|c| c.value.starts_with(typed))
        .collect()
}

fn about(cmd: &Command) -> Option<String> {
    cmd.get_about().map(|a| first_line(&a.to_string()))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(line: &str) -> Reading {
        let mut cmd = crate::commands::command();
        cmd.build();
        let mut words: Vec<String> = line.split(' ').map(str::to_owned).collect();
        let index = words.len() - 1;
        if words[index].is_empty() {
            words.pop();
        }
        read(&cmd, &words, index)
    }

    fn offered(line: &str) -> Vec<String> {
        match reading(line).wanted {
            Wanted::Words { words, .. } => words.into_iter().map(|c| c.value).collect(),
            other => panic!("{line}: {other:?}"),
        }
    }

    fn ledger(line: &str) -> (Option<Ledger>, String) {
        match reading(line).wanted {
            Wanted::Words { ledger, .. } => (
                ledger.as_ref().map(|l| l.kind),
                ledger.map(|l| l.prefix).unwrap_or_default(),
            ),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn subcommands_options_and_their_values() {
        assert_eq!(offered("de"), ["declare", "decline"]);
        assert!(offered("").contains(&"respond".to_owned()));
        assert!(!offered("").contains(&"merge-driver".to_owned()), "hidden");
        assert!(!offered("").iter().any(|w| w.starts_with("__")), "hidden");
        assert_eq!(
            offered("declare --se"),
            ["--sev", "--severity", "--service"]
        );
        assert!(offered("declare -").contains(&"--json".to_owned()));
        assert!(offered("declare -").contains(&"-C".to_owned()));
        assert!(!offered("man -").contains(&"--at".to_owned()), "hidden");
        assert_eq!(offered("mitigate INC-1 x --kind f"), ["flag"]);
        assert_eq!(offered("report 1 --format=j"), ["--format=json"]);
        assert_eq!(offered("list --status res"), ["resolved"]);
        assert_eq!(offered("completions z"), ["zsh"]);
        assert_eq!(offered("cleanup d"), ["done"]);
    }

    #[test]
    fn ledger_values_by_argument() {
        assert_eq!(ledger("show "), (Some(Ledger::Ids), String::new()));
        assert_eq!(ledger("show IN"), (Some(Ledger::Ids), String::new()));
        assert_eq!(ledger("show INC-1 "), (None, String::new()));
        assert_eq!(ledger("cleanup done "), (Some(Ledger::Ids), String::new()));
        assert_eq!(ledger("cleanup "), (Some(Ledger::Ids), String::new()));
        assert_eq!(
            ledger("duplicate 2 --of "),
            (Some(Ledger::Ids), String::new())
        );
        assert_eq!(
            ledger("declare x --sev "),
            (Some(Ledger::Severities), String::new())
        );
        assert_eq!(
            ledger("declare x --severity "),
            (Some(Ledger::Severities), String::new())
        );
        assert_eq!(
            ledger("sev INC-1 "),
            (Some(Ledger::Severities), String::new())
        );
        assert_eq!(
            ledger("list --service "),
            (Some(Ledger::Services), String::new())
        );
        assert_eq!(
            ledger("declare x --service=ch"),
            (Some(Ledger::Services), "--service=".to_owned())
        );
        let typed = |line| match reading(line).wanted {
            Wanted::Words {
                ledger: Some(l), ..
            } => l.typed,
            other => panic!("{line}: {other:?}"),
        };
        assert_eq!(typed("declare x --service=ch"), "ch");
        assert_eq!(typed("declare x --sev = SE"), "SE");
        assert_eq!(typed("show inc-"), "inc-");
        // bash's words for `--sev=` and `--sev=SE`.
        assert_eq!(
            ledger("declare x --sev ="),
            (Some(Ledger::Severities), String::new())
        );
        assert_eq!(
            ledger("declare x --sev = SE"),
            (Some(Ledger::Severities), String::new())
        );
        // Global options before the subcommand, and their values, are skipped.
        assert_eq!(
            ledger("-C ../l --json show "),
            (Some(Ledger::Ids), String::new())
        );
        assert_eq!(
            ledger("--at 14:00 ack "),
            (Some(Ledger::Ids), String::new())
        );
        assert_eq!(ledger("ack -q "), (Some(Ledger::Ids), String::new()));
    }

    #[test]
    fn paths_and_the_ledger_folder() {
        assert_eq!(reading("validate ").wanted, Wanted::Files);
        assert_eq!(reading("report 1 -o ").wanted, Wanted::Files);
        assert_eq!(reading("-C ").wanted, Wanted::Dirs);
        assert_eq!(reading("man --dir ").wanted, Wanted::Dirs);
        let chdir = |line| reading(line).chdir.map(|d| d.display().to_string());
        assert_eq!(chdir("-C ../ledger show ").as_deref(), Some("../ledger"));
        assert_eq!(chdir("-C../ledger show ").as_deref(), Some("../ledger"));
        assert_eq!(chdir("show -C x ").as_deref(), Some("x"));
        assert_eq!(chdir("-C /tmp -C l show ").as_deref(), Some("/tmp/l"));
        // A free text wants nothing.
        assert_eq!(offered("note INC-1 "), Vec::<String>::new());
        assert_eq!(offered("declare "), Vec::<String>::new());
    }
}
