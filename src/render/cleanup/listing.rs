//! The listing of pending cleanups: each incident once, then each of its
//! temporary mitigations with its deadline, plan, target and the diff the
//! cleanup must apply; and the same for scripts.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use crate::domain::Incident;
use crate::domain::cleanup::Pending;
use crate::domain::when::human_duration;
use crate::render::style::{self, paint};
use crate::render::{plural, time, wrap_into};

use super::{View, diff, rfc3339, visible};

/// Where the prose of a mitigation starts.
const LABEL_INDENT: usize = 6;
/// Labels are padded to this width.
const LABEL_WIDTH: usize = 10;

/// The listing: incidents with their pending mitigations, each with its
/// diff or, where no states were recorded, its plan alone.
pub(crate) fn listing(pending: &[Pending<'_>], view: View) -> String {
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
pub(crate) fn summary(pending: &[Pending<'_>], of: Option<&str>) -> String {
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

/// The refusal of `--overdue` when anything is past its deadline.
pub(crate) fn overdue(overdue: usize, pending: usize) -> String {
    format!(
        "{overdue} of {} pending cleanup {} past the cleanup deadline",
        plural(pending, "temporary mitigation"),
        if overdue == 1 { "is" } else { "are" },
    )
}

/// What to do about an overdue cleanup.
pub(crate) const OVERDUE_HINT: &str = "undo each with `git incident cleanup done <ID> <M>`, or make it permanent with `git incident cleanup keep <ID> <M> --why \"...\"`";

/// Why `--overdue` cannot pass when files could not be read.
pub(crate) fn incomplete(unreadable: usize) -> String {
    format!(
        "{} could not be read; the overdue check is incomplete",
        plural(unreadable, "incident file")
    )
}

/// Where to see what could not be read.
pub(crate) const INCOMPLETE_HINT: &str = "`git incident validate` shows the problems";

/// The status line when nothing is overdue: what is pending, and what
/// falls due next.
pub(crate) fn nothing_overdue(all: &[Pending<'_>]) -> String {
    let next = all
        .iter()
        .filter_map(|p| p.deadline.map(|d| (d.due, p)))
        .min_by_key(|(due, p)| (*due, p.incident.declared_at));
    match next {
        Some((due, p)) => format!(
            "Nothing overdue: {} pending cleanup; the next deadline is {} ({} {}).",
            plural(all.len(), "temporary mitigation"),
            time(due),
            p.incident.id,
            p.mitigation.id
        ),
        None if all.is_empty() => {
            "Nothing overdue: no temporary mitigations are pending cleanup.".to_owned()
        }
        None => format!(
            "Nothing overdue: {} pending cleanup, none with a deadline.",
            plural(all.len(), "temporary mitigation")
        ),
    }
}

fn count_incidents(pending: &[Pending<'_>]) -> usize {
    let ids: std::collections::HashSet<&crate::domain::IncidentId> =
        pending.iter().map(|p| &p.incident.id).collect();
    ids.len()
}

fn incident_header(out: &mut String, inc: &Incident, view: View) {
    let head = format!(
        "{}  {}  {}  ",
        paint(view.color, style::BOLD, &inc.id.to_string()),
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
            visible(m.applied_by.name()),
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

/// `      label     text`, wrapped under the text.
fn field(out: &mut String, label: &str, text: &str, view: View) {
    let head = format!("{}{label:<LABEL_WIDTH$}", " ".repeat(LABEL_INDENT));
    let indent = " ".repeat(LABEL_INDENT + LABEL_WIDTH);
    wrap_into(out, &head, &indent, text, view.width);
}

/// The listing for scripts: the same data, the diff as text.
pub(crate) fn listing_json(shown: &[Pending<'_>], all: &[Pending<'_>], now: DateTime<Utc>) -> Json {
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
