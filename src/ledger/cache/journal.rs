//! An append-only journal of keyed entries, one of the tool's caches in the
//! git directory: one JSON record a line after a header line, the last
//! record of a key winning, a record without an entry removing its key.
//!
//! A change to a few entries appends a few lines instead of rewriting the
//! whole cache; once the dead records outnumber the live ones the journal is
//! compacted (rewritten whole, through a temporary file and a rename). A
//! journal that is missing, from another version (another header) or
//! damaged anywhere (a line that does not parse, a torn last line) is
//! treated as empty and rewritten whole on the next write.
//!
//! Writing is best effort: a cache that cannot be written only costs speed.
//! Two processes appending at once each write whole lines in one `write`;
//! an append lost to a concurrent compaction only costs speed too, as every
//! entry is verified against what it summarises before it is used.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ledger::files::{Durability, in_parallel, write_file};

/// A point in time as the file system records it: seconds and nanoseconds
/// since the epoch.
pub(crate) type FileTime = (i64, u32);

/// The journal as read, less its entries (which the caller owns).
pub(crate) struct Journal {
    path: PathBuf,
    header: String,
    /// Records in the file; dead ones included.
    records: usize,
    /// The file's modification time before it was read: every entry in it
    /// was written at or before this time. `None` when the journal was not
    /// usable and will be rewritten whole.
    pub(crate) written: Option<FileTime>,
}

#[derive(Serialize, Deserialize)]
struct Record<E> {
    key: String,
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    entry: Option<E>,
}

/// The modification time of `meta`.
pub(crate) fn mtime(meta: &fs::Metadata) -> FileTime {
    let t = meta.modified().unwrap_or(UNIX_EPOCH);
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => (
            -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
            0,
        ),
    }
}

impl Journal {
    /// Reads the journal at `path`; its entries by key (empty when the file
    /// is missing, foreign or damaged).
    pub(crate) fn open<E: DeserializeOwned + Send>(
        path: PathBuf,
        header: String,
    ) -> (Self, HashMap<String, E>) {
        let mut journal = Journal {
            path,
            header,
            records: 0,
            written: None,
        };
        // The time first: a record appended between the two reads is then
        // judged against an earlier time, which only makes it look newer.
        let Ok(meta) = fs::metadata(&journal.path) else {
            return (journal, HashMap::new());
        };
        let written = mtime(&meta);
        let Ok(text) = fs::read_to_string(&journal.path) else {
            return (journal, HashMap::new());
        };
        let Some(body) = text
            .strip_prefix(journal.header.as_str())
            .and_then(|rest| rest.strip_prefix('\n'))
        else {
            return (journal, HashMap::new());
        };
        if !body.is_empty() && !body.ends_with('\n') {
            return (journal, HashMap::new());
        }
        let lines: Vec<&str> = body.lines().collect();
        let parsed = in_parallel(lines, |line| serde_json::from_str::<Record<E>>(line).ok());
        let mut entries = HashMap::with_capacity(parsed.len());
        for record in &parsed {
            if record.is_none() {
                return (journal, HashMap::new());
            }
        }
        journal.records = parsed.len();
        for record in parsed.into_iter().flatten() {
            match record.entry {
                Some(e) => entries.insert(record.key, e),
                None => entries.remove(&record.key),
            };
        }
        journal.written = Some(written);
        (journal, entries)
    }

    /// Records `changes` (a key's new entry, or `None` where the key is
    /// gone); `entries` is the whole table after them (no key twice), for
    /// a compaction.
    /// Then `smudge` is asked about every entry, with the journal's new
    /// modification time: an entry it returns a replacement for (one that
    /// could be confused with a later change of what it summarises) is
    /// recorded again as that.
    pub(crate) fn record<E: Serialize>(
        &mut self,
        changes: &[(&str, Option<&E>)],
        entries: &[(String, E)],
        smudge: impl Fn(&E, FileTime) -> Option<E>,
    ) {
        if changes.is_empty() && self.written.is_some() {
            return;
        }
        let compact =
            self.written.is_none() || self.records + changes.len() > 2 * entries.len() + 256;
        let ok = if compact {
            let mut text = format!("{}\n", self.header);
            for (key, entry) in entries {
                push_record(&mut text, key, Some(entry));
            }
            self.records = entries.len();
            write_file(&self.path, text.as_bytes(), Durability::BestEffort).is_ok()
        } else {
            let mut text = String::new();
            for (key, entry) in changes {
                push_record(&mut text, key, *entry);
            }
            self.records += changes.len();
            self.append(&text)
        };
        if !ok {
            return;
        }
        let Ok(meta) = fs::metadata(&self.path) else {
            return;
        };
        let written = mtime(&meta);
        let mut text = String::new();
        let mut smudged = 0;
        for (key, entry) in entries {
            if let Some(s) = smudge(entry, written) {
                push_record(&mut text, key, Some(&s));
                smudged += 1;
            }
        }
        if smudged > 0 && self.append(&text) {
            self.records += smudged;
        }
        self.written = Some(written);
    }

