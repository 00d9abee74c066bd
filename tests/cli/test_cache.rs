//! The summary cache behind `list` and `cleanup` never gives an answer that
//! differs from reading every file: after new commits, a reset, a merge, a
//! renumbering, a hand edit (the same size, in the same second) and a
//! damaged cache file, the cached answers equal a full recomputation (the
//! cache removed first).

use serde_json::Value;

use crate::harness::TestEnv;

const CACHE: &str = ".git/git-incident/summaries.jsonl";

fn json(env: &TestEnv, args: &[&str]) -> Value {
    serde_json::from_str(env.query(args).ok()).unwrap()
}

/// `list --json` and `cleanup --json`, as the cache answers them.
fn answers(env: &TestEnv) -> (Value, Value) {
    (
        json(env, &["list", "--json"]),
        json(env, &["cleanup", "--json"]),
    )
}

/// The cached answers, checked against a recomputation from the files;
/// returns them. Leaves a cache rebuilt from the files behind.
#[track_caller]
fn assert_matches_recomputation(env: &TestEnv) -> (Value, Value) {
    assert!(env.path(CACHE).exists(), "a cache to check");
    let cached = answers(env);
    std::fs::remove_file(env.path(CACHE)).unwrap();
    let full = answers(env);
    assert_eq!(cached.0, full.0, "list --json");
    assert_eq!(cached.1, full.1, "cleanup --json");
    cached
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn pending(cleanup: &Value) -> Vec<String> {
    cleanup["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["incident"].as_str().unwrap(), p["action"]))
        .collect()
}

/// Four incidents; INC-2 and INC-3 with temporary mitigations that record
/// every field `cleanup` shows. Listed once, so the cache is written.
fn ledger() -> TestEnv {
    let env = TestEnv::ledger();
    for title in ["Checkout 502s", "Search slow", "Login errors", "Disk full"] {
        env.declare(title);
    }
    for (id, action) in [("INC-2", "Scaled search"), ("INC-3", "Disabled login")] {
        env.run(&["ack", id]).ok();
        env.run(&[
            "mitigate",
            id,
            action,
            "--kind",
            "scale",
            "--temporary",
            "--cleanup",
            "Back to normal",
            "--target",
            "deploy/app",
            "--before",
            "replicas: 6\n",
            "--after",
            "replicas: 12\n",
        ])
        .ok();
    }
    let (list, cleanup) = answers(&env);
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(pending(&cleanup).len(), 2);
    assert!(env.path(CACHE).exists(), "list writes the cache");
    env
}

#[test]
fn cached_answers_match_a_full_read_after_new_commits() {
    let env = ledger();
    env.run(&["note", "INC-1", "errors from the payment proxy"])
        .ok();
    env.run(&["cleanup", "done", "INC-2", "M1"]).ok();
    env.declare("Queue backlog");
    // A commit made with plain git, as a pull would bring one.
    let path = env.incident_path("INC-4");
    let text = env
        .read(&path)
        .replace("title = \"Disk full\"", "title = \"Disk filling\"");
    env.write(&path, &text);
    env.git(&["commit", "-qam", "INC-4: retitle"]);
    let (list, cleanup) = assert_matches_recomputation(&env);
    assert_eq!(ids(&list), ["INC-1", "INC-2", "INC-3", "INC-4", "INC-5"]);
    let inc4 = list.as_array().unwrap().iter().find(|r| r["id"] == "INC-4");
    assert_eq!(inc4.unwrap()["title"], "Disk filling");
    assert_eq!(pending(&cleanup), ["INC-3 \"Disabled login\""]);
    assert_eq!(cleanup["pending"][0]["after"], "replicas: 12\n");
    assert_eq!(cleanup["pending"][0]["target"], "deploy/app");
}

#[test]
fn cached_answers_match_a_full_read_after_a_reset() {
    let env = ledger();
    env.run(&["cleanup", "done", "INC-3", "M1"]).ok();
    env.declare("Queue backlog");
    let (list, cleanup) = answers(&env);
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert_eq!(pending(&cleanup).len(), 1);
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    let (list, cleanup) = assert_matches_recomputation(&env);
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(pending(&cleanup).len(), 2);
}

#[test]
fn cached_answers_match_a_full_read_after_a_merge() {
    let env = ledger();
    env.git(&["checkout", "-q", "-b", "side"]);
    env.run(&["cleanup", "done", "INC-2", "M1"]).ok();
    env.git(&["checkout", "-q", "main"]);
    env.run(&["note", "INC-1", "proxy restarted"]).ok();
    answers(&env);
    env.git(&["merge", "-q", "--no-edit", "side"]);
    let (_, cleanup) = assert_matches_recomputation(&env);
    assert_eq!(pending(&cleanup), ["INC-3 \"Disabled login\""]);
}

#[test]
fn cached_answers_match_a_full_read_after_a_renumbering() {
    let env = ledger();
    let old = env.incident_path("INC-2");
    let new = old.replace("INC-2", "INC-9");
    env.git(&["mv", &old, &new]);
    let text = env.read(&new).replace("id = \"INC-2\"", "id = \"INC-9\"");
    env.write(&new, &text);
    env.git(&[
        "commit",
        "-qam",
        "INC-9: renumbered from INC-2",
        "-m",
        "Incident: INC-9\nIncident-Change: renumber\nFrom: INC-2\nTo: INC-9",
    ]);
    let (list, cleanup) = assert_matches_recomputation(&env);
    assert_eq!(ids(&list), ["INC-1", "INC-3", "INC-4", "INC-9"]);
    let row = list.as_array().unwrap().iter().find(|r| r["id"] == "INC-9");
    assert_eq!(row.unwrap()["path"], new.trim_start_matches("./"));
    assert_eq!(
        pending(&cleanup),
        ["INC-9 \"Scaled search\"", "INC-3 \"Disabled login\""]
    );
}

#[test]
fn a_hand_edit_of_the_same_size_in_the_same_second_shows_at_once() {
    let env = ledger();
    let path = env.incident_path("INC-3");
    let file = env.path(&path);
    let before = std::fs::metadata(&file).unwrap();
    // The same length; the file's modification time then set to the
    // cache's, the racy case: modified no earlier than the cache was written.
    let text = env
        .read(&path)
        .replace("Login errors", "Login faults")
        .replace("Disabled login", "Disabled logon");
    assert_eq!(text.len(), before.len() as usize);
    env.write(&path, &text);
    let status = std::process::Command::new("touch")
        .arg("-r")
        .arg(env.path(CACHE))
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::metadata(&file).unwrap().len(), before.len());
    let (list, cleanup) = assert_matches_recomputation(&env);
    let row = list.as_array().unwrap().iter().find(|r| r["id"] == "INC-3");
    assert_eq!(row.unwrap()["title"], "Login faults");
    assert_eq!(
        pending(&cleanup),
        ["INC-2 \"Scaled search\"", "INC-3 \"Disabled logon\""]
    );
    // And again with the time put back as it was before the edit.
    let text = env.read(&path).replace("Login faults", "Login faulty");
    env.write(&path, &text);
    let status = std::process::Command::new("touch")
        .arg("-d")
        .arg(format!(
            "@{}",
            before
                .modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        ))
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let (list, _) = assert_matches_recomputation(&env);
    let row = list.as_array().unwrap().iter().find(|r| r["id"] == "INC-3");
    assert_eq!(row.unwrap()["title"], "Login faulty");
}

#[test]
fn a_damaged_cache_file_is_rebuilt_and_answers_stay_right() {
    let env = ledger();
    let (list, cleanup) = answers(&env);
    let good = env.read(CACHE);
    let cut = good.len() - 20;
    for junk in [
        good[..cut].to_owned(),
        format!("{good}{{\"key\":"),
        format!("{good}not json\n"),
        good.replacen("\"summary\"", "\"summery\"", 1),
        good.replacen("summaries-2/", "summaries-1/", 1),
        "\u{0}\u{1}binary".to_owned(),
    ] {
        env.write(CACHE, &junk);
        assert_eq!(answers(&env), (list.clone(), cleanup.clone()), "{junk:?}");
        assert_eq!(env.read(CACHE).lines().count(), 5, "rebuilt whole");
        assert_matches_recomputation(&env);
    }
}

#[test]
fn one_change_appends_to_the_cache_instead_of_rewriting_it() {
    let env = ledger();
    let before = env.read(CACHE);
    env.run(&["note", "INC-1", "errors from the payment proxy"])
        .ok();
    answers(&env);
    let after = env.read(CACHE);
    assert!(after.starts_with(&before), "{before}\n---\n{after}");
    let added = after[before.len()..].lines().count();
    // The changed entry, and at most a re-check of it where its file was
    // written in the same clock tick as the cache.
    assert!((1..=3).contains(&added), "{added} lines appended:\n{after}");
    // Nothing changed: nothing written.
    answers(&env);
    assert_eq!(env.read(CACHE), after);
}
