//! `git incident cleanup`: the pending temporary mitigations of a real ledger
//! with several incidents, their diffs, deadlines at fixed clock times,
//! `--since` against real earlier commits, `done`/`keep`, and the `close`
//! refusal, each change visible as its own commit.

use crate::harness::{BOB, TestEnv};

const FLAGS_BEFORE: &str = "\
new-checkout-flow:
  enabled: true
  rollout: 100
  cohorts:
    - beta
    - staff
    - everyone
legacy-cart: false
";

const FLAGS_AFTER: &str = "\
new-checkout-flow:
  enabled: false
  rollout: 0
  cohorts:
    - beta
    - staff
    - everyone
legacy-cart: true
";

/// Declares an acknowledged incident and returns its id.
fn incident(env: &TestEnv, title: &str, sev: &str) -> String {
    let id = env.run(&["declare", title, "--sev", sev]).ok().to_owned();
    env.run(&["ack", &id]).ok();
    id
}

/// A temporary mitigation; returns its id.
fn temporary(
    env: &TestEnv,
    id: &str,
    action: &str,
    kind: &str,
    plan: &str,
    extra: &[&str],
) -> String {
    let mut args = vec![
        "mitigate",
        id,
        action,
        "--kind",
        kind,
        "--temporary",
        "--cleanup",
        plan,
    ];
    args.extend_from_slice(extra);
    env.run(&args).ok().to_owned()
}

/// Four incidents: INC-1 (SEV-1) with a flag change recorded from files
/// and a scale-up; INC-2 (SEV-3) with a throttle that has only a plan and a
/// permanent restart; INC-3 with nothing; INC-4 whose measure is cleaned up.
fn sample() -> TestEnv {
    let env = TestEnv::ledger();
    // Outside the ledger, so that its working tree stays clean.
    let before = env.home.join("flags-before.yaml");
    let after = env.home.join("flags-after.yaml");
    std::fs::write(&before, FLAGS_BEFORE).unwrap();
    std::fs::write(&after, FLAGS_AFTER).unwrap();
    let (before, after) = (
        format!("@{}", before.display()),
        format!("@{}", after.display()),
    );
    let one = incident(&env, "Checkout API returning 502s", "SEV-1");
    temporary(
        &env,
        &one,
        "Disabled new-checkout-flow, back to the legacy cart",
        "flag",
        "Re-enable gradually: 10%, 50%, 100% while watching the 5xx rate",
        &[
            "--target",
            "flags/checkout.yaml",
            "--before",
            &before,
            "--after",
            &after,
        ],
    );
    temporary(
        &env,
        &one,
        "Scaled the checkout pool from 10 to 40 pods",
        "scale",
        "Scale back to 10 once the queue drains",
        &[
            "--target",
            "deploy/checkout",
            "--before",
            "replicas: 10",
            "--after",
            "replicas: 40",
        ],
    );
    let two = incident(&env, "Search latency above 2s", "SEV-3");
    temporary(
        &env,
        &two,
        "Rate limit of 100 rps on /search",
        "throttle",
        "Lift the limit after the index rebuild",
        &[],
    );
    env.run(&[
        "mitigate",
        &two,
        "Restarted search-indexer",
        "--kind",
        "restart",
    ])
    .ok();
    incident(&env, "Status page slow", "SEV-4");
    let four = incident(&env, "Login emails delayed", "SEV-2");
    let m = temporary(
        &env,
        &four,
        "Paused the digest job",
        "other",
        "Resume it",
        &[],
    );
    env.run(&["cleanup", "done", &four, &m]).ok();
    env
}

#[test]
fn the_listing_groups_pending_mitigations_by_incident_with_their_diffs() {
    let env = sample();
    // INC-1 (SEV-1, 7 days) is past its deadline, INC-2 (SEV-3, 14) is not.
    env.set_now("2026-12-05T12:00:00Z");
    let run = env.run(&["cleanup"]);
    insta::assert_snapshot!("cleanup_listing", run.ok());

    // One incident only.
    let run = env.run(&["cleanup", "INC-2"]);
    let text = run.ok();
    assert!(text.starts_with("INC-2  SEV-3  mitigated  Search latency above 2s\n"));
    assert!(!text.contains("INC-1"), "{text}");
    assert_eq!(
        env.run(&["cleanup", "INC-4"]).ok(),
        "INC-4 has no temporary mitigations pending cleanup."
    );
    env.run(&["cleanup", "INC-99"])
        .code(1)
        .stderr_has("no incident INC-99");
}