    fn append(&self, text: &str) -> bool {
        fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .is_ok()
    }
}

fn push_record<E: Serialize>(out: &mut String, key: &str, entry: Option<&E>) {
    #[derive(Serialize)]
    struct Out<'a, E> {
        key: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        entry: Option<&'a E>,
    }
    if let Ok(line) = serde_json::to_string(&Out { key, entry }) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// Now, as the system clock has it (for tests of the racy rule).
#[cfg(test)]
pub(crate) fn now() -> FileTime {
    let d = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (
        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        d.subsec_nanos(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::Path;

    fn table(entries: &HashMap<String, u32>) -> Vec<(String, u32)> {
        let mut t: Vec<(String, u32)> = entries.iter().map(|(k, v)| (k.clone(), *v)).collect();
        t.sort();
        t
    }

    fn open(path: &Path) -> (Journal, HashMap<String, u32>) {
        Journal::open(path.to_path_buf(), "test-journal-1".into())
    }

    #[test]
    fn appends_then_reads_back_the_last_record_of_each_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, mut entries) = open(&path);
        assert!(j.written.is_none() && entries.is_empty());
        entries.insert("a".into(), 1);
        entries.insert("b".into(), 2);
        let changes = [("a", Some(&1)), ("b", Some(&2))];
        j.record(&changes, &table(&entries), |_, _| None);
        let (mut j, mut entries) = open(&path);
        assert_eq!(entries.len(), 2);
        assert!(j.written.is_some());
        entries.insert("a".into(), 3);
        entries.remove("b");
        let changes = [("a", Some(&3)), ("b", None)];
        j.record(&changes, &table(&entries), |_, _| None);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5, "appended, not rewritten: {text}");
        let (_, entries) = open(&path);
        assert_eq!(entries, HashMap::from([("a".to_owned(), 3)]));
    }

    #[test]
    fn a_damaged_or_foreign_journal_reads_as_empty_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        for junk in [
            "",
            "other-header\n{\"key\":\"a\",\"entry\":1}\n",
            "test-journal-1\n{\"key\":\"a\",\"entry\":1}\n{\"key\":",
            "test-journal-1\n{\"key\":\"a\",\"entry\":1}\nnot json\n",
            "test-journal-1\n{\"key\":\"a\",\"entry\":\"text\"}\n",
        ] {
            fs::write(&path, junk).unwrap();
            let (mut j, entries) = open(&path);
            assert!(entries.is_empty() && j.written.is_none(), "{junk:?}");
            let entries = HashMap::from([("b".to_owned(), 7)]);
            j.record(&[], &table(&entries), |_, _| None);
            assert_eq!(
                fs::read_to_string(&path).unwrap(),
                "test-journal-1\n{\"key\":\"b\",\"entry\":7}\n"
            );
        }
    }

    #[test]
    fn compacts_once_dead_records_dominate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = open(&path);
        let mut entries = HashMap::from([("a".to_owned(), 0)]);
        j.record(&[], &table(&entries), |_, _| None);
        for n in 1..=600 {
            let (mut j, _) = open(&path);
            entries.insert("a".into(), n);
            j.record(&[("a", Some(&n))], &table(&entries), |_, _| None);
        }
        let lines = fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines < 300, "{lines} lines");
        assert_eq!(open(&path).1["a"], 600);
    }

    #[test]
    fn smudged_entries_are_recorded_after_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = open(&path);
        let entries = HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
        let before = now();
        j.record(&[], &table(&entries), |e, written| {
            assert!(written >= (before.0 - 1, 0));
            (*e == 2).then_some(0)
        });
        let (_, entries) = open(&path);
        assert_eq!(entries["b"], 0);
        assert_eq!(entries["a"], 1);
    }
}
