//! The incidents as `stats` reads them at a revision, without parsing every
//! file each time: a cache, in the git directory, of what the metrics read
//! of each incident blob (ids, severity, status, services, the milestones,
//! whether the review is complete, the temporary mitigations), one line per
//! blob.
//!
//! Keyed by blob id, so an entry can never be stale: a blob's content never
//! changes. A revision's tree names its blobs; only those not in the cache
//! are read and parsed, and their lines are appended. The file is written
//! whole again only when more than half its lines name blobs the revision
//! no longer holds. A line that does not read back, or a file from another
//! version, voids the cache, which is then rebuilt; writing it is best
//! effort.
//!
//! Lines are `blob TAB id TAB severity TAB status TAB services TAB
//! declared_by TAB started TAB declared TAB acknowledged TAB mitigated TAB
//! resolved TAB closed TAB review TAB mitigations`: times in seconds since
//! the epoch (empty where unset), lists joined by U+001F, a mitigation as
//! `id,temporary,applied,cleaned,kept`, the review as `-` (none) or `0`/`1`
//! (complete). Text fields escape `\`, tab, line breaks, U+001F and `,`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use git2::Oid;

use crate::domain::incident::{Mitigation, MitigationKind, Review, Status};
use crate::domain::stats::for_metrics;
use crate::domain::{CommitId, Identity, Incident, IncidentId};
use crate::ledger::files::{Durability, in_parallel, parse_incident, write_file};
use crate::ledger::{Ledger, LedgerError, git};

const FORMAT: &str = concat!("metrics-2/", env!("CARGO_PKG_VERSION"));
const FILE: &str = "git-incident/metrics.tsv";
/// The cache of earlier versions, removed once the new one is written.
const OLD_FILE: &str = "git-incident/metrics.json";

impl Ledger {
    /// Every incident file in `commit`, with what the metrics read of it; a
    /// file that cannot be read or parsed is an error in its place.
    pub(crate) fn incidents_for_metrics_at(
        &self,
        commit: &CommitId,
    ) -> Result<Vec<Result<Incident, LedgerError>>, LedgerError> {
        let commit = git::oid(commit)?;
        let file = self.repo().path().join(FILE);
        let cached = read_cache(&file);
        let valid = cached.is_some();
        let (mut entries, mut lines) = cached.unwrap_or_default();
        let blobs = self.incident_blobs_at(commit)?;
        // Blobs are read here (libgit2's repository stays on one thread),
        // parsed on every core.
        let missing: Vec<(PathBuf, Oid, Result<String, LedgerError>)> = blobs
            .iter()
            .filter(|(_, blob)| !entries.contains_key(blob))
            .map(|(path, blob)| (path.clone(), *blob, self.blob_text(path, *blob)))
            .collect();
        let mut failed: HashMap<PathBuf, LedgerError> = HashMap::new();
        let mut appended = String::new();
        for (path, blob, result) in in_parallel(missing, |(path, blob, text)| {
            let incident = text.and_then(|t| parse_incident(&path, &t));
            (path, blob, incident.map(|i| for_metrics(&i)))
        }) {
            match result {
                Ok(incident) => {
                    if let Some(line) = encode(blob, &incident) {
                        appended.push_str(&line);
                        lines += 1;
                    }
                    entries.insert(blob, incident);
                }
                Err(e) => {
                    failed.insert(path, e);
                }
            }
        }
        let found: Vec<Result<Incident, LedgerError>> = blobs
            .iter()
            .map(|(path, blob)| match failed.remove(path) {
                Some(e) => Err(e),
                None => entries
                    .get(blob)
                    .cloned()
                    .ok_or_else(|| LedgerError::Invalid {
                        path: path.clone(),
                        message: "the file could not be read".into(),
                    }),
            })
            .collect();
        let wanted: HashSet<Oid> = blobs.iter().map(|(_, b)| *b).collect();
        if !valid || lines > 2 * wanted.len().max(1) {
            entries.retain(|blob, _| wanted.contains(blob));
            rewrite(&file, &entries);
            let _ = std::fs::remove_file(self.repo().path().join(OLD_FILE));
        } else if !appended.is_empty() {
            append(&file, &appended);
        }
        Ok(found)
    }
}

