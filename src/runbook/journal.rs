//! The journal of guided response on a real ledger: each change is one
//! commit through the same path as the single commands, with the same
//! trailers, made the moment the answer is given.

use chrono::{DateTime, Utc};

use crate::domain::history::Source;
use crate::domain::timeline::timeline;
use crate::domain::{Actor, Change, Declaration, Identity, Incident};
use crate::ledger::{Committed, Ledger};
use crate::render;
use crate::ui::interrupt::hold_interrupts;

use super::engine::{Journal, JournalError, Recorded, TimelineEntry};

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
    fn declare(&mut self, declaration: Declaration) -> Result<Recorded, JournalError> {
        let uid = (self.new_uid)(&declaration.title);
        let _hold = hold_interrupts();
        let committed = self.ledger.declare(declaration, uid, &self.actor())?;
        Ok(recorded(committed))
    }

    fn apply(&mut self, id: &str, change: &Change) -> Result<Recorded, JournalError> {
        let id = self.ledger.parse_id(id)?;
        let _hold = hold_interrupts();
        let committed = self.ledger.apply(&id, change, &self.actor())?;
        Ok(recorded(committed))
    }

    /// The review document's timeline, from the incident's git history:
    /// when the impact started, then what each change did, at its event
    /// time; the walk's own step markers and bookkeeping left out.
    fn timeline(&mut self, incident: &Incident) -> Result<Vec<TimelineEntry>, JournalError> {
        let id = self.ledger.parse_id(&incident.id)?;
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
