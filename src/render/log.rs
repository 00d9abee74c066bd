//! The audit timeline of one incident (`log`), and the one-line wording of
//! a field-level change that `diff` and `report` share.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use crate::domain::delta::{Delta, EntryKind, Value, is_walk_position};
use crate::domain::history::{History, Revision, Source};
use crate::domain::identity::name_of;
use crate::domain::when::human_duration;

use super::style::{self, paint};
use super::time;

/// The first line of `text`, cut to `max` characters.
pub(crate) fn short(text: &str, max: usize) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    let more = text.trim().lines().nth(1).is_some();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(3)).collect();
        format!("{}...", cut.trim_end())
    } else if more {
        format!("{line} ...")
    } else {
        line.to_owned()
    }
}

fn quoted(text: &str, whole: bool) -> String {
    if whole {
        format!("\"{}\"", text.trim())
    } else {
        format!("\"{}\"", short(text, 72))
    }
}

/// A value in a line: a time as people read it, prose quoted and cut to
/// one line unless `whole`.
fn value(v: &Value, whole: bool) -> String {
    match v {
        Value::Time(t) => time(*t),
        Value::Prose(text) => quoted(text, whole),
        Value::Text(text) if whole => text.trim().to_owned(),
        Value::Text(text) => short(text, 72),
    }
}

fn change(field: &str, from: Option<&Value>, to: Option<&Value>, whole: bool) -> String {
    match (from, to) {
        (None, Some(to)) => format!("{field} set: {}", value(to, whole)),
        (Some(from), None) => format!("{field} cleared (was {})", value(from, whole)),
        (Some(from), Some(to)) => format!("{field} {} -> {}", value(from, whole), value(to, whole)),
        (None, None) => field.to_owned(),
    }
}

/// One change, in a line: `severity SEV-2 -> SEV-1`, `note added: "..."`,
/// its texts cut to their first line.
pub(crate) fn describe(delta: &Delta) -> String {
    describe_as(delta, false)
}

/// One change with its texts whole, for the report, which has no width.
pub(crate) fn describe_whole(delta: &Delta) -> String {
    describe_as(delta, true)
}

fn describe_as(delta: &Delta, whole: bool) -> String {
    let quoted = |text: &str| quoted(text, whole);
    match delta {
        Delta::Created {
            severity, title, ..
        } => format!("declared {severity}: {}", quoted(title)),
        Delta::Deleted { id } => format!("{id}'s file removed"),
        Delta::Field { field, from, to } => {
            change(field.as_str(), from.as_ref(), to.as_ref(), whole)
        }
        Delta::Added {
            entry,
            key,
            detail,
            text,
            ..
        } => match entry {
            EntryKind::Note => format!("note added: {}", quoted(text)),
            EntryKind::Update => format!(
                "{} update added: {}",
                detail.as_deref().unwrap_or(""),
                quoted(text)
            ),
            EntryKind::Override => format!(
                "rule overridden ({}): {}",
                detail.as_deref().unwrap_or(""),
                quoted(text)
            ),
            EntryKind::Mitigation | EntryKind::Action => format!(
                "{} {key} added ({}): {}",
                entry.as_str(),
                detail.as_deref().unwrap_or(""),
                quoted(text)
            ),
        },
        Delta::Removed { entry, key, text } => {
            format!("{} {key} removed: {}", entry.as_str(), quoted(text))
        }
        Delta::Dropped { entry, key, text } => format!(
            "{} {key} of the merged branch left out: {}",
            entry.as_str(),
            quoted(text)
        ),
        Delta::Finished {
            entry,
            key,
            what,
            detail,
            ..
        } => match detail {
            Some(d) => format!("{} {key} {}: {}", entry.as_str(), what.as_str(), quoted(d)),
            None => format!("{} {key} {}", entry.as_str(), what.as_str()),
        },
        Delta::Edited {
            entry,
            key,
            field,
            from,
            to,
        } => format!(
            "{} {key} {}",
            entry.as_str(),
            change(field, from.as_ref(), to.as_ref(), whole)
        ),
    }
}

fn who(entry: &Revision) -> String {
    match entry.source {
        Source::Tool => name_of(&entry.author).to_owned(),
        Source::Outside | Source::Merge => entry.author.clone(),
    }
}

/// How far the record time trails the event time: `recorded 12m later`.
pub(crate) fn lag(event: DateTime<Utc>, record: DateTime<Utc>) -> String {
    let d = record - event;
    if d >= chrono::Duration::zero() {
        format!("recorded {} later", human_duration(d))
    } else {
        format!("recorded {} earlier", human_duration(-d))
    }
}

/// Whether a commit only moved guided response's position: a step marker
/// of an older version, which `log` leaves out.
fn only_moves_the_walk(entry: &Revision) -> bool {
    entry.problem.is_none() && !entry.deltas.is_empty() && entry.deltas.iter().all(is_walk_position)
}

