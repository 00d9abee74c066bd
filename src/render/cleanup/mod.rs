//! The cleanup views: pending temporary mitigations with the unified diff
//! each cleanup must apply (`after`, the temporary state in place, to
//! `before`, the stable state to restore), and the `--since` review of what
//! was added, cleaned up or made permanent. Pure text and JSON values.
//!
//! `listing.rs` holds the listing of pending cleanups, `since.rs` the
//! review of a span of history; the diff and the escaping of recorded text
//! are theirs in common.

use chrono::{DateTime, SecondsFormat, Utc};
use similar::TextDiff;

use crate::domain::Mitigation;

mod listing;
mod since;

pub(crate) use listing::{
    INCOMPLETE_HINT, OVERDUE_HINT, incomplete, listing, listing_json, nothing_overdue, overdue,
    summary,
};
pub(crate) use since::{since, since_json};

/// How the text is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct View {
    /// Colour the diff and the warnings.
    pub color: bool,
    /// Wrap prose to this many columns (a terminal's width); diffs are
    /// never wrapped, a diff must stay exact.
    pub width: Option<usize>,
}

/// The unified diff from `after` to `before`: what the cleanup must apply.
/// `None` unless both states were recorded.
pub(crate) fn diff(m: &Mitigation) -> Option<String> {
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

/// Control and bidi characters other than tabs and newlines shown as
/// escapes, so that recorded text (a hand-edited file may hold any) cannot
/// drive the terminal.
pub(super) fn visible(line: &str) -> String {
    crate::render::escape::terminal_safe(line, false).into_owned()
}

pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests;
