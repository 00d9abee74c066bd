//! Declaring a new incident, one question at a time, and where an incident
//! stands when a walk resumes: a summary, a warning when the runbook
//! changed, and the update cadence.

use crate::domain::when::{TimeError, human_duration, parse_time};
use crate::domain::{Declaration, Incident};
use crate::render;
use crate::runbook::journal::JournalError;
use crate::runbook::prompt::Tone;

use super::{Engine, EngineError};

impl<E> Engine<'_, E> {
    /// Asks what a new incident is and declares it: one commit.
    pub(crate) fn declare(&mut self) -> Result<Incident, EngineError<E>> {
        self.say(Tone::Heading, "Declare a new incident");
        let title = loop {
            let title =
                self.input_required("Title: what is broken, as users see it", None, "title")?;
            if title.contains('\n') {
                self.say(Tone::Warn, "the title must be one line");
                continue;
            }
            break title;
        };
        let severity = self.pick_severity("Severity (when unsure, pick the higher level)", None)?;
        let services = if self.policy.services.is_empty() {
            let answer = self.input(
                "Affected services, comma-separated (empty if unknown)",
                Some(""),
            )?;
            answer
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        } else {
            let items = self.policy.services.clone();
            let checked = vec![false; items.len()];
            let picked = self
                .prompter
                .multi_select("Affected services", &items, &checked);
            self.ask(picked)?
                .into_iter()
                .map(|i| items[i].clone())
                .collect()
        };
        let impact = self.input_optional(
            "Impact: who is affected, and how badly (empty if unknown)",
            "impact",
        )?;
        let started_at = loop {
            let answer = self.input(
                "When did the impact start? (HH:MM, `15m ago`, or now)",
                Some("now"),
            )?;
            let now = self.journal.now();
            match parse_time(&answer, now, self.policy.local) {
                Ok(t) if t > now => self.say(Tone::Warn, "the impact cannot start in the future"),
                Ok(t) => {
                    // The time understood, as every confirmation echoes it.
                    let understood = render::time_and_local(t, self.policy.local);
                    self.say(Tone::Text, &format!("  impact started: {understood}"));
                    break t;
                }
                Err(e) => self.say(Tone::Warn, &format!("{e}; {}", TimeError::HINT)),
            }
        };
        let declaration = Declaration {
            title,
            severity,
            services,
            impact,
            lead: None,
            started_at: Some(started_at),
        };
        let recorded = match self.journal.declare(declaration) {
            Ok(r) => r,
            Err(JournalError::Refused(e)) => return Err(EngineError::Refused(e)),
            Err(JournalError::Failed(e)) => return Err(EngineError::Journal(e)),
        };
        self.current = Some(recorded.incident.id.to_string());
        self.say(
            Tone::Done,
            &format!(
                "{}: {} ({})",
                recorded.incident.id, recorded.summary, recorded.commit
            ),
        );
        Ok(recorded.incident)
    }

    // ---- where the incident stands ------------------------------------

    /// A short summary of where an incident stands, shown on resume.
    pub(super) fn summary(&mut self, inc: &Incident) {
        let text = render::runbook::standing(inc, self.journal.now());
        self.say(
            Tone::Heading,
            &format!("Resuming {}: {}", inc.id, inc.title),
        );
        self.say(Tone::Text, &text);
        if let Some(version) = &inc.runbook
            && version != &self.policy.runbook_version
        {
            self.say(
                Tone::Warn,
                &format!(
                    "{} was declared under runbook {version}; the runbook in force is {}",
                    inc.id, self.policy.runbook_version
                ),
            );
        }
        if inc.status.is_open() {
            self.cadence_reminder(inc);
        }
    }

    /// Warns when stakeholders have not heard for longer than the
    /// severity's cadence. Returns whether an update is overdue.
    pub(super) fn cadence_reminder(&mut self, inc: &Incident) -> bool {
        let Some(cadence) = self.policy.update_cadence.get(&inc.severity).copied() else {
            return false;
        };
        let now = self.journal.now();
        let (since, what) = match inc.updates.last() {
            Some(u) => (u.at, "the last update was"),
            None => (inc.declared_at, "no update yet; declared"),
        };
        let age = now - since;
        if age > cadence {
            self.say(
                Tone::Warn,
                &format!(
                    "{what} {} ago; {} expects an update every {}",
                    human_duration(age),
                    inc.severity,
                    human_duration(cadence)
                ),
            );
            true
        } else {
            false
        }
    }
}
