//! Guided response through the real binary in a pseudo-terminal: the keys a
//! responder presses, the commits they leave, Ctrl-C and resume, a team's
//! own runbook, and the refusal without a terminal.
//!
//! Expectations match stable text, never exact escape sequences (dialoguer
//! redraws lists as the cursor moves); the raw output is kept to check what
//! the terminal was told, such as showing the cursor again after Ctrl-C.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_with_options};

use crate::harness::{BIN, TestEnv};

/// Generous: CI machines are small and shared.
pub(crate) const TIMEOUT_MS: u64 = 20_000;

pub(crate) const DOWN: &str = "\x1b[B";
pub(crate) const UP: &str = "\x1b[A";
pub(crate) const CTRL_C: &str = "\x03";
const SHOW_CURSOR: &str = "\x1b[?25h";
const HIDE_CURSOR: &str = "\x1b[?25l";

/// The binary in a pseudo-terminal, and everything it printed so far.
pub(crate) struct Pty {
    session: PtySession,
    raw: String,
}

impl Pty {
    /// Spawns `git-incident ARGS` in the test's hermetic environment, with
    /// an editor that answers each long question with one line.
    pub(crate) fn spawn(env: &TestEnv, args: &[&str]) -> Self {
        let mut cmd = env.command(args);
        cmd.env("EDITOR", editor(env));
        Self::spawn_command(cmd)
    }

    /// Spawns `cmd` (made by `env.command`) in a pseudo-terminal, as it is.
    pub(crate) fn spawn_command(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::inherit()).env("TERM", "xterm");
        let options = rexpect::reader::Options::new()
            .timeout_ms(Some(TIMEOUT_MS))
            .strip_ansi_escape_codes(false);
        let mut session = spawn_with_options(cmd, options).expect("the binary starts in a pty");
        session.process_mut().set_kill_timeout(Some(TIMEOUT_MS));
        Self {
            session,
            raw: String::new(),
        }
    }

    /// Waits for `text`.
    #[track_caller]
    pub(crate) fn expect(&mut self, text: &str) {
        match self.session.exp_string(text) {
            Ok(before) => {
                self.raw.push_str(&before);
                self.raw.push_str(text);
            }
            Err(e) => panic!(
                "waiting for {text:?}: {e}\n--- the output so far ---\n{}",
                plain(&self.raw)
            ),
        }
    }

    pub(crate) fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("the pty takes keys");
        self.session.flush().expect("the pty takes keys");
    }

    /// Waits for `prompt`, then presses `keys`.
    #[track_caller]
    pub(crate) fn answer(&mut self, prompt: &str, keys: &str) {
        self.expect(prompt);
        self.send(keys);
    }

    /// Moves a list's cursor with `key` until the item `item` is current.
    #[track_caller]
    pub(crate) fn pick(&mut self, key: &str, item: &str) {
        self.send(key);
        self.expect(&format!("> {item}"));
    }

    /// Waits for the end; returns the exit code and the whole raw output.
    #[track_caller]
    pub(crate) fn finish(mut self) -> (i32, String) {
        match self.session.exp_eof() {
            Ok(rest) => self.raw.push_str(&rest),
            Err(e) => panic!("waiting for the end: {e}\n{}", plain(&self.raw)),
        }
        let code = match self.session.process().wait() {
            Ok(WaitStatus::Exited(_, code)) => code,
            other => panic!("the binary did not exit normally: {other:?}"),
        };
        (code, self.raw)
    }
}

