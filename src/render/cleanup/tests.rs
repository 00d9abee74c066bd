//! The cleanup views on a fixed pair of incidents (tests/fixtures/cleanup.toml).

use chrono::Duration;

use crate::domain::history::Point;
use crate::domain::{CommitId, Incident, cleanup};
use crate::render::fit;
use crate::render::style::{self, paint};

use super::*;

/// Two incidents with four pending mitigations: diffs, a plan alone, and
/// a state recorded on one side only.
const INCIDENTS: &str = include_str!("../../../tests/fixtures/cleanup.toml");

#[derive(serde::Deserialize)]
struct Fixture {
    i: Vec<Incident>,
}

fn incidents() -> Vec<Incident> {
    toml::from_str::<Fixture>(INCIDENTS).unwrap().i
}

fn now() -> DateTime<Utc> {
    "2026-11-28T10:00:00Z".parse().unwrap()
}

fn policy(severity: &str) -> Option<Duration> {
    Some(Duration::days(if severity == "SEV-1" { 7 } else { 14 }))
}

#[test]
fn the_listing_shows_each_cleanup_as_a_diff_from_after_to_before() {
    let incidents = incidents();
    let pending = cleanup::pending(&incidents, now(), policy);
    insta::assert_snapshot!(listing(&pending, View::default()), @r"
INC-1  SEV-1  mitigated  Checkout API returning 502s
  M1  flag      Disabled new-checkout-flow, back to the legacy cart
      applied   2026-11-20 09:20 UTC by Ada Lovelace, 8d ago
      deadline  2026-11-27 09:20 UTC (7d after mitigation): overdue by 1d
      cleanup   Re-enable gradually: 10%, 50%, 100% while watching the 5xx rate
      target    flags/checkout.yaml
      --- flags/checkout.yaml (in place now, temporary)
      +++ flags/checkout.yaml (after cleanup)
      @@ -1,5 +1,5 @@
       new-checkout-flow:
      -  enabled: false
      -  rollout: 0
      +  enabled: true
      +  rollout: 100
         cohorts: [beta, staff, everyone]
      -legacy-cart: true
      +legacy-cart: false

  M2  scale     Scaled checkout pool from 10 to 40 pods
      applied   2026-11-20 09:25 UTC by Bob Ng, 8d ago
      deadline  2026-11-27 09:20 UTC (7d after mitigation): overdue by 1d
      cleanup   Scale back to 10 once the queue drains
      --- in place now (temporary)
      +++ after cleanup
      @@ -1 +1 @@
      -replicas: 40
      +replicas: 10

INC-2  SEV-3  resolved  Search latency above 2s
  M1  throttle  Rate limit 100 rps on /search
      applied   2026-11-24 14:10 UTC by Ada Lovelace, 3d 19h ago
      deadline  2026-12-08 14:10 UTC (14d after mitigation): due in 10d 4h
      cleanup   Lift the limit after the index rebuild
      no before/after recorded: the plan above is the cleanup

  M2  other     Pinned search to replica set B
      applied   2026-11-24 14:20 UTC by Ada Lovelace, 3d 19h ago
      deadline  2026-12-08 14:10 UTC (14d after mitigation): due in 10d 4h
      cleanup   Unpin
      target    search/pin.conf
      restore to (no `after` recorded):
        pin = none
");
    assert_eq!(
        summary(&pending, None),
        "4 temporary mitigations pending cleanup in 2 incidents; 2 overdue."
    );
    assert_eq!(
        summary(&[], Some("INC-3")),
        "INC-3 has no temporary mitigations pending cleanup."
    );
}

#[test]
fn prose_wraps_to_the_width_and_diffs_never_do() {
    let mut incidents = incidents();
    incidents[0].mitigations[1].after = Some(format!("replicas: 40 {}", "x".repeat(60)));
    let pending = cleanup::pending(&incidents, now(), policy);
    // Colour codes take no room on the screen.
    let coloured = listing(
        &pending,
        View {
            color: true,
            width: Some(60),
        },
    );
    for line in coloured.lines() {
        let plain = console::strip_ansi_codes(line);
        let diff_line = plain.starts_with("      -") || plain.starts_with("      +");
        assert!(
            console::measure_text_width(line) <= 60 || diff_line,
            "{line:?}"
        );
    }
    let text = listing(
        &pending,
        View {
            color: false,
            width: Some(60),
        },
    );
    assert_eq!(console::strip_ansi_codes(&coloured), text);
    assert_eq!(
        fit(&summary(&pending, None), Some(40)),
        "4 temporary mitigations pending cleanup\nin 2 incidents; 2 overdue.\n"
    );
    assert!(text.contains(&format!("      -replicas: 40 {}\n", "x".repeat(60))));
    // Continuation lines hang under the text they continue.
    assert!(text.contains(
        "  M1  flag      Disabled new-checkout-flow, back to the\n                legacy cart\n"
    ));
    assert!(text.contains(
        "      cleanup   Re-enable gradually: 10%, 50%, 100% while\n                watching the 5xx rate\n"
    ));
}

#[test]
fn colour_only_when_asked() {
    let incidents = incidents();
    let pending = cleanup::pending(&incidents, now(), policy);
    let plain = listing(&pending, View::default());
    assert!(!plain.contains('\u{1b}'));
    let coloured = listing(
        &pending,
        View {
            color: true,
            width: None,
        },
    );
    let red = paint(true, style::REMOVED, "-replicas: 40");
    let green = paint(true, style::ADDED, "+replicas: 10");
    assert!(
        coloured.contains(&red) && coloured.contains(&green),
        "{coloured}"
    );
    assert!(coloured.contains(&paint(true, style::ERROR, "overdue by 1d")));
}

#[test]
fn the_diff_marks_a_missing_final_newline_only_where_it_differs() {
    let mut m = incidents()[0].mitigations[1].clone();
    assert_eq!(
        diff(&m).unwrap(),
        "--- in place now (temporary)\n+++ after cleanup\n@@ -1 +1 @@\n-replicas: 40\n+replicas: 10\n"
    );
    m.before = Some("replicas: 10\n".into());
    assert_eq!(
        diff(&m).unwrap(),
        "--- in place now (temporary)\n+++ after cleanup\n@@ -1 +1 @@\n-replicas: 40\n\\ No newline at end of file\n+replicas: 10\n"
    );
    m.after = None;
    assert_eq!(diff(&m), None);
}

#[test]
fn recorded_states_cannot_drive_the_terminal() {
    let mut incidents = incidents();
    incidents[0].mitigations[1].after = Some("replicas: \u{1b}[2J40".into());
    let pending = cleanup::pending(&incidents, now(), policy);
    let text = listing(&pending, View::default());
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("-replicas: \\e[2J40"), "{text}");
}

