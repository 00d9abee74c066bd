//! Commit trailers: every key the tool writes or reads, spelled once, and
//! the one reader of trailer lines (the commit message writer, the history
//! walk and the `stats` records all go through here).

use crate::domain::change::Trailer;

/// The incident a commit changed.
pub(crate) const INCIDENT: &str = "Incident";
/// The verb of the change (`ack`, `cleanup-done`); a commit without it was
/// made outside the tool.
pub(crate) const CHANGE: &str = "Incident-Change";
/// The value before a change of one value.
pub(crate) const FROM: &str = "From";
/// The value after a change of one value.
pub(crate) const TO: &str = "To";
pub(crate) const SEVERITY: &str = "Severity";
pub(crate) const EVENT_TIME: &str = "Event-Time";
pub(crate) const MITIGATION: &str = "Mitigation";
pub(crate) const ACTION: &str = "Action";
pub(crate) const OWNER: &str = "Owner";
pub(crate) const DUPLICATE_OF: &str = "Duplicate-Of";
pub(crate) const OVERRIDE: &str = "Override";
pub(crate) const OVERRIDE_WHY: &str = "Override-Why";
/// An incident a `sync` merge commit merged entry by entry.
pub(crate) const MERGED_INCIDENT: &str = "Merged-Incident";
/// A rule that decided between the two sides of a `sync` merge.
pub(crate) const MERGE_RULE: &str = "Merge-Rule";
/// What a `sync` merge left marked for a person.
pub(crate) const MERGE_CONFLICT: &str = "Merge-Conflict";

/// How a trailer the domain names is spelled.
pub(crate) fn key(trailer: Trailer) -> &'static str {
    match trailer {
        Trailer::Severity => SEVERITY,
        Trailer::EventTime => EVENT_TIME,
        Trailer::Mitigation => MITIGATION,
        Trailer::Action => ACTION,
        Trailer::Owner => OWNER,
        Trailer::DuplicateOf => DUPLICATE_OF,
        Trailer::Override => OVERRIDE,
        Trailer::OverrideWhy => OVERRIDE_WHY,
    }
}

/// The trailer block of a raw commit body: its last paragraph.
pub(crate) fn block(body: &str) -> &str {
    body.trim_end().rsplit("\n\n").next().unwrap_or_default()
}

/// The trailers of a trailer block, in order, as `(key, value)` with the
/// value trimmed. A trailer line is `Key: value` whose key is one word, as
/// git reads trailers; other lines (prose, a folded continuation) are
/// skipped.
pub(crate) fn parse(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block.lines().filter_map(|line| {
        let (key, value) = line.split_once(':')?;
        let key = key.trim_end();
        (!key.is_empty() && !key.contains(char::is_whitespace)).then(|| (key, value.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_trailer_lines_and_skips_the_rest() {
        let body = "Why it changed.\n\nIncident: INC-1\nIncident-Change: note\n  folded: on\nnot a trailer line\nEvent-Time:2026-11-26T18:00:00Z\n";
        let found: Vec<_> = parse(block(body)).collect();
        assert_eq!(
            found,
            [
                (INCIDENT, "INC-1"),
                (CHANGE, "note"),
                (EVENT_TIME, "2026-11-26T18:00:00Z")
            ]
        );
        assert_eq!(block("Fix a typo\n"), "Fix a typo");
    }
}
