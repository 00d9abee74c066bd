//! Shell completion, driven for real: bash's completion functions called as
//! bash (and git's own completion, for `git incident ...`) calls them, fish's
//! `complete -C`, and zsh's function with its completion builtins stood in
//! for. Both `git-incident ...` and `git incident ...` complete subcommands,
//! options, and the ledger's incident ids, severities and services.

#![allow(clippy::print_stdout)] // a skipped check says why, in the test output

use std::path::Path;

use crate::harness::TestEnv;

const GIT_COMPLETION: &str = "/usr/share/bash-completion/completions/git";

/// A ledger of three incidents, its services listed in ledger.toml with
/// two that no shell should be handed.
fn ledger() -> TestEnv {
    let env = TestEnv::ledger();
    let config = env.read("ledger.toml").replace(
        "services = []",
        r#"services = ["checkout-api", "auth", "search", "bad name", "$(touch pwned)"]"#,
    );
    env.write("ledger.toml", &config);
    env.git(&["commit", "-qam", "Known services"]);
    for (title, sev, service) in [
        ("Checkout API returning 502s", "SEV-2", "checkout-api"),
        ("Login page slow", "SEV-3", "auth"),
        ("Search results stale", "SEV-3", "search"),
    ] {
        env.run(&["declare", title, "--sev", sev, "--service", service])
            .ok();
    }
    env
}

fn installed(program: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One completion request: the words of the line, the last the one the
/// cursor is on, in single quotes for bash.
fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs each line through `call` (a bash function that sets COMP_WORDS and
/// COMP_CWORD from its arguments and calls the completion), after `setup`;
/// COMPREPLY of each, in order.
fn bash(env: &TestEnv, setup: &str, call: &str, lines: &[&[&str]]) -> Vec<Vec<String>> {
    let mut script = format!(
        "set +euo pipefail
{setup}
complete_line() {{
    COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))
    COMP_LINE=\"$*\"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=()
    {call}
    printf '%s\\n' \"${{COMPREPLY[@]}}\"
    echo '##'
}}
"
    );
    for line in lines {
        script.push_str(&format!("complete_line {}\n", quoted(line)));
    }
    let out = env.shell(&script);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let text = out.ok().to_owned();
    let replies: Vec<Vec<String>> = text
        .split("##")
        .map(|r| {
            r.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert_eq!(replies.len(), lines.len() + 1, "{text}");
    replies[..lines.len()].to_vec()
}

/// What bash registered for `git-incident`, called as bash calls it.
const DIRECT: &str = "source <(git-incident completions bash)
function_of() { complete -p \"$1\" | sed 's/.* -F \\([^ ]*\\) .*/\\1/'; }
registered=$(function_of git-incident)";
const DIRECT_CALL: &str =
    "\"$registered\" git-incident \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"";

fn sorted(mut words: Vec<String>) -> Vec<String> {
    words.sort();
    words
}

#[test]
fn bash_completes_git_incident_subcommands_options_ids_severities_and_services() {
    let env = ledger();
    let replies = bash(
        &env,
        DIRECT,
        DIRECT_CALL,
        &[
            &["git-incident", "de"],
            &["git-incident", "show", ""],
            &["git-incident", "ack", "INC-"],
            &["git-incident", "log", "2"],
            &["git-incident", "declare", "x", "--sev", ""],
            &["git-incident", "declare", "x", "--sev", "=", "SEV-"],
            &["git-incident", "sev", "INC-1", "SEV-"],
            &["git-incident", "list", "--service", ""],
            &["git-incident", "declare", "x", "--se"],
            &["git-incident", "mitigate", "INC-1", "x", "--kind", "r"],
            &["git-incident", "-C", ".", "show", "INC-3"],
            &["git-incident", "note", "INC-1", ""],
        ],
    );
    assert_eq!(replies[0], ["declare", "decline"]);
    assert_eq!(sorted(replies[1].clone()), ["INC-1", "INC-2", "INC-3"]);
    assert_eq!(sorted(replies[2].clone()), ["INC-1", "INC-2", "INC-3"]);
    assert_eq!(replies[3], ["INC-2"], "by number");
    assert_eq!(replies[4], ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]);
    assert_eq!(replies[5], ["SEV-1", "SEV-2", "SEV-3", "SEV-4"], "--sev=");
    assert_eq!(replies[6], ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]);
    // ledger.toml's services, but none a shell would read as syntax.
    assert_eq!(replies[7], ["checkout-api", "auth", "search"]);
    assert_eq!(replies[8], ["--sev", "--severity", "--service"]);
    assert_eq!(replies[9], ["rollback", "restart"]);
    assert_eq!(replies[10], ["INC-3"]);
    assert!(replies[11].is_empty(), "free text: {:?}", replies[11]);
    assert!(!env.path("pwned").exists());
}

#[test]
fn bash_offers_the_services_the_incidents_name_when_ledger_toml_lists_none() {
    let env = TestEnv::ledger();
    env.run(&["declare", "a", "--service", "web", "--service", "db"])
        .ok();
    env.run(&["declare", "b", "--service", "web"]).ok();
    let replies = bash(
        &env,
        DIRECT,
        DIRECT_CALL,
        &[
            &["git-incident", "list", "--service", ""],
            &["git-incident", "declare", "c", "--service", "w"],
        ],
    );
    assert_eq!(replies[0], ["db", "web"]);
    assert_eq!(replies[1], ["web"]);
}

#[test]
fn bash_completion_outside_a_ledger_offers_what_needs_none_and_says_nothing() {
    let env = TestEnv::empty();
    let replies = bash(
        &env,
        DIRECT,
        DIRECT_CALL,
        &[
            &["git-incident", "show", ""],
            &["git-incident", "sh"],
            &["git-incident", "list", "--sev", ""],
        ],
    );
    assert!(replies[0].is_empty(), "{:?}", replies[0]);
    assert_eq!(replies[1], ["show"]);
    assert!(replies[2].is_empty(), "{:?}", replies[2]);
    // The ledger elsewhere, through -C.
    let other = ledger();
    let dir = other.dir.display().to_string();
    let replies = bash(
        &env,
        DIRECT,
        DIRECT_CALL,
        &[&["git-incident", "-C", &dir, "show", "INC-1"]],
    );
    assert_eq!(replies[0], ["INC-1"]);
    let quiet = env.query(&["__complete", "--index", "1", "--", "show", ""]);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (0, "", "")
    );
}

