//! The cleanup views: pending temporary mitigations with the unified diff
//! each cleanup must apply (`after`, the temporary state in place, to
//! `before`, the stable state to restore), and the `--since` review of what
//! was added, cleaned up or made permanent. Pure text and JSON values.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value as Json, json};
use similar::TextDiff;

use super::style::{self, paint};
use crate::domain::cleanup::{Entry, Pending, Since};
use crate::domain::history::Point;
use crate::domain::when::human_duration;
use crate::domain::{Incident, Mitigation};

use super::{name_of, time, wrap_into};

/// How the text is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    /// Colour the diff and the warnings.
    pub color: bool,
    /// Wrap prose to this many columns (a terminal's width); diffs are
    /// never wrapped, a diff must stay exact.
    pub width: Option<usize>,
}

/// Where the prose of a mitigation starts.
const LABEL_INDENT: usize = 6;
/// Labels are padded to this width.
const LABEL_WIDTH: usize = 10;

/// The unified diff from `after` to `before`: what the cleanup must apply.
/// `None` unless both states were recorded.
pub fn diff(m: &Mitigation) -> Option<String> {
    let (Some(before), Some(after)) = (&m.before, &m.after) else {
        return None;
    };
    let (old, new) = match &m.target {
        Some(target) => (
            format!("{target} (in place now, temporary)"),
            format!("{target} (after cleanup)"),
        ),
        None => (
            "in place now (temporary)".to_owned(),
            "after cleanup".to_owned(),
        ),
    };
    let text_diff = TextDiff::from_lines(after.as_str(), before.as_str());
    let mut unified = text_diff.unified_diff();
    unified.context_radius(3).header(&old, &new);
    // A one-line value such as `enabled = false` is a snippet, not a file:
    // the marker for a missing final newline would be noise. Where only one
    // side ends in a newline, the marker shows a real difference.
    if !before.ends_with('\n') && !after.ends_with('\n') {
        unified.missing_newline_hint(false);
    }
    Some(unified.to_string())
}

/// The listing: incidents with their pending mitigations, each with its
/// diff or, where no states were recorded, its plan alone.
pub fn listing(pending: &[Pending<'_>], view: View) -> String {
    let mut out = String::new();
    let mut current: Option<&Incident> = None;
    for (i, p) in pending.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if current.is_none_or(|c| !std::ptr::eq(c, p.incident)) {
            incident_header(&mut out, p.incident, view);
            current = Some(p.incident);
        }
        mitigation(&mut out, p, view);
    }
    out
}