fn esc(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1f}' => out.push_str("\\u"),
            ',' => out.push_str("\\c"),
            c => out.push(c),
        }
    }
}

fn unesc(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'u' => '\u{1f}',
            'c' => ',',
            _ => return None,
        });
    }
    Some(out)
}

fn secs(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.timestamp().to_string()).unwrap_or_default()
}

fn time(field: &str) -> Option<Option<DateTime<Utc>>> {
    if field.is_empty() {
        return Some(None);
    }
    Some(Some(DateTime::from_timestamp(field.parse().ok()?, 0)?))
}

/// One cache line for `blob`; `None` for an incident whose fields would
/// not read back (none the parser accepts).
fn encode(blob: Oid, inc: &Incident) -> Option<String> {
    let mut line = String::with_capacity(256);
    let _ = write!(line, "{blob}\t");
    esc(&inc.id.to_string(), &mut line);
    line.push('\t');
    esc(&inc.severity, &mut line);
    let _ = write!(line, "\t{}\t", inc.status.as_str());
    for (n, service) in inc.services.iter().enumerate() {
        if n > 0 {
            line.push('\u{1f}');
        }
        esc(service, &mut line);
    }
    line.push('\t');
    esc(&inc.declared_by.to_string(), &mut line);
    for t in [
        Some(inc.started_at),
        Some(inc.declared_at),
        inc.acknowledged_at,
        inc.mitigated_at,
        inc.resolved_at,
        inc.closed_at,
    ] {
        let _ = write!(line, "\t{}", secs(t));
    }
    let review = match &inc.review {
        None => "-",
        Some(r) if r.is_complete() => "1",
        Some(_) => "0",
    };
    let _ = write!(line, "\t{review}\t");
    for (n, m) in inc.mitigations.iter().enumerate() {
        if n > 0 {
            line.push('\u{1f}');
        }
        esc(&m.id, &mut line);
        let _ = write!(
            line,
            ",{},{},{},{}",
            u8::from(m.temporary),
            m.applied_at.timestamp(),
            secs(m.cleaned_up_at),
            secs(m.kept_at)
        );
    }
    line.push('\n');
    Some(line)
}

fn decode(line: &str) -> Option<(Oid, Incident)> {
    let f: Vec<&str> = line.split('\t').collect();
    let [
        blob,
        id,
        severity,
        status,
        services,
        by,
        started,
        declared,
        acked,
        mitigated,
        resolved,
        closed,
        review,
        mitigations,
    ] = f.as_slice()
    else {
        return None;
    };
    let id = unesc(id)?;
    let (prefix, number) = id.rsplit_once('-')?;
    let by = Identity::recorded(&unesc(by)?).ok()?;
    let mut inc = Incident::declared(
        IncidentId::new(prefix, number.parse().ok()?),
        String::new(),
        String::new(),
        unesc(severity)?,
        time(declared)??,
        by.clone(),
    );
    inc.status = status.parse::<Status>().ok()?;
    if !services.is_empty() {
        inc.services = services
            .split('\u{1f}')
            .map(unesc)
            .collect::<Option<Vec<_>>>()?;
    }
    inc.started_at = time(started)??;
    inc.acknowledged_at = time(acked)?;
    inc.mitigated_at = time(mitigated)?;
    inc.resolved_at = time(resolved)?;
    inc.closed_at = time(closed)?;
    inc.review = match *review {
        "-" => None,
        "1" => Some(Review::stand_in(true)),
        "0" => Some(Review::stand_in(false)),
        _ => return None,
    };
    if !mitigations.is_empty() {
        for m in mitigations.split('\u{1f}') {
            let parts: Vec<&str> = m.split(',').collect();
            let [mid, temporary, applied, cleaned, kept] = parts.as_slice() else {
                return None;
            };
            let mut mitigation = Mitigation::applied(
                unesc(mid)?,
                MitigationKind::Other,
                String::new(),
                *temporary == "1",
                time(applied)??,
                by.clone(),
            );
            mitigation.cleaned_up_at = time(cleaned)?;
            mitigation.kept_at = time(kept)?;
            inc.mitigations.push(mitigation);
        }
    }
    Some((Oid::from_str(blob).ok()?, inc))
}

