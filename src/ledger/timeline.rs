//! The commits that touched one incident file, read with the system
//! `git log`, for the review step of guided response.
//!
//! Deliberately small: the `log` command's history walk supersedes it, and
//! guided response only needs when, who and what.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Ledger, LedgerError, git};

/// One commit of an incident file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCommit {
    /// The commit's author date: when the change was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The `Event-Time` trailer: when it happened, if recorded late.
    pub event_at: Option<DateTime<Utc>>,
    pub author: String,
    /// The subject, such as `INC-42: acknowledged`.
    pub subject: String,
    /// The `Incident-Change` trailer; `None` for a hand edit.
    pub change: Option<String>,
}

impl Ledger {
    /// The commits that touched the incident file at `path` (relative to the
    /// ledger's root), oldest first.
    pub fn file_log(&self, path: &Path) -> Result<Vec<FileCommit>, LedgerError> {
        let workdir = self.repo.workdir().unwrap_or(&self.root);
        let repo_path = self.base.join(path);
        let repo_path = repo_path.to_string_lossy();
        let out = git::git_output(
            workdir,
            &[
                "log",
                "--reverse",
                "--format=%at%x09%an%x09%(trailers:key=Incident-Change,valueonly,separator=%x20)%x09%(trailers:key=Event-Time,valueonly,separator=%x20)%x09%s",
                "--",
                &repo_path,
            ],
        )?;
        Ok(out.lines().filter_map(parse_line).collect())
    }
}

fn parse_line(line: &str) -> Option<FileCommit> {
    let mut fields = line.splitn(5, '\t');
    let at: i64 = fields.next()?.parse().ok()?;
    let author = fields.next()?.to_owned();
    let change = Some(fields.next()?.trim().to_owned()).filter(|c| !c.is_empty());
    let event_at = DateTime::parse_from_rfc3339(fields.next()?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc));
    let subject = fields.next()?.to_owned();
    Some(FileCommit {
        recorded_at: DateTime::from_timestamp(at, 0)?,
        event_at,
        author,
        subject,
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_log_line_with_and_without_trailers() {
        let c =
            parse_line("1795718400\tAda Lovelace\tack\t2026-11-26T18:30:00Z\tINC-1: acknowledged")
                .unwrap();
        assert_eq!(c.author, "Ada Lovelace");
        assert_eq!(c.change.as_deref(), Some("ack"));
        assert_eq!(
            c.event_at.unwrap().to_rfc3339(),
            "2026-11-26T18:30:00+00:00"
        );
        assert_eq!(c.subject, "INC-1: acknowledged");
        let hand = parse_line("1795718400\tBob\t\t\tFix a typo").unwrap();
        assert_eq!(hand.change, None);
        assert_eq!(hand.event_at, None);
    }
}
