//! The journal of guided response on a real ledger: each change is one
//! commit through the same path as the single commands, with the same
//! trailers, made the moment the answer is given. Ctrl-C is held off while
//! a commit is written.
//!
//! It remembers the commit at which it last read or wrote each incident, so
//! that before the next answer it can tell whether someone else committed to
//! that incident since, and who did what (from the commits' trailers).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::delta::Delta;
use crate::domain::history::{Revision, Source};
use crate::domain::timeline::timeline;
use crate::domain::{Actor, Change, CommitId, Declaration, Identity, Incident, IncidentId};
use crate::ledger::{Committed, Ledger, LedgerError};
use crate::render;
use crate::runbook::journal::{
    Concurrent, Journal, JournalError, Meanwhile, Recorded, TimelineEntry,
};
use crate::ui::interrupt::hold_interrupts;

/// Records guided response's answers in a ledger.
pub(super) struct LedgerJournal<'a> {
    ledger: &'a Ledger,
    me: Identity,
    /// The time now, read again for every change: a walk can last hours.
    clock: Box<dyn Fn() -> DateTime<Utc> + 'a>,
    /// A new incident's stable id, from its title.
    new_uid: Box<dyn Fn(&str) -> String + 'a>,
    /// Per incident, the commit whose state the walk last saw.
    seen: HashMap<IncidentId, CommitId>,
    /// Where the command runs: what `@FILE` is relative to.
    dir: PathBuf,
}

impl<'a> LedgerJournal<'a> {
    pub(super) fn new(
        ledger: &'a Ledger,
        me: Identity,
        dir: &Path,
        clock: impl Fn() -> DateTime<Utc> + 'a,
        new_uid: impl Fn(&str) -> String + 'a,
    ) -> Self {
        Self {
            ledger,
            me,
            clock: Box::new(clock),
            new_uid: Box::new(new_uid),
            seen: HashMap::new(),
            dir: dir.to_path_buf(),
        }
    }

    /// The walk read incident `id` as committed at `commit`.
    pub(super) fn seen_at(&mut self, id: &IncidentId, commit: CommitId) {
        self.seen.insert(id.clone(), commit);
    }

    fn recorded(&mut self, committed: Committed) -> Recorded {
        self.seen_at(&committed.id, committed.commit.clone());
        recorded(committed)
    }

    /// What others did to `id` after `seen`, up to HEAD, oldest first.
    fn since(&self, id: &IncidentId, seen: &CommitId) -> Result<Vec<Concurrent>, LedgerError> {
        let known: HashSet<CommitId> = self
            .ledger
            .history(id, Some(seen))
            .map(|h| h.revisions.into_iter().map(|r| r.commit).collect())
            .unwrap_or_default();
        let history = self.ledger.history(id, None)?;
        Ok(history
            .revisions
            .iter()
            .filter(|r| !known.contains(&r.commit))
            .map(concurrent)
            .collect())
    }

    fn actor(&self) -> Actor {
        let now = (self.clock)();
        Actor {
            by: self.me.clone(),
            now,
            at: now,
            force: None,
        }
    }
}

fn recorded(committed: Committed) -> Recorded {
    Recorded {
        summary: committed.applied.summary,
        commit: committed.commit.short().to_owned(),
        incident: committed.incident,
    }
}

impl Journal for LedgerJournal<'_> {
    type Error = LedgerError;

    fn declare(&mut self, declaration: Declaration) -> Result<Recorded, JournalError<LedgerError>> {
        let uid = (self.new_uid)(&declaration.title);
        let _hold = hold_interrupts();
        let committed = self.ledger.declare(declaration, uid, &self.actor())?;
        Ok(self.recorded(committed))
    }

    fn apply(
        &mut self,
        id: &str,
        change: &Change,
        step: Option<&str>,
    ) -> Result<Recorded, JournalError<LedgerError>> {
        let id = self.ledger.parse_id(id)?;
        let _hold = hold_interrupts();
        let committed = self
            .ledger
            .apply_at_step(&id, change, step, &self.actor())?;
        Ok(self.recorded(committed))
    }

    /// The same reader as `@FILE` on the command line: relative to where
    /// the command runs, bounded as every file the tool reads.
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        crate::ledger::read_given_text(&self.dir, Path::new(path)).map_err(|e| e.to_string())
    }

    /// The review document's timeline, from the incident's git history:
    /// when the impact started, then what each change did, at its event
    /// time; the walk's own step markers and bookkeeping left out.
    fn timeline(
        &mut self,
        incident: &Incident,
    ) -> Result<Vec<TimelineEntry>, JournalError<LedgerError>> {
        let id = incident.id.clone();
        let history = self.ledger.history(&id, None)?;
        Ok(timeline(incident, &history)
            .into_iter()
            .map(|row| TimelineEntry {
                at: row.at,
                who: row.who.map(|who| match row.source {
                    Source::Tool => who,
                    Source::Outside => format!("{who} (outside the tool)"),
                    Source::Merge => format!("{who} (merge)"),
                }),
                what: render::report::what(&row.happened, false).join("; "),
            })
            .collect())
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Compares the incident as committed at HEAD with the commit the walk
    /// last saw: a commit to another incident, or one that left this one
    /// as it was, is no change.
    fn meanwhile(
        &mut self,
        incident: &Incident,
    ) -> Result<Option<Meanwhile>, JournalError<LedgerError>> {
        let head = self.ledger.head_commit()?;
        let Some(seen) = self.seen.insert(incident.id.clone(), head.clone()) else {
            return Ok(None);
        };
        if seen == head {
            return Ok(None);
        }
        let id = incident.id.clone();
        let Some(now) = self.ledger.load_as_of(&head, &id)? else {
            // Gone from HEAD: the write says so.
            return Ok(None);
        };
        let then = self.ledger.load_as_of(&seen, &id)?;
        if then.is_some_and(|then| then.incident == now.incident) {
            return Ok(None);
        }
        Ok(Some(Meanwhile {
            changes: self.since(&id, &seen)?,
            incident: now.incident,
        }))
    }
}

