//! The whole lifecycle through the real binary: every state change is one
//! commit of one file, with its trailers and author, and leaves the user's
//! other work alone.

use crate::harness::{ADA, BOB, TestEnv};

/// Runs one state change and checks the commit it made.
#[track_caller]
fn step(env: &TestEnv, args: &[&str], verb: &str, path: &str) -> String {
    let before = env.commit_count();
    let out = env.run(args).ok().to_owned();
    assert_eq!(env.commit_count(), before + 1, "{args:?}: one new commit");
    assert_eq!(env.head_files(), [path], "{args:?}: only the incident file");
    let trailers = env.head_trailers();
    assert!(trailers.contains("Incident: INC-1"), "{args:?}: {trailers}");
    assert!(
        trailers.contains(&format!("Incident-Change: {verb}")),
        "{args:?}: {trailers}"
    );
    assert!(
        env.head_subject().starts_with("INC-1: "),
        "{}",
        env.head_subject()
    );
    // The working file is the committed blob, and git sees nothing to do
    // about it; the user's own staged and unstaged work is as it was.
    assert_eq!(env.git(&["show", &format!("HEAD:{path}")]), env.read(path));
    assert_eq!(env.status(), " M README.md\nA  notes.txt\n", "{args:?}");
    out
}

#[test]
fn a_sev2_incident_walks_the_whole_runbook() {
    let env = TestEnv::ledger();
    // The user's own work: a staged new file and an unstaged edit.
    env.write("README.md", "ledger\n");
    env.git(&["add", "README.md"]);
    env.git(&["commit", "-q", "-m", "readme"]);
    env.write("notes.txt", "my draft\n");
    env.git(&["add", "notes.txt"]);
    env.write("README.md", "ledger, edited\n");

    let path = "incidents/2026/INC-1.toml";
    let id = step(
        &env,
        &[
            "declare",
            "Checkout API returning 502s",
            "--sev",
            "SEV-3",
            "--service",
            "checkout-api",
            "--impact",
            "About 30% of checkouts fail",
            "--started",
            "2026-11-26T18:30:00Z",
        ],
        "declare",
        path,
    );
    assert_eq!(id, "INC-1");
    assert!(
        env.read(path)
            .starts_with("#:schema ../../schema/incident.schema.json\n")
    );
    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "declared");
    assert_eq!(inc["started_at"], "2026-11-26T18:30:00Z");
    assert_eq!(inc["declared_by"], ADA);
    assert_eq!(inc["step"], "acknowledge");

    // A responder adds a comment by hand and commits it with plain git.
    let text = env.read(path).replace(
        "severity = ",
        "# Paged by the checkout on-call, not by an alert.\nseverity = ",
    );
    env.write(path, &text);
    env.git(&["commit", "-q", "-m", "hand note", "--", path]);

    step(&env, &["ack", "INC-1"], "ack", path);
    assert_eq!(env.incident("INC-1")["status"], "acknowledged");
    assert_eq!(
        env.incident("INC-1")["acknowledged_at"],
        "2026-11-26T18:42:00Z"
    );

    step(&env, &["lead", "INC-1", BOB], "lead", path);
    assert_eq!(env.incident("INC-1")["lead"], BOB);
    assert!(env.head_trailers().contains(&format!("To: {BOB}")));

    step(
        &env,
        &["sev", "INC-1", "SEV-2", "--why", "More regions"],
        "sev",
        path,
    );
    assert_eq!(env.incident("INC-1")["severity"], "SEV-2");
    assert_eq!(env.head_subject(), "INC-1: severity SEV-3 -> SEV-2");
    assert!(env.head_trailers().contains("From: SEV-3\nTo: SEV-2"));

    step(
        &env,
        &["note", "INC-1", "5xx began right after deploy web-7f3a"],
        "note",
        path,
    );
    assert_eq!(
        // After the note that keeps the severity's reason.
        env.incident("INC-1")["notes"][1]["text"],
        "5xx began right after deploy web-7f3a"
    );

    step(
        &env,
        &[
            "update",
            "INC-1",
            "Checkout degraded; rollback in progress",
            "--audience",
            "external",
        ],
        "update",
        path,
    );
    assert_eq!(env.incident("INC-1")["updates"][0]["audience"], "external");

    let m = step(
        &env,
        &[
            "--as",
            BOB,
            "mitigate",
            "INC-1",
            "Disabled feature flag new-checkout-flow",
            "--kind",
            "flag",
            "--temporary",
            "--cleanup",
            "Re-enable gradually: 10%, 50%, 100%",
            "--target",
            "flags/checkout.toml",
            "--before",
            "new-checkout-flow = { enabled = true }",
            "--after",
            "new-checkout-flow = { enabled = false }",
        ],
        "mitigate",
        path,
    );
    assert_eq!(m, "M1");
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"])
            .trim(),
        // `--as` names the author; the committer is who ran the command.
        format!("{BOB}|{ADA}")
    );
    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "mitigated");
    assert_eq!(inc["mitigations"][0]["temporary"], true);
    assert_eq!(inc["mitigations"][0]["applied_by"], BOB);

    step(
        &env,
        &["cleanup", "done", "INC-1", "M1"],
        "cleanup-done",
        path,
    );
    assert!(env.incident("INC-1")["mitigations"][0]["cleaned_up_at"].is_string());

    step(
        &env,
        &["resolve", "INC-1", "--summary", "Flag rolled back"],
        "resolve",
        path,
    );
    assert_eq!(env.incident("INC-1")["status"], "resolved");

    step(
        &env,
        &[
            "review",
            "INC-1",
            "--what-happened",
            "A deploy exhausted the pool",
            "--root-cause",
            "Pool size not raised",
        ],
        "review",
        path,
    );
    assert_eq!(
        env.incident("INC-1")["review"]["root_cause"],
        "Pool size not raised"
    );

    let a = step(
        &env,
        &[
            "action",
            "INC-1",
            "Alert on 5xx ratio",
            "--owner",
            BOB,
            "--kind",
            "detective",
            "--due",
            "2026-12-10",
        ],
        "action",
        path,
    );
    assert_eq!(a, "A1");
    assert_eq!(env.incident("INC-1")["actions"][0]["due"], "2026-12-10");

    step(&env, &["close", "INC-1"], "close", path);
    let inc = env.incident("INC-1");
    assert_eq!(inc["status"], "closed");
    assert!(
        env.read(path)
            .contains("# Paged by the checkout on-call, not by an alert.\n")
    );

    // Follow-through still works after close.
    step(
        &env,
        &["action", "done", "INC-1", "A1"],
        "action-done",
        path,
    );
    assert!(env.incident("INC-1")["actions"][0]["done_at"].is_string());

    // The staged file is still staged and was never committed.
    assert_eq!(env.git(&["log", "--format=%H", "--", "notes.txt"]), "");
    assert!(
        env.git(&["fsck", "--no-progress", "--no-dangling"])
            .is_empty()
    );
}

