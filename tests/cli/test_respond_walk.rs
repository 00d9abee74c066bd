//! Guided response as a responder meets it, through the real binary in a
//! pseudo-terminal: `@FILE` and `@@` at a prompt as on the command line,
//! a state of several lines, the walk resumed where the single commands
//! left the incident, the editor chosen in git's order (and asked about,
//! never opened unannounced, where none is configured), and a walk whose
//! commits are its answers, nothing else.

#![cfg(unix)]

use std::process::Command;

use crate::harness::TestEnv;
use crate::test_respond::{
    CTRL_C, DOWN, Pty, UP, changes, count, plain, review_in_editor, tick_all,
};

/// `git-incident ARGS` with no editor to be found: none in the
/// environment, and the home's git config (the harness's) sets none.
fn without_an_editor(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = env.command(args);
    for var in ["GIT_EDITOR", "VISUAL", "EDITOR"] {
        cmd.env_remove(var);
    }
    cmd
}

/// An editor that appends `lines` to the file it is given.
fn editor_writing(env: &TestEnv, name: &str, lines: &str) -> String {
    let path = env.home.join(format!("{name}.sh"));
    std::fs::write(
        &path,
        format!("#!/bin/sh\nprintf '%s\\n' '{lines}' >> \"$1\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

/// An acknowledged SEV-2 with a lead, all by single commands.
fn acknowledged(env: &TestEnv) {
    env.declare("Checkout API returning 502s");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["lead", "INC-1", "me"]).ok();
}

/// From the stabilize step: a temporary flag on `flags/checkout.toml`, up
/// to the question of its stable state.
#[track_caller]
fn a_flag_up_to_its_states(pty: &mut Pty) {
    pty.expect("Nothing yet: go on to the investigation");
    pty.pick(DOWN, "Disable a failing feature via flag");
    pty.send("\r");
    pty.answer("What exactly was done", "Disabled flag new-checkout-flow\r");
    pty.answer("Is it temporary, to be undone later? [Y/n]", "y");
    pty.answer("Cleanup plan [Re-enable", "\r");
    pty.answer("What did it change", "flags/checkout.toml\r");
}

fn notes(env: &TestEnv) -> Vec<String> {
    env.incident("INC-1")["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn at_file_and_a_double_at_read_at_the_prompts_as_on_the_command_line() {
    let env = TestEnv::ledger();
    acknowledged(&env);
    env.write("states/before.toml", "[flags]\nnew-checkout-flow = true\n");
    env.write("finding.md", "Deploy web-7f3a renamed a config key.\n");
    // The command line: `@@` records a literal `@`, `@FILE` the file.
    env.run(&["note", "INC-1", "@@oncall paged at 18:41"]).ok();
    env.run(&["note", "INC-1", "@finding.md"]).ok();
    assert_eq!(
        notes(&env),
        [
            "@oncall paged at 18:41",
            "Deploy web-7f3a renamed a config key.\n"
        ]
    );

    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    a_flag_up_to_its_states(&mut pty);
    pty.answer("Its stable state", "@states/before.toml\r");
    pty.expect("read states/before.toml (2 lines)");
    pty.answer("Its temporary state", "@@flags off\r");
    pty.expect("mitigation M1 (flag, temporary): Disabled flag new-checkout-flow");
    pty.answer("Record another stabilizing measure? [y/N]", "n");
    tick_all(&mut pty, "Confirm whether the issue is ongoing or resolved");
    pty.answer("Is SEV-2 still the right severity? [Y/n]", "y");
    // A file that is not there is said, and the question asked again.
    pty.answer("Finding for the notes", "@missing.md\r");
    pty.expect("cannot read missing.md");
    pty.answer("Finding for the notes", "@@here: payments confirm\r");
    pty.expect("note: @here: payments confirm");
    pty.answer("Finding for the notes", "@finding.md\r");
    pty.expect("read finding.md (1 line)");
    pty.answer("Finding for the notes", "\r");
    pty.expect("[5/9] Communication");
    pty.send(CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    // The prompt says how to give a file, or several lines.
    assert!(
        text.contains("Its stable state, which the cleanup restores (empty to skip; @FILE reads a file, @ alone takes several lines)"),
        "{text}"
    );

    let inc = env.incident("INC-1");
    let m = &inc["mitigations"][0];
    assert_eq!(
        m["before"].as_str().unwrap().trim_end(),
        "[flags]\nnew-checkout-flow = true",
        "{inc}"
    );
    assert_eq!(m["after"], "@flags off", "{inc}");
    let notes = notes(&env);
    assert!(
        notes.contains(&"@here: payments confirm".to_owned()),
        "{notes:?}"
    );
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.trim_end() == "Deploy web-7f3a renamed a config key.")
            .count(),
        2,
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.contains("missing.md")), "{notes:?}");

    // The same on the command line, for a mitigation's states.
    env.run(&[
        "mitigate",
        "INC-1",
        "Scaled checkout to 12 pods",
        "--temporary",
        "--cleanup",
        "Scale back",
        "--before",
        "@states/before.toml",
        "--after",
        "@@scaled",
    ])
    .ok();
    let m = &env.incident("INC-1")["mitigations"][1];
    assert_eq!(
        m["before"].as_str().unwrap().trim_end(),
        "[flags]\nnew-checkout-flow = true"
    );
    assert_eq!(m["after"], "@scaled");
}

#[test]
fn a_state_of_several_lines_is_typed_line_by_line_or_written_in_the_editor() {
    // No editor: the lines are typed at the prompt, an empty line ends them.
    let env = TestEnv::ledger();
    acknowledged(&env);
    let mut pty = Pty::spawn_command(without_an_editor(&env, &["respond", "INC-1"]));
    a_flag_up_to_its_states(&mut pty);
    pty.answer("Its stable state", "@\r");
    pty.expect("an empty line ends it");
    pty.send("[flags]\r");
    pty.send("new-checkout-flow = true\r");
    pty.send("\r");
    pty.answer("Its temporary state", "new-checkout-flow = false\r");
    pty.expect("mitigation M1 (flag, temporary)");
    pty.answer("Record another stabilizing measure? [y/N]", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    let m = &env.incident("INC-1")["mitigations"][0];
    assert_eq!(m["before"], "[flags]\nnew-checkout-flow = true");
    assert_eq!(m["after"], "new-checkout-flow = false");

    // With an editor: a lone `@` opens it.
    let env = TestEnv::ledger();
    acknowledged(&env);
    let mut cmd = env.command(&["respond", "INC-1"]);
    cmd.env(
        "GIT_EDITOR",
        editor_writing(&env, "state", "[flags]\nnew-checkout-flow = false"),
    );
    let mut pty = Pty::spawn_command(cmd);
    a_flag_up_to_its_states(&mut pty);
    pty.answer("Its stable state", "new-checkout-flow = true\r");
    pty.answer("Its temporary state", "@\r");
    pty.expect("mitigation M1 (flag, temporary)");
    pty.answer("Record another stabilizing measure? [y/N]", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    let m = &env.incident("INC-1")["mitigations"][0];
    assert_eq!(m["before"], "new-checkout-flow = true");
    assert_eq!(m["after"], "[flags]\nnew-checkout-flow = false");
}

#[test]
fn an_incident_moved_by_single_commands_resumes_at_the_step_its_state_reached() {
    // Resolved by hand: the walk picks up at the review, asking nothing
    // of what the commands already did.
    let env = TestEnv::ledger();
    env.declare("Search is slow");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["mitigate", "INC-1", "Restarted search"]).ok();
    env.run(&["resolve", "INC-1", "--summary", "Back to normal"])
        .ok();
    assert_eq!(env.incident("INC-1")["step"], "acknowledge");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Resuming INC-1: Search is slow");
    pty.expect("Continuing at step 8 of 9: Post-Incident Review");
    pty.expect("[7/9] Recovery: done");
    review_in_editor(&mut pty);
    pty.answer("Follow-up action (empty when done)", CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    for not_asked in [
        "Acknowledge it and begin tracking",
        "Incident lead",
        "How are you stopping the impact",
        "Investigation checklist",
        "Record a further mitigation",
        "Resolve INC-1",
    ] {
        assert!(!text.contains(not_asked), "asked: {not_asked}\n{text}");
    }
    // The last answer of the review moved the walk on to prevention.
    assert_eq!(env.incident("INC-1")["step"], "prevention");

    // Mitigated by hand: on to the investigation.
    let env = TestEnv::ledger();
    env.declare("Search is slow");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["mitigate", "INC-1", "Restarted search"]).ok();
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Continuing at step 4 of 9: Investigation");
    pty.answer("Investigation checklist", CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    assert!(!text.contains("Incident lead"), "{text}");
    assert!(!text.contains("How are you stopping the impact"), "{text}");

    // Acknowledged with a lead by hand: on to stabilize.
    let env = TestEnv::ledger();
    acknowledged(&env);
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Continuing at step 3 of 9: Stabilize");
    pty.expect("[2/9] Assign an Incident Lead: done");
    pty.answer("How are you stopping the impact", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
}

#[test]
fn with_no_editor_configured_respond_asks_on_the_terminal_and_review_asks_first() {
    let env = TestEnv::ledger();
    env.declare("Search is slow");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["mitigate", "INC-1", "Restarted search"]).ok();
    env.run(&["resolve", "INC-1"]).ok();
    let mut pty = Pty::spawn_command(without_an_editor(&env, &["respond", "INC-1"]));
    pty.expect(
        "no editor is configured (GIT_EDITOR, core.editor, VISUAL or EDITOR): long answers are typed here, line by line",
    );
    pty.expect("What happened? (an empty line ends it; empty to skip)");
    pty.send("A restart loop.\r");
    pty.send("It took the search pods down.\r");
    pty.send("\r");
    pty.expect("review: what happened");
    pty.answer("What was the root cause? (an empty line ends it", CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    // Said once, not at every question; and no editor was started.
    assert_eq!(text.matches("no editor is configured").count(), 1, "{text}");
    assert!(!text.contains("(opening"), "{text}");
    assert_eq!(
        env.incident("INC-1")["review"]["what_happened"],
        "A restart loop.\nIt took the search pods down."
    );

    // `review` says no editor is set, names the one git would open, and
    // opens it only when asked to.
    let before = env.commit_count();
    let mut pty = Pty::spawn_command(without_an_editor(&env, &["review", "INC-1"]));
    pty.answer(
        "No editor is configured (GIT_EDITOR, core.editor, VISUAL or EDITOR): open the review in vi? [y/N]",
        "n",
    );
    pty.expect("no editor is configured; nothing recorded");
    let (code, raw) = pty.finish();
    assert_eq!(code, 2, "{}", plain(&raw));
    assert!(plain(&raw).contains("core.editor"), "{}", plain(&raw));
    assert_eq!(env.commit_count(), before);
}

#[test]
fn the_editor_is_the_one_git_would_open_and_is_named_before_it_opens() {
    let env = TestEnv::ledger();
    for title in ["Search is slow", "Search is slow again"] {
        let id = env.declare(title);
        env.run(&["ack", &id]).ok();
        env.run(&["mitigate", &id, "Restarted search"]).ok();
        env.run(&["resolve", &id]).ok();
    }
    let core = editor_writing(&env, "core-editor", "Written by core.editor");
    env.git(&["config", "--global", "core.editor", &core]);
    let visual = editor_writing(&env, "visual", "Written by VISUAL");
    let editor = editor_writing(&env, "editor", "Written by EDITOR");
    let git_editor = editor_writing(&env, "git-editor", "Written by GIT_EDITOR");
    // GIT_EDITOR first, then core.editor, then VISUAL, then EDITOR.
    for (id, program, written) in [
        ("INC-1", Some(&git_editor), "Written by GIT_EDITOR"),
        ("INC-2", None, "Written by core.editor"),
    ] {
        let mut cmd = env.command(&["respond", id]);
        cmd.env("VISUAL", &visual).env("EDITOR", &editor);
        match program {
            Some(program) => cmd.env("GIT_EDITOR", program),
            None => cmd.env_remove("GIT_EDITOR"),
        };
        let mut pty = Pty::spawn_command(cmd);
        pty.expect(&format!("What happened? {written}"));
        pty.answer("What was the root cause?", CTRL_C);
        let (code, raw) = pty.finish();
        let text = plain(&raw);
        assert_eq!(code, 130, "{text}");
        let opened = program.unwrap_or(&core);
        assert!(
            text.contains(&format!("What happened? (opening {opened})")),
            "{text}"
        );
        assert_eq!(env.incident(id)["review"]["what_happened"], written);
    }
}

#[test]
fn a_whole_walk_makes_one_commit_per_answer_and_no_step_marker() {
    let env = TestEnv::ledger();
    env.run(&["declare", "Checkout API returning 502s", "--sev", "SEV-1"])
        .ok();
    let declared = env.head();
    let before = env.commit_count();
    env.set_now("2026-11-26T18:50:00Z");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    let mut answers = 0;
    pty.answer("Acknowledge it and begin tracking [Y/n]", "y");
    answers += 1;
    pty.answer(
        "Incident lead (Name <email>) [Ada Lovelace <ada@example.com>]",
        "\r",
    );
    answers += 1;
    a_flag_up_to_its_states(&mut pty);
    pty.answer("Its stable state", "new-checkout-flow = true\r");
    pty.answer("Its temporary state", "new-checkout-flow = false\r");
    pty.expect("mitigation M1 (flag, temporary)");
    answers += 1;
    pty.answer("Record another stabilizing measure? [y/N]", "n");
    tick_all(&mut pty, "Confirm whether the issue is ongoing or resolved");
    answers += 1;
    pty.answer("Is SEV-1 still the right severity? [Y/n]", "y");
    pty.answer(
        "Finding for the notes",
        "5xx began right after deploy web-7f3a\r",
    );
    pty.expect("note: 5xx began right after deploy web-7f3a");
    answers += 1;
    pty.answer("Finding for the notes", "\r");
    pty.expect("[5/9] Communication");
    tick_all(&mut pty, "Avoid speculation; share verified information");
    answers += 1;
    pty.answer("External: customers, status page", "\r");
    pty.answer("No update now", "\r");
    pty.expect("internal update: [SEV-1] INC-1");
    answers += 1;
    pty.answer("Post another update (for another audience)? [y/N]", "n");
    pty.answer("Record a further mitigation? [y/N]", "n");
    tick_all(
        &mut pty,
        "Re-enable features gradually if they were disabled",
    );
    answers += 1;
    pty.expect("Not yet: it stays in place for now");
    pty.pick(UP, "Keep it: make it permanent");
    pty.pick(UP, "Cleaned up: it is undone");
    pty.send("\r");
    pty.answer("How was it cleaned up", "Re-enabled at 10%, 50%, 100%\r");
    pty.expect("mitigation M1 cleaned up");
    answers += 1;
    pty.answer("Resolve INC-1 [Y/n]", "y");
    pty.answer("How was it resolved", "Fixed the null price\r");
    answers += 1;
    review_in_editor(&mut pty);
    answers += 4;
    pty.answer(
        "Follow-up action (empty when done)",
        "Alert on checkout 5xx ratio above 2%\r",
    );
    pty.expect("Corrective: fix what broke");
    pty.send("\r");
    pty.answer(
        "Owner (Name <email>) [Ada Lovelace <ada@example.com>]",
        "\r",
    );
    pty.answer("Due date (YYYY-MM-DD, `none`) [", "\r");
    pty.expect("action A1 for Ada Lovelace");
    answers += 1;
    pty.answer("Follow-up action (empty when done)", "\r");
    pty.answer("Close INC-1? [Y/n]", "y");
    pty.expect("closed");
    answers += 1;
    let (code, raw) = pty.finish();
    assert_eq!(code, 0, "{}", plain(&raw));
    assert_eq!(env.incident("INC-1")["status"], "closed");

    // As many commits as answers: the walk's position took none.
    let count_after: usize = env
        .git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(count_after - before, answers);
    let changes = changes(&env);
    assert_eq!(count(&changes, "step"), 0, "{changes:?}");
    assert_eq!(count(&changes, "review"), 4, "{changes:?}");

    // What people read leaves the position out: the log and the brief.
    let log = env.run(&["log", "INC-1"]).ok().to_owned();
    assert!(!log.contains("step"), "{log}");
    assert!(
        log.starts_with(&format!(
            "INC-1  incidents/2026/INC-1.toml  {} changes",
            answers + 1
        )),
        "{log}"
    );
    let brief = env
        .run(&["diff", "INC-1", "--since", &declared])
        .ok()
        .to_owned();
    let (summary, _text_diff) = brief.split_once("\n--- ").unwrap();
    assert!(summary.contains("status declared -> closed"), "{brief}");
    assert!(!summary.contains("step"), "{brief}");
    // The position still moved, in the answers' commits, and verify agrees.
    assert_eq!(env.incident("INC-1")["step"], "prevention");
    env.run(&["verify"]).ok();
}
