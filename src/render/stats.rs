//! The ledger's metrics as text.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use crate::domain::CommitId;
use crate::domain::stats::Spread;
use crate::domain::stats::{Group, Stats};
use crate::domain::when::human_duration;

use super::style::{self, paint};
use super::time;

fn spread_cells(s: Option<&Spread>) -> (String, String, String) {
    match s {
        Some(s) => (
            s.count.to_string(),
            human_duration(chrono::Duration::seconds(s.median_secs)),
            human_duration(chrono::Duration::seconds(s.p90_secs)),
        ),
        None => ("0".into(), "-".into(), "-".into()),
    }
}

fn times(out: &mut String, g: &Group) {
    let _ = writeln!(
        out,
        "  {:<22} {:>5}  {:>8}  {:>8}",
        "", "n", "median", "p90"
    );
    for (name, s) in [
        ("time to declare", g.time_to_declare.as_ref()),
        ("time to acknowledge", g.time_to_acknowledge.as_ref()),
        ("time to mitigate", g.time_to_mitigate.as_ref()),
        ("time to resolve", g.time_to_resolve.as_ref()),
        ("documentation lag", g.documentation_lag.as_ref()),
    ] {
        let (n, median, p90) = spread_cells(s);
        let _ = write!(out, "  {name:<22} {n:>5}  {median:>8}  {p90:>8}");
        if name == "documentation lag" && g.backdated > 0 {
            let _ = write!(out, "  ({} backdated)", g.backdated);
        }
        out.push('\n');
    }
}

fn statuses(g: &Group) -> String {
    if g.by_status.is_empty() {
        return "-".to_owned();
    }
    g.by_status
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `stats` view; `point` names the revision read.
/// `stats --json`: the figures and the commit they were read at.
pub(crate) fn json(s: &Stats, commit: &CommitId) -> Json {
    // Stats holds numbers, strings and maps keyed by strings: it serialises.
    let mut value = serde_json::to_value(s).expect("stats serialise");
    value["commit"] = json!(commit.to_string());
    value
}

pub(crate) fn stats(s: &Stats, point: &str, color: bool) -> String {
    let mut out = String::new();
    let head = |t: &str| paint(color, style::HEADER, t);
    let since = s
        .since
        .map(|t| format!(", declared since {}", time(t)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} incident{} at {point}{since}",
        paint(color, style::BOLD, &s.all.total.to_string()),
        if s.all.total == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "  {}", statuses(&s.all));
    let _ = writeln!(
        out,
        "\n{}",
        head("Response times (all incidents but exits)")
    );
    times(&mut out, &s.all);
    for g in &s.groups {
        let _ = writeln!(
            out,
            "\n{}",
            head(&format!("{}: {} ({})", g.name, g.total, statuses(g)))
        );
        times(&mut out, g);
    }
    let _ = writeln!(
        out,
        "\n{}",
        head(&format!(
            "Cleanups: {} pending, {} overdue (as of {})",
            s.pending_cleanups.len(),
            s.overdue_cleanups,
            time(s.as_of)
        ))
    );
    for p in &s.pending_cleanups {
        let due = p
            .due
            .map_or_else(|| "no deadline".to_owned(), |d| format!("due {}", time(d)));
        let flag = if p.overdue {
            format!("  {}", paint(color, style::WARN, "OVERDUE"))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} {}  {}  pending {}, {due}{flag}",
            p.incident,
            p.mitigation,
            p.severity,
            human_duration(chrono::Duration::seconds(p.age_secs))
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        head(&format!(
            "Resolved without a review: {}",
            s.missing_review.len()
        ))
    );
    if !s.missing_review.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            s.missing_review
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}