#[test]
fn reopen_and_the_exits() {
    let env = TestEnv::ledger();
    env.declare("One");
    env.declare("Two");
    env.declare("Three");
    env.run(&["decline", "INC-1", "--why", "A test alert"]).ok();
    assert_eq!(env.incident("INC-1")["status"], "declined");
    assert_eq!(env.incident("INC-1")["exit_reason"], "A test alert");
    env.run(&["duplicate", "3", "--of", "INC-2"]).ok();
    assert_eq!(env.incident("INC-3")["duplicate_of"], "INC-2");
    env.run(&["cancel", "INC-2", "--why", "Declared by mistake"])
        .ok();
    assert_eq!(env.incident("INC-2")["status"], "cancelled");
    env.run(&["reopen", "INC-2", "--why", "It was real after all"])
        .ok();
    let inc = env.incident("INC-2");
    assert_eq!(inc["status"], "acknowledged");
    assert!(inc.get("closed_at").is_none());
    assert_eq!(env.head_trailers().lines().last(), Some("To: acknowledged"));
}

#[test]
fn every_change_is_attributed_to_the_responder() {
    let env = TestEnv::ledger();
    let mut cmd = env.command(&["declare", "Env identity"]);
    cmd.env("GIT_AUTHOR_NAME", "Eve Env")
        .env("GIT_AUTHOR_EMAIL", "eve@example.com");
    assert!(cmd.output().unwrap().status.success());
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae> %cn <%ce>"])
            .trim(),
        // As git does: GIT_AUTHOR_* name the author, the committer is
        // GIT_COMMITTER_* or user.name/user.email.
        "Eve Env <eve@example.com> Ada Lovelace <ada@example.com>"
    );
    env.run(&["ack", "1"]).ok();
    assert_eq!(env.git(&["log", "-1", "--format=%an <%ae>"]).trim(), ADA);
}

