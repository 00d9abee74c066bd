//! Hostile and broken input (issue 11): each case of the corpus is a ledger
//! someone could push or a command line someone could type, with the exit
//! code and message it must get, and proof that nothing moved: HEAD, the
//! index's bytes, and every file, link and special file of the work tree.
//!
//! The corpus counts with tests/fixtures/bad and test_refusals.rs toward the
//! issue's sixty cases.

use std::path::Path;

use crate::harness::TestEnv;

/// One bad input: how to make it, what to run, what must come back.
struct Case {
    name: &'static str,
    setup: fn(&TestEnv),
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
}

/// A ledger holding the acknowledged INC-1 fixture.
fn ledger() -> TestEnv {
    let env = TestEnv::ledger();
    env.install_fixture("states/acknowledged.toml");
    env
}

/// Commits every change in the work tree, as a pushed ledger would hold it.
fn commit_all(env: &TestEnv) {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "hostile content"]);
}

/// Replaces `from` with `to` in ledger.toml and commits it.
fn edit_config(env: &TestEnv, from: &str, to: &str) {
    let text = env.read("ledger.toml");
    assert!(text.contains(from), "ledger.toml lacks {from:?}");
    env.write("ledger.toml", &text.replacen(from, to, 1));
    commit_all(env);
}

/// Everything a refused command must leave alone.
#[derive(Debug, PartialEq, Eq)]
struct State {
    head: String,
    index: Vec<u8>,
    tree: Vec<(String, String)>,
}

fn state(env: &TestEnv) -> State {
    let index = std::fs::read(env.path(".git/index")).unwrap_or_default();
    let mut tree = Vec::new();
    walk(&env.dir, &env.dir, &mut tree);
    tree.sort();
    State {
        head: env.git_run(&["rev-parse", "HEAD"]).stdout,
        index,
        tree,
    }
}

/// Every entry under `dir` but .git: a file's bytes, a link's target, and
/// the kind of anything else (a FIFO is never opened).
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if rel == ".git" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let what = if meta.file_type().is_symlink() {
            format!("link to {}", std::fs::read_link(&path).unwrap().display())
        } else if meta.is_dir() {
            walk(root, &path, out);
            "dir".to_owned()
        } else if meta.is_file() {
            format!("{:?}", std::fs::read(&path).unwrap())
        } else {
            format!("special {:?}", meta.file_type())
        };
        out.push((rel, what));
    }
}