/// The output without escape sequences and carriage returns, for messages
/// and `contains` checks.
pub(crate) fn plain(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&n) = chars.peek() {
                    chars.next();
                    if n.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// An editor for the review's long answers: it writes
/// `Answered in the editor: <question>` under the question.
pub(crate) fn editor(env: &TestEnv) -> String {
    let path = env.home.join("answer-in-editor.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\nprintf 'Answered in the editor: %s\\n' \"$(head -n 1 \"$1\" | cut -c3-)\" >> \"$1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// The `Incident-Change` trailers of the history, oldest first.
pub(crate) fn changes(env: &TestEnv) -> Vec<String> {
    env.git(&[
        "log",
        "--reverse",
        "--format=%(trailers:key=Incident-Change,valueonly,separator=)",
    ])
    .lines()
    .map(str::to_owned)
    .collect()
}

pub(crate) fn count(changes: &[String], verb: &str) -> usize {
    changes.iter().filter(|c| *c == verb).count()
}

/// Ticks every item of the checklist whose last item is `last`.
#[track_caller]
pub(crate) fn tick_all(pty: &mut Pty, last: &str) {
    pty.expect(last);
    pty.send("a");
    pty.expect(&format!("[x] {last}"));
    pty.send("\r");
}

/// The review's four questions, answered by the editor, and the commits.
#[track_caller]
pub(crate) fn review_in_editor(pty: &mut Pty) {
    pty.expect("Timeline, from the ledger's history");
    for (question, recorded) in [
        ("What happened?", "review: what happened"),
        ("What was the root cause?", "review: root cause"),
        ("What worked well?", "review: what went well"),
        ("What failed?", "review: what went wrong"),
    ] {
        pty.expect(&format!("{question} Answered in the editor: {question}"));
        pty.expect(recorded);
    }
}

#[test]
fn a_sev1_walk_from_declaration_to_close() {
    let env = TestEnv::ledger();
    let before = env.commit_count();
    let mut pty = Pty::spawn(&env, &["respond"]);
    pty.answer("Title: what is broken", "Checkout API returning 502s\r");
    pty.expect("SEV-4  Cosmetic or low-risk issue");
    pty.send("\r");
    pty.answer("Affected services", "checkout-api\r");
    pty.answer(
        "Impact: who is affected",
        "About 30% of checkout attempts fail\r",
    );
    pty.answer("When did the impact start?", "\r");
    // The time understood is echoed, as every confirmation does.
    pty.expect("impact started: 2026-11-26 ");
    pty.expect("INC-1: declared SEV-1: Checkout API returning 502s");
    pty.answer("Acknowledge it and begin tracking [Y/n]", "y");
    pty.answer(
        "Incident lead (Name <email>) [Ada Lovelace <ada@example.com>]",
        "\r",
    );

    pty.expect("Nothing yet: go on to the investigation");
    pty.pick(DOWN, "Disable a failing feature via flag");
    pty.send("\r");
    pty.answer("What exactly was done", "Disabled flag new-checkout-flow\r");
    pty.answer("Is it temporary, to be undone later? [Y/n]", "y");
    pty.answer("Cleanup plan [Re-enable", "\r");
    pty.answer("What did it change", "flags/checkout.toml\r");
    pty.answer("Its stable state", "new-checkout-flow = true\r");
    pty.answer("Its temporary state", "new-checkout-flow = false\r");
    pty.expect("mitigation M1 (flag, temporary): Disabled flag new-checkout-flow");
    pty.answer("Record another stabilizing measure? [y/N]", "n");

    tick_all(&mut pty, "Confirm whether the issue is ongoing or resolved");
    pty.answer("Is SEV-1 still the right severity? [Y/n]", "y");
    pty.answer(
        "Finding for the notes",
        "5xx began right after deploy web-7f3a\r",
    );
    pty.expect("note: 5xx began right after deploy web-7f3a");
    pty.answer("Finding for the notes", "\r");

    pty.expect("[5/9] Communication");
    tick_all(&mut pty, "Avoid speculation; share verified information");
    pty.expect("SEV-1 expects an update every 30m");
    pty.answer("External: customers, status page", "\r");
    pty.expect("[SEV-1] INC-1 Checkout API returning 502s: mitigated.");
    pty.expect("Latest finding: 5xx began right after deploy web-7f3a.");
    pty.answer("No update now", "\r");
    pty.expect("internal update: [SEV-1] INC-1");
    pty.answer("Post another update (for another audience)? [y/N]", "n");
    pty.answer("Record a further mitigation? [y/N]", "n");

    tick_all(
        &mut pty,
        "Re-enable features gradually if they were disabled",
    );
    pty.expect("-new-checkout-flow = false");
    pty.expect("+new-checkout-flow = true");
    pty.expect("Not yet: it stays in place for now");
    pty.pick(UP, "Keep it: make it permanent");
    pty.pick(UP, "Cleaned up: it is undone");
    pty.send("\r");
    pty.answer("How was it cleaned up", "Re-enabled at 10%, 50%, 100%\r");
    pty.expect("mitigation M1 cleaned up");
    pty.answer("Resolve INC-1 [Y/n]", "y");
    pty.answer("How was it resolved", "Fixed the null price\r");
    pty.expect("resolved");

    review_in_editor(&mut pty);

    pty.answer(
        "Follow-up action (empty when done)",
        "Alert on checkout 5xx ratio above 2%\r",
    );
    pty.expect("Corrective: fix what broke");
    pty.pick(DOWN, "Detective: find it sooner");
    pty.send("\r");
    pty.answer(
        "Owner (Name <email>) [Ada Lovelace <ada@example.com>]",
        "\r",
    );
    pty.answer("Due date (YYYY-MM-DD, `none`) [", "\r");
    pty.expect("action A1 for Ada Lovelace");
    pty.answer("Follow-up action (empty when done)", "\r");
    pty.answer("Close INC-1? [Y/n]", "y");
    pty.expect("closed");
    let (code, raw) = pty.finish();
    assert_eq!(code, 0, "{}", plain(&raw));

    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "closed", "{inc}");
    assert_eq!(inc["severity"], "SEV-1");
    assert_eq!(inc["lead"], "Ada Lovelace <ada@example.com>");
    assert_eq!(inc["services"][0], "checkout-api");
    assert_eq!(inc["mitigations"][0]["kind"], "flag");
    assert_eq!(inc["mitigations"][0]["temporary"], true);
    assert_eq!(inc["mitigations"][0]["before"], "new-checkout-flow = true");
    assert!(inc["mitigations"][0]["cleaned_up_at"].is_string(), "{inc}");
    assert_eq!(
        inc["review"]["root_cause"],
        "Answered in the editor: What was the root cause?"
    );
    assert_eq!(inc["actions"][0]["kind"], "detective");
    assert!(
        inc["updates"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("[SEV-1] INC-1 Checkout API returning 502s: mitigated."),
        "{inc}"
    );

    // Every answer is one commit of the incident file, with its trailers.
    let changes = changes(&env);
    assert_eq!(changes.len(), env.commit_count());
    assert_eq!(changes[before], "declare");
    for (verb, n) in [
        ("ack", 1),
        ("lead", 1),
        ("mitigate", 1),
        ("update", 1),
        ("cleanup-done", 1),
        ("resolve", 1),
        ("review", 4),
        ("action", 1),
        ("close", 1),
    ] {
        assert_eq!(count(&changes, verb), n, "{verb}: {changes:?}");
    }
    let files = env.git(&[
        "log",
        "--format=",
        "--name-only",
        "-n",
        &(changes.len() - before).to_string(),
    ]);
    for file in files.lines().filter(|l| !l.is_empty()) {
        assert_eq!(file, "incidents/2026/INC-1.toml");
    }
    assert_eq!(
        env.git(&[
            "log",
            "--grep=Incident-Change: mitigate",
            "--format=%(trailers:key=Incident,valueonly)"
        ])
        .trim(),
        "INC-1"
    );
    assert!(env.status().is_empty(), "{}", env.status());
}

#[test]
fn ctrl_c_after_a_mitigation_loses_nothing_and_resume_asks_no_step_twice() {
    let env = TestEnv::ledger();
    env.run(&["declare", "Search is slow", "--sev", "SEV-3"])
        .ok();

    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Resuming INC-1: Search is slow");
    pty.answer("Acknowledge it and begin tracking [Y/n]", "y");
    pty.answer("Incident lead (Name <email>)", "\r");
    pty.expect("Nothing yet: go on to the investigation");
    pty.pick(DOWN, "Disable a failing feature via flag");
    pty.pick(DOWN, "Scale resources (capacity)");
    pty.send("\r");
    pty.answer("What exactly was done", "Scaled search to 12 nodes\r");
    pty.answer("Is it temporary, to be undone later? [Y/n]", "y");
    pty.answer("Cleanup plan [Scale back", "\r");
    pty.answer("What did it change", "\r");
    pty.expect("mitigation M1 (scale, temporary): Scaled search to 12 nodes");
    pty.expect("Record another stabilizing measure? [y/N]");
    let at_interrupt = pty.raw.len();
    pty.send(CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    // The question hid the cursor; the interruption showed it again.
    assert!(raw.contains(HIDE_CURSOR));
    assert!(
        raw[at_interrupt..].contains(SHOW_CURSOR),
        "no show-cursor after Ctrl-C: {:?}",
        &raw[at_interrupt..]
    );
    let text = plain(&raw);
    assert!(
        text.contains("resume with `git incident respond INC-1`"),
        "{text}"
    );

    // Nothing answered was lost, nothing is left half-written.
    assert_eq!(count(&changes(&env), "mitigate"), 1);
    assert!(env.status().is_empty(), "{}", env.status());
    assert_eq!(env.incident("INC-1")["step"], "stabilize");

    env.set_now("2026-11-26T19:10:00Z");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Resuming INC-1: Search is slow");
    pty.expect("1 mitigation (1 pending cleanup)");
    pty.expect("[3/9] Stabilize: done");
    pty.expect("Confirm whether the issue is ongoing or resolved");
    pty.send("\r");
    pty.answer("Is SEV-3 still the right severity? [Y/n]", "y");
    pty.answer("Finding for the notes", "\r");
    pty.expect("Communication: skipped for SEV-3");
    pty.answer("Record a further mitigation? [y/N]", "n");
    tick_all(
        &mut pty,
        "Re-enable features gradually if they were disabled",
    );
    pty.expect("Not yet: it stays in place for now");
    pty.pick(UP, "Keep it: make it permanent");
    pty.pick(UP, "Cleaned up: it is undone");
    pty.send("\r");
    pty.answer("How was it cleaned up", "\r");
    pty.answer("Resolve INC-1 [Y/n]", "y");
    pty.answer("How was it resolved", "\r");
    review_in_editor(&mut pty);
    pty.answer("Follow-up action (empty when done)", "\r");
    pty.answer("Close INC-1? [Y/n]", "y");
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 0, "{text}");
    for asked_before in [
        "Acknowledge it and begin tracking",
        "Incident lead",
        "How are you stopping the impact",
        "Record another stabilizing measure",
    ] {
        assert!(
            !text.contains(asked_before),
            "asked again: {asked_before}\n{text}"
        );
    }
    let changes = changes(&env);
    for (verb, n) in [
        ("ack", 1),
        ("lead", 1),
        ("mitigate", 1),
        ("cleanup-done", 1),
        ("close", 1),
    ] {
        assert_eq!(count(&changes, verb), n, "{verb}: {changes:?}");
    }
    assert_eq!(env.incident("INC-1")["status"], "closed");
}

#[test]
fn a_teams_own_step_and_checklist_are_walked() {
    let env = TestEnv::ledger();
    let runbook = env.read("runbook.toml");
    let custom = r#"[[steps]]
id = "support"
title = "Customer Support"
guidance = "Tell the support team what to say."
checklist = ["Support macro posted", "Status page updated"]
prompts = [{ id = "ticket", text = "Support ticket number?" }]

[[steps]]
id = "lead""#;
    env.write(
        "runbook.toml",
        &runbook.replacen("[[steps]]\nid = \"lead\"", custom, 1),
    );
    env.run(&["runbook", "--check", "runbook.toml"]).ok();
    env.git(&["commit", "-q", "-am", "Runbook: a customer support step"]);
    let version = serde_json::from_str::<serde_json::Value>(env.query(&["runbook", "--json"]).ok())
        .unwrap()["version"]
        .as_str()
        .unwrap()
        .to_owned();
    env.run(&["declare", "Support queue flooded", "--sev", "SEV-2"])
        .ok();

    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.answer("Acknowledge it and begin tracking [Y/n]", "y");
    pty.expect("[2/10] Customer Support");
    pty.expect("Tell the support team what to say.");
    pty.expect("Status page updated");
    pty.pick(DOWN, "[ ] Status page updated");
    pty.send(" ");
    pty.expect("[x] Status page updated");
    pty.send("\r");
    pty.answer("Support ticket number?", "ZD-4711\r");
    pty.expect("[3/10] Assign an Incident Lead");
    pty.answer("Incident lead (Name <email>)", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));

    let inc = env.incident("INC-1");
    assert_eq!(inc["runbook"], version.as_str());
    assert_eq!(inc["step"], "lead");
    let notes: Vec<&str> = inc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Customer Support checklist: 1 of 2 done\n[ ] Support macro posted\n[x] Status page updated",
            "Support ticket number?\nZD-4711",
        ]
    );
}

