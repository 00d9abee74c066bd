//! Input as responders type it: event times in the forms people use, read in
//! the local zone (`TZ`) and echoed back as understood; event times that are
//! more likely a typo than a late record refused unless forced; severities
//! named as ids are, and the ledger's default severity.

use chrono::Duration;

use crate::harness::{Run, TestEnv};

const BERLIN: &str = "Europe/Berlin";

/// Runs `args` with the local time zone `tz`, then advances the clock a
/// minute, as `env.run` does in UTC.
fn run_tz(env: &TestEnv, tz: &str, args: &[&str]) -> Run {
    let out = env
        .command(args)
        .env("TZ", tz)
        .output()
        .expect("the binary runs");
    env.set_now(&(env.now() + Duration::minutes(1)).to_rfc3339());
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// As `env.refused`, in the local time zone `tz`.
#[track_caller]
fn refused_tz(env: &TestEnv, tz: &str, args: &[&str], code: i32, message: &str) -> Run {
    let before = env.snapshot_state();
    let run = run_tz(env, tz, args);
    run.code(code).stderr_has(message);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(env.snapshot_state(), before, "{args:?} changed the ledger");
    run
}

/// A SEV-2 incident whose impact began at `started`.
fn incident_since(env: &TestEnv, started: &str) -> String {
    env.run(&[
        "declare",
        "Checkout down",
        "--sev",
        "SEV-2",
        "--started",
        started,
    ])
    .ok()
    .to_owned()
}

/// When the incident's `n`th note was recorded as made.
fn note_at(env: &TestEnv, id: &str, n: usize) -> String {
    env.incident(id)["notes"][n]["at"]
        .as_str()
        .expect("the note has a time")
        .to_owned()
}

#[test]
fn yesterday_and_a_clock_time_is_that_time_the_day_before() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T21:00:00Z");
    let run = env.run(&[
        "declare",
        "Checkout down",
        "--sev",
        "SEV-2",
        "--started",
        "yesterday 14:05",
    ]);
    let id = run.ok().to_owned();
    assert_eq!(env.incident(&id)["started_at"], "2026-11-30T14:05:00Z");
    run.stderr_has("\n  impact started: 2026-11-30 14:05 UTC\n");
}

#[test]
fn today_and_a_clock_time_is_that_time_today() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T08:00:00Z");
    let id = incident_since(&env, "2026-12-01T08:00:00Z");
    env.set_now("2026-12-01T21:00:00Z");
    let run = env.run(&["note", &id, "deploy web-7f3a", "--at", "today 9:30"]);
    run.ok();
    assert_eq!(note_at(&env, &id, 0), "2026-12-01T09:30:00Z");
    run.stderr_has("\n  event time: 2026-12-01 09:30 UTC\n");
    // Local time is UTC here: said once.
    assert!(!run.stderr.contains("local"), "{}", run.stderr);
}

#[test]
fn a_clock_time_in_utc_is_read_in_utc_whatever_the_local_zone() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T20:00:00Z");
    let id = incident_since(&env, "2026-12-01T20:00:00Z");
    for (n, at) in ["21:05 UTC", "21:05Z"].into_iter().enumerate() {
        env.set_now("2026-12-01T22:08:00Z");
        let run = run_tz(&env, BERLIN, &["note", &id, "5xx began", "--at", at]);
        run.ok();
        assert_eq!(note_at(&env, &id, n), "2026-12-01T21:05:00Z", "{at}");
        run.stderr_has("\n  event time: 2026-12-01 21:05 UTC (2026-12-01 22:05 +01:00 local)\n");
    }
}

#[test]
fn an_hour_ago_is_an_hour_before_now() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T20:00:00Z");
    let id = incident_since(&env, "2026-12-01T20:00:00Z");
    env.set_now("2026-12-01T22:08:00Z");
    let run = run_tz(&env, BERLIN, &["note", &id, "paged", "--at", "an hour ago"]);
    run.ok();
    assert_eq!(note_at(&env, &id, 0), "2026-12-01T21:08:00Z");
    run.stderr_has("\n  event time: 2026-12-01 21:08 UTC (2026-12-01 22:08 +01:00 local)\n");
}

