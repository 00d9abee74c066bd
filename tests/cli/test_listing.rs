//! `list` and `cleanup` read summaries cached in the git directory. The
//! cache must never show a row that differs from the files.

use serde_json::Value;

use crate::harness::TestEnv;

const CACHE: &str = ".git/git-incident/summaries.jsonl";

fn listed(env: &TestEnv) -> Vec<Value> {
    let out = env.query(&["list", "--json"]);
    serde_json::from_str::<Value>(out.ok())
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn row<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter().find(|r| r["id"] == id).unwrap()
}

/// Three incidents, one with a pending temporary mitigation, listed once so
/// that the cache is written.
fn ledger_with_cache() -> TestEnv {
    let env = TestEnv::ledger();
    for title in ["Checkout 502s", "Search slow", "Login errors"] {
        env.declare(title);
    }
    env.run(&["ack", "INC-2"]).ok();
    env.run(&[
        "mitigate",
        "INC-2",
        "Scaled search to 12 nodes",
        "--kind",
        "scale",
        "--temporary",
        "--cleanup",
        "Back to 6",
    ])
    .ok();
    assert_eq!(listed(&env).len(), 3);
    assert!(env.path(CACHE).exists(), "list writes the cache");
    env
}

#[test]
fn an_edit_of_the_same_length_shows_at_once() {
    let env = ledger_with_cache();
    let path = env.incident_path("INC-1");
    // Same length, so only the content tells: SEV-2 -> SEV-3.
    let text = env
        .read(&path)
        .replace("severity = \"SEV-2\"", "severity = \"SEV-3\"");
    env.write(&path, &text);
    let rows = listed(&env);
    assert_eq!(row(&rows, "INC-1")["severity"], "SEV-3");
    assert_eq!(row(&rows, "INC-3")["severity"], "SEV-2");
    let table = env.query(&["list", "--sev", "SEV-3"]);
    assert!(table.ok().contains("Checkout 502s"), "{}", table.stdout);
    assert!(!table.stdout.contains("Search slow"), "{}", table.stdout);
}

#[test]
fn a_checkout_of_an_older_commit_lists_what_it_holds() {
    let env = ledger_with_cache();
    env.run(&["cleanup", "done", "INC-2", "M1"]).ok();
    assert_eq!(row(&listed(&env), "INC-2")["pending_cleanups"], 0);
    env.git(&["checkout", "-q", "HEAD~1", "--", "."]);
    assert_eq!(row(&listed(&env), "INC-2")["pending_cleanups"], 1);
    let cleanup: Value = serde_json::from_str(env.query(&["cleanup", "--json"]).ok()).unwrap();
    assert_eq!(cleanup["pending"][0]["mitigation"], "M1");
    env.git(&["checkout", "-q", "HEAD", "--", "."]);
    assert_eq!(row(&listed(&env), "INC-2")["pending_cleanups"], 0);
    let cleanup: Value = serde_json::from_str(env.query(&["cleanup", "--json"]).ok()).unwrap();
    assert_eq!(cleanup["pending"].as_array().unwrap().len(), 0);
}

#[test]
fn a_broken_file_is_reported_every_time_not_cached() {
    let env = ledger_with_cache();
    let path = env.incident_path("INC-3");
    let good = env.read(&path);
    env.write(&path, &good.replace("title = ", "title = = "));
    for _ in 0..2 {
        let out = env.query(&["list", "--json"]);
        assert!(out.stderr.contains("skipped"), "{}", out.stderr);
        assert!(out.stderr.contains("INC-3.toml"), "{}", out.stderr);
        let rows: Value = serde_json::from_str(out.ok()).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 2);
    }
    env.write(&path, &good);
    assert_eq!(listed(&env).len(), 3);
}

#[test]
fn a_damaged_or_foreign_cache_is_rebuilt_from_the_files() {
    let env = ledger_with_cache();
    let before = listed(&env);
    for junk in [
        "",
        "{not json",
        "{\"format\":\"summaries-0/0.0.0\",\"base\":\"\"}\n",
    ] {
        env.write(CACHE, junk);
        assert_eq!(listed(&env), before, "with a cache of {junk:?}");
        let cache = env.read(CACHE);
        assert_eq!(cache.lines().count(), 4, "a header and 3 entries: {cache}");
    }
    // An entry that has the file's stat data is believed, as git's index
    // is; one whose stat data do not match is checked against the content,
    // and its hash (here wrong too) decides.
    let cache = env.read(CACHE);
    let key = env
        .incident_path("INC-1")
        .trim_start_matches("./")
        .to_owned();
    let line = cache
        .lines()
        .find(|l| l.contains(&format!("\"{key}\"")))
        .unwrap();
    let mut record: Value = serde_json::from_str(line).unwrap();
    record["entry"]["summary"]["title"] = "Stale".into();
    record["entry"]["stat"][4] = 1.into();
    record["entry"]["hash"] = 1.into();
    env.write(CACHE, &format!("{cache}{record}\n"));
    assert_eq!(row(&listed(&env), "INC-1")["title"], "Checkout 502s");
}

#[test]
fn the_cache_stays_out_of_the_work_tree_and_the_history() {
    let env = ledger_with_cache();
    let commits = env.commit_count();
    env.query(&["list"]).ok();
    env.query(&["cleanup"]).ok();
    assert_eq!(env.status(), "");
    assert_eq!(env.commit_count(), commits);
}
