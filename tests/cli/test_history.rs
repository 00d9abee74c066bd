//! History views: `log`, `show --at`, `diff`, `report` and `stats`, on
//! ledgers built through the CLI with a fixed clock and fixed identities.

use serde_json::Value;

use crate::harness::{BOB, TestEnv};

/// Replaces commit and blob ids (runs of 8 to 40 hex digits standing alone)
/// with `<id>`, so snapshots do not change when an unrelated byte of the
/// ledger's set-up does.
fn redact(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word.len() >= 8
            && word.len() <= 40
            && word
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            && word.chars().any(|c| c.is_ascii_digit());
        out.push_str(if hex { "<id>" } else { word });
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// One incident through its whole life, with a backdated note and a hand
/// edit committed with plain git by someone else.
fn incident_with_history() -> TestEnv {
    let env = TestEnv::ledger();
    env.set_now("2026-11-26T18:52:00Z");
    env.run(&[
        "declare",
        "Checkout API returning 502s",
        "--sev",
        "SEV-2",
        "--service",
        "checkout",
        "--impact",
        "About 30% of checkout attempts fail",
        "--started",
        "2026-11-26T18:40:00Z",
    ])
    .ok();
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["lead", "INC-1", BOB]).ok();
    env.run(&[
        "note",
        "INC-1",
        "5xx began at 18:40, right after deploy web-7f3a",
        "--at",
        "2026-11-26T18:50:00Z",
    ])
    .ok();
    env.run(&["sev", "INC-1", "SEV-1", "--why", "all regions"])
        .ok();
    env.run(&[
        "mitigate",
        "INC-1",
        "Disabled feature flag new-checkout-flow",
        "--kind",
        "flag",
        "--temporary",
        "--cleanup",
        "Re-enable gradually",
    ])
    .ok();
    env.run(&["update", "INC-1", "Checkout degraded; flag rollback done"])
        .ok();
    let path = env.incident_path("INC-1");
    let text = env.read(&path).replace(
        "deploy web-7f3a\"",
        "deploy web-7f3a (confirmed in the deploy log)\"",
    );
    env.write(&path, &text);
    env.git(&[
        "-c",
        "user.name=Carol Hand",
        "-c",
        "user.email=carol@example.com",
        "commit",
        "-qam",
        "Clarify the first note",
    ]);
    env.set_now("2026-11-26T20:40:00Z");
    env.run(&["resolve", "INC-1", "--summary", "Flag off; fix deployed"])
        .ok();
    env.set_now("2026-11-27T10:00:00Z");
    env.run(&["cleanup", "done", "INC-1", "M1"]).ok();
    env.run(&[
        "review",
        "INC-1",
        "--what-happened",
        "Deploy web-7f3a broke checkout | payments",
        "--root-cause",
        "A config key was renamed without a default",
        "--went-well",
        "The flag rollback took two minutes",
        "--went-wrong",
        "The alert fired twelve minutes late",
    ])
    .ok();
    env.run(&[
        "action",
        "INC-1",
        "Alert on checkout 5xx ratio above 2%",
        "--owner",
        BOB,
        "--due",
        "2026-12-10",
    ])
    .ok();
    env.run(&["close", "INC-1"]).ok();
    env
}

#[test]
fn log_shows_every_change_and_marks_the_hand_edit() {
    let env = incident_with_history();
    let log = env.run(&["log", "INC-1"]);
    let text = log.ok();
    assert!(
        text.contains("Carol Hand <carol@example.com>  [outside the tool]"),
        "{text}"
    );
    insta::assert_snapshot!("log", redact(text));

    let json: Value = serde_json::from_str(env.run(&["log", "1", "--json"]).ok()).unwrap();
    let entries = json["entries"].as_array().unwrap();
    let hand: Vec<&Value> = entries
        .iter()
        .filter(|e| e["source"] == "outside")
        .collect();
    assert_eq!(hand.len(), 1);
    assert_eq!(hand[0]["author"], "Carol Hand <carol@example.com>");
    assert_eq!(hand[0]["changes"][0]["kind"], "edited");
    assert_eq!(hand[0]["changes"][0]["field"], "text");
    let note = entries.iter().find(|e| e["change"] == "note").unwrap();
    assert_eq!(note["event_time"], "2026-11-26T18:50:00Z");
    assert_eq!(entries[0]["change"], "declare");
    assert_eq!(entries.len(), env.commit_count() - 1);
}