#[test]
fn json_is_one_document_with_the_diff_as_text() {
    let env = sample();
    env.set_now("2026-11-30T12:00:00Z");
    let run = env.run(&["cleanup", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let pending = doc["pending"].as_array().unwrap();
    let ids: Vec<String> = pending
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["incident"].as_str().unwrap(),
                p["mitigation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(ids, ["INC-1 M1", "INC-1 M2", "INC-2 M1"]);
    assert_eq!(doc["counts"]["pending"], 3);
    assert_eq!(doc["counts"]["incidents"], 2);
    assert_eq!(pending[0]["before"], FLAGS_BEFORE);
    assert_eq!(pending[0]["after"], FLAGS_AFTER);
    let diff = pending[0]["diff"].as_str().unwrap();
    assert!(diff.starts_with("--- flags/checkout.yaml (in place now, temporary)\n+++ flags/checkout.yaml (after cleanup)\n@@ -1,8 +1,8 @@\n"), "{diff}");
    assert!(diff.contains("\n-  enabled: false\n") && diff.contains("\n+  enabled: true\n"));
    assert_eq!(pending[2]["diff"], serde_json::Value::Null);
    assert_eq!(
        pending[2]["cleanup"],
        "Lift the limit after the index rebuild"
    );
    assert_eq!(pending[1]["applied_by"], "Ada Lovelace <ada@example.com>");
}

#[test]
fn multi_line_file_values_stay_intact_and_read_well_in_git_log() {
    let env = TestEnv::ledger();
    let id = incident(&env, "Build farm stuck", "SEV-3");
    // Tabs, quotes, a backslash, `"""` and a trailing newline: a Makefile
    // snapshot must come back byte for byte and read as itself.
    let before = "all:\n\tgo build ./...\n\techo \"done\" \\\n\t  && true\n# \"\"\" is fine\n";
    let after = "all:\n\t@echo \"builds paused\"\n";
    env.write("Makefile.before", before);
    env.write("Makefile.after", after);
    env.run(&[
        "mitigate",
        &id,
        "Paused builds in the Makefile",
        "--temporary",
        "--cleanup",
        "Restore the Makefile",
        "--target",
        "Makefile",
        "--before",
        "@Makefile.before",
        "--after",
        "@Makefile.after",
    ])
    .ok();
    let shown = env.incident(&id);
    assert_eq!(shown["mitigations"][0]["before"], before);
    assert_eq!(shown["mitigations"][0]["after"], after);

    let file = env.read(&env.incident_path(&id));
    assert!(
        file.contains("before = '''\nall:\n\tgo build ./...\n\techo \"done\" \\\n\t  && true\n# \"\"\" is fine\n'''\n"),
        "{file}"
    );
    assert!(
        file.contains("after = '''\nall:\n\t@echo \"builds paused\"\n'''\n"),
        "{file}"
    );
    // In `git log -p` every line of the snapshot is a line of the patch.
    let patch = env.git(&["log", "-1", "-p", "--format="]);
    assert!(patch.contains("\n+\tgo build ./...\n"), "{patch}");
    assert!(patch.contains("\n+\t@echo \"builds paused\"\n"), "{patch}");
    assert!(!patch.contains("\\t"), "{patch}");

    // The listing shows the diff from the file values.
    let text = env.run(&["cleanup"]).ok().to_owned();
    assert!(
        text.contains("      -\t@echo \"builds paused\"\n      +\tgo build ./...\n"),
        "{text}"
    );

    // A file that cannot be read is a usage error and writes nothing.
    let commits = env.commit_count();
    env.run(&["mitigate", &id, "x", "--before", "@missing.txt"])
        .code(2)
        .stderr_has("cannot read missing.txt");
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn overdue_exits_1_past_the_deadline_and_0_before_it() {
    let env = TestEnv::ledger();
    // SEV-2: 7 days, counted from when the incident was mitigated
    // (2026-11-26 18:43 here); SEV-3: the default 14 days.
    let two = incident(&env, "Checkout errors", "SEV-2");
    temporary(&env, &two, "Disabled flag", "flag", "Re-enable it", &[]);
    let three = incident(&env, "Search slow", "SEV-3");
    temporary(&env, &three, "Throttled search", "throttle", "Lift it", &[]);

    env.set_now("2026-12-02T10:00:00Z");
    let run = env.run(&["cleanup", "--overdue"]);
    run.code(0).stderr_has(
        "Nothing overdue: 2 temporary mitigations pending cleanup; the next deadline is 2026-12-03 18:43 UTC (INC-1 M1).",
    );
    assert_eq!(run.stdout, "");

    env.set_now("2026-12-05T10:00:00Z");
    let run = env.run(&["cleanup", "--overdue"]);
    run.code(1)
        .stderr_has(
            "error: 1 of 2 temporary mitigations pending cleanup is past the cleanup deadline",
        )
        .stderr_has("hint: undo each with `git incident cleanup done <ID> <M>`");
    insta::assert_snapshot!("cleanup_overdue", run.stdout);
    let run = env.run(&["cleanup", "--overdue", "--json"]);
    run.code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["pending"].as_array().unwrap().len(), 1);
    assert_eq!(doc["pending"][0]["overdue"], true);
    assert_eq!(doc["counts"]["overdue"], 1);

    // The deadline is the ledger's: a stricter one for SEV-3 makes INC-2
    // overdue too.
    let config = env.read("ledger.toml").replace(
        "\"SEV-2\" = \"7d\"\n",
        "\"SEV-2\" = \"7d\"\n\"SEV-3\" = \"3d\"\n",
    );
    env.write("ledger.toml", &config);
    env.git(&["commit", "-qam", "Cleanup deadline for SEV-3: 3 days"]);
    env.run(&["cleanup", "--overdue"])
        .code(1)
        .stderr_has("2 of 2 temporary mitigations");

    // Cleaned up and kept, nothing is overdue any more.
    env.run(&["cleanup", "done", &two, "M1"]).ok();
    env.run(&[
        "cleanup",
        "keep",
        &three,
        "M1",
        "--why",
        "Search stays throttled",
    ])
    .ok();
    env.run(&["cleanup", "--overdue"])
        .code(0)
        .stderr_has("Nothing overdue: no temporary mitigations are pending cleanup.");
}

#[test]
fn an_unreadable_incident_fails_the_overdue_check() {
    let env = TestEnv::ledger();
    incident(&env, "Checkout errors", "SEV-2");
    env.write(
        "incidents/2026/INC-2.toml",
        "id = \"INC-2\"\nthis is not toml\n",
    );
    env.run(&["cleanup", "--overdue"])
        .code(2)
        .stderr_has("warning: skipped incidents/2026/INC-2.toml")
        .stderr_has("the overdue check is incomplete");
    // The listing itself still shows the readable ones.
    env.run(&["cleanup"]).ok();
}

#[test]
fn since_compares_a_real_earlier_commit_with_head() {
    let env = sample();
    let earlier = env.head();
    // Between that commit and the next one.
    let earlier_time = env.now() - chrono::Duration::seconds(30);
    // Since then: INC-1 M2 cleaned up, INC-2 M1 made permanent, INC-3 gets
    // a measure that stays, INC-1 one that comes and goes.
    env.run(&[
        "cleanup",
        "done",
        "INC-1",
        "M2",
        "--note",
        "Back to 10 pods",
    ])
    .ok();
    env.run(&[
        "cleanup",
        "keep",
        "INC-2",
        "M1",
        "--why",
        "The limit protects the database",
        "--as",
        BOB,
    ])
    .ok();
    temporary(
        &env,
        "INC-3",
        "Served the status page from cache",
        "other",
        "Stop caching",
        &[],
    );
    let m = temporary(
        &env,
        "INC-1",
        "Drained node pool b",
        "other",
        "Undrain",
        &[],
    );
    env.run(&["cleanup", "done", "INC-1", &m]).ok();

    let run = env.run(&["cleanup", "--since", &earlier]);
    let text = run
        .ok()
        .replace(&earlier[..8], "<EARLIER>")
        .replace(&env.head()[..8], "<HEAD>");
    insta::assert_snapshot!("cleanup_since", text);

    // The same point named by its time, and by a revision expression.
    let by_time = env.run(&["cleanup", "--since", &earlier_time.to_rfc3339()]);
    assert!(
        by_time
            .ok()
            .starts_with(&format!("Temporary mitigations since {}", &earlier[..8]))
    );
    let by_rev = env.run(&["cleanup", "--since", "HEAD~5"]);
    assert_eq!(by_rev.ok(), run.ok());

    // One incident.
    let text = env
        .run(&["cleanup", "INC-2", "--since", &earlier])
        .ok()
        .to_owned();
    assert!(
        text.contains("Added: none\nCleaned up: none\nMade permanent (1)\n  INC-2 M1"),
        "{text}"
    );

    let run = env.run(&["cleanup", "--since", &earlier, "--json"]);
    let doc: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(doc["from"]["commit"], earlier.as_str());
    assert_eq!(doc["to"]["commit"], env.head().as_str());
    let ids = |group: &str| -> Vec<String> {
        doc[group]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["incident"].as_str().unwrap(),
                    e["mitigation"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(ids("added"), ["INC-3 M1", "INC-1 M3"]);
    assert_eq!(ids("cleaned_up"), ["INC-1 M2", "INC-1 M3"]);
    assert_eq!(ids("made_permanent"), ["INC-2 M1"]);
    assert_eq!(doc["made_permanent"][0]["kept_by"], BOB);
    assert_eq!(
        (doc["pending_then"].as_u64(), doc["pending_now"].as_u64()),
        (Some(3), Some(2))
    );

    // A time before the ledger's first commit compares with nothing.
    let text = env
        .run(&["cleanup", "--since", "2020-01-01"])
        .ok()
        .to_owned();
    assert!(text.starts_with("Temporary mitigations since the start of the ledger, up to"));
    assert!(text.contains("Added (6)"), "{text}");
    env.run(&["cleanup", "--since", "no-such-rev"])
        .code(2)
        .stderr_has("`no-such-rev` is neither a revision nor a time");
    env.run(&["cleanup", "--since", "HEAD", "--overdue"])
        .code(2);
}

#[test]
fn done_and_keep_are_one_commit_each_and_say_why() {
    let env = sample();
    let path = env.incident_path("INC-1");
    let commits = env.commit_count();
    env.run(&[
        "cleanup",
        "done",
        "INC-1",
        "M1",
        "--note",
        "Rolled out to 100% by 14:00",
    ])
    .ok();
    assert_eq!(env.commit_count(), commits + 1);
    assert_eq!(env.head_files(), std::slice::from_ref(&path));
    assert_eq!(env.head_subject(), "INC-1: mitigation M1 cleaned up");
    assert_eq!(
        env.head_trailers(),
        "Incident: INC-1\nIncident-Change: cleanup-done\nMitigation: M1"
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%b"]).lines().next(),
        Some("Rolled out to 100% by 14:00")
    );

    env.run(&[
        "cleanup",
        "keep",
        "INC-1",
        "M2",
        "--why",
        "Black Friday traffic: 40 pods is the new baseline",
        "--as",
        BOB,
    ])
    .ok();
    assert_eq!(env.commit_count(), commits + 2);
    assert_eq!(env.head_files(), std::slice::from_ref(&path));
    assert_eq!(env.head_subject(), "INC-1: mitigation M2 made permanent");
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>%n%b"]),
        format!(
            "{BOB}\nBlack Friday traffic: 40 pods is the new baseline\n\nIncident: INC-1\nIncident-Change: cleanup-keep\nMitigation: M2\n\n"
        )
    );
    let shown = env.incident("INC-1");
    let m = &shown["mitigations"];
    assert_eq!(m[0]["cleanup_note"], "Rolled out to 100% by 14:00");
    assert_eq!(m[0]["cleaned_up_by"], "Ada Lovelace <ada@example.com>");
    assert_eq!(
        m[1]["kept_why"],
        "Black Friday traffic: 40 pods is the new baseline"
    );
    assert_eq!(m[1]["kept_by"], BOB);
    assert!(env.status().is_empty());
    let readable = env.query(&["show", "INC-1"]).ok().to_owned();
    assert!(
        readable.contains("[temporary, cleaned up]")
            && readable.contains("by Ada Lovelace: Rolled out to 100% by 14:00")
            && readable.contains("kept    Black Friday traffic: 40 pods is the new baseline"),
        "{readable}"
    );

    // Both show in the history of the file, one commit each.
    let log = env.git(&["log", "--format=%s", "-3", "--", &path]);
    assert_eq!(
        log,
        "INC-1: mitigation M2 made permanent\nINC-1: mitigation M1 cleaned up\nINC-1: mitigation M2 (scale, temporary): Scaled the checkout pool from 10 to 40 pods\n"
    );
    // Neither is pending any more.
    let text = env.run(&["cleanup"]).ok().to_owned();
    assert!(!text.contains("INC-1"), "{text}");

    // Refusals write nothing.
    let commits = env.commit_count();
    env.run(&["cleanup", "done", "INC-1", "M1"])
        .code(1)
        .stderr_has("mitigation M1 of INC-1 was already cleaned up");
    env.run(&["cleanup", "done", "INC-1", "M2"])
        .code(1)
        .stderr_has("mitigation M2 of INC-1 was made permanent");
    env.run(&["cleanup", "keep", "INC-2", "M2", "--why", "x"])
        .code(1)
        .stderr_has("mitigation M2 of INC-2 is not temporary");
    env.run(&["cleanup", "done", "INC-2", "M9"])
        .code(1)
        .stderr_has("INC-2 has no mitigation `M9`");
    env.run(&["cleanup", "keep", "INC-2", "M1"]).code(2);
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn close_is_refused_while_temporary_mitigations_are_pending() {
    let env = TestEnv::ledger();
    let id = incident(&env, "Search latency above 2s", "SEV-3");
    temporary(
        &env,
        &id,
        "Rate limit of 100 rps on /search",
        "throttle",
        "Lift it",
        &[],
    );
    temporary(
        &env,
        &id,
        "Pinned search to replica set B",
        "other",
        "Unpin",
        &[],
    );
    env.run(&["resolve", &id]).ok();
    let path = env.incident_path(&id);

    let commits = env.commit_count();
    let file = env.read(&path);
    env.run(&["close", &id])
        .code(1)
        .stderr_has("INC-1 has temporary mitigations still in place: M1 (Rate limit of 100 rps on /search), M2 (Pinned search to replica set B)")
        .stderr_has("`git incident cleanup done INC-1 <M>`")
        .stderr_has("hint: if you must, override the rule with --force --why");
    assert_eq!(env.commit_count(), commits);
    assert_eq!(env.read(&path), file);
    assert!(env.status().is_empty());

    // One cleaned up is not enough: the refusal names the one left.
    env.run(&["cleanup", "done", &id, "M1"]).ok();
    let run = env.run(&["close", &id]);
    run.code(1)
        .stderr_has("still in place: M2 (Pinned search to replica set B);");
    assert!(!run.stderr.contains("M1 ("), "{}", run.stderr);

    env.run(&[
        "close",
        &id,
        "--force",
        "--why",
        "The pin is owned by the search team now",
    ])
    .ok();
    assert_eq!(env.head_subject(), "INC-1: closed");
    let trailers = env.head_trailers();
    assert!(
        trailers.contains("Override: INC-1 has temporary mitigations still in place: M2 (Pinned search to replica set B)"),
        "{trailers}"
    );
    assert!(
        trailers.contains("Override-Why: The pin is owned by the search team now"),
        "{trailers}"
    );
    let shown = env.incident(&id);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["overrides"][0]["change"], "close");
    assert_eq!(
        shown["overrides"][0]["why"],
        "The pin is owned by the search team now"
    );
    assert!(
        shown["overrides"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("M2 (Pinned search")
    );

    // The measure is still pending after the forced close, and can still be
    // cleaned up on the closed incident.
    assert!(env.run(&["cleanup"]).ok().contains("INC-1  SEV-3  closed"));
    env.run(&["cleanup", "done", &id, "M2"]).ok();
    assert_eq!(
        env.run(&["cleanup"]).ok(),
        "No temporary mitigations are pending cleanup."
    );
}

#[test]
fn the_help_explains_listing_deadlines_since_done_and_keep() {
    let env = TestEnv::empty();
    insta::assert_snapshot!("cleanup_help", env.run(&["cleanup", "--help"]).ok());
}

#[test]
fn since_reports_a_measure_that_went_without_a_record() {
    let env = sample();
    let earlier = env.head();
    // A hand edit makes INC-2's throttle permanent, bypassing `cleanup keep`.
    let path = env.incident_path("INC-2");
    let text = env
        .read(&path)
        .replacen("temporary = true", "temporary = false", 1);
    env.write(&path, &text);
    env.git(&["commit", "-qam", "INC-2: throttle is permanent now"]);

    let text = env.run(&["cleanup", "--since", &earlier]).ok().to_owned();
    assert!(
        text.contains(
            "Added: none\nCleaned up: none\nMade permanent: none\nGone without a cleanup record (deleted, or edited by hand) (1)\n  INC-2 M1  throttle  Rate limit of 100 rps on /search\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\n            applied 2026-11-26 18:47 UTC by Ada Lovelace; pending then, not now\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("Pending cleanup: 3 then, 2 now."), "{text}");
}
