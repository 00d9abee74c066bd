//! `verify` catches each way an audit trail is tampered with: an
//! uncommitted edit, a hand edit under a forged trailer, an amend, a rebase,
//! a reset that drops recorded changes, and a signature by the wrong key; a
//! commit made outside the tool is a warning, and a clean ledger passes.

use crate::harness::{BOB, TestEnv};
use crate::test_gitconfig::make_ssh_key;

/// A ledger with one incident and a note, verified once.
fn verified() -> (TestEnv, String) {
    let env = TestEnv::ledger();
    env.declare("Checkout down");
    env.run(&["note", "INC-1", "Looking at the pods"]).ok();
    env.run(&["verify"]).ok();
    let head = env.head();
    (env, head)
}

fn verified_ref(env: &TestEnv) -> String {
    env.git(&["rev-parse", "refs/git-incident/verified"])
        .trim()
        .to_owned()
}

#[test]
fn a_clean_ledger_passes_and_its_tip_becomes_the_verified_point() {
    let (env, head) = verified();
    assert_eq!(verified_ref(&env), head);
    let run = env.run(&["verify"]);
    assert_eq!(run.ok(), "");
    assert!(
        run.stderr
            .contains("2 commits checked: the ledger is intact"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["verify", "--json"]).ok()).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn an_uncommitted_edit_fails() {
    let (env, head) = verified();
    let path = env.incident_path("INC-1");
    let text = env.read(&path).replace("SEV-2", "SEV-4");
    env.write(&path, &text);
    env.write("incidents/2026/INC-9.toml", "title = \"stray\"\n");
    let run = env.refused(&["verify"], 1, "2 errors");
    assert!(
        run.stdout.contains(&format!(
            "error: {path} was changed but the change is not committed"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("incidents/2026/INC-9.toml is not committed (untracked)"),
        "{}",
        run.stdout
    );
    assert_eq!(verified_ref(&env), head, "a failed verify moves nothing");
}

#[test]
fn a_hand_edit_under_a_forged_trailer_fails() {
    let (env, _) = verified();
    let path = env.incident_path("INC-1");
    let text = env
        .read(&path)
        .replace("severity = \"SEV-2\"", "severity = \"SEV-4\"");
    env.write(&path, &text);
    env.git(&[
        "commit",
        "-q",
        "-am",
        "INC-1: note: more",
        "-m",
        "Incident: INC-1\nIncident-Change: note",
    ]);
    let run = env.refused(&["verify"], 1, "1 error");
    assert!(
        run.stdout
            .contains("says `Incident-Change: note` but it changes severity SEV-2 -> SEV-4"),
        "{}",
        run.stdout
    );
    // A trailer that names the right verb but the wrong values.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.write(&path, &text);
    env.git(&[
        "commit",
        "-q",
        "-am",
        "INC-1: severity SEV-3 -> SEV-4",
        "-m",
        "Incident: INC-1\nIncident-Change: sev\nFrom: SEV-3\nTo: SEV-4",
    ]);
    let run = env.run(&["verify", "--json"]);
    run.code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["findings"][0]["kind"], "mismatch");
    assert_eq!(json["findings"][0]["commit"], env.head());
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("severity SEV-3 -> SEV-4 but its diff changes it SEV-2 -> SEV-4"),
        "{message}"
    );
}

#[test]
fn an_amend_of_a_tool_commit_fails() {
    let (env, head) = verified();
    let path = env.incident_path("INC-1");
    let text = env
        .read(&path)
        .replace("Looking at the pods", "Nothing to see");
    env.write(&path, &text);
    env.git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let run = env.refused(&["verify"], 1, "1 error");
    assert!(
        run.stdout.contains(&format!(
            "history was rewritten: the last verified commit {} is no longer in the history of HEAD",
            &head[..8]
        )),
        "{}",
        run.stdout
    );
    // It stays caught: later changes do not launder it.
    env.run(&["note", "INC-1", "later"]).ok();
    let run = env.refused(&["verify"], 1, "1 error");
    assert!(
        run.stdout.contains("history was rewritten"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rebase_that_reattributes_commits_fails() {
    let (env, _) = verified();
    env.git(&[
        "-c",
        "user.name=Mallory",
        "-c",
        "user.email=mallory@example.com",
        "rebase",
        "-q",
        "--exec",
        "git commit -q --amend --no-edit --reset-author",
        "HEAD~2",
    ]);
    assert!(env.git(&["log", "-1", "--format=%an"]).contains("Mallory"));
    let run = env.refused(&["verify"], 1, "1 error");
    assert!(
        run.stdout.contains("history was rewritten"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_reset_that_drops_recorded_changes_fails() {
    let (env, head) = verified();
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let run = env.refused(&["verify"], 1, "1 commit checked: 1 error");
    assert!(
        run.stdout.contains(&format!(
            "history was rewritten: the last verified commit {}",
            &head[..8]
        )),
        "{}",
        run.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["verify", "--json"]).stdout).unwrap();
    assert_eq!(json["findings"][0]["kind"], "rewritten");
    assert_eq!(json["findings"][0]["commit"], head.as_str());
}

#[test]
fn a_commit_made_outside_the_tool_is_a_warning() {
    let (env, _) = verified();
    let path = env.incident_path("INC-1");
    let text = env.read(&path).replace("Checkout down", "Checkout is down");
    env.write(&path, &text);
    env.git(&["commit", "-q", "-am", "Fix a typo", "--author", BOB]);
    let run = env.run(&["verify"]);
    let out = run.ok();
    let short = &env.head()[..8];
    assert_eq!(
        out,
        format!("warning: {short} by {BOB} changed {path} (outside the tool): \"Fix a typo\"")
    );
    assert!(
        run.stderr.contains("no problem, 1 warning"),
        "{}",
        run.stderr
    );
    assert_eq!(verified_ref(&env), env.head());
}

/// A ledger whose every commit is signed with Ada's SSH key.
fn signed() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::empty();
    env.git(&["init", "-q"]);
    let key = make_ssh_key(&env);
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    env.git(&["config", "commit.gpgsign", "true"]);
    env.run(&["init"]).ok();
    env.declare("Signed incident");
    (env, key)
}

#[test]
fn signed_commits_by_their_committer_pass() {
    let (env, _) = signed();
    env.run(&["--as", BOB, "note", "INC-1", "typed by Ada for Bob"])
        .ok();
    let run = env.run(&["verify"]);
    assert_eq!(run.ok(), "");
    assert!(
        run.stderr
            .contains("with their signatures: the ledger is intact"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_commit_signed_by_another_persons_key_or_unsigned_fails() {
    let (env, _) = signed();
    // Mallory's key is a trusted signer too, but only for Mallory.
    let mallory = env.trusted_ssh_key("id_mallory", "mallory@example.com");
    env.git(&["config", "user.signingkey", mallory.to_str().unwrap()]);
    env.run(&["note", "INC-1", "signed by Mallory as Ada"]).ok();
    assert!(env.git(&["log", "-1", "--format=%G?"]).starts_with('G'));
    let mallorys = env.head();
    let run = env.refused(&["verify"], 1, "1 error");
    assert!(
        run.stdout.contains(&format!(
            "error: {}: it is signed by mallory@example.com, not by its committer ada@example.com",
            &mallorys[..8]
        )),
        "{}",
        run.stdout
    );
    let path = env.incident_path("INC-1");
    let text = env
        .read(&path)
        .replace("Signed incident", "Signed incident, edited");
    env.write(&path, &text);
    env.git(&[
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-am",
        "unsigned",
    ]);
    let run = env.refused(&["verify"], 1, "2 errors");
    assert!(run.stdout.contains("it is not signed"), "{}", run.stdout);
}