/// The entries and how many lines the file holds; `None` when it is
/// missing, from another version, or any line does not read back.
fn read_cache(file: &Path) -> Option<(HashMap<Oid, Incident>, usize)> {
    let text = std::fs::read_to_string(file).ok()?;
    let mut lines = text.split_terminator('\n');
    if lines.next()? != FORMAT {
        return None;
    }
    let mut entries = HashMap::new();
    let mut count = 0;
    for line in lines {
        let (blob, inc) = decode(line)?;
        entries.insert(blob, inc);
        count += 1;
    }
    // A torn append leaves a last line without its end: void.
    (text.ends_with('\n')).then_some((entries, count))
}

fn rewrite(file: &Path, entries: &HashMap<Oid, Incident>) {
    let mut text = format!("{FORMAT}\n");
    let mut sorted: Vec<(&Oid, &Incident)> = entries.iter().collect();
    sorted.sort_by_key(|(blob, _)| **blob);
    for (blob, inc) in sorted {
        if let Some(line) = encode(*blob, inc) {
            text.push_str(&line);
        }
    }
    let _ = write_file(file, text.as_bytes(), Durability::BestEffort);
}

/// Appends lines; a torn write voids the cache on the next read, which
/// rebuilds it.
fn append(file: &Path, lines: &str) {
    if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(file) {
        let _ = f.write_all(lines.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Incident {
        let by = Identity::new("Ada, \"the\" Lovelace", "ada@example.com");
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mut inc = Incident::declared(
            IncidentId::new("OPS", 42),
            "u".into(),
            "t".into(),
            "SEV-1".into(),
            at("2026-11-26T18:40:00Z"),
            by.clone(),
        );
        inc.status = Status::Mitigated;
        inc.services = vec!["check,out".into(), "tab\there".into(), "back\\slash".into()];
        inc.started_at = at("2026-11-26T18:30:00Z");
        inc.acknowledged_at = Some(at("2026-11-26T18:45:00Z"));
        inc.mitigated_at = Some(at("2026-11-26T18:50:00Z"));
        inc.review = Some(Review {
            what_happened: "x".into(),
            root_cause: "y".into(),
            ..Review::default()
        });
        let mut m = Mitigation::applied(
            "M1".into(),
            MitigationKind::Flag,
            "Disabled the flag".into(),
            true,
            at("2026-11-26T18:50:00Z"),
            by.clone(),
        );
        m.cleaned_up_at = Some(at("2026-11-27T10:00:00Z"));
        inc.mitigations.push(m);
        inc.mitigations.push(Mitigation::applied(
            "M2".into(),
            MitigationKind::Restart,
            "Restarted".into(),
            false,
            at("2026-11-26T18:55:00Z"),
            by,
        ));
        inc
    }

    #[test]
    fn a_line_reads_back_as_what_the_metrics_read() {
        let inc = for_metrics(&sample());
        let blob = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let line = encode(blob, &inc).unwrap();
        assert_eq!(line.matches('\n').count(), 1, "{line:?}");
        let (back_blob, back) = decode(line.trim_end_matches('\n')).unwrap();
        assert_eq!(back_blob, blob);
        assert_eq!(back, inc);
        assert_eq!(back.mitigations.len(), 1, "only temporary ones are kept");
        assert!(back.review.as_ref().unwrap().is_complete());
    }

    #[test]
    fn a_damaged_line_voids_the_cache() {
        let inc = for_metrics(&sample());
        let blob = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let line = encode(blob, &inc).unwrap();
        let line = line.trim_end_matches('\n');
        for broken in [
            line.replacen('\t', "", 1),
            line.replacen("mitigated", "melted", 1),
            format!("{line}\textra"),
            line.replacen("\\c", "\\q", 1),
        ] {
            assert!(decode(&broken).is_none(), "{broken:?}");
        }
    }
}
