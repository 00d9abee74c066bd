//! The incident between two points of history: what changed, in words, then
//! the file's text diff.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use serde_json::{Value as Json, json};

use crate::domain::delta::{Delta, is_walk_position};
use crate::domain::{CommitId, IncidentId};

use super::hang;
use super::log::describe;
use super::style::{self, paint};

/// One side of a comparison: a label (`3f2a1b4c (2026-11-26 18:40 UTC)`)
/// and the file's text there, if the incident existed.
pub(crate) struct Side<'a> {
    pub label: String,
    pub text: Option<&'a str>,
}

/// The `diff` view: a summary of the semantic changes, wrapped to `width`
/// where given, then a unified diff, which never wraps.
pub(crate) fn diff(
    id: &str,
    from: &Side<'_>,
    to: &Side<'_>,
    deltas: &[Delta],
    color: bool,
    width: Option<usize>,
) -> String {
    // The walk's position is its bookkeeping, not news for a new lead.
    let deltas: Vec<&Delta> = deltas.iter().filter(|d| !is_walk_position(d)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            color,
            style::BOLD,
            &format!("{id}: {} -> {}", from.label, to.label)
        )
    );
    if deltas.is_empty() {
        let _ = writeln!(out, "\nNo change to {id}.");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            color,
            style::HEADER,
            &format!(
                "{} change{}",
                deltas.len(),
                if deltas.len() == 1 { "" } else { "s" }
            )
        )
    );
    for delta in deltas {
        let _ = writeln!(out, "{}", hang(&format!("  {}", describe(delta)), width));
    }
    out.push('\n');
    out.push_str(&text_diff(from, to, color));
    out
}

/// A unified diff of the file, coloured on a terminal.
/// `diff --json`: the changes in words and the file's text diff.
pub(crate) fn json(
    id: &IncidentId,
    from: Option<&CommitId>,
    to: &CommitId,
    deltas: &[Delta],
    sides: (&Side<'_>, &Side<'_>),
) -> Json {
    json!({
        "id": id.to_string(),
        "from": from.map(ToString::to_string),
        "to": to.to_string(),
        "changes": deltas.iter().map(super::log::delta_json).collect::<Vec<_>>(),
        "text_diff": text_diff(sides.0, sides.1, false),
    })
}

pub(crate) fn text_diff(from: &Side<'_>, to: &Side<'_>, color: bool) -> String {
    let old = from.text.unwrap_or("");
    let new = to.text.unwrap_or("");
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let a = if from.text.is_some() {
        format!("a {}", from.label)
    } else {
        "/dev/null".to_owned()
    };
    let b = if to.text.is_some() {
        format!("b {}", to.label)
    } else {
        "/dev/null".to_owned()
    };
    let _ = writeln!(out, "{}", paint(color, style::BOLD, &format!("--- {a}")));
    let _ = writeln!(out, "{}", paint(color, style::BOLD, &format!("+++ {b}")));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(
            out,
            "{}",
            paint(color, style::HEADER, &hunk.header().to_string())
        );
        for change in hunk.iter_changes() {
            let (sign, st) = match change.tag() {
                ChangeTag::Delete => ('-', Some(style::REMOVED)),
                ChangeTag::Insert => ('+', Some(style::ADDED)),
                ChangeTag::Equal => (' ', None),
            };
            let line = format!("{sign}{}", change.value().trim_end_matches('\n'));
            let line = match st {
                Some(st) => paint(color, st, &line),
                None => line,
            };
            let _ = writeln!(out, "{line}");
            if change.missing_newline() {
                let _ = writeln!(out, "\\ No newline at end of file");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::delta::{Field, Value};

    #[test]
    fn shows_the_lines_that_changed() {
        let from = Side {
            label: "old".into(),
            text: Some("a = 1\nb = 2\n"),
        };
        let to = Side {
            label: "new".into(),
            text: Some("a = 1\nb = 3\n"),
        };
        assert_eq!(
            text_diff(&from, &to, false),
            "--- a old\n+++ b new\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
        );
    }

    #[test]
    fn the_summary_wraps_to_the_width_and_the_text_diff_never_does() {
        let long = "word ".repeat(20);
        let from = Side {
            label: "old".into(),
            text: Some("title = \"x\"\n"),
        };
        let new_text = format!("title = \"{long}\"\n");
        let to = Side {
            label: "new".into(),
            text: Some(&new_text),
        };
        let deltas = [Delta::Field {
            field: Field::Title,
            from: Some(Value::Prose("x".into())),
            to: Some(Value::Prose(long.clone())),
        }];
        let text = diff("INC-1", &from, &to, &deltas, false, Some(40));
        let (summary, patch) = text.split_at(text.find("--- a old").unwrap());
        for line in summary.lines() {
            assert!(console::measure_text_width(line) <= 40, "{line:?}");
        }
        assert!(patch.contains(&format!("+title = \"{long}\"\n")), "{patch}");
    }
}