/// `git incident ...`: git's completion calls `_git_incident`, with the
/// whole line in COMP_WORDS, and adds no space after a word itself.
#[test]
fn bash_completes_git_incident_through_gits_own_completion() {
    let env = ledger();
    let lines: &[&[&str]] = &[
        &["git", "incident", "de"],
        &["git", "incident", "show", ""],
        &["git", "incident", "declare", "x", "--sev", ""],
        &["git", "incident", "list", "--service", "a"],
    ];
    let expect = |replies: &[Vec<String>]| {
        assert_eq!(replies[0], ["declare ", "decline "]);
        assert_eq!(sorted(replies[1].clone()), ["INC-1 ", "INC-2 ", "INC-3 "]);
        assert_eq!(replies[2], ["SEV-1 ", "SEV-2 ", "SEV-3 ", "SEV-4 "]);
        assert_eq!(replies[3], ["auth "]);
    };
    // As git's completion calls it, whether or not it is installed.
    let replies = bash(
        &env,
        "source <(git-incident completions bash)",
        "_git_incident",
        lines,
    );
    expect(&replies);
    if !Path::new(GIT_COMPLETION).is_file() {
        println!("skipped git's own completion: {GIT_COMPLETION} is not installed");
        return;
    }
    // Through git's completion itself: `git <TAB>` lists the command, and
    // `git incident ...` reaches this one, with git's -C honoured.
    let setup = format!(
        "source {GIT_COMPLETION}
source <(git-incident completions bash)"
    );
    let call = "__git_wrap__git_main";
    let replies = bash(&env, &setup, call, lines);
    expect(&replies);
    let other = TestEnv::empty();
    let dir = env.dir.display().to_string();
    let replies = bash(
        &other,
        &setup,
        call,
        &[
            &["git", "inciden"],
            &["git", "-C", &dir, "incident", "show", "INC-2"],
        ],
    );
    assert_eq!(replies[0], ["incident "]);
    assert_eq!(replies[1], ["INC-2 "]);
}

