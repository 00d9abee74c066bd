//! The journal of guided response on a real ledger: each change is one
//! commit through the same path as the single commands, with the same
//! trailers, made the moment the answer is given. Ctrl-C is held off while
//! a commit is written.

use chrono::{DateTime, Utc};

use crate::domain::history::Source;
use crate::domain::timeline::timeline;
use crate::domain::{Actor, Change, Declaration, Identity, Incident};
use crate::ledger::{Committed, Ledger, LedgerError};
use crate::render;
use crate::runbook::journal::{Journal, JournalError, Recorded, TimelineEntry};
use crate::ui::interrupt::hold_interrupts;

/// Records guided response's answers in a ledger.
pub struct LedgerJournal<'a> {
    ledger: &'a Ledger,
    me: Identity,
    /// The time now, read again for every change: a walk can last hours.
    clock: Box<dyn Fn() -> DateTime<Utc> + 'a>,
    /// A new incident's stable id, from its title.
    new_uid: Box<dyn Fn(&str) -> String + 'a>,
}

impl<'a> LedgerJournal<'a> {
    pub fn new(
        ledger: &'a Ledger,
        me: Identity,
        clock: impl Fn() -> DateTime<Utc> + 'a,
        new_uid: impl Fn(&str) -> String + 'a,
    ) -> Self {
        Self {
            ledger,
            me,
            clock: Box::new(clock),
            new_uid: Box::new(new_uid),
        }
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
        Ok(recorded(committed))
    }

    fn apply(&mut self, id: &str, change: &Change) -> Result<Recorded, JournalError<LedgerError>> {
        let id = self.ledger.parse_id(id)?;
        let _hold = hold_interrupts();
        let committed = self.ledger.apply(&id, change, &self.actor())?;
        Ok(recorded(committed))
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
                what: render::report::what(&row.happened).join("; "),
            })
            .collect())
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
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
                "INC-1: guided response at step stabilize|step",
                "INC-1: lead Ada Lovelace|lead",
                "INC-1: guided response at step lead|step",
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