#[test]
fn a_ledger_in_a_subfolder_of_a_code_repository() {
    let env = TestEnv::empty();
    env.git(&["init", "-q"]);
    env.write("src/main.c", "int main;\n");
    env.git(&["add", "src/main.c"]);
    env.run(&["init", "ops/incidents"]).ok();
    assert_eq!(env.status(), "A  src/main.c\n");
    let mut cmd = env.command(&["declare", "Disk full"]);
    cmd.current_dir(env.path("ops/incidents"));
    assert!(cmd.output().unwrap().status.success());
    assert_eq!(
        env.head_files(),
        ["ops/incidents/incidents/2026/INC-1.toml"]
    );
    assert_eq!(env.status(), "A  src/main.c\n");
}

#[test]
fn init_twice_is_refused() {
    let env = TestEnv::ledger();
    env.refused(&["init"], 1, "is already an incident ledger");
}

#[test]
fn eight_processes_add_two_hundred_notes_without_losing_one() {
    let env = TestEnv::ledger();
    env.declare("Busy incident");
    env.run(&["ack", "INC-1"]).ok();
    let before = env.commit_count();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let cmds: Vec<_> = (0..25)
                .map(|n| env.command(&["note", "INC-1", &format!("worker {w} note {n}")]))
                .collect();
            std::thread::spawn(move || {
                for mut cmd in cmds {
                    let out = cmd.output().unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(env.commit_count(), before + 200);
    let notes = env.incident("INC-1")["notes"].as_array().unwrap().len();
    assert_eq!(notes, 200);
    assert!(
        env.git(&["fsck", "--no-progress", "--no-dangling"])
            .is_empty()
    );
    assert!(env.status().is_empty(), "{}", env.status());
}

#[test]
fn hand_written_comments_and_blank_lines_survive_every_later_command() {
    let env = TestEnv::ledger();
    env.declare("Queue backlog");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["note", "INC-1", "first finding"]).ok();
    let path = "incidents/2026/INC-1.toml";
    let text = env
        .read(path)
        .replace("title = ", "# Title agreed with support.\n\ntitle = ")
        .replace(
            "text = \"first finding\"",
            "# see dashboard q-7\ntext = \"first finding\" # confirmed by Bob",
        )
        + "# end of file: written by hand\n";
    env.write(path, &text);
    env.git(&["commit", "-q", "-m", "hand edit", "--", path]);
    env.run(&["note", "INC-1", "second finding"]).ok();
    env.run(&["sev", "INC-1", "SEV-1"]).ok();
    env.run(&["mitigate", "INC-1", "Scaled workers", "--kind", "scale"])
        .ok();
    env.run(&["resolve", "INC-1"]).ok();
    let after = env.read(path);
    for kept in [
        "# Title agreed with support.\n\ntitle = ",
        "# see dashboard q-7\ntext = \"first finding\" # confirmed by Bob\n",
        "# end of file: written by hand",
        "severity = \"SEV-1\"",
        "text = \"second finding\"",
    ] {
        assert!(after.contains(kept), "lost {kept:?} in:\n{after}");
    }
    env.run(&["validate"]).ok();
}

#[test]
fn git_auto_maintenance_packs_what_the_tool_writes() {
    let env = TestEnv::ledger();
    // Git's own maintenance decides what to do; this makes its loose-object
    // task fire after ten loose objects, so the test does not depend on
    // gc's sampling of one object folder.
    env.git(&["config", "maintenance.loose-objects.enabled", "true"]);
    env.git(&["config", "maintenance.loose-objects.auto", "10"]);
    env.declare("Many changes");
    env.run(&["ack", "INC-1"]).ok();
    for n in 0..15 {
        env.run(&["note", "INC-1", &format!("finding {n}")]).ok();
    }
    // Maintenance runs in the background (issue 13): give it time to end.
    let packs = |env: &TestEnv| -> (usize, String) {
        let counts = env.git(&["count-objects", "-v"]);
        let packs = counts
            .lines()
            .find_map(|l| l.strip_prefix("packs: "))
            .unwrap()
            .parse()
            .unwrap();
        (packs, counts)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while packs(&env).0 == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (packs, counts) = packs(&env);
    assert!(packs >= 1, "no pack after 17 commits:\n{counts}");
}

/// Issue 13: git's maintenance never holds a change in the foreground. A
/// pre-auto-gc hook that waits for the test's word keeps gc busy; the note
/// returns while it waits, which it could not if it ran gc itself.
#[test]
fn a_change_never_waits_for_git_s_maintenance() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::ledger();
    env.declare("Many changes");
    env.git(&["config", "gc.auto", "1"]);
    // Enough loose objects that gc --auto finds work in its sample.
    for n in 0..1500 {
        env.write(&format!("junk/{n}"), &format!("{n}\n"));
    }
    env.git(&["add", "junk"]);
    env.git(&["reset", "-q", "junk"]);
    let marks = env.dir.parent().unwrap().to_path_buf();
    let hook = env.path(".git/hooks/pre-auto-gc");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ntouch '{0}/gc-started'\nn=0\nwhile [ ! -e '{0}/gc-go' ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done\ntouch '{0}/gc-ended'\nexit 1\n",
            marks.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    env.run(&["note", "INC-1", "during gc"]).ok();
    let started = marks.join("gc-started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !started.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(started.exists(), "the change started git's maintenance");
    assert!(
        !marks.join("gc-ended").exists(),
        "the note returned only after gc had finished"
    );
    std::fs::write(marks.join("gc-go"), "").unwrap();
}

#[test]
fn commits_are_signed_where_the_user_configured_it() {
    let env = TestEnv::ledger();
    let key = env.trusted_ssh_key("id_ed25519", "ada@example.com");
    let signers = env.home.join("allowed_signers");
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    env.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        signers.to_str().unwrap(),
    ]);
    env.git(&["config", "commit.gpgsign", "true"]);
    env.declare("Signed incident");
    env.run(&["ack", "INC-1"]).ok();
    assert_eq!(env.git(&["log", "-2", "--format=%G?"]), "G\nG\n");
    assert!(env.status().is_empty());
}

#[test]
fn concurrent_declarations_get_distinct_ids() {
    let env = TestEnv::ledger();
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let mut cmd = env.command(&["declare", &format!("Outage {w}")]);
            std::thread::spawn(move || {
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap().trim().to_owned()
            })
        })
        .collect();
    let mut ids: Vec<String> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["INC-1", "INC-2", "INC-3", "INC-4", "INC-5", "INC-6"]);
    let list: serde_json::Value =
        serde_json::from_str(env.query(&["list", "--json"]).ok()).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 6);
}