/// Runs every case in a fresh ledger.
fn check(cases: &[Case]) {
    for case in cases {
        let env = ledger();
        (case.setup)(&env);
        let before = state(&env);
        let run = env.run(case.args);
        assert_eq!(
            run.code, case.code,
            "{}: exit code\nstdout:\n{}\nstderr:\n{}",
            case.name, run.stdout, run.stderr
        );
        assert!(
            run.stderr.contains(case.message),
            "{}: stderr lacks {:?}:\n{}",
            case.name,
            case.message,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", case.name);
        assert_eq!(state(&env), before, "{}: changed the ledger", case.name);
    }
}

fn nothing(_: &TestEnv) {}

/// Issue 11: `--at "3000 years ago"` panicked (exit 101) writing a year
/// TOML cannot hold; a time before 1970 silently meant the present; a
/// 261000-year cleanup deadline panicked in `cleanup` and `stats`.
#[test]
fn times_and_durations_are_bounded() {
    fn deadline(env: &TestEnv) {
        edit_config(env, "deadline = \"14d\"", "deadline = \"261000y\"");
    }
    fn by_severity(env: &TestEnv) {
        edit_config(env, "\"SEV-2\" = \"7d\"", "\"SEV-2\" = \"261000y\"");
    }
    fn cadence(env: &TestEnv) {
        edit_config(
            env,
            "\"SEV-1\" = \"30m\"",
            "\"SEV-1\" = \"99999999999999y\"",
        );
    }
    const OUTSIDE: &str = "is outside the years 1970 to 9999";
    check(&[
        Case {
            name: "note --at 3000 years ago",
            setup: nothing,
            args: &["note", "INC-1", "x", "--at", "3000 years ago"],
            code: 2,
            message: "--at: `3000 years ago` is outside the years 1970 to 9999",
        },
        Case {
            name: "note --at before 1970",
            setup: nothing,
            args: &["note", "INC-1", "x", "--at", "1969-12-31T23:59:59Z"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "show --at before 1970",
            setup: nothing,
            args: &["show", "INC-1", "--at", "1960-01-01"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "log of a diff from before 1970",
            setup: nothing,
            args: &["diff", "INC-1", "1960-01-01"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "declare --started 3000 years ago",
            setup: nothing,
            args: &["declare", "x", "--started", "3000 years ago"],
            code: 2,
            message: OUTSIDE,
        },
        Case {
            name: "action --due in the year 12345",
            setup: nothing,
            args: &[
                "action",
                "INC-1",
                "x",
                "--owner",
                "me",
                "--due",
                "+12345-01-01",
            ],
            code: 2,
            message: "--due: `+12345-01-01` is outside the years 1970 to 9999",
        },
        Case {
            name: "cleanup deadline of 261000 years: cleanup",
            setup: deadline,
            args: &["cleanup"],
            code: 2,
            message: "ledger.toml: cleanup.deadline `261000y` is longer than 100 years",
        },
        Case {
            name: "cleanup deadline of 261000 years: cleanup --overdue",
            setup: deadline,
            args: &["cleanup", "--overdue"],
            code: 2,
            message: "cleanup.deadline `261000y` is longer than 100 years",
        },
        Case {
            name: "cleanup deadline of 261000 years: stats",
            setup: by_severity,
            args: &["stats"],
            code: 2,
            message: "cleanup.by_severity `261000y` is longer than 100 years",
        },
        Case {
            name: "an update cadence past any calendar",
            setup: cadence,
            args: &["list"],
            code: 2,
            message: "update_cadence `99999999999999y`",
        },
    ]);
}

/// Commits `incidents/2026/NAME.toml`, the acknowledged fixture under `id`.
fn incident_named(env: &TestEnv, name: &str, id: &str) {
    let text = env.read("incidents/2026/INC-1.toml");
    env.write(
        &format!("incidents/2026/{name}.toml"),
        &text.replace("id = \"INC-1\"", &format!("id = \"{id}\"")),
    );
    commit_all(env);
}

/// Issue 11: with INC-18446744073709551615 present the next two declares
/// both became INC-0, the second overwriting the first.
#[test]
fn ids_do_not_overflow_and_prefixes_are_checked() {
    fn last_number(env: &TestEnv) {
        let id = format!("INC-{}", u64::MAX);
        incident_named(env, &id, &id);
    }
    fn lowercase(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"inc\"");
    }
    fn too_long(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"ABCDEFGHIJKLMNOPQ\"");
    }
    fn dashed(env: &TestEnv) {
        edit_config(env, "prefix = \"INC\"", "prefix = \"IN-C\"");
    }
    check(&[
        Case {
            name: "declare after the last number",
            setup: last_number,
            args: &["declare", "x", "--sev", "SEV-2"],
            code: 1,
            message: "no incident number is left after INC-18446744073709551615",
        },
        Case {
            name: "an id past u64",
            setup: nothing,
            args: &["show", "INC-18446744073709551616"],
            code: 2,
            message: "is not an incident id",
        },
        Case {
            name: "a lowercase prefix",
            setup: lowercase,
            args: &["list"],
            code: 2,
            message: "prefix `inc` must be 1 to 16 uppercase letters and digits",
        },
        Case {
            name: "a prefix of 17 letters",
            setup: too_long,
            args: &["list"],
            code: 2,
            message: "prefix `ABCDEFGHIJKLMNOPQ` must be 1 to 16",
        },
        Case {
            name: "a prefix with a dash",
            setup: dashed,
            args: &["declare", "x"],
            code: 2,
            message: "prefix `IN-C` must be",
        },
    ]);
}

/// `INC-007`, `inc-7` and `7` are all INC-7: ids are numbers, read
/// case-insensitively, and always written `INC-7`.
#[test]
fn leading_zeros_name_the_same_incident() {
    let env = ledger();
    for text in ["INC-007", "inc-7", "007"] {
        let run = env.run(&["show", text]);
        assert_eq!(run.code, 1, "{text}: {}", run.stderr);
        assert!(
            run.stderr.contains("no incident INC-7"),
            "{text}: {}",
            run.stderr
        );
    }
    let shown = env.incident("INC-001");
    assert_eq!(shown["id"], "INC-1");
    // A later declaration counts past every number held.
    incident_named(&env, "INC-7", "INC-7");
    assert_eq!(env.declare("next"), "INC-8");
}

/// Links `incidents/2026/NAME` to `target` and commits the link, as a
/// pushed ledger can hold it.
fn link(env: &TestEnv, name: &str, target: &Path) {
    std::os::unix::fs::symlink(target, env.path(&format!("incidents/2026/{name}"))).unwrap();
    commit_all(env);
}

/// A file outside the ledger, holding a valid incident, that no command
/// may read.
fn secret(env: &TestEnv) -> std::path::PathBuf {
    let path = env.home.join("secret.toml");
    std::fs::write(
        &path,
        env.read("incidents/2026/INC-1.toml")
            .replace("INC-1", "INC-5"),
    )
    .unwrap();
    path
}

/// Issue 11: `runbook = "../../x"`, an absolute runbook path, or a committed
/// symlink made the tool read a file outside the ledger and print it; a
/// FIFO or `/dev/stdin` hung; `/dev/zero` read until memory ran out; a
/// 120 MB incident file was read whole.
#[test]
fn only_regular_files_inside_the_ledger_are_read() {
    fn runbook_up(env: &TestEnv) {
        edit_config(
            env,
            "runbook = \"runbook.toml\"",
            "runbook = \"../../etc/passwd\"",
        );
    }
    fn runbook_absolute(env: &TestEnv) {
        edit_config(
            env,
            "runbook = \"runbook.toml\"",
            "runbook = \"/etc/passwd\"",
        );
    }
    fn runbook_stdin(env: &TestEnv) {
        edit_config(
            env,
            "runbook = \"runbook.toml\"",
            "runbook = \"/dev/stdin\"",
        );
    }
    fn runbook_link(env: &TestEnv) {
        let target = secret(env);
        std::fs::remove_file(env.path("runbook.toml")).unwrap();
        std::os::unix::fs::symlink(target, env.path("runbook.toml")).unwrap();
        commit_all(env);
    }
    fn runbook_dir(env: &TestEnv) {
        edit_config(env, "runbook = \"runbook.toml\"", "runbook = \"incidents\"");
    }
    fn incident_link(env: &TestEnv) {
        let target = secret(env);
        link(env, "INC-5.toml", &target);
    }
    fn incident_zero(env: &TestEnv) {
        link(env, "INC-5.toml", Path::new("/dev/zero"));
    }
    fn incident_fifo(env: &TestEnv) {
        let fifo = env.path("incidents/2026/INC-5.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
    }
    fn incident_dir(env: &TestEnv) {
        std::fs::create_dir_all(env.path("incidents/2026/INC-5.toml")).unwrap();
    }
    fn incidents_link(env: &TestEnv) {
        let elsewhere = env.home.join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::rename(env.path("incidents"), elsewhere.join("incidents")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("incidents"), env.path("incidents")).unwrap();
        commit_all(env);
    }
    fn huge_incident(env: &TestEnv) {
        let text = env
            .read("incidents/2026/INC-1.toml")
            .replace("INC-1", "INC-5");
        let padding = format!("# {}\n", "x".repeat(5 << 20));
        env.write("incidents/2026/INC-5.toml", &(text + &padding));
    }
    fn huge_config(env: &TestEnv) {
        let text = env.read("ledger.toml") + &format!("# {}\n", "x".repeat(5 << 20));
        env.write("ledger.toml", &text);
    }
    fn newline_name(env: &TestEnv) {
        env.write(
            "incidents/2026/INC-9\nINC-2  SEV-1  forged.toml",
            "id = \"INC-9\"\n",
        );
        commit_all(env);
    }
    const LINK: &str = "is a symbolic link; the ledger reads only its own files";
    const HINT: &str = "hint: the ledger reads only regular files inside its folder";
    check(&[
        Case {
            name: "runbook = ../../etc/passwd",
            setup: runbook_up,
            args: &["list"],
            code: 2,
            message: "../../etc/passwd: leads out of the ledger (`..`)",
        },
        Case {
            name: "runbook = /etc/passwd",
            setup: runbook_absolute,
            args: &["show", "INC-1"],
            code: 2,
            message: "/etc/passwd: is an absolute path",
        },
        Case {
            name: "runbook = /dev/stdin",
            setup: runbook_stdin,
            args: &["runbook"],
            code: 2,
            message: "/dev/stdin: is an absolute path",
        },
        Case {
            name: "runbook.toml links out",
            setup: runbook_link,
            args: &["declare", "x"],
            code: 2,
            message: "runbook.toml: is a symbolic link",
        },
        Case {
            name: "runbook names a folder",
            setup: runbook_dir,
            args: &["list"],
            code: 2,
            message: "incidents: is not a regular file",
        },
        Case {
            name: "an incident file links out: show",
            setup: incident_link,
            args: &["show", "INC-5"],
            code: 2,
            message: LINK,
        },
        Case {
            name: "an incident file links out: note",
            setup: incident_link,
            args: &["note", "INC-5", "x"],
            code: 2,
            message: LINK,
        },
        Case {
            name: "an incident file links to /dev/zero",
            setup: incident_zero,
            args: &["show", "INC-5"],
            code: 2,
            message: LINK,
        },
        Case {
            name: "an incident file is a FIFO: list",
            setup: incident_fifo,
            args: &["list"],
            code: 0,
            message: "warning: skipped incidents/2026/INC-5.toml: is not a regular file",
        },
        Case {
            name: "an incident file is a FIFO: stats reads history, never hangs",
            setup: incident_fifo,
            args: &["stats"],
            code: 0,
            message: "",
        },
        Case {
            name: "an incident file is a folder",
            setup: incident_dir,
            args: &["list"],
            code: 0,
            message: "incidents/2026/INC-5.toml: is not a regular file",
        },
        Case {
            name: "the incidents folder links out: note",
            setup: incidents_link,
            args: &["note", "INC-1", "x"],
            code: 2,
            message: "incidents: is a symbolic link",
        },
        Case {
            name: "the incidents folder links out: declare writes nothing there",
            setup: incidents_link,
            args: &["declare", "x", "--sev", "SEV-2"],
            code: 2,
            message: "incidents: is a symbolic link",
        },
        Case {
            name: "an incident file over 4 MiB",
            setup: huge_incident,
            args: &["show", "INC-5"],
            code: 2,
            message: "incidents/2026/INC-5.toml: is larger than 4 MiB",
        },
        Case {
            name: "ledger.toml over 4 MiB",
            setup: huge_config,
            args: &["list"],
            code: 2,
            message: "ledger.toml: is larger than 4 MiB",
        },
        Case {
            name: "a file name with a newline cannot forge a line",
            setup: newline_name,
            args: &["list"],
            code: 0,
            message: "warning: skipped incidents/2026/INC-9\\nINC-2  SEV-1  forged.toml:1:1: missing field",
        },
        Case {
            name: "the hint of a file refused",
            setup: incident_link,
            args: &["show", "INC-5"],
            code: 2,
            message: HINT,
        },
    ]);
}

/// Title and note of a hand-edited incident: an OSC retitle ending in BEL,
/// clear-screen CSI, a one-byte CSI (U+009B), CR, backspace and a bidi
/// override.
const HOSTILE_TITLE: &str = r"x\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202etxt.exe\r\u0008forged";

/// What a terminal must never receive from ledger text: any control or
/// bidi character but newline, tab, CR before LF (the pty's own), and the
/// colour sequences (`ESC [ digits ; m`) the views write themselves.
fn raw_controls(output: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = output;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        if c == '\u{1b}' {
            let params = rest[1..].strip_prefix('[').map(|b| {
                b.bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b';')
                    .count()
            });
            match params {
                Some(n) if rest.as_bytes().get(2 + n) == Some(&b'm') => len = 3 + n,
                _ => found.push(format!("{:?}", &rest[..rest.len().min(12)])),
            }
        } else if c == '\r' && rest[1..].starts_with('\n') {
        } else if (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            found.push(format!("{c:?}"));
        }
        rest = &rest[len..];
    }
    found
}

/// Runs `args` in a pseudo-terminal with colour on; returns all it wrote.
#[cfg(unix)]
fn in_pty(env: &TestEnv, args: &[&str]) -> String {
    let mut cmd = env.command(args);
    cmd.env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::inherit());
    let options = rexpect::reader::Options::new()
        .timeout_ms(Some(crate::test_respond::TIMEOUT_MS))
        .strip_ansi_escape_codes(false);
    let mut session = rexpect::session::spawn_with_options(cmd, options).expect("a pty");
    session.exp_eof().expect("the command ends")
}

