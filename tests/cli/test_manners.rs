//! Issue 12, points 11 and 12: the small refusals that got in a
//! responder's way, and the audit facts kept where people look.

use serde_json::Value;

use crate::harness::{BOB, TestEnv};

/// Responders often restart something before anyone acknowledged: the
/// mitigation is recorded and acknowledges the incident with it, in one
/// commit that says so.
#[test]
fn a_mitigation_before_ack_acknowledges_the_incident() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    let before = env.commit_count();
    env.run(&["mitigate", &id, "Restarted the checkout pods"])
        .ok();
    assert_eq!(env.commit_count(), before + 1);
    let inc = env.incident(&id);
    assert_eq!(inc["status"], "mitigated");
    assert!(inc["acknowledged_at"].is_string(), "{inc}");
    assert_eq!(inc["acknowledged_at"], inc["mitigated_at"]);
    let body = env.git(&["log", "-1", "--format=%b"]);
    assert!(body.contains("Acknowledged with this mitigation"), "{body}");
    env.run(&["verify"]).ok();
}

/// A repeated `ack` succeeds with a notice and commits nothing, so that
/// scripts may run it twice.
#[test]
fn a_second_ack_records_nothing_and_succeeds() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    env.run(&["ack", &id]).ok();
    let head = env.head();
    let again = env.run(&["ack", &id]);
    assert_eq!(again.ok(), id);
    again
        .stderr_has("is already acknowledged")
        .stderr_has("by Ada Lovelace");
    assert_eq!(env.head(), head, "no commit");
    assert_eq!(env.status(), "");
    let json: Value = serde_json::from_str(env.run(&["ack", &id, "--json"]).ok()).unwrap();
    assert_eq!(json["unchanged"], true);
    assert_eq!(env.head(), head);
}

/// `--as me` is the configured identity, as `lead me` is.
#[test]
fn as_me_is_the_configured_identity() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    env.run(&["note", &id, "looking", "--as", "me"]).ok();
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Ada Lovelace <ada@example.com>"
    );
}

/// Lowering the severity needs a reason, as dropping the urgency of an
/// outage should; the reason is kept with the notes, so `show`, `log`
/// and the report give it.
#[test]
fn a_severity_change_keeps_its_reason_where_people_look() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    env.run(&["sev", &id, "SEV-1", "--why", "every region is down"])
        .ok();
    env.refused(&["sev", &id, "SEV-3"], 1, "needs a reason")
        .stderr_has("--why");
    env.run(&[
        "sev",
        &id,
        "SEV-3",
        "--why",
        "only the EU canary is affected",
    ])
    .ok();
    let show = env.run(&["show", &id]);
    assert!(
        show.ok()
            .contains("Severity SEV-2 -> SEV-1: every region is down"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("Severity SEV-1 -> SEV-3: only the EU canary is affected")
    );
    let log = env.run(&["log", &id]);
    assert!(
        log.ok().contains("only the EU canary is affected"),
        "{}",
        log.stdout
    );
    let report = env.run(&["report", &id]);
    assert!(
        report.ok().contains("only the EU canary is affected"),
        "{}",
        report.stdout
    );
}

/// A due date in the past is refused unless forced with a reason.
#[test]
fn an_action_due_in_the_past_is_refused_unless_forced() {
    let env = TestEnv::ledger();
    env.set_now("2026-11-26T18:00:00Z");
    let id = env.declare("Checkout API returning 502s");
    let action = [
        "action",
        &id,
        "Alert on 5xx",
        "--owner",
        BOB,
        "--due",
        "2026-11-20",
    ];
    env.refused(&action, 1, "the due date 2026-11-20 is in the past");
    let mut forced = action.to_vec();
    forced.extend(["--force", "--why", "recording what was agreed last week"]);
    env.run(&forced).ok();
    assert_eq!(env.incident(&id)["actions"][0]["due"], "2026-11-20");
}

/// The subject of a long mitigation or action is cut; the commit body
/// holds the text whole, for `git log` readers.
#[test]
fn long_entry_texts_are_whole_in_the_commit_body() {
    let env = TestEnv::ledger();
    let id = env.declare("Checkout API returning 502s");
    env.run(&["ack", &id]).ok();
    let long = "Disabled the new-pricing flag for every EU and US region, because the upstream tax service times out on the new request shape";
    env.run(&["mitigate", &id, long]).ok();
    let subject = env.head_subject();
    assert!(subject.len() < long.len(), "{subject}");
    let body = env.git(&["log", "-1", "--format=%b"]);
    assert!(body.contains(long), "{body}");
    env.run(&["action", &id, long, "--owner", BOB]).ok();
    let body = env.git(&["log", "-1", "--format=%b"]);
    assert!(body.contains(long), "{body}");
}

/// `show` says who reached each milestone: declared, acknowledged,
/// mitigated, resolved and closed, `--as` included.
#[test]
fn show_says_who_reached_each_milestone() {
    let env = TestEnv::ledger();
    let id = env
        .run(&["declare", "Checkout API returning 502s", "--sev", "SEV-3"])
        .ok()
        .to_owned();
    env.run(&["ack", &id, "--as", BOB]).ok();
    env.run(&["mitigate", &id, "Rolled back"]).ok();
    env.run(&["resolve", &id, "--as", "Carol Hand <carol@example.com>"])
        .ok();
    env.run(&["close", &id]).ok();
    let show = env.run(&["show", &id]);
    let text = show.ok();
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line in {text}"))
            .to_owned()
    };
    assert!(line("acknowledged").ends_with("by Bob Ng"), "{text}");
    assert!(line("mitigated").ends_with("by Ada Lovelace"), "{text}");
    assert!(line("resolved ").ends_with("by Carol Hand"), "{text}");
    assert!(line("closed").ends_with("by Ada Lovelace"), "{text}");
    let inc = env.incident(&id);
    assert_eq!(inc["acknowledged_by"], BOB);
}

/// A note backfilled with `--at` takes its place in event-time order, in
/// the file and in every view.
#[test]
fn notes_are_in_event_time_order() {
    let env = TestEnv::ledger();
    env.set_now("2026-11-26T18:00:00Z");
    let id = env.declare("Checkout API returning 502s");
    env.set_now("2026-11-26T18:30:00Z");
    env.run(&["note", &id, "second, as it happened"]).ok();
    env.run(&["note", &id, "first, recorded late", "--at", "18:10"])
        .ok();
    let inc = env.incident(&id);
    assert_eq!(inc["notes"][0]["text"], "first, recorded late");
    let show = env.run(&["show", &id]);
    let text = show.ok();
    let first = text.find("first, recorded late").unwrap();
    let second = text.find("second, as it happened").unwrap();
    assert!(first < second, "{text}");
}
