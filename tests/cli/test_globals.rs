//! The global options (issue 12): each command honours `--at`, `--as` and
//! `--json` or refuses them, and under `--json` an error is a JSON document
//! too.

use serde_json::Value;

use crate::harness::TestEnv;

/// "What was open at 14:00?": `list --at` lists the incidents as the last
/// commit at or before that time held them.
#[test]
fn list_at_a_time_shows_the_incidents_as_they_stood() {
    let env = TestEnv::ledger();
    env.set_now("2026-11-26T13:50:00Z");
    let first = env.declare("Checkout API returning 502s");
    env.set_now("2026-11-26T14:30:00Z");
    env.run(&["ack", &first]).ok();
    env.run(&["resolve", &first]).ok();
    env.declare("Queue backlog");
    env.set_now("2026-11-26T15:00:00Z");

    let then = env.run(&["list", "--at", "2026-11-26T14:00:00Z", "--json"]);
    let rows: Value = serde_json::from_str(then.ok()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["id"], first.as_str());
    assert_eq!(rows[0]["status"], "declared");
    then.stderr_has("as they stood at");

    let open_then = env.run(&["list", "--at", "2026-11-26T14:00:00Z", "--open"]);
    assert!(
        open_then.ok().contains("Checkout API"),
        "{}",
        open_then.stdout
    );
    let now: Value = serde_json::from_str(env.run(&["list", "--json"]).ok()).unwrap();
    assert_eq!(now.as_array().unwrap().len(), 2);
    env.refused(
        &["list", "--at", "2026-11-26T13:00:00Z"],
        1,
        "before the first commit",
    );
}

/// A global option a command would ignore is refused with exit 2, before
/// anything is read or written.
#[test]
fn a_global_option_a_command_would_ignore_is_refused() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    for (args, flag) in [
        (vec!["log", &id, "--at", "1h ago"], "--at"),
        (vec!["report", &id, "--at", "1h ago"], "--at"),
        (vec!["diff", &id, "--at", "1h ago"], "--at"),
        (vec!["validate", "--at", "1h ago"], "--at"),
        (vec!["verify", "--at", "1h ago"], "--at"),
        (vec!["cleanup", "--at", "1h ago"], "--at"),
        (vec!["sync", "--at", "1h ago"], "--at"),
        (vec!["list", "--as", "Bob Ng <bob@example.com>"], "--as"),
        (
            vec!["show", &id, "--as", "Bob Ng <bob@example.com>"],
            "--as",
        ),
        (vec!["man", "--json"], "--json"),
        (vec!["completions", "bash", "--json"], "--json"),
    ] {
        let run = env.refused(&args, 2, &format!("{flag} does not apply to"));
        run.stderr_has("hint:");
    }
    // Where they apply they are taken.
    env.run(&[
        "note",
        &id,
        "seen at 14:00",
        "--as",
        "Bob Ng <bob@example.com>",
    ])
    .ok();
    env.run(&["show", &id, "--at", "HEAD~1"]).ok();
    env.run(&["stats", "--at", "HEAD", "--json"]).ok();
}

/// Under `--json` an error is also one JSON document on stdout: its code,
/// kind, message and hint, and where in the file for a file's error. A
/// check that printed its own findings gets no second document.
#[test]
fn under_json_an_error_is_one_json_document() {
    let env = TestEnv::ledger();
    let refused = env.run(&["note", "INC-9", "x", "--json"]);
    refused.code(1).stderr_has("no incident INC-9");
    let doc: Value = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(doc["error"]["code"], 1);
    assert_eq!(doc["error"]["kind"], "refused");
    assert_eq!(doc["error"]["message"], "no incident INC-9 in this ledger");
    assert!(
        doc["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("git incident list")
    );

    let usage = env.run(&["list", "--json", "--sev"]);
    usage.code(2);
    let doc: Value = serde_json::from_str(&usage.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "usage");
    assert!(doc["error"]["message"].as_str().unwrap().contains("--sev"));

    let id = env.declare("Checkout API returning 502s");
    let path = env.incident_path(&id);
    let text = env.read(&path);
    env.write(
        &path,
        &text.replacen("severity = \"SEV-2\"", "severity = SEV-2", 1),
    );
    let broken = env.run(&["show", &id, "--json"]);
    broken.code(2);
    let doc: Value = serde_json::from_str(&broken.stdout).unwrap();
    assert_eq!(doc["error"]["path"], path.as_str(), "{doc}");
    assert!(doc["error"]["line"].as_u64().unwrap() > 1, "{doc}");
    assert!(doc["error"]["column"].as_u64().is_some(), "{doc}");

    let check = env.run(&["validate", "--json"]);
    check.code(1);
    let docs: Vec<Value> = serde_json::Deserializer::from_str(&check.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(docs.len(), 1, "{}", check.stdout);
    assert!(docs[0].get("error").is_none(), "{}", check.stdout);
}