/// Issue 11: control characters from the ledger (OSC title changes,
/// clear-screen, BEL, CR, U+009B, bidi overrides) reached the terminal
/// through list, show, log, report, diff and error messages.
#[cfg(unix)]
#[test]
fn ledger_text_cannot_drive_the_terminal() {
    let env = ledger();
    let path = "incidents/2026/INC-1.toml";
    let text = env.read(path).replace(
        "title = \"Checkout API returning 502s\"",
        &format!("title = \"{HOSTILE_TITLE}\""),
    );
    let text = format!(
        "{text}\n[[notes]]\nat = 2026-11-26T18:07:00Z\nby = \"Ada Lovelace <ada@example.com>\"\ntext = \"{HOSTILE_TITLE}\"\n"
    );
    env.write(path, &text);
    commit_all(&env);
    assert!(
        env.run(&["note", "INC-1", "checked"])
            .ok()
            .contains("INC-1")
    );
    let services = format!("services = [\"{HOSTILE_TITLE}\"]");
    edit_config(&env, "services = []", &services);
    for args in [
        &["list"][..],
        &["show", "INC-1"],
        &["log", "INC-1"],
        &["report", "INC-1"],
        &["diff", "INC-1", "HEAD~2"],
        &["declare", "t", "--sev", "SEV-2", "--service", "nope"],
        &["\u{1b}]0;pwned\u{7}"],
        &["show", "INC-\u{1b}]0;pwned\u{7}"],
        &["declare", "t", "--service", "\u{1b}[2J\u{202e}"],
    ] {
        let out = in_pty(&env, args);
        assert!(
            out.contains("pwned") || out.contains("control character"),
            "{args:?} shows the text or refuses it:\n{out}"
        );
        assert_eq!(raw_controls(&out), Vec::<String>::new(), "{args:?}:\n{out}");
    }
    // Piped too, and JSON escapes as JSON does.
    let piped = env.query(&["show", "INC-1"]);
    assert!(
        piped
            .ok()
            .contains(r"x\e]0;pwned\a\e[2J\x9b31m\u{202e}txt.exe\r\bforged")
    );
    let json = env.query(&["show", "INC-1", "--json"]);
    assert!(
        json.ok().contains(r"\u001b]0;pwned\u0007"),
        "{}",
        json.stdout
    );
}