#[test]
fn show_at_three_points_of_history() {
    let env = incident_with_history();
    let at = |point: &str| -> Value {
        serde_json::from_str(env.run(&["show", "INC-1", "--at", point, "--json"]).ok()).unwrap()
    };
    // A time: the last commit made at or before it (the declaration, 18:52).
    let declared = at("2026-11-26T18:52:30Z");
    assert_eq!(declared["status"], "declared");
    assert_eq!(declared["severity"], "SEV-2");
    assert!(declared.get("lead").is_none());
    // A revision.
    let mitigated = at("HEAD~6");
    assert_eq!(mitigated["status"], "mitigated");
    assert_eq!(mitigated["severity"], "SEV-1");
    assert_eq!(mitigated["updates"].as_array().unwrap().len(), 1);
    assert!(
        !mitigated["notes"][0]["text"]
            .as_str()
            .unwrap()
            .contains("confirmed")
    );
    // A commit id, after the hand edit.
    let rev = env.git(&["rev-parse", "HEAD~5"]);
    let edited = at(rev.trim());
    assert_eq!(edited["commit"], rev.trim());
    assert!(
        edited["notes"][0]["text"]
            .as_str()
            .unwrap()
            .contains("confirmed")
    );
    assert_eq!(at("HEAD")["status"], "closed");
    // Before the incident existed.
    env.run(&["show", "INC-1", "--at", "2026-11-26T18:00:00Z"])
        .code(1)
        .stderr_has("is before the first commit");
    let root = env.git(&["rev-list", "--max-parents=0", "HEAD"]);
    env.run(&["show", "INC-1", "--at", root.trim()])
        .code(1)
        .stderr_has("did not exist yet");
}

#[test]
fn diff_summarises_then_shows_the_text() {
    let env = incident_with_history();
    let since = env.run(&["diff", "INC-1", "--since", "2026-11-26T18:56:00Z"]);
    insta::assert_snapshot!("diff_since", redact(since.ok()));
    let last = env.run(&["diff", "INC-1"]);
    let text = last.ok();
    assert!(text.contains("status resolved -> closed"), "{text}");
    assert!(
        text.contains("-status = \"resolved\"\n+status = \"closed\""),
        "{text}"
    );
    let two = env.run(&["diff", "INC-1", "HEAD~4", "HEAD~3", "--json"]);
    let json: Value = serde_json::from_str(two.ok()).unwrap();
    assert_eq!(json["changes"][0]["kind"], "finished");
    assert_eq!(json["changes"][0]["summary"], "mitigation M1 cleaned up");
    // From before the ledger began: the whole incident, added.
    let all = env.run(&["diff", "INC-1", "--since", "2026-11-26T18:00:00Z", "--json"]);
    let json: Value = serde_json::from_str(all.ok()).unwrap();
    assert!(json["from"].is_null());
    assert_eq!(json["changes"][0]["kind"], "created");
    assert!(
        json["text_diff"]
            .as_str()
            .unwrap()
            .contains("+id = \"INC-1\"")
    );
}