/// The `log` view: one block per commit, oldest first; the walk's position
/// is left out, in a commit with an answer or in one of its own.
pub(crate) fn timeline(history: &History, color: bool) -> String {
    let mut out = String::new();
    let shown: Vec<&Revision> = history
        .revisions
        .iter()
        .filter(|e| !only_moves_the_walk(e))
        .collect();
    let n = shown.len();
    let outside = shown.iter().filter(|e| e.source != Source::Tool).count();
    let _ = write!(
        out,
        "{}  {}  {n} change{}",
        paint(color, style::BOLD, &history.id),
        history.path.display(),
        if n == 1 { "" } else { "s" }
    );
    if outside > 0 {
        let _ = write!(out, ", {outside} outside the tool");
    }
    out.push('\n');
    for entry in shown {
        out.push('\n');
        let tag = match (entry.source, &entry.verb) {
            (Source::Tool, Some(verb)) => verb.clone(),
            (source, _) => paint(color, style::WARN, &format!("[{}]", source.as_str())),
        };
        let _ = writeln!(
            out,
            "{}  {}  {}  {tag}",
            paint(color, style::DIM, entry.commit.short()),
            time(entry.record_time),
            paint(color, style::BOLD, &who(entry)),
        );
        if let Some(event) = entry.event_time {
            let _ = writeln!(
                out,
                "    event time {} ({})",
                time(event),
                lag(event, entry.record_time)
            );
        }
        if entry.committer != entry.author {
            let _ = writeln!(out, "    committed by {}", entry.committer);
        }
        if entry.path != history.path {
            let _ = writeln!(out, "    file {}", entry.path.display());
        }
        if let Some(problem) = &entry.problem {
            let _ = writeln!(
                out,
                "    {}",
                paint(color, style::ERROR, &format!("unreadable: {problem}"))
            );
        }
        if entry.deltas.is_empty() && entry.problem.is_none() {
            if entry.source == Source::Merge {
                let _ = writeln!(
                    out,
                    "    merged, with no change of its own ({})",
                    entry.subject
                );
            } else {
                let _ = writeln!(out, "    no change to the incident ({})", entry.subject);
            }
        }
        for delta in entry
            .deltas
            .iter()
            .filter(|d| !said_by_author(d, entry) && !is_walk_position(d))
        {
            let _ = writeln!(out, "    {}", describe(delta));
        }
    }
    out
}

/// Whether `delta` records who reached a milestone and that is the
/// commit's author, whom the entry's head line names already.
fn said_by_author(delta: &Delta, entry: &Revision) -> bool {
    use crate::domain::delta::Field;
    matches!(
        delta,
        Delta::Field {
            field: Field::AcknowledgedBy | Field::ResolvedBy | Field::ClosedBy,
            from: None,
            to: Some(Value::Text(who)),
        } if *who == entry.author
    )
}

/// One history entry as JSON.
pub(crate) fn entry_json(entry: &Revision) -> Json {
    json!({
        "commit": entry.commit,
        "record_time": entry.record_time,
        "event_time": entry.event_time,
        "author": entry.author,
        "committer": entry.committer,
        "source": match entry.source {
            Source::Tool => "tool",
            Source::Outside => "outside",
            Source::Merge => "merge",
        },
        "change": entry.verb,
        "subject": entry.subject,
        "path": entry.path,
        "problem": entry.problem,
        "changes": entry.deltas.iter().map(delta_json).collect::<Vec<_>>(),
    })
}

/// One change as JSON: its fields, and `summary`, the words `log` prints.
pub(crate) fn delta_json(delta: &Delta) -> Json {
    let mut value = serde_json::to_value(delta).expect("deltas serialise");
    value["summary"] = json!(describe(delta));
    value
}

/// The `log --json` document.
pub(crate) fn timeline_json(history: &History) -> Json {
    json!({
        "id": history.id,
        "path": history.path,
        "entries": history.revisions.iter().map(entry_json).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::delta::{Field, Finish};

    #[test]
    fn describes_changes_as_people_say_them() {
        let sev = Delta::Field {
            field: Field::Severity,
            from: Some(Value::Text("SEV-2".into())),
            to: Some(Value::Text("SEV-1".into())),
        };
        assert_eq!(describe(&sev), "severity SEV-2 -> SEV-1");
        let ack = Delta::Field {
            field: Field::AcknowledgedAt,
            from: None,
            to: Some(Value::Time("2026-11-26T18:53:40Z".parse().unwrap())),
        };
        assert_eq!(describe(&ack), "acknowledged_at set: 2026-11-26 18:53 UTC");
        let cleaned = Delta::Finished {
            entry: EntryKind::Mitigation,
            key: "M1".into(),
            what: Finish::CleanedUp,
            at: "2026-11-27T10:00:00Z".parse().unwrap(),
            by: None,
            detail: None,
        };
        assert_eq!(describe(&cleaned), "mitigation M1 cleaned up");
        assert_eq!(short(&"x".repeat(100), 10), "xxxxxxx...");
    }
}