#[test]
fn an_uncommitted_edit_is_refused_before_the_first_question() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    let path = env.incident_path("INC-1");
    let edited = env.read(&path).replace("Checkout API", "Checkout");
    env.write(&path, &edited);
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("has changes that are not committed");
    let (code, raw) = pty.finish();
    assert_eq!(code, 1, "{}", plain(&raw));
    assert!(!plain(&raw).contains("Acknowledge"), "{}", plain(&raw));
    assert_eq!(env.read(&path), edited);
}

/// Runs the binary with a deadline: `respond` must never wait for input it
/// cannot get.
fn run_with_deadline(mut cmd: Command) -> (i32, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_millis(TIMEOUT_MS);
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("respond waited for input without a terminal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn without_a_terminal_respond_refuses_at_once_and_names_the_commands() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    let before = env.commit_count();
    for args in [
        &["respond"][..],
        &["respond", "INC-1"],
        &["respond", "--yes"],
    ] {
        let (code, stderr) = run_with_deadline(env.command(args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("needs a terminal"), "{stderr}");
        for command in [
            "declare",
            "ack",
            "lead",
            "mitigate",
            "note",
            "update",
            "cleanup done",
            "resolve",
            "review",
            "action",
            "close",
        ] {
            assert!(stderr.contains(command), "{command} not named: {stderr}");
        }
    }
    assert_eq!(env.commit_count(), before);

    // A terminal on stdin but not on stdout is refused as well.
    let out = env.path("out.txt");
    let script = format!("'{BIN}' respond > '{}'; echo \"exit=$?\"", out.display());
    let mut cmd = env.command(&[]);
    cmd.stdin(Stdio::inherit());
    let mut sh = Command::new("sh");
    sh.args(["-c", &script]).current_dir(&env.dir);
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => sh.env(key, v),
            None => sh.env_remove(key),
        };
    }
    let options = rexpect::reader::Options::new().timeout_ms(Some(TIMEOUT_MS));
    let mut session = spawn_with_options(sh, options).unwrap();
    let seen = session.exp_string("exit=").unwrap();
    let code = session.exp_regex("[0-9]+").unwrap().1;
    assert_eq!(code, "2", "{seen}");
    assert!(seen.contains("needs a terminal"), "{seen}");
}

#[test]
fn help() {
    let env = TestEnv::ledger();
    insta::assert_snapshot!(env.query(&["respond", "--help"]).ok());
}