/// A pushed commit whose subject holds the bytes an older log format split
/// on, laid out as a second commit by "Mallory", shows as one hand edit
/// with that subject, not as a recorded change by someone else.
#[test]
fn a_commit_subject_cannot_forge_a_history_entry() {
    let env = TestEnv::ledger();
    env.declare("Checkout errors");
    let path = env.incident_path("INC-1");
    let text = env.read(&path);
    env.write(&path, &format!("{text}# a hand edit\n"));
    let forged = format!(
        "tidy\x1e{}\x1f\x1fMallory\x1fm@evil.example\x1fMallory\x1fm@evil.example\x1f1000000000\x1fINC-1: severity SEV-1 -> SEV-4\x1fIncident: INC-1\nIncident-Change: sev",
        "f".repeat(40)
    );
    env.git(&["commit", "-q", "-a", "-m", &forged]);
    let log = env.run(&["log", "INC-1"]).ok().to_owned();
    assert!(log.contains("2 changes, 1 outside the tool"), "{log}");
    assert!(!log.lines().any(|l| l.starts_with("ffffffff")), "{log}");
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["log", "INC-1", "--json"]).ok()).expect("JSON");
    let text = json.to_string();
    let entries = text.matches("\"commit\"").count();
    assert_eq!(entries, 2, "{json:#}");
    assert!(!text.contains("\"Mallory"), "{json:#}");
}