/// One line that sums the pending mitigations up; `of` names the one
/// incident they were taken from, if so.
pub fn summary(pending: &[Pending<'_>], of: Option<&str>) -> String {
    if pending.is_empty() {
        return match of {
            Some(id) => format!("{id} has no temporary mitigations pending cleanup."),
            None => "No temporary mitigations are pending cleanup.".to_owned(),
        };
    }
    let incidents = count_incidents(pending);
    let overdue = pending.iter().filter(|p| p.is_overdue()).count();
    format!(
        "{} pending cleanup in {}; {overdue} overdue.",
        plural(pending.len(), "temporary mitigation"),
        plural(incidents, "incident"),
    )
}

fn count_incidents(pending: &[Pending<'_>]) -> usize {
    let ids: std::collections::HashSet<&str> =
        pending.iter().map(|p| p.incident.id.as_str()).collect();
    ids.len()
}

/// `1 incident`, `2 incidents`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn incident_header(out: &mut String, inc: &Incident, view: View) {
    let head = format!(
        "{}  {}  {}  ",
        paint(view.color, style::BOLD, &inc.id),
        inc.severity,
        inc.status
    );
    let indent = " ".repeat(console::measure_text_width(&head));
    wrap_into(out, &head, &indent, &visible(&inc.title), view.width);
}

fn mitigation(out: &mut String, p: &Pending<'_>, view: View) {
    let m = p.mitigation;
    let head = format!(
        "  {}  {:<8}  ",
        paint(view.color, style::BOLD, &m.id),
        m.kind.as_str()
    );
    let indent = " ".repeat(console::measure_text_width(&head));
    wrap_into(out, &head, &indent, &visible(&m.action), view.width);
    field(
        out,
        "applied",
        &format!(
            "{} by {}, {} ago",
            time(m.applied_at),
            visible(name_of(&m.applied_by)),
            human_duration(p.age)
        ),
        view,
    );
    if let Some(d) = p.deadline {
        let state = if d.overdue {
            paint(
                view.color,
                style::ERROR,
                &format!("overdue by {}", human_duration(-d.left)),
            )
        } else {
            format!("due in {}", human_duration(d.left))
        };
        field(
            out,
            "deadline",
            &format!(
                "{} ({} after mitigation): {state}",
                time(d.due),
                human_duration(d.allowed)
            ),
            view,
        );
    }
    if let Some(plan) = &m.cleanup {
        field(out, "cleanup", &visible(plan), view);
    }
    if let Some(target) = &m.target {
        field(out, "target", &visible(target), view);
    }
    let pad = " ".repeat(LABEL_INDENT);
    match (&m.before, &m.after) {
        (Some(before), Some(after)) if before == after => {
            note(
                out,
                "before and after are the same: the diff is empty",
                view,
            );
        }
        (Some(_), Some(_)) => {
            for (i, line) in diff(m).unwrap_or_default().lines().enumerate() {
                let _ = writeln!(out, "{pad}{}", diff_line(i, &visible(line), view.color));
            }
        }
        (Some(before), None) => block(out, "restore to (no `after` recorded):", before, view),
        (None, Some(after)) => block(out, "in place now (no `before` recorded):", after, view),
        (None, None) => {
            note(
                out,
                "no before/after recorded: the plan above is the cleanup",
                view,
            );
        }
    }
}

fn diff_line(i: usize, line: &str, color: bool) -> String {
    let style = if i < 2 && (line.starts_with("--- ") || line.starts_with("+++ ")) {
        style::BOLD
    } else if line.starts_with("@@") {
        style::HEADER
    } else if line.starts_with('-') {
        style::REMOVED
    } else if line.starts_with('+') {
        style::ADDED
    } else if line.starts_with('\\') {
        style::DIM
    } else {
        return line.to_owned();
    };
    paint(color, style, line)
}

/// A remark under a mitigation, dimmed.
fn note(out: &mut String, text: &str, view: View) {
    let pad = " ".repeat(LABEL_INDENT);
    let mut lines = String::new();
    wrap_into(
        &mut lines,
        "",
        "",
        text,
        view.width.map(|w| w.saturating_sub(LABEL_INDENT)),
    );
    for line in lines.lines() {
        let _ = writeln!(out, "{pad}{}", paint(view.color, style::DIM, line));
    }
}

/// A recorded state shown as it is, indented under its label.
fn block(out: &mut String, label: &str, text: &str, view: View) {
    let pad = " ".repeat(LABEL_INDENT);
    note(out, label, view);
    for line in text.lines() {
        let _ = writeln!(out, "{pad}  {}", visible(line));
    }
}

/// Control characters other than tabs and newlines shown as escapes, so
/// that recorded text (a hand-edited file may hold any) cannot drive the
/// terminal.
fn visible(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n') {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `      label     text`, wrapped under the text.
fn field(out: &mut String, label: &str, text: &str, view: View) {
    let head = format!("{}{label:<LABEL_WIDTH$}", " ".repeat(LABEL_INDENT));
    let indent = " ".repeat(LABEL_INDENT + LABEL_WIDTH);
    wrap_into(out, &head, &indent, text, view.width);
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The listing for scripts: the same data, the diff as text.
pub fn listing_json(shown: &[Pending<'_>], all: &[Pending<'_>], now: DateTime<Utc>) -> Json {
    let items: Vec<Json> = shown
        .iter()
        .map(|p| {
            let (inc, m) = (p.incident, p.mitigation);
            json!({
                "incident": inc.id,
                "uid": inc.uid,
                "title": inc.title,
                "severity": inc.severity,
                "status": inc.status.as_str(),
                "mitigation": m.id,
                "kind": m.kind.as_str(),
                "action": m.action,
                "applied_at": rfc3339(m.applied_at),
                "applied_by": m.applied_by,
                "age": human_duration(p.age),
                "age_seconds": p.age.num_seconds(),
                "cleanup": m.cleanup,
                "target": m.target,
                "before": m.before,
                "after": m.after,
                "deadline": p.deadline.map(|d| json!({
                    "from": rfc3339(d.from),
                    "allowed": human_duration(d.allowed),
                    "due": rfc3339(d.due),
                    "left_seconds": d.left.num_seconds(),
                })),
                "overdue": p.is_overdue(),
                "diff": diff(m),
            })
        })
        .collect();
    json!({
        "now": rfc3339(now),
        "pending": items,
        "counts": {
            "pending": all.len(),
            "incidents": count_incidents(all),
            "overdue": all.iter().filter(|p| p.is_overdue()).count(),
        },
    })
}

/// One end of a `--since` comparison as the header names it; `None` is
/// before the ledger's first commit.
fn label(point: Option<&Point>) -> String {
    match point {
        Some(p) => format!("{} ({})", p.commit.short(), time(p.time)),
        None => "the start of the ledger".to_owned(),
    }
}

fn point_json(point: Option<&Point>) -> Json {
    json!({
        "commit": point.map(|p| p.commit.as_str()),
        "time": point.map(|p| rfc3339(p.time)),
    })
}

/// The `--since` review: three groups (and a fourth for entries that went
/// without a record), then the pending counts at both ends.
pub fn since(report: &Since<'_>, from: Option<&Point>, to: &Point, view: View) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Temporary mitigations since {}, up to {}\n",
        label(from),
        label(Some(to))
    );
    let width = report
        .added
        .iter()
        .chain(&report.cleaned_up)
        .chain(&report.made_permanent)
        .chain(&report.vanished)
        .map(|e| e.incident.id.len() + 1 + e.mitigation.id.len())
        .max()
        .unwrap_or(0);
    group(&mut out, "Added", &report.added, added_detail, width, view);
    let cleaned = &report.cleaned_up;
    group(&mut out, "Cleaned up", cleaned, cleaned_detail, width, view);
    let kept = &report.made_permanent;
    group(&mut out, "Made permanent", kept, kept_detail, width, view);
    if !report.vanished.is_empty() {
        group(
            &mut out,
            "Gone without a cleanup record (deleted, or edited by hand)",
            &report.vanished,
            vanished_detail,
            width,
            view,
        );
    }
    let _ = writeln!(
        out,
        "\nPending cleanup: {} then, {} now.",
        report.pending_then, report.pending_now
    );
    out
}

fn group(
    out: &mut String,
    title: &str,
    entries: &[Entry<'_>],
    detail: fn(&Entry<'_>) -> String,
    width: usize,
    view: View,
) {
    let title = paint(view.color, style::HEADER, title);
    if entries.is_empty() {
        let _ = writeln!(out, "{title}: none");
        return;
    }
    let _ = writeln!(out, "{title} ({})", entries.len());
    for e in entries {
        let id = format!("{} {}", e.incident.id, e.mitigation.id);
        let head = format!("  {id:<width$}  {:<8}  ", e.mitigation.kind.as_str());
        let hanging = " ".repeat(console::measure_text_width(&head));
        wrap_into(
            out,
            &head,
            &hanging,
            &visible(&e.mitigation.action),
            view.width,
        );
        let indent = " ".repeat(width + 4);
        wrap_into(out, &indent, &indent, &visible(&detail(e)), view.width);
    }
}

fn added_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    let state = if m.cleaned_up_at.is_some() {
        "since cleaned up"
    } else if m.kept_at.is_some() {
        "since made permanent"
    } else {
        "pending"
    };
    format!(
        "applied {} by {}; {state}",
        time(m.applied_at),
        name_of(&m.applied_by)
    )
}

fn vanished_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    format!(
        "applied {} by {}; pending then, not now",
        time(m.applied_at),
        name_of(&m.applied_by)
    )
}

fn cleaned_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    let mut text = format!(
        "cleaned up {} by {}",
        m.cleaned_up_at.map(time).unwrap_or_default(),
        m.cleaned_up_by.as_deref().map_or("?", name_of)
    );
    if let Some(note) = &m.cleanup_note {
        let _ = write!(text, ": {note}");
    }
    text
}

fn kept_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    let mut text = format!(
        "kept {} by {}",
        m.kept_at.map(time).unwrap_or_default(),
        m.kept_by.as_deref().map_or("?", name_of)
    );
    if let Some(why) = &m.kept_why {
        let _ = write!(text, ": {why}");
    }
    text
}