#[test]
fn a_month_and_day_with_a_clock_time_is_read_in_local_time() {
    let env = TestEnv::ledger();
    env.set_now("2026-11-30T00:00:00Z");
    let id = incident_since(&env, "2026-11-30T00:00:00Z");
    env.set_now("2026-12-03T10:00:00Z");
    let run = run_tz(
        &env,
        BERLIN,
        &["note", &id, "first alert", "--at", "Dec 1 21:05"],
    );
    run.ok();
    assert_eq!(note_at(&env, &id, 0), "2026-12-01T20:05:00Z");
    run.stderr_has("\n  event time: 2026-12-01 20:05 UTC (2026-12-01 21:05 +01:00 local)\n");
}

#[test]
fn a_clock_time_later_than_now_is_yesterdays() {
    let env = TestEnv::ledger();
    env.set_now("2026-11-30T23:40:00Z");
    let id = env.declare("Checkout down");
    // Typed just after midnight, 23:50 is a quarter of an hour ago.
    env.set_now("2026-12-01T00:05:00Z");
    let run = env.run(&["note", &id, "5xx began", "--at", "23:50"]);
    run.ok();
    assert_eq!(note_at(&env, &id, 0), "2026-11-30T23:50:00Z");
    run.stderr_has("\n  event time: 2026-11-30 23:50 UTC\n");
}

#[test]
fn a_local_time_takes_the_offset_of_its_own_day() {
    let env = TestEnv::ledger();
    // Typed in winter (+01:00), a time before the clocks went back is +02:00.
    env.set_now("2026-11-02T12:00:00Z");
    let run = run_tz(
        &env,
        BERLIN,
        &[
            "declare",
            "Checkout down",
            "--sev",
            "SEV-2",
            "--started",
            "2026-10-24 12:00",
        ],
    );
    let id = run.ok().to_owned();
    assert_eq!(env.incident(&id)["started_at"], "2026-10-24T10:00:00Z");
    run.stderr_has("\n  impact started: 2026-10-24 10:00 UTC (2026-10-24 12:00 +02:00 local)\n");
}

#[test]
fn a_local_time_the_clocks_skipped_or_showed_twice_is_refused() {
    let env = TestEnv::ledger();
    env.set_now("2026-03-29T00:00:00Z");
    let id = env.declare("Checkout down");
    env.set_now("2026-03-29T10:00:00Z");
    refused_tz(
        &env,
        BERLIN,
        &["note", &id, "x", "--at", "02:30"],
        2,
        "--at: `02:30` never happened in local time: the clocks skipped it",
    )
    .stderr_has("hint: give the zone, such as `01:30 UTC`");
    env.set_now("2026-10-25T01:45:00Z");
    refused_tz(
        &env,
        BERLIN,
        &["note", &id, "x", "--at", "02:30"],
        2,
        "--at: `02:30` happened twice in local time, at 2026-10-25 00:30 UTC and at 2026-10-25 01:30 UTC",
    );
    run_tz(&env, BERLIN, &["note", &id, "x", "--at", "02:30 +01:00"]).ok();
    assert_eq!(note_at(&env, &id, 0), "2026-10-25T01:30:00Z");
}

#[test]
fn an_event_time_before_the_incident_began_is_refused_unless_forced() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T21:00:00Z");
    let id = incident_since(&env, "2026-12-01T20:30:00Z");
    let note = ["note", &id, "deploy web-7f3a", "--at", "20:00"];
    env.refused(
        &note,
        1,
        "the event time 2026-12-01 20:00 UTC is before INC-1 began (2026-12-01 20:30 UTC)",
    )
    .stderr_has("hint: if you must, override the rule with --force --why");
    let mut forced = note.to_vec();
    forced.extend(["--force", "--why", "the deploy came first"]);
    let run = env.run(&forced);
    run.ok();
    assert_eq!(note_at(&env, &id, 0), "2026-12-01T20:00:00Z");
    run.stderr_has("\n  event time: 2026-12-01 20:00 UTC\n");
    let overrides = &env.incident(&id)["overrides"];
    assert_eq!(overrides[0]["change"], "note", "{overrides}");
    assert_eq!(overrides[0]["why"], "the deploy came first");
    assert!(
        env.head_trailers()
            .contains("Override-Why: the deploy came first")
    );
}