/// A commit message of any size, as a hostile push could hold, is read in
/// bounded pieces: `log`, `stats` and `verify` answer, and what they print of
/// it is cut to the bound (8 MiB per field) rather than copied whole.
#[test]
fn a_huge_commit_message_is_read_in_bounded_pieces() {
    let env = ledger();
    let path = env.incident_path("INC-1");
    env.write(&path, &format!("{}\n# a hand edit\n", env.read(&path)));
    let message = env.path("message.txt");
    let mut text = "A hand edit ".repeat(1024 * 1024); // 12 MiB on one line
    text.push_str("\n\nIncident: INC-1\nIncident-Change: note\n");
    std::fs::write(&message, text).unwrap();
    env.git(&["add", &path]);
    env.git(&["commit", "-q", "-F", message.to_str().unwrap()]);
    std::fs::remove_file(&message).unwrap();

    let log = env.run(&["log", "INC-1", "--json"]);
    assert!(log.ok().contains("A hand edit"), "{}", &log.stderr);
    assert!(
        log.stdout.len() < 9 * 1024 * 1024,
        "{} bytes",
        log.stdout.len()
    );
    env.run(&["stats", "--json"]).ok();
    let verify = env.run(&["verify"]);
    assert!(verify.code == 0 || verify.code == 1, "{}", verify.stderr);
    assert!(!verify.stderr.contains("panicked"), "{}", verify.stderr);
}

/// The palette's sequences and clap's underlined headings reach a colour
/// terminal; any other style in the ledger's text, such as conceal, which
/// would hide part of a note from whoever reads it, arrives escaped.
#[test]
fn only_the_tool_s_own_styles_reach_a_colour_terminal() {
    let env = ledger();
    let path = "incidents/2026/INC-1.toml";
    let text = format!(
        "{}\n[[notes]]\nat = 2026-11-26T18:07:00Z\nby = \"Ada Lovelace <ada@example.com>\"\ntext = \"seen \\u001b[8mhidden\\u001b[0m here\"\n",
        env.read(path)
    );
    env.write(path, &text);
    commit_all(&env);

    let show = in_pty(&env, &["show", "INC-1"]);
    assert!(show.contains("\\e[8mhidden"), "{show:?}");
    assert!(!show.contains("\u{1b}[8m"), "{show:?}");

    let usage = in_pty(&env, &["reopen", "INC-1"]);
    assert!(usage.contains("Usage:"), "{usage:?}");
    assert!(!usage.contains("\\e["), "{usage:?}");
    assert!(usage.contains('\u{1b}'), "{usage:?}");
}