#[test]
fn report_is_the_review_document() {
    let env = incident_with_history();
    let report = env.run(&["report", "INC-1"]);
    insta::assert_snapshot!("report", redact(report.ok()));
    env.run(&["report", "INC-1", "-o", "review.md"]).ok();
    assert_eq!(env.read("review.md"), report.stdout);
    env.run(&["report", "INC-1", "-o", "no/such/folder/review.md"])
        .code(2)
        .stderr_has("there is no folder");
    assert!(!env.path("no").exists(), "no folder is made by accident");
    let json: Value =
        serde_json::from_str(env.run(&["report", "INC-1", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["metrics"]["time_to_acknowledge_secs"], 60);
    assert_eq!(json["metrics"]["time_to_mitigate_secs"], 17 * 60);
    assert_eq!(json["metrics"]["time_to_resolve_secs"], 2 * 3600);
}

/// Issue 12: one time format per surface. Every JSON document gives its
/// times in RFC 3339 with `Z`, never `+00:00`; text gives `... UTC`.
#[test]
fn every_json_time_ends_in_z() {
    let env = incident_with_history();
    for args in [
        &["list", "--json"][..],
        &["show", "INC-1", "--json"],
        &["log", "INC-1", "--json"],
        &["diff", "INC-1", "--json"],
        &["stats", "--json"],
        &["cleanup", "--json"],
        &["report", "INC-1", "--format", "json"],
    ] {
        let run = env.run(args);
        let out = run.ok();
        let json: Value = serde_json::from_str(out).unwrap();
        let mut times = 0;
        walk(&json, &mut |text| {
            if text.len() >= 20 && text.as_bytes()[4] == b'-' && text.as_bytes()[10] == b'T' {
                times += 1;
                assert!(text.ends_with('Z'), "{args:?} gives {text}");
            }
        });
        assert!(
            times > 0 || args[0] == "stats" || args[0] == "cleanup",
            "{args:?}: {out}"
        );
        assert!(!out.contains("+00:00"), "{args:?}: {out}");
    }
}

fn walk(json: &Value, each: &mut impl FnMut(&str)) {
    match json {
        Value::String(text) => each(text),
        Value::Array(items) => items.iter().for_each(|v| walk(v, each)),
        Value::Object(map) => map.values().for_each(|v| walk(v, each)),
        _ => {}
    }
}

/// Issue 12: Markdown has no width, so the report keeps every text whole:
/// a long title and a long, multi-line note, in the timeline too.
#[test]
fn the_report_cuts_no_text() {
    let env = TestEnv::ledger();
    let title = "Checkout API returning 502s for EU customers after the payments provider rotated its certificates";
    let id = env.declare(title);
    let note = "The provider's status page says nothing yet; their support line confirms a certificate rotation at 14:00 that broke mutual TLS for every client";
    env.run(&[
        "note",
        &id,
        &format!("{note}\nSecond line: we pinned the old bundle."),
    ])
    .ok();
    let report = env.run(&["report", &id]);
    let text = report.ok();
    assert!(
        text.contains(&format!("declared SEV-2: \"{title}\"")),
        "{text}"
    );
    assert!(text.contains(note), "{text}");
    assert!(
        text.contains("Second line: we pinned the old bundle."),
        "{text}"
    );
    assert!(!text.contains("..."), "{text}");
}

#[test]
fn the_first_log_on_a_large_ledger_says_it_indexes_and_later_ones_are_quiet() {
    let env = TestEnv::ledger();
    env.declare("Queue backlog");
    // 6,000 commits more (empty ones, quick to make), then a note on top.
    let stream: String = (0..6000)
        .map(|n| {
            let from = if n == 0 { "from HEAD^0\n" } else { "" };
            format!(
                "commit refs/heads/main\ncommitter Ada <ada@example.org> 1764182400 +0000\ndata 4\npad\n{from}\n"
            )
        })
        .collect();
    env.write(".git/pad.stream", &stream.replace("HEAD^0", &env.head()));
    env.shell("git fast-import --quiet < .git/pad.stream").ok();
    env.run(&["note", "INC-1", "consumers stalled"]).ok();
    let graph = |env: &TestEnv| {
        let info = env.path(".git/objects/info");
        info.join("commit-graph").exists() || info.join("commit-graphs").exists()
    };
    let first = env.query(&["log", "INC-1"]);
    first.ok();
    first.stderr_has("Indexing the ledger's history: 6003 commits");
    // git's commit-graph is no longer written in the foreground.
    assert!(!graph(&env));
    let second = env.query(&["log", "INC-1"]);
    second.ok();
    assert_eq!(second.stderr, "");
    assert_eq!(second.stdout, first.stdout);
    assert!(
        first.stdout.contains("consumers stalled"),
        "{}",
        first.stdout
    );
}

#[test]
fn log_follows_a_renumbered_incident() {
    let env = TestEnv::ledger();
    env.declare("Queue backlog");
    env.run(&["ack", "INC-1"]).ok();
    env.run(&["note", "INC-1", "consumers stalled"]).ok();
    let old = env.incident_path("INC-1");
    let new = old.replace("INC-1", "INC-9");
    env.git(&["mv", &old, &new]);
    let text = env.read(&new).replace("id = \"INC-1\"", "id = \"INC-9\"");
    env.write(&new, &text);
    env.git(&[
        "commit",
        "-qam",
        "INC-9: renumbered from INC-1",
        "-m",
        "Incident: INC-9\nIncident-Change: renumber\nFrom: INC-1\nTo: INC-9",
    ]);
    env.run(&["note", "INC-9", "consumers restarted"]).ok();
    let json: Value = serde_json::from_str(env.run(&["log", "INC-9", "--json"]).ok()).unwrap();
    let changes: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["declare", "ack", "note", "renumber", "note"]);
    assert_eq!(json["entries"][3]["changes"][0]["field"], "id");
    assert_eq!(json["entries"][0]["path"], old);
    // What INC-9 was before it had that name.
    let then: Value =
        serde_json::from_str(env.run(&["show", "INC-9", "--at", "HEAD~2", "--json"]).ok()).unwrap();
    assert_eq!(then["id"], "INC-1");
    assert_eq!(then["notes"][0]["text"], "consumers stalled");
}

const DAY: [&str; 13] = [
    "", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
];

fn at(day: &str, minutes: u32) -> String {
    format!(
        "2026-11-{day}T{:02}:{:02}:00Z",
        10 + minutes / 60,
        minutes % 60
    )
}

/// Twelve resolved incidents with known times: incident i starts at 10:00,
/// is declared i minutes later, acknowledged 2i minutes after that,
/// mitigated 10i and resolved 20i minutes after the start; plus one
/// declined incident, which response times leave out.
fn dozen() -> TestEnv {
    let env = TestEnv::ledger();
    for i in 1..=12u32 {
        let day = DAY[i as usize];
        env.set_now(&format!("2026-11-{day}T15:00:00Z"));
        let sev = if i <= 4 { "SEV-1" } else { "SEV-2" };
        let id = format!("INC-{i}");
        env.run(&[
            "declare",
            &format!("Incident {i}"),
            "--sev",
            sev,
            "--service",
            if i % 2 == 0 { "api" } else { "web" },
            "--started",
            &at(day, 0),
            "--at",
            &at(day, i),
        ])
        .ok();
        env.run(&["ack", &id, "--at", &at(day, 3 * i)]).ok();
        let mut mitigate = vec!["mitigate", &id, "rollback", "--kind", "rollback"];
        if i == 1 || i == 12 {
            mitigate.extend(["--temporary", "--cleanup", "roll forward"]);
        }
        let when = at(day, 10 * i);
        mitigate.extend(["--at", &when]);
        env.run(&mitigate).ok();
        env.run(&["resolve", &id, "--at", &at(day, 20 * i)]).ok();
        if i <= 2 {
            env.run(&["review", &id, "--what-happened", "x", "--root-cause", "y"])
                .ok();
        }
    }
    env.set_now("2026-11-13T16:00:00Z");
    env.declare("Not an incident");
    env.run(&["decline", "INC-13", "--why", "a test alert"])
        .ok();
    env
}

#[test]
fn stats_over_a_dozen_incidents_are_exact_and_reproducible() {
    let env = dozen();
    let head = env.head();
    let run = |args: &[&str]| -> Value {
        let mut all = vec!["stats", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(env.run(&all).ok()).unwrap()
    };
    let stats = run(&["--at", &head]);
    let all = &stats["all"];
    assert_eq!(all["total"], 13);
    assert_eq!(
        all["by_status"],
        serde_json::json!({"resolved": 12, "declined": 1})
    );
    let spread = |name: &str| {
        let s = &all[name];
        (
            s["count"].as_i64().unwrap(),
            s["median_secs"].as_i64().unwrap(),
            s["p90_secs"].as_i64().unwrap(),
        )
    };
    // i minutes: median (6+7)/2, p90 the 11th of 12.
    assert_eq!(spread("time_to_declare"), (12, 390, 660));
    assert_eq!(spread("time_to_acknowledge"), (12, 780, 1320));
    assert_eq!(spread("time_to_mitigate"), (12, 3900, 6600));
    assert_eq!(spread("time_to_resolve"), (12, 7800, 13200));
    // Declare, ack, mitigate, resolve: 48 backdated changes; the declined
    // incident's two were not; reviews record no event.
    assert_eq!(all["documentation_lag"]["count"], 50);
    assert_eq!(all["backdated"], 48);
    // Incident 1's temporary mitigation is past SEV-1's 7 days at HEAD's
    // time; incident 12's is not.
    let pending = stats["pending_cleanups"].as_array().unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(
        (
            pending[0]["incident"].as_str(),
            pending[0]["overdue"].as_bool()
        ),
        (Some("INC-1"), Some(true))
    );
    assert_eq!(
        (
            pending[1]["incident"].as_str(),
            pending[1]["overdue"].as_bool()
        ),
        (Some("INC-12"), Some(false))
    );
    assert_eq!(stats["overdue_cleanups"], 1);
    assert_eq!(stats["missing_review"].as_array().unwrap().len(), 10);

    let by_sev = run(&["--at", &head, "--by", "severity"]);
    assert_eq!(by_sev["groups"][0]["name"], "SEV-1");
    assert_eq!(
        by_sev["groups"][0]["time_to_resolve"]["median_secs"],
        50 * 60
    );

    // The same revision gives the same numbers after the ledger moved on.
    let text = env.run(&["stats", "--at", &head, "--by", "service"]);
    insta::assert_snapshot!("stats", redact(text.ok()));
    env.run(&["note", "INC-12", "late finding"]).ok();
    env.run(&["cleanup", "done", "INC-1", "M1"]).ok();
    assert_eq!(run(&["--at", &head]), stats);
    assert_eq!(
        env.run(&["stats", "--at", &head, "--by", "service"]).stdout,
        text.stdout
    );
    assert_eq!(run(&[])["overdue_cleanups"], 0);
    let since = run(&["--since", "2026-11-12T00:00:00Z"]);
    assert_eq!(since["all"]["total"], 3);
}

/// `stats` keeps the change records up to a commit in the git directory and
/// reads only newer commits next time: its figures must be exactly those of
/// a full read, whatever happened to the branch in between.
#[test]
fn stats_from_the_record_cache_equal_a_full_read() {
    const CACHE: &str = ".git/git-incident/records.tsv";
    const METRICS: &str = ".git/git-incident/metrics.tsv";
    let env = dozen();
    let stats = |args: &[&str]| -> Value {
        let mut all = vec!["stats", "--json", "--by", "severity"];
        all.extend_from_slice(args);
        serde_json::from_str(env.query(&all).ok()).unwrap()
    };
    let fresh = |args: &[&str]| -> Value {
        let _ = std::fs::remove_file(env.path(CACHE));
        let _ = std::fs::remove_file(env.path(METRICS));
        stats(args)
    };
    let _ = std::fs::remove_file(env.path(CACHE));
    let first = env.query(&["stats"]);
    assert!(
        first.stderr.contains("Reading every commit's trailers"),
        "{}",
        first.stderr
    );
    assert!(!env.query(&["stats"]).stderr.contains("Reading"));
    let full = fresh(&[]);
    assert!(env.read(CACHE).contains(env.head().trim()));
    assert_eq!(stats(&[]), full, "read back from the cache");

    // New commits, one backdated: read incrementally, then compared.
    env.set_now("2026-11-20T09:00:00Z");
    env.run(&["note", "INC-3", "late", "--at", "2026-11-20T08:00:00Z"])
        .ok();
    env.run(&["note", "INC-4", "on time"]).ok();
    let (records_before, metrics_before) = (env.read(CACHE), env.read(METRICS));
    let incremental = stats(&[]);
    // Both caches grew by appending: what they held is still their start.
    assert!(
        env.read(CACHE).starts_with(&records_before),
        "records appended"
    );
    assert!(env.read(CACHE).len() > records_before.len());
    assert!(
        env.read(METRICS).starts_with(&metrics_before),
        "metrics appended"
    );
    assert!(env.read(METRICS).len() > metrics_before.len());
    assert_ne!(incremental, full, "the new notes count");
    assert_eq!(
        incremental["all"]["backdated"],
        full["all"]["backdated"].as_i64().unwrap() + 1
    );
    assert_eq!(incremental, fresh(&[]));

    // An older revision, with the cache at HEAD, then the reverse.
    let older = stats(&["--at", "HEAD~2"]);
    assert_eq!(older, fresh(&["--at", "HEAD~2"]));
    assert_eq!(stats(&[]), incremental);

    // A merge of a branch with changes of its own.
    env.git(&["checkout", "-q", "-b", "side"]);
    env.run(&["note", "INC-6", "from the side"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["note", "INC-8", "from main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
    let merged = stats(&[]);
    assert_eq!(merged, fresh(&[]));
    assert_ne!(merged, incremental);

    // A rewritten branch: the cached tip is no longer an ancestor.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.run(&["note", "INC-5", "instead"]).ok();
    let rewritten = stats(&[]);
    assert_eq!(rewritten, fresh(&[]));

    // A damaged cache is a full read.
    env.write(CACHE, "records-1/0.0.0 nonsense\n1\t\t\t\n");
    assert_eq!(stats(&[]), rewritten);
    // A torn append (the last line cut short) is a full read too.
    let text = env.read(CACHE);
    env.write(CACHE, &text[..text.len() - 5]);
    assert_eq!(stats(&[]), rewritten);
    assert_eq!(
        stats(&["--since", "2026-11-10T00:00:00Z"]),
        fresh(&["--since", "2026-11-10T00:00:00Z"])
    );
    // A damaged incident cache is rebuilt; a broken file is reported on
    // every run, never cached.
    env.write(METRICS, "{not json");
    assert_eq!(stats(&[]), rewritten);
    let text = env.read(METRICS);
    env.write(METRICS, &text[..text.len() - 3]);
    assert_eq!(stats(&[]), rewritten);
    let text = env.read(METRICS);
    env.write(METRICS, &text.replacen('\t', "\t\t", 3));
    assert_eq!(stats(&[]), rewritten);
    let path = env.incident_path("INC-7");
    let good = env.read(&path);
    env.write(&path, &good.replace("title = ", "title = = "));
    env.git(&["commit", "-qam", "Break INC-7 by hand"]);
    for _ in 0..2 {
        let out = env.query(&["stats", "--json"]);
        assert!(out.stderr.contains("INC-7.toml"), "{}", out.stderr);
        let v: Value = serde_json::from_str(out.ok()).unwrap();
        assert_eq!(v["all"]["total"], 12);
    }
    env.write(&path, &good);
    env.git(&["commit", "-qam", "Mend INC-7"]);
    assert_eq!(stats(&[])["all"]["total"], 13);
    assert_eq!(env.status(), "");
}

/// Two responders on two branches, merged with plain git: each change shows
/// once, in its own commit, and the merge shows only what it changed itself.
#[test]
fn a_merge_shows_only_its_own_changes() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    env.run(&["ack", "INC-1"]).ok();
    env.git(&["checkout", "-q", "-b", "side"]);
    env.run(&["note", "INC-1", "from the side branch"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["sev", "INC-1", "SEV-1", "--why", "all regions"])
        .ok();
    // A merge with a hand edit of its own: the title.
    env.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]);
    let path = env.incident_path("INC-1");
    let text = env
        .read(&path)
        .replace("Checkout 502s", "Checkout API 502s");
    env.write(&path, &text);
    env.git(&["commit", "-qam", "Merge side"]);
    let json: Value = serde_json::from_str(env.query(&["log", "INC-1", "--json"]).ok()).unwrap();
    let entries = json["entries"].as_array().unwrap();
    let summaries = |e: &Value| -> Vec<String> {
        e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["summary"].as_str().unwrap().to_owned())
            .collect()
    };
    let notes: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            summaries(e)
                .iter()
                .any(|s| s.starts_with("note added: \"from the side"))
        })
        .collect();
    assert_eq!(notes.len(), 1, "the note shows once: {json:#}");
    assert_eq!(notes[0]["source"], "tool");
    let sevs = entries
        .iter()
        .filter(|e| summaries(e).iter().any(|s| s.starts_with("severity")))
        .count();
    assert_eq!(sevs, 1, "{json:#}");
    let merge = entries.last().unwrap();
    assert_eq!(merge["source"], "merge");
    assert_eq!(
        summaries(merge),
        ["title \"Checkout 502s\" -> \"Checkout API 502s\""]
    );
    // A clean merge of a second note: nothing of its own.
    env.git(&["checkout", "-q", "side"]);
    env.run(&["note", "INC-1", "second from the side"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.git(&["merge", "-q", "--no-ff", "-m", "Merge side again", "side"]);
    let text = env.query(&["log", "INC-1"]).ok().to_owned();
    assert!(
        text.contains("merged, with no change of its own (Merge side again)"),
        "{text}"
    );
    assert_eq!(
        text.matches("note added: \"second from the side\"").count(),
        1,
        "{text}"
    );
}

/// A merge that throws a branch's work away (`git merge -s ours`) does not
/// hide that work from the audit timeline.
#[test]
fn work_discarded_by_a_merge_still_shows_in_the_log() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    env.git(&["checkout", "-q", "-b", "side"]);
    env.run(&["note", "INC-1", "only on the side"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["note", "INC-1", "on main"]).ok();
    env.git(&[
        "merge",
        "-q",
        "-s",
        "ours",
        "-m",
        "Merge side, ours",
        "side",
    ]);
    assert!(
        !env.read(&env.incident_path("INC-1"))
            .contains("only on the side")
    );
    let text = env.query(&["log", "INC-1"]).ok().to_owned();
    assert!(text.contains("note added: \"only on the side\""), "{text}");
    assert!(text.contains("[merge]"), "{text}");
    assert!(
        text.contains("note 1 of the merged branch left out: \"only on the side\""),
        "{text}"
    );
}
