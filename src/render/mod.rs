//! Everything people read, as pure functions from domain values to text:
//! no IO, so every view can be snapshot-tested.

pub(crate) mod cleanup;
pub(crate) mod diff;
pub(crate) mod escape;
pub(crate) mod incident;
pub(crate) mod json;
pub(crate) mod list;
pub(crate) mod log;
pub(crate) mod report;
pub(crate) mod review;
pub(crate) mod runbook;
pub(crate) mod stats;
pub(crate) mod style;
pub(crate) mod sync;
pub(crate) mod update;
pub(crate) mod verify;

use std::fmt::Write;

use chrono::{DateTime, FixedOffset, Utc};

/// A time as the views show it: `2026-11-26 18:40 UTC`.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    crate::domain::when::shown(t)
}

/// A time in UTC, and in local time too where the two differ:
/// `2026-12-01 22:08 UTC (2026-12-01 23:08 +01:00 local)`.
pub(crate) fn time_and_local(t: DateTime<Utc>, local: FixedOffset) -> String {
    if local.local_minus_utc() == 0 {
        return time(t);
    }
    format!(
        "{} ({} local)",
        time(t),
        t.with_timezone(&local).format("%Y-%m-%d %H:%M %:z")
    )
}

/// `1 incident`, `2 incidents`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` wrapped at spaces to `width`.
pub(crate) fn fit(text: &str, width: Option<usize>) -> String {
    let mut out = String::new();
    wrap_into(&mut out, "", "", text, width);
    out
}

/// Every line of `text` wrapped with [`hang`]; unchanged without a width.
pub(crate) fn fit_lines(text: &str, width: Option<usize>) -> String {
    if width.is_none() {
        return text.to_owned();
    }
    let mut out: String = text
        .lines()
        .map(|line| hang(line, width))
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// One line wrapped at spaces to `width`, its continuation lines hanging:
/// under the line's last column (columns are set apart by two spaces or
/// more, as in `04:39  Ada Lovelace  note added: ...`) where that starts in
/// the left half, else past a leading `- ` bullet, else at the line's own
/// indent.
pub(crate) fn hang(line: &str, width: Option<usize>) -> String {
    let text = line.trim_start();
    let head = &line[..line.len() - text.len()];
    let mut indent = if text.starts_with("- ") {
        format!("{head}  ")
    } else {
        head.to_owned()
    };
    if let Some(width) = width {
        let mut at = head.len();
        while let Some(gap) = line[at..].find("  ").map(|g| at + g) {
            let column = gap + (line[gap..].len() - line[gap..].trim_start().len());
            let cols = console::measure_text_width(&line[..column]);
            if column >= line.len() || cols > width / 2 {
                break;
            }
            indent = " ".repeat(cols);
            at = column;
        }
    }
    let mut out = String::new();
    wrap_into(&mut out, head, &indent, text, width);
    out.truncate(out.trim_end_matches('\n').len());
    out
}

/// Writes `text` after `head`, one line per line of the text, each wrapped
/// at spaces to `width` with `indent` before the continuation lines.
pub(crate) fn wrap_into(
    out: &mut String,
    head: &str,
    indent: &str,
    text: &str,
    width: Option<usize>,
) {
    // The room left on a line after its prefix; `None` means do not wrap
    // (no width, or too little room to be worth it).
    let room = |prefix: &str| {
        width
            .map(|w| w.saturating_sub(console::measure_text_width(prefix)))
            .filter(|room| *room >= 20)
    };
    let mut prefix = head.to_owned();
    for line in text.lines() {
        let mut current = String::new();
        for word in line.split(' ') {
            let used = console::measure_text_width(&current);
            let fits = room(&prefix)
                .is_none_or(|room| used + 1 + console::measure_text_width(word) <= room);
            if !current.is_empty() && !fits {
                let _ = writeln!(out, "{prefix}{}", current.trim_end());
                prefix = indent.to_owned();
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        let _ = writeln!(out, "{prefix}{}", current.trim_end());
        prefix = indent.to_owned();
    }
    if text.lines().next().is_none() {
        let _ = writeln!(out, "{}", prefix.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hang_wraps_at_spaces_under_the_line_and_its_bullet() {
        let line = "  - Better monitoring or alerts for the checkout service";
        assert_eq!(
            hang(line, Some(30)),
            "  - Better monitoring or\n    alerts for the checkout\n    service"
        );
        let text = "  For significant incidents, keep stakeholders informed.";
        assert_eq!(
            hang(text, Some(32)),
            "  For significant incidents,\n  keep stakeholders informed."
        );
        assert_eq!(hang(text, None), text);
        assert_eq!(hang("", Some(40)), "");
        // Each continuation line has the room its own indent leaves.
        let note = "  2026-11-27 04:39 UTC  Ada Lovelace: Connection pool to payments-db exhausted after deploy pay-42";
        for line in hang(note, Some(60)).lines() {
            assert!(console::measure_text_width(line) <= 60, "{line:?}");
        }
        let row = "    04:39  Ada Lovelace  note added: \"Connection pool exhausted after deploy\"";
        assert_eq!(
            hang(row, Some(60)),
            "    04:39  Ada Lovelace  note added: \"Connection pool\n                         exhausted after deploy\""
        );
    }
}