/// One commit of someone else's, as the walk names it: `note`, `lead`; a
/// merge, or an edit made outside the tool.
fn concurrent(revision: &Revision) -> Concurrent {
    let what = match (revision.source, &revision.verb) {
        (Source::Merge, _) => "merge".to_owned(),
        (Source::Tool, Some(verb)) if verb == "sev" => "severity".to_owned(),
        (Source::Tool, Some(verb)) => verb.replace('-', " "),
        _ => "edit outside the tool".to_owned(),
    };
    Concurrent {
        who: revision.author.clone(),
        what,
        fields: revision
            .deltas
            .iter()
            .filter_map(|d| match d {
                Delta::Field { field, .. } => Some(*field),
                _ => None,
            })
            .collect(),
    }
}

/// A change the ledger refused by a rule is the walk's to show; any other
/// failure stops it.
impl From<LedgerError> for JournalError<LedgerError> {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Change(c) => JournalError::Refused(c),
            other => JournalError::Failed(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, FixedOffset, Utc};

    use super::*;
    use crate::ledger::Author;
    use crate::runbook::engine::{Engine, EngineError, Policy};
    use crate::runbook::scripted::{Answer, ScriptedPrompter, declare_script, stabilize_script};

    use Answer::{Default, Interrupt, Yes};

    #[test]
    fn walks_against_a_real_ledger_one_commit_per_answer() {
        let tmp = tempfile::tempdir().unwrap();
        let author = Author {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            time: 1_795_718_400,
        };
        Ledger::init(tmp.path(), &author).unwrap();
        let ledger = Ledger::find(tmp.path()).unwrap();
        let now: DateTime<Utc> = "2026-11-26T18:50:00Z".parse().unwrap();
        let mut journal = LedgerJournal::new(
            &ledger,
            Identity::new("Ada Lovelace", "ada@example.com"),
            tmp.path(),
            move || now,
            |_| "01JDXQ4Z8K3M5N7P9R1S3T5V7W".to_owned(),
        );
        let mut script = declare_script();
        script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
        script.extend(stabilize_script());
        script.push(("Record another stabilizing measure", Interrupt));
        let mut prompter = ScriptedPrompter::new(script);
        let policy = Policy {
            me: Identity::new("Ada Lovelace", "ada@example.com"),
            local: FixedOffset::east_opt(0).unwrap(),
            services: Vec::new(),
            review_required: vec!["SEV-1".to_owned(), "SEV-2".to_owned()],
            update_cadence: BTreeMap::new(),
            runbook_version: ledger.runbook_version.clone(),
        };
        let result =
            Engine::new(&ledger.runbook, &policy, &mut prompter, &mut journal).respond(None);
        assert!(matches!(result, Err(EngineError::Interrupted { .. })));
        let log = crate::ledger::git::git_output(
            tmp.path(),
            &[
                "log",
                "--format=%s|%(trailers:key=Incident-Change,valueonly,separator=)",
            ],
        )
        .unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(
            lines,
            [
                "INC-1: mitigation M1 (flag, temporary): Disabled flag new-checkout-flow|mitigate",
                "INC-1: lead Ada Lovelace|lead",
                "INC-1: acknowledged|ack",
                "INC-1: declared SEV-1: Checkout API returning 502s|declare",
                "Set up incident ledger|init",
            ]
        );
        let inc = ledger
            .load(&ledger.parse_id("INC-1").unwrap())
            .unwrap()
            .incident;
        assert_eq!(
            inc.runbook.as_deref(),
            Some(ledger.runbook_version.as_str())
        );
        let timeline = journal.timeline(&inc).unwrap();
        let whats: Vec<&str> = timeline.iter().map(|e| e.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                "impact started",
                "declared SEV-1: \"Checkout API returning 502s\"",
                "status declared -> acknowledged",
                "lead set: Ada Lovelace <ada@example.com>",
                "status acknowledged -> mitigated; mitigation M1 added (flag, temporary): \"Disabled flag new-checkout-flow\""
            ]
        );
    }
}