/// The `--since` review for scripts.
pub fn since_json(report: &Since<'_>, from: Option<&Point>, to: &Point) -> Json {
    let entries = |entries: &[Entry<'_>]| -> Vec<Json> {
        entries
            .iter()
            .map(|e| {
                let m = e.mitigation;
                json!({
                    "incident": e.incident.id,
                    "uid": e.incident.uid,
                    "title": e.incident.title,
                    "mitigation": m.id,
                    "kind": m.kind.as_str(),
                    "action": m.action,
                    "applied_at": rfc3339(m.applied_at),
                    "applied_by": m.applied_by,
                    "cleaned_up_at": m.cleaned_up_at.map(rfc3339),
                    "cleaned_up_by": m.cleaned_up_by,
                    "cleanup_note": m.cleanup_note,
                    "kept_at": m.kept_at.map(rfc3339),
                    "kept_by": m.kept_by,
                    "kept_why": m.kept_why,
                })
            })
            .collect()
    };
    json!({
        "from": point_json(from),
        "to": point_json(Some(to)),
        "added": entries(&report.added),
        "cleaned_up": entries(&report.cleaned_up),
        "made_permanent": entries(&report.made_permanent),
        "vanished": entries(&report.vanished),
        "pending_then": report.pending_then,
        "pending_now": report.pending_now,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::{CommitId, cleanup};
    use crate::render::fit;

    const INCIDENTS: &str = r#"
[[i]]
id = "INC-1"
uid = "01JDXQ4Z8K3M5N7P9R1S3T5V7W"
title = "Checkout API returning 502s"
severity = "SEV-1"
status = "mitigated"
started_at = 2026-11-20T09:00:00Z
declared_at = 2026-11-20T09:00:00Z
declared_by = "Ada Lovelace <ada@example.com>"
acknowledged_at = 2026-11-20T09:01:00Z
mitigated_at = 2026-11-20T09:20:00Z

[[i.mitigations]]
id = "M1"
kind = "flag"
action = "Disabled new-checkout-flow, back to the legacy cart"
temporary = true
applied_at = 2026-11-20T09:20:00Z
applied_by = "Ada Lovelace <ada@example.com>"
cleanup = "Re-enable gradually: 10%, 50%, 100% while watching the 5xx rate"
target = "flags/checkout.yaml"
before = """
new-checkout-flow:
  enabled: true
  rollout: 100
  cohorts: [beta, staff, everyone]
legacy-cart: false
"""
after = """
new-checkout-flow:
  enabled: false
  rollout: 0
  cohorts: [beta, staff, everyone]
legacy-cart: true
"""

[[i.mitigations]]
id = "M2"
kind = "scale"
action = "Scaled checkout pool from 10 to 40 pods"
temporary = true
applied_at = 2026-11-20T09:25:00Z
applied_by = "Bob Ng <bob@example.com>"
cleanup = "Scale back to 10 once the queue drains"
before = "replicas: 10"
after = "replicas: 40"

[[i]]
id = "INC-2"
uid = "01JDXQ4Z8K3M5N7P9R1S3T5V7X"
title = "Search latency above 2s"
severity = "SEV-3"
status = "resolved"
started_at = 2026-11-24T14:00:00Z
declared_at = 2026-11-24T14:00:00Z
declared_by = "Ada Lovelace <ada@example.com>"
acknowledged_at = 2026-11-24T14:00:00Z
mitigated_at = 2026-11-24T14:10:00Z
resolved_at = 2026-11-24T15:00:00Z

[[i.mitigations]]
id = "M1"
kind = "throttle"
action = "Rate limit 100 rps on /search"
temporary = true
applied_at = 2026-11-24T14:10:00Z
applied_by = "Ada Lovelace <ada@example.com>"
cleanup = "Lift the limit after the index rebuild"

[[i.mitigations]]
id = "M2"
kind = "other"
action = "Pinned search to replica set B"
temporary = true
applied_at = 2026-11-24T14:20:00Z
applied_by = "Ada Lovelace <ada@example.com>"
cleanup = "Unpin"
target = "search/pin.conf"
before = "pin = none\n"
"#;

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
        assert!(text.contains("-replicas: \\u{1b}[2J40"), "{text}");
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
}