#[test]
fn bash_completes_paths_where_a_command_takes_one() {
    let env = ledger();
    let replies = bash(
        &env,
        DIRECT,
        DIRECT_CALL,
        &[
            &["git-incident", "validate", "ledger.t"],
            &["git-incident", "man", "--dir", "inc"],
            &["git-incident", "-C", "sch"],
        ],
    );
    assert_eq!(replies[0], ["ledger.toml"]);
    assert_eq!(replies[1], ["incidents"]);
    assert_eq!(replies[2], ["schema"]);
}

#[test]
fn fish_completes_both_forms() {
    let env = ledger();
    let script = env.query(&["completions", "fish"]).ok().to_owned();
    env.write("git-incident.fish", &script);
    if !installed("fish") {
        println!("skipped: fish is not installed");
        return;
    }
    env.shell("fish -n git-incident.fish").ok();
    let complete = |line: &str| -> Vec<String> {
        let out = env.shell(&format!(
            "fish -c 'source git-incident.fish; complete -C \"{line}\"'"
        ));
        out.ok()
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(complete("git-incident de"), ["declare", "decline"]);
    assert_eq!(complete("git incident de"), ["declare", "decline"]);
    assert_eq!(
        sorted(complete("git-incident show ")),
        ["INC-1", "INC-2", "INC-3"]
    );
    assert_eq!(
        complete("git incident declare x --sev "),
        ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    );
    assert_eq!(
        complete("git-incident declare x --sev=SEV-"),
        ["--sev=SEV-1", "--sev=SEV-2", "--sev=SEV-3", "--sev=SEV-4"]
    );
    assert_eq!(
        sorted(complete("git-incident list --service ")),
        ["auth", "checkout-api", "search"]
    );
    // The titles go beside the ids.
    let out =
        env.shell("fish -c 'source git-incident.fish; complete -C \"git-incident show INC-1\"'");
    assert_eq!(out.ok(), "INC-1\tCheckout API returning 502s");
}

/// zsh's completion works only in an interactive shell's line editor: a
/// zsh driven through a pseudo-terminal (zsh's own zpty) with compinit, the
/// script on its $fpath and zsh's git completion, types each line with TABs
/// in it, and reports the line it then runs.
#[test]
fn zsh_completes_both_forms() {
    let env = ledger();
    let script = env.query(&["completions", "zsh"]).ok().to_owned();
    assert!(script.starts_with("#compdef git-incident\n"), "{script}");
    let zsh = env.home.join("zsh");
    std::fs::create_dir_all(zsh.join("functions")).unwrap();
    std::fs::write(zsh.join("functions/_git-incident"), &script).unwrap();
    if !installed("zsh") {
        println!("skipped: zsh is not installed");
        return;
    }
    env.shell(&format!(
        "zsh -n {}",
        zsh.join("functions/_git-incident").display()
    ))
    .ok();
    std::fs::write(
        zsh.join(".zshrc"),
        format!(
            "fpath=({} $fpath)
autoload -U compinit && compinit -u
PS1='> '
preexec() {{ print -r -- \"RAN:[$1]\" }}
",
            zsh.join("functions").display()
        ),
    )
    .unwrap();
    let lines = [
        "git-incident sho\t",
        "git incident sho\t",
        "git-incident list --service che\t",
        "git incident ack IN\t3",
        "git incident declare x --sev SEV-\t",
        "git-incident validate ledger.t\t",
    ];
    std::fs::write(
        zsh.join("drive.zsh"),
        format!(
            r#"zmodload zsh/zpty
zpty z 'ZDOTDIR={} zsh -i'
for line in {}; do
    zpty -w -n z "$line"$'\n'
    zpty -r -m z out '*RAN:\[*\]*' || exit 1
    out=${{out##*RAN:\[}}
    print -r -- "${{out%%\]*}}"
done
zpty -d z
"#,
            zsh.display(),
            lines
                .iter()
                .map(|l| format!("$'{}'", l.replace('\t', "\\t")))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    )
    .unwrap();
    let out = env.shell(&format!(
        "timeout 60 zsh -f {}",
        zsh.join("drive.zsh").display()
    ));
    let ran: Vec<&str> = out.ok().lines().map(str::trim_end).collect();
    assert_eq!(
        ran,
        [
            "git-incident show",
            "git incident show",
            "git-incident list --service checkout-api",
            "git incident ack INC-3",
            // Four severities: the common part, and the list below the line.
            "git incident declare x --sev SEV-",
            "git-incident validate ledger.toml",
        ],
        "{}",
        out.stderr
    );
}
