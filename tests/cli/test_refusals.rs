//! Every rule that refuses a change and every bad input: the exit code, the
//! message, the hint, and that nothing was written or committed.

use std::os::unix::ffi::OsStrExt;

use crate::harness::{BOB, TestEnv};

fn with(fixture: &str) -> TestEnv {
    let env = TestEnv::ledger();
    env.install_fixture(fixture);
    env
}

// Lifecycle order.

#[test]
fn resolve_before_ack_is_refused() {
    let env = with("states/declared.toml");
    let run = env.refused(
        &["resolve", "INC-1"],
        1,
        "not acknowledged yet; acknowledge it before resolving",
    );
    run.stderr_has("hint: if you must, override the rule with --force --why");
}

#[test]
fn close_before_resolve_is_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["close", "INC-1"],
        1,
        "INC-1 is acknowledged, not resolved",
    );
}

#[test]
fn a_milestone_before_the_previous_one_is_refused() {
    let env = with("states/declared.toml");
    let run = env.refused(
        &["ack", "INC-1", "--at", "2026-11-26T18:01:00Z"],
        1,
        "acknowledged_at (2026-11-26 18:01 UTC) would come before declared_at (2026-11-26 18:05 UTC)",
    );
    run.stderr_has("hint: milestones are chronological");
}

#[test]
fn an_event_in_the_future_is_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["note", "INC-1", "later", "--at", "2030-01-01T00:00:00Z"],
        1,
        "is in the future",
    );
}

// Known severities, services, identities.

#[test]
fn an_unknown_severity_is_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(&["sev", "INC-1", "SEV-9"], 1, "unknown severity `SEV-9`")
        .stderr_has("hint: the runbook's severities are SEV-1, SEV-2, SEV-3, SEV-4");
    env.refused(
        &["declare", "Disk full", "--sev", "P1"],
        1,
        "unknown severity `P1`",
    );
}

#[test]
fn an_unknown_service_is_refused_once_the_ledger_lists_services() {
    let env = TestEnv::ledger();
    let config = env
        .read("ledger.toml")
        .replace("services = []", "services = [\"checkout-api\"]");
    env.write("ledger.toml", &config);
    env.git(&["commit", "-q", "-am", "services"]);
    env.refused(
        &["declare", "Disk full", "--service", "billing"],
        1,
        "unknown service `billing`",
    )
    .stderr_has("add it to `services` in ledger.toml");
    env.run(&["declare", "Disk full", "--service", "checkout-api"])
        .ok();
}

#[test]
fn a_lead_that_is_not_an_identity_is_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["lead", "INC-1", "bob"],
        1,
        "`bob` is not an identity: expected `Name <email>`",
    );
    env.refused(
        &["action", "INC-1", "Fix it", "--owner", "bob@example.com"],
        1,
        "is not an identity",
    );
}

#[test]
fn control_characters_in_text_are_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["note", "INC-1", "evil \u{1b}[2J text"],
        1,
        "control character U+001B",
    );
}

// Closed incidents and the close rules.

#[test]
fn a_closed_incident_changes_only_through_reopen() {
    let env = with("states/closed.toml");
    env.refused(&["note", "INC-1", "late finding"], 1, "INC-1 is closed")
        .stderr_has("reopen INC-1 --why");
    env.refused(&["sev", "INC-1", "SEV-1"], 1, "INC-1 is closed");
    env.run(&["reopen", "INC-1", "--why", "It came back"]).ok();
    env.run(&["note", "INC-1", "late finding"]).ok();
}

#[test]
fn close_is_refused_while_temporary_mitigations_are_pending() {
    let env = with("states/resolved-pending-cleanup.toml");
    env.refused(
        &["close", "INC-1"],
        1,
        "temporary mitigations still in place: M1 (Disabled feature flag new-checkout-flow)",
    );
}

#[test]
fn close_of_a_sev1_is_refused_without_a_review() {
    let env = with("states/resolved-sev1-no-review.toml");
    env.refused(&["close", "INC-1"], 1, "INC-1 is SEV-1 and has no review");
}

#[test]
fn close_of_a_sev1_is_refused_without_follow_up_actions() {
    let env = with("states/resolved-sev1-no-actions.toml");
    env.refused(
        &["close", "INC-1"],
        1,
        "INC-1 is SEV-1 and has no follow-up actions",
    );
}

