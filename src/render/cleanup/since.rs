//! The `--since` review: which temporary mitigations a span of history
//! added, cleaned up or made permanent, and which went without a record;
//! and the same for scripts.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use crate::domain::cleanup::{Entry, Since};
use crate::domain::history::Point;
use crate::render::style::{self, paint};
use crate::render::{time, wrap_into};

use super::{View, rfc3339, visible};

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
pub(crate) fn since(report: &Since<'_>, from: Option<&Point>, to: &Point, view: View) -> String {
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
        .map(|e| e.incident.id.to_string().len() + 1 + e.mitigation.id.len())
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
        m.applied_by.name()
    )
}

fn vanished_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    format!(
        "applied {} by {}; pending then, not now",
        time(m.applied_at),
        m.applied_by.name()
    )
}

fn cleaned_detail(e: &Entry<'_>) -> String {
    let m = e.mitigation;
    let mut text = format!(
        "cleaned up {} by {}",
        m.cleaned_up_at.map(time).unwrap_or_default(),
        m.cleaned_up_by.as_ref().map_or("?", |who| who.name())
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
        m.kept_by.as_ref().map_or("?", |who| who.name())
    );
    if let Some(why) = &m.kept_why {
        let _ = write!(text, ": {why}");
    }
    text
}

/// The `--since` review for scripts.
pub(crate) fn since_json(report: &Since<'_>, from: Option<&Point>, to: &Point) -> Json {
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
