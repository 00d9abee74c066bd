//! Guided response while others write: a second responder, the real
//! binary under another `--as`, commits between two answers of a `respond`
//! waiting at a prompt in a pseudo-terminal. Nothing of theirs is lost or
//! reverted, respond says in one line who changed what, and where both set
//! the same thing the responder is asked whose answer stands.

#![cfg(unix)]

use crate::harness::{BOB, TestEnv};
use crate::test_respond::{CTRL_C, Pty, changes, plain};

/// The texts of an incident's notes, oldest first.
fn notes(env: &TestEnv, id: &str) -> Vec<String> {
    env.incident(id)["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| n["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The file of `id` as HEAD has it.
fn in_head(env: &TestEnv, id: &str) -> String {
    env.git(&["show", &format!("HEAD:{}", env.incident_path(id))])
}

#[test]
fn a_note_on_another_incident_while_respond_waits_is_kept_and_stays_committed() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.declare("Search is slow");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Acknowledge it and begin tracking [Y/n]");
    env.run(&["--as", BOB, "note", "INC-2", "Search index rebuilt"])
        .ok();
    pty.send("y");
    pty.expect("acknowledged (");
    pty.answer("Incident lead (Name <email>)", CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    assert!(!text.contains("changed meanwhile"), "{text}");

    // Nothing staged or modified: the other note is committed, in the file
    // and in HEAD, and not reverted in the index.
    assert!(env.status().is_empty(), "{}", env.status());
    assert!(
        in_head(&env, "INC-2").contains("Search index rebuilt"),
        "{}",
        in_head(&env, "INC-2")
    );
    assert!(
        env.read(&env.incident_path("INC-2"))
            .contains("Search index rebuilt")
    );
    assert_eq!(notes(&env, "INC-2"), ["Search index rebuilt"]);
    assert_eq!(env.incident("INC-1")["status"], "acknowledged");

    // Later commands on it work.
    env.run(&["note", "INC-2", "Latency back to normal"]).ok();
    assert_eq!(
        notes(&env, "INC-2"),
        ["Search index rebuilt", "Latency back to normal"]
    );
    assert!(env.status().is_empty(), "{}", env.status());
}

#[test]
fn a_note_on_the_same_incident_while_respond_waits_is_reloaded_and_kept() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Acknowledge it and begin tracking [Y/n]");
    env.run(&["--as", BOB, "note", "INC-1", "Payments team is looking"])
        .ok();
    pty.send("y");
    pty.expect("INC-1 changed meanwhile: note by Bob Ng <bob@example.com>; reloaded");
    pty.expect("acknowledged (");
    // It carries on to the next step.
    pty.answer(
        "Incident lead (Name <email>) [Ada Lovelace <ada@example.com>]",
        "\r",
    );
    pty.expect("lead Ada Lovelace");
    pty.answer("How are you stopping the impact", CTRL_C);
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    assert_eq!(text.matches("changed meanwhile").count(), 1, "{text}");
    assert!(!text.contains("not committed"), "{text}");

    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "acknowledged", "{inc}");
    assert_eq!(inc["lead"], "Ada Lovelace <ada@example.com>");
    assert_eq!(notes(&env, "INC-1"), ["Payments team is looking"]);
    assert!(env.status().is_empty(), "{}", env.status());
    // No commit of the walk's position: it moved with the answers.
    let changes = changes(&env);
    assert_eq!(changes[changes.len() - 3..], ["note", "ack", "lead"]);
    assert_eq!(inc["step"], "stabilize");
    let authors = env.git(&["log", "-3", "--reverse", "--format=%an"]);
    assert_eq!(
        authors.lines().collect::<Vec<_>>(),
        ["Bob Ng", "Ada Lovelace", "Ada Lovelace"]
    );
}

/// `respond INC-1` at the lead question while Bob takes the lead.
fn both_set_the_lead() -> (TestEnv, Pty) {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env.run(&["ack", "INC-1"]).ok();
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Incident lead (Name <email>) [Ada Lovelace <ada@example.com>]");
    env.run(&["--as", BOB, "lead", "INC-1", "me"]).ok();
    pty.send("\r");
    pty.expect("INC-1 changed meanwhile: lead by Bob Ng <bob@example.com>; reloaded");
    pty.expect("Bob Ng <bob@example.com> set the lead to Bob Ng <bob@example.com>; you answered Ada Lovelace <ada@example.com>");
    (env, pty)
}

#[test]
fn both_setting_the_lead_asks_and_keeping_theirs_records_nothing_of_mine() {
    let (env, mut pty) = both_set_the_lead();
    let before = env.commit_count();
    pty.answer("Keep theirs? (no records yours) [Y/n]", "y");
    pty.answer("How are you stopping the impact", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert_eq!(env.incident("INC-1")["lead"], "Bob Ng <bob@example.com>");
    // Nothing of mine, not even the walk's position.
    assert_eq!(env.commit_count(), before);
    assert_eq!(changes(&env).last().unwrap(), "lead");
    assert!(env.status().is_empty(), "{}", env.status());
}

#[test]
fn both_setting_the_lead_asks_and_applying_mine_records_mine_over_theirs() {
    let (env, mut pty) = both_set_the_lead();
    pty.answer("Keep theirs? (no records yours) [Y/n]", "n");
    pty.expect("lead Bob Ng -> Ada Lovelace");
    pty.answer("How are you stopping the impact", CTRL_C);
    let (code, raw) = pty.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert_eq!(
        env.incident("INC-1")["lead"],
        "Ada Lovelace <ada@example.com>"
    );
    let changes = changes(&env);
    // Bob's lead, then mine, which also moved the walk on: no step markers.
    assert_eq!(changes[changes.len() - 3..], ["ack", "lead", "lead"]);
    assert_eq!(env.incident("INC-1")["step"], "stabilize");
    assert!(env.status().is_empty(), "{}", env.status());
}

#[test]
fn resolved_meanwhile_theirs_stands_and_the_walk_goes_on_from_the_state_as_it_is() {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    let mut pty = Pty::spawn(&env, &["respond", "INC-1"]);
    pty.expect("Acknowledge it and begin tracking [Y/n]");
    env.run(&["--as", BOB, "ack", "INC-1"]).ok();
    env.run(&["--as", BOB, "resolve", "INC-1", "--summary", "Rolled back"])
        .ok();
    let before = env.commit_count();
    pty.send("y");
    pty.expect("INC-1 changed meanwhile: ack, resolve by Bob Ng <bob@example.com>; reloaded");
    // Nothing of the answer can be recorded any more: nothing to ask.
    pty.expect("your answer no longer applies: INC-1 is already resolved; theirs stands");
    // Not failed: on to the next step, from the incident as it is now.
    pty.answer(
        "Incident lead (Name <email>) [Ada Lovelace <ada@example.com>]",
        CTRL_C,
    );
    let (code, raw) = pty.finish();
    let text = plain(&raw);
    assert_eq!(code, 130, "{text}");
    assert!(!text.contains("Keep theirs"), "{text}");
    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "resolved", "{inc}");
    assert_eq!(inc["resolution"], "Rolled back", "{inc}");
    // Nothing of the walk's: not even its position.
    assert_eq!(env.commit_count(), before);
    assert!(env.status().is_empty(), "{}", env.status());
}
