//! Entry keys: how a note, update, mitigation, action or override is known
//! across clones, so that lists merge as sets.
//!
//! An entry written with a `key` is known by it. One written before keys
//! existed is known by a hash of the fields that never change once it is
//! written (who, when, what), so every clone computes the same key for it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use xxhash_rust::xxh3::xxh3_64;

use crate::domain::incident::{Action, Incident, Mitigation, Note, Override, Update};

/// An entry of one of the incident's lists.
pub trait Entry: Serialize + DeserializeOwned + Clone + PartialEq {
    /// The list's name in the file.
    const LIST: &'static str;
    /// The letter of its human labels (`M` for `M1`), where it has them.
    const LABEL: Option<char> = None;
    /// The key written in the file, if any.
    fn written_key(&self) -> Option<&str>;
    /// The fields that identify the entry when it has no written key.
    fn identity(&self) -> Vec<String>;
    /// The event time the merged list is ordered by.
    fn time(&self) -> DateTime<Utc>;
    /// The human label (`M2`), for lists that have them.
    fn label(&self) -> &str {
        ""
    }
    fn set_label(&mut self, _label: String) {}
}

/// The entry's key: the written one, else its content key.
pub fn entry_key<E: Entry>(entry: &E) -> String {
    match entry.written_key() {
        Some(key) => key.to_owned(),
        None => content_key(&entry.identity()),
    }
}

/// A deterministic key from an entry's identifying fields.
pub fn content_key(fields: &[String]) -> String {
    let joined = fields.join("\u{0}");
    format!("c{:016x}", xxh3_64(joined.as_bytes()))
}

/// The keys of a list, made unique: two entries with one content key (the
/// same words by the same person at the same second) stay two entries.
pub fn list_keys<E: Entry>(entries: &[E]) -> Vec<String> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    entries
        .iter()
        .map(|e| {
            let key = entry_key(e);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { key } else { format!("{key}#{n}") }
        })
        .collect()
}

/// Gives every entry a change added (one `before` lacks) a key from
/// `new_key`, which is handed the entry's content key as a seed. Entries
/// already there keep what they have: a key given to an old entry now would
/// differ between clones, and the two would no longer merge as one.
pub fn assign_new_keys(
    before: &Incident,
    after: &mut Incident,
    mut new_key: impl FnMut(&str) -> String,
) {
    fn list<E: Entry>(
        before: &[E],
        after: &mut [E],
        new_key: &mut dyn FnMut(&str) -> String,
        set: fn(&mut E, String),
    ) {
        let known = list_keys(before);
        let keys = list_keys(after);
        for (entry, key) in after.iter_mut().zip(keys) {
            if entry.written_key().is_none() && !known.contains(&key) {
                set(entry, new_key(&key));
            }
        }
    }
    let k = &mut new_key;
    list(&before.notes, &mut after.notes, k, |e, key| {
        e.key = Some(key)
    });
    list(&before.updates, &mut after.updates, k, |e, key| {
        e.key = Some(key)
    });
    list(&before.mitigations, &mut after.mitigations, k, |e, key| {
        e.key = Some(key);
    });
    list(&before.actions, &mut after.actions, k, |e, key| {
        e.key = Some(key)
    });
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Entry for Note {
    const LIST: &'static str = "notes";
    fn written_key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    fn identity(&self) -> Vec<String> {
        vec![stamp(self.at), self.by.to_string(), self.text.clone()]
    }
    fn time(&self) -> DateTime<Utc> {
        self.at
    }
}

impl Entry for Update {
    const LIST: &'static str = "updates";
    fn written_key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    fn identity(&self) -> Vec<String> {
        vec![
            stamp(self.at),
            self.by.to_string(),
            self.audience.as_str().to_owned(),
            self.text.clone(),
        ]
    }
    fn time(&self) -> DateTime<Utc> {
        self.at
    }
}

impl Entry for Mitigation {
    const LIST: &'static str = "mitigations";
    const LABEL: Option<char> = Some('M');
    fn written_key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    // The label is left out: a measure renumbered by a merge stays itself.
    fn identity(&self) -> Vec<String> {
        vec![
            stamp(self.applied_at),
            self.applied_by.to_string(),
            self.kind.as_str().to_owned(),
            self.action.clone(),
        ]
    }
    fn time(&self) -> DateTime<Utc> {
        self.applied_at
    }
    fn label(&self) -> &str {
        &self.id
    }
    fn set_label(&mut self, label: String) {
        self.id = label;
    }
}

impl Entry for Action {
    const LIST: &'static str = "actions";
    const LABEL: Option<char> = Some('A');
    fn written_key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    fn identity(&self) -> Vec<String> {
        vec![
            stamp(self.created_at),
            self.created_by.to_string(),
            self.kind.as_str().to_owned(),
            self.text.clone(),
        ]
    }
    fn time(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn label(&self) -> &str {
        &self.id
    }
    fn set_label(&mut self, label: String) {
        self.id = label;
    }
}

impl Entry for Override {
    const LIST: &'static str = "overrides";
    fn written_key(&self) -> Option<&str> {
        None
    }
    fn identity(&self) -> Vec<String> {
        vec![
            stamp(self.at),
            self.by.to_string(),
            self.change.clone(),
            self.rule.clone(),
        ]
    }
    fn time(&self) -> DateTime<Utc> {
        self.at
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn only_new_entries_get_keys() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 19, 0, 0).unwrap();
        let mut before = Incident::declared(
            "INC-1".into(),
            "U".into(),
            "t".into(),
            "SEV-2".into(),
            at,
            "A <a@x>".into(),
        );
        let note = |text: &str| Note {
            at,
            by: "A <a@x>".into(),
            text: text.into(),
            key: None,
        };
        before.notes.push(note("old"));
        let mut after = before.clone();
        after.notes.push(note("new"));
        assign_new_keys(&before, &mut after, |seed| format!("k-{seed}"));
        assert_eq!(after.notes[0].key, None);
        assert_eq!(
            after.notes[1].key,
            Some(format!("k-{}", entry_key(&note("new"))))
        );
    }
}
