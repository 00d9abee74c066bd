//! The change records `stats` needs (which incident, which verb, record time,
//! event time) for every tool commit in the history, read from the commits'
//! trailers.
//!
//! Reading them means inflating every commit: about 0.9 s at 100,000
//! commits, most of what `stats` costs. Commits never change, so the records
//! up to a commit are kept in the git directory with that commit's id, and
//! the next run reads only the commits made since (`git log OLD..NEW`) when
//! the old tip is an ancestor of the new one, and appends them with the new
//! tip: the file is never written whole again while history only grows.
//! Anything else (another branch, a rewritten history, an older `--at`, a
//! cache from another version or damaged) reads the whole history, as
//! without a cache, and writes the file anew.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};
use git2::Oid;

use crate::domain::CommitId;
use crate::domain::stats::Recorded;
use crate::ledger::files::{Durability, write_file};
use crate::ledger::history::epoch;
use crate::ledger::{Ledger, LedgerError, git, trailer};

const FILE: &str = "git-incident/records.tsv";
const FORMAT: &str = concat!("records-2/", env!("CARGO_PKG_VERSION"));

impl Ledger {
    /// Every tool change recorded up to `tip`, newest first, recorded at or
    /// after `since` where given.
    pub(crate) fn change_records(
        &self,
        tip: &CommitId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Recorded>, LedgerError> {
        let tip = git::oid(tip)?;
        let file = self.repo().path().join(FILE);
        let records = match read_cache(&file) {
            Some((at, records)) if at == tip => records,
            Some((at, mut records)) if self.is_ancestor(at, tip) => {
                let mut new = self.log_records(&format!("{at}..{tip}"))?;
                append_cache(&file, tip, &new);
                new.append(&mut records);
                new
            }
            _ => {
                let records = self.log_records(&tip.to_string())?;
                write_cache(&file, tip, &records);
                records
            }
        };
        Ok(match since {
            Some(since) => records
                .into_iter()
                .filter(|r| r.record_time >= since)
                .collect(),
            None => records,
        })
    }

    /// Whether `change_records` will have to read the whole history: there
    /// is no usable cache yet. Worth telling the person waiting on a large
    /// ledger.
    pub(crate) fn change_records_uncached(&self) -> bool {
        use std::io::BufRead;
        let Ok(file) = fs::File::open(self.repo().path().join(FILE)) else {
            return true;
        };
        let mut header = String::new();
        let read = std::io::BufReader::new(file).read_line(&mut header);
        read.is_err() || header.trim_end() != FORMAT
    }

    pub(super) fn is_ancestor(&self, old: Oid, new: Oid) -> bool {
        let (old, new) = (old.to_string(), new.to_string());
        self.git(&["merge-base", "--is-ancestor", &old, &new])
            .is_ok()
    }

    /// The records of the commits `range` names, newest first. The raw body,
    /// whose last paragraph holds the trailers, is read rather than git's
    /// trailer formatting, which costs nearly twice as much per commit.
    fn log_records(&self, range: &str) -> Result<Vec<Recorded>, LedgerError> {
        let mut found = Vec::new();
        self.git_records(&["log", "--format=%ct%x00%b%x00", range, "--"], 2, |f| {
            found.extend(parse_record(&f[0], &f[1]));
        })?;
        Ok(found)
    }
}

fn parse_record(time: &str, body: &str) -> Option<Recorded> {
    let (mut incident, mut verb, mut event_time) = (None, None, None);
    for (key, value) in trailer::parse(trailer::block(body)) {
        match key {
            trailer::INCIDENT => incident = Some(value),
            trailer::CHANGE => verb = Some(value),
            trailer::EVENT_TIME => event_time = Some(value),
            _ => {}
        }
    }
    Some(Recorded {
        record_time: epoch(time),
        incident: incident.filter(|v| !v.is_empty())?.to_owned(),
        verb: verb.filter(|v| !v.is_empty())?.to_owned(),
        event_time: event_time
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    })
}

/// The cache: a header line `FORMAT`, then blocks of records, one per
/// line, `record-time TAB incident TAB verb TAB event-time` (event time
/// empty when not backdated), newest first within a block, each block
/// closed by `@ TIP`, the commit its records reach. Blocks are appended
/// oldest first. A file that does not end with a tip line (a torn append),
/// or any line that does not read back, voids the whole cache.
fn read_cache(file: &Path) -> Option<(Oid, Vec<Recorded>)> {
    let text = fs::read_to_string(file).ok()?;
    let mut lines = text.split_terminator('\n');
    if lines.next()? != FORMAT || !text.ends_with('\n') {
        return None;
    }
    let mut blocks: Vec<Vec<Recorded>> = Vec::new();
    let mut block = Vec::new();
    let mut tip = None;
    for line in lines {
        if let Some(at) = line.strip_prefix("@ ") {
            tip = Some(Oid::from_str(at).ok()?);
            blocks.push(std::mem::take(&mut block));
            continue;
        }
        let mut f = line.split('\t');
        let (time, incident, verb, event) = (f.next()?, f.next()?, f.next()?, f.next()?);
        if f.next().is_some() || incident.is_empty() || verb.is_empty() {
            return None;
        }
        block.push(Recorded {
            record_time: DateTime::from_timestamp(time.parse().ok()?, 0)?,
            incident: incident.to_owned(),
            verb: verb.to_owned(),
            event_time: match event {
                "" => None,
                t => Some(DateTime::from_timestamp(t.parse().ok()?, 0)?),
            },
        });
        tip = None;
    }
    let tip = tip?;
    Some((tip, blocks.into_iter().rev().flatten().collect()))
}

/// The lines of a block of records closed by `tip`; `None` when a value
/// would not read back (a tab or a line break in a trailer).
fn block(tip: Oid, records: &[Recorded]) -> Option<String> {
    use std::fmt::Write;
    let mut text = String::with_capacity(records.len() * 48 + 48);
    for r in records {
        if [&r.incident, &r.verb]
            .iter()
            .any(|v| v.contains(['\t', '\n', '\r']))
        {
            return None;
        }
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}",
            r.record_time.timestamp(),
            r.incident,
            r.verb,
            r.event_time
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default()
        );
    }
    let _ = writeln!(text, "@ {tip}");
    Some(text)
}