#[test]
fn an_event_time_over_30_days_ago_is_refused_unless_forced() {
    let env = TestEnv::ledger();
    env.set_now("2026-12-01T21:00:00Z");
    let declare = [
        "declare",
        "Billing export missing rows",
        "--sev",
        "SEV-3",
        "--started",
        "2026-10-01T09:00:00Z",
    ];
    env.refused(
        &declare,
        1,
        "the impact start 2026-10-01 09:00 UTC is more than 30 days ago",
    )
    .stderr_has("--force --why");
    let mut forced = declare.to_vec();
    forced.extend(["--force", "--why", "found in the monthly audit"]);
    let run = env.run(&forced);
    let id = run.ok().to_owned();
    run.stderr_has("\n  impact started: 2026-10-01 09:00 UTC\n");
    let incident = env.incident(&id);
    assert_eq!(incident["started_at"], "2026-10-01T09:00:00Z");
    assert_eq!(incident["overrides"][0]["change"], "declare");
    // After the start, but still long ago: a change is refused as well.
    env.refused(
        &[
            "note",
            &id,
            "first bad export",
            "--at",
            "2026-10-15T00:00:00Z",
        ],
        1,
        "the event time 2026-10-15 00:00 UTC is more than 30 days ago",
    );
}

#[test]
fn a_severity_is_named_as_an_id_is() {
    let env = TestEnv::ledger();
    let id = env
        .run(&["declare", "Checkout down", "--sev", "sev-1"])
        .ok()
        .to_owned();
    assert_eq!(env.incident(&id)["severity"], "SEV-1");
    for (given, recorded) in [("2", "SEV-2"), ("Sev1", "SEV-1"), ("SEV3", "SEV-3")] {
        let run = env.run(&["sev", &id, given, "--why", "scope changed"]);
        run.ok();
        assert_eq!(env.incident(&id)["severity"], recorded, "{given}");
        assert!(
            env.head_subject().ends_with(&format!("-> {recorded}")),
            "{given}"
        );
    }
    let listed = env.run(&["list", "--sev", "3"]);
    assert!(listed.ok().contains(&id), "{}", listed.stdout);
    let listed = env.run(&["list", "--sev", "sev-1"]);
    assert!(!listed.ok().contains(&id), "{}", listed.stdout);
}

#[test]
fn list_with_a_severity_the_ledger_does_not_define_is_a_usage_error() {
    let env = TestEnv::ledger();
    env.declare("Checkout down");
    let run = env.run(&["list", "--sev", "SEV-9"]);
    run.code(2)
        .stderr_has("--sev: unknown severity `SEV-9`")
        .stderr_has("hint: the runbook's severities are SEV-1, SEV-2, SEV-3, SEV-4");
    assert!(!run.stdout.contains("No incidents match"), "{}", run.stdout);
}

#[test]
fn declare_without_sev_takes_the_most_severe_level_and_says_so() {
    let env = TestEnv::ledger();
    let run = env.run(&["declare", "Checkout down"]);
    let id = run.ok().to_owned();
    assert_eq!(env.incident(&id)["severity"], "SEV-1");
    run.stderr_has(
        "no --sev given: SEV-1, the ledger's default; change it with `git incident sev`\n",
    );
}

#[test]
fn declare_without_sev_takes_the_default_the_ledger_configures() {
    let env = TestEnv::ledger();
    let config = env.read("ledger.toml").replace(
        "services = []\n",
        "services = []\ndefault_severity = \"SEV-3\"\n",
    );
    env.write("ledger.toml", &config);
    env.git(&["commit", "-qam", "Declare SEV-3 by default"]);
    let run = env.run(&["declare", "Checkout down"]);
    let id = run.ok().to_owned();
    assert_eq!(env.incident(&id)["severity"], "SEV-3");
    run.stderr_has("no --sev given: SEV-3, the ledger's default");
    // A default the runbook does not define is a problem of the ledger.
    env.write("ledger.toml", &config.replace("\"SEV-3\"", "\"SEV-9\""));
    env.refused(
        &["declare", "Search slow"],
        2,
        "default_severity names unknown severity `SEV-9`",
    );
}