#[test]
fn identical_states_say_so() {
    let mut incidents = incidents();
    incidents[0].mitigations[1].after = Some("replicas: 10".into());
    let pending = cleanup::pending(&incidents, now(), policy);
    let text = listing(&pending, View::default());
    assert!(text.contains("before and after are the same: the diff is empty"));
}

#[test]
fn the_since_review_has_three_groups_and_the_counts() {
    let then = incidents();
    let mut now_state = then.clone();
    let m = &mut now_state[0].mitigations[1];
    m.cleaned_up_at = Some("2026-11-27T08:00:00Z".parse().unwrap());
    m.cleaned_up_by = Some("Bob Ng <bob@example.com>".into());
    m.cleanup_note = Some("Back to 10 pods".into());
    let m = &mut now_state[1].mitigations[0];
    m.kept_at = Some("2026-11-27T09:00:00Z".parse().unwrap());
    m.kept_by = Some("Ada Lovelace <ada@example.com>".into());
    m.kept_why = Some("The limit protects the database".into());
    let mut added = now_state[1].mitigations[1].clone();
    added.id = "M3".into();
    added.action = "Moved search traffic to region B".into();
    now_state[1].mitigations.push(added);
    let report = cleanup::since(&then, &now_state);
    let from = Point {
        commit: CommitId::from_hex("1234567890abcdef"),
        time: "2026-11-26T00:00:00Z".parse().unwrap(),
    };
    let to = Point {
        commit: CommitId::from_hex("fedcba0987654321"),
        time: now(),
    };
    insta::assert_snapshot!(since(&report, Some(&from), &to, View::default()), @r"
Temporary mitigations since 12345678 (2026-11-26 00:00 UTC), up to fedcba09 (2026-11-28 10:00 UTC)

Added (1)
  INC-2 M3  other     Moved search traffic to region B
            applied 2026-11-24 14:20 UTC by Ada Lovelace; pending
Cleaned up (1)
  INC-1 M2  scale     Scaled checkout pool from 10 to 40 pods
            cleaned up 2026-11-27 08:00 UTC by Bob Ng: Back to 10 pods
Made permanent (1)
  INC-2 M1  throttle  Rate limit 100 rps on /search
            kept 2026-11-27 09:00 UTC by Ada Lovelace: The limit protects the database

Pending cleanup: 4 then, 3 now.
");
    let empty = cleanup::since(&then, &then);
    let text = since(&empty, None, &to, View::default());
    assert!(text.starts_with("Temporary mitigations since the start of the ledger,"));
    assert!(text.contains("Added: none\nCleaned up: none\nMade permanent: none\n"));
    let json = since_json(&report, Some(&from), &to);
    assert_eq!(json["cleaned_up"][0]["cleanup_note"], "Back to 10 pods");
    assert_eq!(
        json["made_permanent"][0]["kept_why"],
        "The limit protects the database"
    );
    assert_eq!(json["from"]["commit"], "1234567890abcdef");
}

#[test]
fn json_has_the_same_data_and_the_diff_as_text() {
    let incidents = incidents();
    let all = cleanup::pending(&incidents, now(), policy);
    let overdue: Vec<_> = all.iter().filter(|p| p.is_overdue()).copied().collect();
    let json = listing_json(&overdue, &all, now());
    assert_eq!(json["counts"]["pending"], 4);
    assert_eq!(json["counts"]["overdue"], 2);
    assert_eq!(json["pending"].as_array().unwrap().len(), 2);
    let first = &json["pending"][0];
    assert_eq!(first["incident"], "INC-1");
    assert_eq!(first["mitigation"], "M1");
    assert_eq!(first["deadline"]["due"], "2026-11-27T09:20:00Z");
    assert_eq!(first["overdue"], true);
    assert_eq!(first["age_seconds"], 8 * 86_400 + 40 * 60);
    assert_eq!(
        first["diff"].as_str(),
        diff(&incidents[0].mitigations[0]).as_deref()
    );
}