#[test]
fn force_with_a_reason_overrides_and_records_the_override() {
    let env = with("states/resolved-pending-cleanup.toml");
    let run = env.run(&[
        "close",
        "INC-1",
        "--force",
        "--why",
        "Flag removed with the old service",
    ]);
    run.ok();
    run.stderr_has("warning: overrode: INC-1 has temporary mitigations still in place");
    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "closed");
    assert_eq!(inc["overrides"][0]["change"], "close");
    assert_eq!(
        inc["overrides"][0]["why"],
        "Flag removed with the old service"
    );
    let trailers = env.head_trailers();
    assert!(
        trailers.contains("Override: INC-1 has temporary mitigations still in place"),
        "{trailers}"
    );
    assert!(
        trailers.contains("Override-Why: Flag removed with the old service"),
        "{trailers}"
    );
}

#[test]
fn force_without_a_reason_is_a_usage_error() {
    let env = with("states/resolved-pending-cleanup.toml");
    env.refused(&["close", "INC-1", "--force"], 2, "--why <TEXT>");
}

// Bad input.

#[test]
fn a_file_named_on_the_command_line_is_read_only_up_to_a_bound() {
    let env = with("states/acknowledged.toml");
    let big = "x".repeat((4 << 20) + 1);
    env.write("big.txt", &big);
    env.refused(
        &["note", "INC-1", "@big.txt"],
        2,
        "cannot read big.txt: larger than 4 MiB",
    );
    env.refused(
        &["runbook", "--check", "big.txt"],
        2,
        "cannot read big.txt: larger than 4 MiB",
    );
    let run = env.refused(
        &["validate", "big.txt"],
        2,
        "1 of 1 files could not be read",
    );
    assert!(
        run.stdout
            .contains("big.txt: cannot read: larger than 4 MiB"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_malformed_incident_file_is_reported_with_its_position() {
    let env = with("bad/malformed.toml");
    let run = env.refused(
        &["note", "INC-1", "x"],
        2,
        "error: incidents/2026/INC-1.toml:4:37: invalid basic string",
    );
    run.stderr_has("4 | title = \"Checkout API returning 502s");
    env.refused(&["show", "INC-1"], 2, "incidents/2026/INC-1.toml:4:37");
}

#[test]
fn an_unknown_field_value_is_reported_with_its_position() {
    let env = with("bad/unknown-status.toml");
    env.refused(
        &["ack", "INC-1"],
        2,
        "incidents/2026/INC-1.toml:6:10: unknown variant `opne`",
    );
}

#[test]
fn a_person_who_is_not_name_and_email_is_reported_with_its_position() {
    let env = with("bad/lead-not-an-identity.toml");
    env.refused(
        &["note", "INC-1", "x"],
        2,
        "incidents/2026/INC-1.toml:7:8: `ada` is not an identity: expected `Name <email>`",
    );
    env.refused(&["show", "INC-1"], 2, "incidents/2026/INC-1.toml:7:8");
}

#[test]
fn an_id_that_is_not_prefix_and_number_is_reported_with_its_position() {
    let env = with("bad/id-malformed.toml");
    env.refused(
        &["show", "INC-1"],
        2,
        "incidents/2026/INC-1.toml:2:6: `INC-one` is not an incident id",
    );
}

#[test]
fn conflict_markers_are_refused() {
    let env = with("bad/conflict-markers.toml");
    env.refused(
        &["note", "INC-1", "x"],
        2,
        "incidents/2026/INC-1.toml:17: unresolved merge conflict markers",
    )
    .stderr_has("hint: resolve the merge conflict");
}

#[test]
fn milestones_out_of_order_in_a_file_are_reported() {
    let env = with("bad/milestones-out-of-order.toml");
    env.refused(
        &["note", "INC-1", "x"],
        2,
        "acknowledged_at (2026-11-26 17:06 UTC) would come before declared_at",
    );
}

#[test]
fn an_unknown_id_is_refused_with_a_hint() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["note", "INC-99", "x"],
        1,
        "no incident INC-99 in this ledger",
    )
    .stderr_has("hint: `git incident list` shows the incidents");
}

/// The incident a duplicate points at must exist; it is checked first,
/// before the duplicate itself is read.
#[test]
fn a_duplicate_of_an_unknown_incident_is_refused_with_a_hint() {
    let env = with("states/acknowledged.toml");
    env.refused(
        &["duplicate", "INC-1", "--of", "INC-99"],
        1,
        "no incident INC-99 in this ledger",
    )
    .stderr_has("hint: `git incident list` shows the incidents");
    env.refused(
        &["duplicate", "INC-9", "--of", "INC-98"],
        1,
        "no incident INC-98 in this ledger",
    );
}

#[test]
fn an_id_with_a_path_separator_is_refused() {
    let env = with("states/acknowledged.toml");
    env.refused(&["note", "../INC-1", "x"], 2, "has no path separators");
    env.refused(&["show", "2026/INC-1"], 2, "has no path separators");
}

#[test]
fn a_missing_identity_names_the_fix() {
    let env = with("states/acknowledged.toml");
    std::fs::write(
        env.home.join(".gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    env.refused(&["note", "INC-1", "x"], 2, "No identity is configured")
        .stderr_has("git config --global user.name");
}

#[test]
fn a_detached_head_is_refused() {
    let env = with("states/acknowledged.toml");
    env.git(&["branch", "-q", "-m", "ledger"]);
    env.git(&["checkout", "-q", "--detach"]);
    env.refused(&["note", "INC-1", "x"], 1, "HEAD is detached")
        .stderr_has("hint: switch to the ledger's branch, `git switch ledger`");
}

/// Issue 12: during an unfinished merge a change is refused with what to
/// do about the merge, never a hint to commit the conflicted file.
#[test]
fn a_change_during_an_unfinished_merge_says_to_finish_it_first() {
    let env = with("states/acknowledged.toml");
    let path = env.incident_path("INC-1");
    env.git(&["switch", "-q", "-c", "other"]);
    let text = env.read(&path);
    env.write(&path, &text.replacen("title = \"", "title = \"Other: ", 1));
    env.git(&["commit", "-q", "-am", "other title"]);
    env.git(&["switch", "-q", "main"]);
    env.write(&path, &text.replacen("title = \"", "title = \"Main: ", 1));
    env.git(&["commit", "-q", "-am", "main title"]);
    let merge = env.git_run(&[
        "-c",
        "merge.git-incident.driver=false",
        "merge",
        "-q",
        "other",
    ]);
    assert_ne!(merge.code, 0, "the merge must stop on the conflict");
    let run = env.refused(
        &["note", "INC-1", "x"],
        1,
        "a merge is in progress; resolve it first",
    );
    run.stderr_has("git merge --abort");
    assert!(
        !run.stderr.contains("git commit incidents"),
        "{}",
        run.stderr
    );
    env.refused(
        &["declare", "Another", "--sev", "SEV-2"],
        1,
        "a merge is in progress",
    );
}

#[test]
fn a_non_utf8_argument_is_a_usage_error() {
    let env = with("states/acknowledged.toml");
    let before = env.snapshot_state();
    let mut cmd = env.command(&["note", "INC-1"]);
    cmd.arg(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8"));
    assert_eq!(env.snapshot_state(), before);
}

#[test]
fn an_uncommitted_hand_edit_is_never_overwritten() {
    let env = with("states/acknowledged.toml");
    let path = "incidents/2026/INC-1.toml";
    let edited = format!("{}# my uncommitted thought\n", env.read(path));
    env.write(path, &edited);
    env.refused(
        &["note", "INC-1", "x"],
        1,
        "has changes that are not committed",
    )
    .stderr_has("hint: commit your edit first");
    assert_eq!(env.read(path), edited);
}

#[test]
fn no_ledger_here_says_how_to_make_one() {
    let env = TestEnv::empty();
    env.refused(&["list"], 2, "no incident ledger here")
        .stderr_has("git incident init");
}

#[test]
fn an_unknown_mitigation_or_action_names_the_existing_ones() {
    let env = with("states/resolved-pending-cleanup.toml");
    env.refused(
        &["cleanup", "done", "INC-1", "M7"],
        1,
        "INC-1 has no mitigation `M7`",
    )
    .stderr_has("hint: INC-1 has M1");
    env.refused(
        &["action", "done", "INC-1", "A1"],
        1,
        "INC-1 has no action `A1`",
    );
    env.run(&["--as", BOB, "cleanup", "done", "INC-1", "M1"])
        .ok();
    env.refused(
        &["cleanup", "done", "INC-1", "M1"],
        1,
        "was already cleaned up",
    );
}

#[test]
fn a_locked_git_index_is_refused_before_anything_is_written() {
    let env = with("states/acknowledged.toml");
    std::fs::write(env.path(".git/index.lock"), "").unwrap();
    let run = env.run(&["note", "INC-1", "x"]);
    run.code(1)
        .stderr_has(".git/index.lock exists")
        .stderr_has("if none is running, remove the lock");
    std::fs::remove_file(env.path(".git/index.lock")).unwrap();
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        "Add fixture states/acknowledged.toml"
    );
    assert!(env.status().is_empty());
}