/// Writes the cache anew. Best effort: a cache that cannot be written only
/// costs speed; one whose values would not read back is left unwritten.
fn write_cache(file: &Path, tip: Oid, records: &[Recorded]) {
    match block(tip, records) {
        Some(text) => {
            let text = format!("{FORMAT}\n{text}");
            let _ = write_file(file, text.as_bytes(), Durability::BestEffort);
        }
        None => {
            let _ = fs::remove_file(file);
        }
    }
}

/// Appends the records made since the cached tip, closed by the new tip.
/// A torn append voids the cache on the next read, which rebuilds it.
fn append_cache(file: &Path, tip: Oid, records: &[Recorded]) {
    use std::io::Write as _;
    let Some(text) = block(tip, records) else {
        let _ = fs::remove_file(file);
        return;
    };
    if let Ok(mut f) = fs::OpenOptions::new().append(true).open(file) {
        let _ = f.write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_trailers_of_the_last_paragraph_only() {
        let body = "Incident: INC-9\n\nIncident: INC-1\nIncident-Change: note\nEvent-Time: 2026-11-26T18:00:00Z\n";
        let r = parse_record("1764182400", body).unwrap();
        assert_eq!(r.incident, "INC-1");
        assert_eq!(r.verb, "note");
        assert_eq!(r.record_time.timestamp(), 1_764_182_400);
        assert_eq!(
            r.event_time.unwrap().to_rfc3339(),
            "2026-11-26T18:00:00+00:00"
        );
        // A commit made outside the tool has no record.
        assert!(parse_record("1764182400", "Fix a typo\n").is_none());
    }

    #[test]
    fn the_cache_reads_back_what_was_written_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("records.tsv");
        let tip = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let records = vec![
            Recorded {
                incident: "INC-2".into(),
                verb: "ack".into(),
                record_time: DateTime::from_timestamp(1_764_182_460, 0).unwrap(),
                event_time: None,
            },
            Recorded {
                incident: "INC-1".into(),
                verb: "note".into(),
                record_time: DateTime::from_timestamp(1_764_182_400, 0).unwrap(),
                event_time: DateTime::from_timestamp(1_764_180_000, 0),
            },
        ];
        write_cache(&file, tip, &records);
        assert_eq!(read_cache(&file), Some((tip, records.clone())));
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, text.replace("\tack\t", "\tack\textra\t")).unwrap();
        assert_eq!(read_cache(&file), None);
        fs::write(&file, text.replace("records-2/", "records-0/")).unwrap();
        assert_eq!(read_cache(&file), None);
        // Appended blocks read back newest first; a torn append voids.
        fs::write(&file, &text).unwrap();
        let next = Oid::from_str("1123456789abcdef0123456789abcdef01234567").unwrap();
        let newer = Recorded {
            incident: "INC-3".into(),
            verb: "declare".into(),
            record_time: DateTime::from_timestamp(1_764_182_520, 0).unwrap(),
            event_time: None,
        };
        append_cache(&file, next, std::slice::from_ref(&newer));
        let mut all = vec![newer];
        all.extend(records.clone());
        assert_eq!(read_cache(&file), Some((next, all)));
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, &text[..text.len() - 10]).unwrap();
        assert_eq!(read_cache(&file), None);
        let mut odd = records;
        odd[0].verb = "a\tb".into();
        fs::remove_file(&file).unwrap();
        write_cache(&file, tip, &odd);
        assert!(!file.exists());
    }
}
