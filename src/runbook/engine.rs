//! Guided response: walks the runbook's steps, asks through a [`Prompter`],
//! and turns every answer into a [`Change`] that a [`Journal`] commits at
//! once, so an interrupted walk loses nothing and resumes where it stopped.
//!
//! The engine reads no clock, no terminal and no file itself: the journal
//! gives the time and records changes, the prompter asks. Unit tests run it
//! with scripted answers against an in-memory journal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

use crate::domain::change::check_text;
use crate::domain::when::{TimeError, human_duration, parse_time};
use crate::domain::{
    ActionKind, Audience, Change, ChangeError, Declaration, Identity, Incident, MitigationKind,
    NewAction, NewMitigation, ReviewFields, Status,
};
use crate::ledger::LedgerError;
use crate::ui::prompt::{PromptError, Prompter, Tone};

use super::{Runbook, Step, StepKind};

/// Where changes go: one commit each.
pub trait Journal {
    /// Declares a new incident.
    fn declare(&mut self, declaration: Declaration) -> Result<Recorded, JournalError>;
    /// Applies one change to incident `id`.
    fn apply(&mut self, id: &str, change: &Change) -> Result<Recorded, JournalError>;
    /// What happened so far, oldest first, for the review.
    fn timeline(&mut self, incident: &Incident) -> Result<Vec<TimelineEntry>, JournalError>;
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
}

/// A change that was recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The incident as it is now.
    pub incident: Incident,
    /// What happened, as the commit's subject says it.
    pub summary: String,
    /// The commit, abbreviated.
    pub commit: String,
}

/// One line of the review's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub who: Option<String>,
    pub what: String,
}

/// Why a journal did not record a change.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A rule refused it; the walk shows why and goes on.
    #[error(transparent)]
    Refused(#[from] ChangeError),
    /// The ledger failed; the walk stops.
    #[error(transparent)]
    Ledger(LedgerError),
}

impl From<LedgerError> for JournalError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Change(c) => JournalError::Refused(c),
            other => JournalError::Ledger(other),
        }
    }
}

/// Why a walk stopped early.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Ctrl-C: everything answered before is recorded.
    #[error("interrupted")]
    Interrupted { id: Option<String> },
    #[error(transparent)]
    Prompt(PromptError),
    #[error(transparent)]
    Ledger(LedgerError),
    /// The declaration itself was refused.
    #[error(transparent)]
    Refused(ChangeError),
}

/// What guided response needs to know besides the runbook.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Who responds: the default lead and action owner.
    pub me: Identity,
    /// The responder's offset, to read `HH:MM`.
    pub local: FixedOffset,
    /// Known services; empty means any.
    pub services: Vec<String>,
    /// Severities that need a review and actions before close.
    pub review_required: Vec<String>,
    /// How often stakeholders should hear, per severity.
    pub update_cadence: BTreeMap<String, Duration>,
    /// The version of the runbook in force.
    pub runbook_version: String,
}

/// How a walk ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub incident: Incident,
    /// The walk reached its end (closed, or left through an exit); otherwise
    /// it paused and `respond ID` resumes it.
    pub finished: bool,
}

/// What a step asks the walk to do next.
enum Flow {
    Next,
    Pause,
    Finish,
}

/// The kinds of mitigation, as the responder is offered them.
const MITIGATIONS: [(MitigationKind, &str); 6] = [
    (MitigationKind::Rollback, "Roll back a recent deployment"),
    (MitigationKind::Flag, "Disable a failing feature via flag"),
    (MitigationKind::Scale, "Scale resources (capacity)"),
    (MitigationKind::Restart, "Restart failing services"),
    (
        MitigationKind::Throttle,
        "Throttle traffic to overloaded components",
    ),
    (MitigationKind::Other, "Other measure"),
];

/// Whether a kind of measure is usually undone later, and how.
fn cleanup_default(kind: MitigationKind) -> (bool, Option<&'static str>) {
    match kind {
        MitigationKind::Flag => (
            true,
            Some("Re-enable gradually (10%, 50%, 100%), watching error rates"),
        ),
        MitigationKind::Scale => (
            true,
            Some("Scale back to normal capacity once load is normal"),
        ),
        MitigationKind::Throttle => (
            true,
            Some("Lift the throttle gradually, watching error rates"),
        ),
        MitigationKind::Rollback => (false, Some("Deploy the fixed version")),
        MitigationKind::Restart | MitigationKind::Other => (false, None),
    }
}

const ACTION_KINDS: [(ActionKind, &str); 3] = [
    (
        ActionKind::Preventive,
        "Preventive: keep it from happening (safeguards, tests, safer deploys)",
    ),
    (
        ActionKind::Detective,
        "Detective: find it sooner (monitoring, alerts)",
    ),
    (ActionKind::Corrective, "Corrective: fix what broke"),
];

/// Follow-up actions are due in two weeks unless the responder says otherwise.
const DEFAULT_DUE_DAYS: i64 = 14;

/// The walk over one incident.
pub struct Engine<'a> {
    runbook: &'a Runbook,
    policy: &'a Policy,
    prompter: &'a mut dyn Prompter,
    journal: &'a mut dyn Journal,
    /// The incident being walked, for an interruption's message.
    current: Option<String>,
    /// The walk goes on where an earlier one stopped.
    resumed: bool,
}

impl<'a> Engine<'a> {
    pub fn new(
        runbook: &'a Runbook,
        policy: &'a Policy,
        prompter: &'a mut dyn Prompter,
        journal: &'a mut dyn Journal,
    ) -> Self {
        Self {
            runbook,
            policy,
            prompter,
            journal,
            current: None,
            resumed: false,
        }
    }

    /// Declares a new incident when `existing` is `None`, else summarises
    /// where it stands; then walks the runbook from the incident's step.
    pub fn respond(&mut self, existing: Option<Incident>) -> Result<Outcome, EngineError> {
        let incident = match existing {
            Some(incident) => {
                self.current = Some(incident.id.clone());
                self.resumed = true;
                self.summary(&incident);
                incident
            }
            None => self.declare()?,
        };
        self.walk(incident)
    }

    // ---- asking -------------------------------------------------------

    fn ask<T>(&mut self, result: Result<T, PromptError>) -> Result<T, EngineError> {
        result.map_err(|e| match e {
            PromptError::Interrupted => EngineError::Interrupted {
                id: self.current.clone(),
            },
            other => EngineError::Prompt(other),
        })
    }

    fn say(&mut self, tone: Tone, text: &str) {
        self.prompter.show(tone, text);
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, EngineError> {
        let answer = self.prompter.input(prompt, default);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks until the answer is a usable text.
    fn input_required(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        what: &str,
    ) -> Result<String, EngineError> {
        loop {
            let answer = self.input(prompt, default)?;
            match check_text(what, &answer) {
                Ok(()) => return Ok(answer),
                Err(e) => self.say(Tone::Warn, &e.to_string()),
            }
        }
    }

    /// An optional text: empty means none.
    fn input_optional(&mut self, prompt: &str, what: &str) -> Result<Option<String>, EngineError> {
        loop {
            let answer = self.input(prompt, Some(""))?;
            if answer.is_empty() {
                return Ok(None);
            }
            match check_text(what, &answer) {
                Ok(()) => return Ok(Some(answer)),
                Err(e) => self.say(Tone::Warn, &e.to_string()),
            }
        }
    }

    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, EngineError> {
        let answer = self.prompter.select(prompt, items, default);
        self.ask(answer)
    }

    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, EngineError> {
        let answer = self.prompter.confirm(prompt, default);
        self.ask(answer)
    }

    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, EngineError> {
        let answer = self.prompter.long_text(prompt, initial);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks for an identity (`me` is the responder) until one reads.
    fn identity(&mut self, prompt: &str, default: Option<&str>) -> Result<Identity, EngineError> {
        loop {
            let answer = self.input(prompt, default)?;
            if answer.eq_ignore_ascii_case("me") {
                return Ok(self.policy.me.clone());
            }
            match Identity::parse(&answer) {
                Ok(who) => return Ok(who),
                Err(e) => self.say(Tone::Warn, &e.to_string()),
            }
        }
    }

    fn pick_severity(
        &mut self,
        prompt: &str,
        current: Option<&str>,
    ) -> Result<String, EngineError> {
        let items: Vec<String> = self
            .runbook
            .severities
            .iter()
            .map(|s| format!("{:<6} {}", s.name, s.description))
            .collect();
        let default =
            current.and_then(|c| self.runbook.severities.iter().position(|s| s.name == c));
        let i = self.select(prompt, &items, default)?;
        Ok(self.runbook.severities[i].name.clone())
    }

    // ---- recording ----------------------------------------------------

    /// Commits one change. `Ok(false)` when a rule refused it: the refusal
    /// is shown and the walk goes on.
    fn record(&mut self, inc: &mut Incident, change: &Change) -> Result<bool, EngineError> {
        match self.journal.apply(&inc.id, change) {
            Ok(recorded) => {
                if !matches!(change, Change::Step(_)) {
                    self.say(
                        Tone::Done,
                        &format!("{} ({})", recorded.summary, recorded.commit),
                    );
                }
                *inc = recorded.incident;
                Ok(true)
            }
            Err(JournalError::Refused(e)) => {
                self.say(Tone::Warn, &format!("not recorded: {e}"));
                if let Some(hint) = e.hint() {
                    self.say(Tone::Text, &format!("  hint: {hint}"));
                }
                Ok(false)
            }
            Err(JournalError::Ledger(e)) => Err(EngineError::Ledger(e)),
        }
    }

    // ---- declaring ----------------------------------------------------

    /// Asks what a new incident is and declares it: one commit.
    pub fn declare(&mut self) -> Result<Incident, EngineError> {
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
                Ok(t) => break t,
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
            Err(JournalError::Ledger(e)) => return Err(EngineError::Ledger(e)),
        };
        self.current = Some(recorded.incident.id.clone());
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
    fn summary(&mut self, inc: &Incident) {
        let now = self.journal.now();
        let mut text = String::new();
        let lead = inc.lead.as_deref().map_or_else(
            || "no lead yet".to_owned(),
            |l| format!("lead {}", name_of(l)),
        );
        let _ = writeln!(
            text,
            "  {} · {} · {} · declared {} ago",
            inc.severity,
            inc.status,
            lead,
            human_duration(now - inc.declared_at)
        );
        let pending = inc.pending_mitigations().count();
        let last_update = inc.updates.last().map_or_else(
            || "no update yet".to_owned(),
            |u| format!("last update {} ago", human_duration(now - u.at)),
        );
        let _ = write!(
            text,
            "  {} ({} pending cleanup) · {} · {}",
            count(inc.mitigations.len(), "mitigation"),
            pending,
            count(inc.notes.len(), "note"),
            last_update
        );
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
    fn cadence_reminder(&mut self, inc: &Incident) -> bool {
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

    // ---- the walk -----------------------------------------------------

    /// Where the walk starts: the incident's step, or the first step whose
    /// work is not done when the step is unknown to this runbook.
    fn start(&mut self, inc: &Incident) -> usize {
        let steps = &self.runbook.steps;
        if let Some(step) = &inc.step {
            if let Some(i) = steps.iter().position(|s| &s.id == step) {
                return i;
            }
            let i = steps
                .iter()
                .position(|s| !done(s, inc))
                .unwrap_or(steps.len().saturating_sub(1));
            self.say(
                Tone::Warn,
                &format!(
                    "step `{step}` is not in the runbook in force; resuming at `{}`",
                    steps[i].id
                ),
            );
            return i;
        }
        steps.iter().position(|s| !done(s, inc)).unwrap_or(0)
    }

    /// Walks the runbook from the incident's step to its end, or until the
    /// responder pauses.
    pub fn walk(&mut self, mut inc: Incident) -> Result<Outcome, EngineError> {
        self.current = Some(inc.id.clone());
        if inc.status.is_final() {
            self.say(
                Tone::Text,
                &format!(
                    "{} is {}: there is nothing left to walk (`git incident reopen {} --why ...` reopens it).",
                    inc.id, inc.status, inc.id
                ),
            );
            return Ok(Outcome {
                incident: inc,
                finished: true,
            });
        }
        let total = self.runbook.steps.len();
        let start = self.start(&inc);
        if self.resumed {
            let title = &self.runbook.steps[start].title;
            self.say(
                Tone::Text,
                &format!("  Continuing at step {} of {total}: {title}", start + 1),
            );
        }
        for (i, step) in self.runbook.steps.iter().enumerate().skip(start) {
            let heading = format!("[{}/{total}] {}", i + 1, step.title);
            if !step.severities.is_empty() && !step.severities.contains(&inc.severity) {
                self.say(
                    Tone::Heading,
                    &format!(
                        "{heading}: skipped for {} (this step is for {})",
                        inc.severity,
                        step.severities.join(", ")
                    ),
                );
                continue;
            }
            if done(step, &inc) {
                self.say(Tone::Heading, &format!("{heading}: done"));
                continue;
            }
            self.say(Tone::Heading, &heading);
            if inc.step.as_deref() != Some(step.id.as_str()) {
                self.record(&mut inc, &Change::Step(step.id.clone()))?;
            }
            self.intro(step);
            match self.step(&mut inc, step)? {
                Flow::Next => {}
                Flow::Pause => {
                    self.say(
                        Tone::Text,
                        &format!(
                            "\nPaused at {}. Resume with `git incident respond {}`.",
                            step.title, inc.id
                        ),
                    );
                    return Ok(Outcome {
                        incident: inc,
                        finished: false,
                    });
                }
                Flow::Finish => {
                    return Ok(Outcome {
                        incident: inc,
                        finished: true,
                    });
                }
            }
        }
        let finished = inc.status.is_final();
        if !finished {
            self.say(
                Tone::Text,
                &format!(
                    "\nThe runbook is done; {} is {}. `git incident close {}` closes it when it is ready.",
                    inc.id, inc.status, inc.id
                ),
            );
        }
        Ok(Outcome {
            incident: inc,
            finished,
        })
    }

    /// A step's guidance, examples and caution.
    fn intro(&mut self, step: &Step) {
        if !step.guidance.trim().is_empty() {
            self.say(Tone::Text, &indent(step.guidance.trim()));
        }
        if !step.examples.is_empty() {
            let list: Vec<String> = step.examples.iter().map(|e| format!("  - {e}")).collect();
            self.say(Tone::Text, &list.join("\n"));
        }
        if let Some(caution) = &step.caution {
            self.say(Tone::Warn, caution);
        }
    }

    fn step(&mut self, inc: &mut Incident, step: &Step) -> Result<Flow, EngineError> {
        let checks = self.checklist(inc, step)?;
        let flow = match step.kind {
            StepKind::Acknowledge => self.acknowledge(inc)?,
            StepKind::Lead => self.lead(inc)?,
            StepKind::Stabilize => self.stabilize(inc)?,
            StepKind::Investigate => self.investigate(inc)?,
            StepKind::Communicate => self.communicate(inc)?,
            StepKind::Mitigate => self.mitigate(inc)?,
            StepKind::Recover => self.recover(inc, checks)?,
            StepKind::Review => self.review(inc)?,
            StepKind::Prevention => Flow::Next,
            StepKind::Checklist => Flow::Next,
        };
        if !matches!(flow, Flow::Next) {
            return Ok(flow);
        }
        self.prompts(inc, step)?;
        if step.kind == StepKind::Prevention {
            return self.prevention(inc);
        }
        Ok(Flow::Next)
    }

    /// Ticks the step's checklist and keeps it as a note. Returns how many
    /// items are done of how many, if the step has a checklist.
    fn checklist(
        &mut self,
        inc: &mut Incident,
        step: &Step,
    ) -> Result<Option<(usize, usize)>, EngineError> {
        if step.checklist.is_empty() {
            return Ok(None);
        }
        let head = format!("{} checklist:", step.title);
        if let Some(note) = inc.notes.iter().find(|n| n.text.starts_with(&head)) {
            // Answered before an interruption: not asked twice.
            let first = note.text.lines().next().unwrap_or_default().to_owned();
            let done = note.text.lines().filter(|l| l.starts_with("[x]")).count();
            self.say(Tone::Text, &format!("  {first} (recorded)"));
            return Ok(Some((done, step.checklist.len())));
        }
        let checked = vec![false; step.checklist.len()];
        let picked = self.prompter.multi_select(
            &format!("{} checklist", step.title),
            &step.checklist,
            &checked,
        );
        let picked = self.ask(picked)?;
        let total = step.checklist.len();
        let mut text = format!("{head} {} of {total} done", picked.len());
        for (i, item) in step.checklist.iter().enumerate() {
            let mark = if picked.contains(&i) { "[x]" } else { "[ ]" };
            let _ = write!(text, "\n{mark} {item}");
        }
        self.record(inc, &Change::Note(text))?;
        Ok(Some((picked.len(), total)))
    }

    /// The step's own questions: review fields go to the review, any other
    /// answer becomes a note that starts with its question.
    fn prompts(&mut self, inc: &mut Incident, step: &Step) -> Result<(), EngineError> {
        for prompt in &step.prompts {
            let field = review_field(&prompt.id);
            let answered = match field {
                Some(f) => inc
                    .review
                    .as_ref()
                    .is_some_and(|r| !f.get(r).trim().is_empty()),
                None => inc
                    .notes
                    .iter()
                    .any(|n| n.text.lines().next() == Some(prompt.text.as_str())),
            };
            if answered {
                self.say(Tone::Text, &format!("  {} (answered)", prompt.text));
                continue;
            }
            let answer = if prompt.long {
                self.long_text(&prompt.text, "")?
            } else {
                self.input(&prompt.text, Some(""))?
            };
            if answer.is_empty() {
                continue;
            }
            let change = match field {
                Some(f) => Change::Review(f.set(answer)),
                None => Change::Note(format!("{}\n{answer}", prompt.text)),
            };
            self.record(inc, &change)?;
        }
        Ok(())
    }

    fn acknowledge(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        if !self.runbook.what_is_an_incident.is_empty() {
            let mut text = "  An incident is any unplanned event that:".to_owned();
            for item in &self.runbook.what_is_an_incident {
                let _ = write!(text, "\n  - {item}");
            }
            self.say(Tone::Text, &text);
        }
        loop {
            if self.confirm("Is it real? Acknowledge it and begin tracking", Some(true))? {
                if self.record(inc, &Change::Ack)? {
                    return Ok(Flow::Next);
                }
                return Ok(Flow::Pause);
            }
            let items = [
                "Not an incident: decline it",
                "A duplicate of another incident",
                "Withdrawn: cancel it",
                "Not sure yet: leave it declared for now",
                "Go back",
            ]
            .map(str::to_owned);
            let change = match self.select("What is it, then", &items, Some(3))? {
                0 => Change::Decline {
                    why: self.input_required("Why is it not an incident?", None, "reason")?,
                },
                1 => Change::Duplicate {
                    of: self.input_required(
                        "The same as which incident (such as INC-7)?",
                        None,
                        "id",
                    )?,
                },
                2 => Change::Cancel {
                    why: self.input_required("Why is it withdrawn?", None, "reason")?,
                },
                3 => return Ok(Flow::Pause),
                _ => continue,
            };
            if self.record(inc, &change)? {
                return Ok(Flow::Finish);
            }
        }
    }

    fn lead(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        if let Some(lead) = inc.lead.clone() {
            self.say(Tone::Text, &format!("  {lead} leads {}.", inc.id));
            if !self.confirm("Hand the lead over to someone else?", Some(false))? {
                return Ok(Flow::Next);
            }
            loop {
                let who = self.identity("New lead (Name <email>)", None)?;
                if self.record(inc, &Change::Lead(who))? {
                    return Ok(Flow::Next);
                }
            }
        }
        let me = self.policy.me.to_string();
        loop {
            let who = self.identity("Incident lead (Name <email>)", Some(&me))?;
            if self.record(inc, &Change::Lead(who))? {
                return Ok(Flow::Next);
            }
        }
    }

    fn stabilize(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        let mut items: Vec<String> = MITIGATIONS.iter().map(|(_, l)| (*l).to_owned()).collect();
        items.push("Nothing yet: go on to the investigation".to_owned());
        loop {
            let i = self.select("How are you stopping the impact", &items, None)?;
            let Some((kind, _)) = MITIGATIONS.get(i) else {
                self.say(
                    Tone::Text,
                    "  Record the measure when there is one: the Mitigation step asks again, or `git incident mitigate`.",
                );
                return Ok(Flow::Next);
            };
            self.mitigation(inc, *kind)?;
            if !self.confirm("Record another stabilizing measure?", Some(false))? {
                return Ok(Flow::Next);
            }
        }
    }

    /// Asks for one mitigation of `kind` and records it.
    fn mitigation(&mut self, inc: &mut Incident, kind: MitigationKind) -> Result<(), EngineError> {
        loop {
            let action = self.input_required("What exactly was done", None, "mitigation")?;
            let (temporary_default, plan) = cleanup_default(kind);
            let temporary = self.confirm(
                "Is it temporary, to be undone later?",
                Some(temporary_default),
            )?;
            let mut m = NewMitigation {
                kind: Some(kind),
                action,
                temporary,
                ..NewMitigation::default()
            };
            if temporary {
                let plan = plan.filter(|_| temporary_default);
                m.cleanup = Some(self.input_required("Cleanup plan", plan, "cleanup plan")?);
                m.target = self.input_optional(
                    "What did it change (a flag, a config file, a deployment)? Empty to skip",
                    "target",
                )?;
                if m.target.is_some() {
                    m.before = self
                        .input_optional("Its stable state, which the cleanup restores", "state")?;
                    m.after = self.input_optional("Its temporary state, now in place", "state")?;
                }
            }
            if self.record(inc, &Change::Mitigate(m))? {
                return Ok(());
            }
        }
    }

    fn investigate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        let sev = inc.severity.clone();
        if !self.confirm(&format!("Is {sev} still the right severity?"), Some(true))? {
            let to = self.pick_severity(
                "New severity (when unsure, pick the higher level)",
                Some(&sev),
            )?;
            if to != sev {
                let why = self.input_optional("Why (empty to skip)", "reason")?;
                self.record(inc, &Change::Severity { to, why })?;
            }
        }
        self.findings(inc)?;
        Ok(Flow::Next)
    }

    /// Findings, one note each, until an empty answer.
    fn findings(&mut self, inc: &mut Incident) -> Result<(), EngineError> {
        loop {
            let Some(text) =
                self.input_optional("Finding for the notes (empty when done)", "note")?
            else {
                return Ok(());
            };
            self.record(inc, &Change::Note(text))?;
        }
    }

    fn communicate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        let cadence = self.policy.update_cadence.get(&inc.severity).copied();
        let overdue = self.cadence_reminder(inc);
        if let (false, Some(c)) = (overdue, cadence) {
            self.say(
                Tone::Text,
                &format!(
                    "  {} expects an update every {}.",
                    inc.severity,
                    human_duration(c)
                ),
            );
        }
        let audiences = [
            "Internal stakeholders".to_owned(),
            "External: customers, status page".to_owned(),
        ];
        loop {
            let audience = match self.select("Who is this update for", &audiences, Some(0))? {
                0 => Audience::Internal,
                _ => Audience::External,
            };
            let proposal = propose_update(inc, audience, cadence, self.journal.now());
            self.say(
                Tone::Text,
                &format!("  Proposed update:\n{}", indent(&indent(&proposal))),
            );
            let choices = [
                "Post it as it is",
                "Edit it first",
                "Write a different one",
                "No update now",
            ]
            .map(str::to_owned);
            let text = match self.select("Post this update?", &choices, Some(0))? {
                0 => proposal,
                1 => self.long_text("Edit the update", &proposal)?,
                2 => self.input("Your update", Some(""))?,
                _ => return Ok(Flow::Next),
            };
            if !text.is_empty() {
                self.record(inc, &Change::Update { text, audience })?;
            }
            if !self.confirm("Post another update (for another audience)?", Some(false))? {
                return Ok(Flow::Next);
            }
        }
    }

    fn mitigate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        if !inc.mitigations.is_empty() {
            let mut text = "  In place so far:".to_owned();
            for m in &inc.mitigations {
                let state = if m.is_pending() {
                    ", temporary"
                } else if m.cleaned_up_at.is_some() {
                    ", cleaned up"
                } else {
                    ""
                };
                let _ = write!(
                    text,
                    "\n  {} {}{state}: {}",
                    m.id,
                    m.kind.as_str(),
                    m.action
                );
            }
            self.say(Tone::Text, &text);
        }
        let items: Vec<String> = MITIGATIONS.iter().map(|(_, l)| (*l).to_owned()).collect();
        loop {
            let prompt = if inc.mitigations.is_empty() {
                "Record a mitigation?"
            } else {
                "Record a further mitigation?"
            };
            if !self.confirm(prompt, Some(inc.mitigations.is_empty()))? {
                return Ok(Flow::Next);
            }
            let i = self.select("What kind of measure", &items, None)?;
            self.mitigation(inc, MITIGATIONS[i].0)?;
        }
    }

    fn recover(
        &mut self,
        inc: &mut Incident,
        checks: Option<(usize, usize)>,
    ) -> Result<Flow, EngineError> {
        let pending: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !pending.is_empty() {
            self.say(
                Tone::Text,
                "  Temporary measures still in place, to clean up one by one:",
            );
        }
        for mid in pending {
            let Some(m) = inc.mitigation(&mid).cloned() else {
                continue;
            };
            let mut text = format!("  {} {}: {}", m.id, m.kind.as_str(), m.action);
            if let Some(plan) = &m.cleanup {
                let _ = write!(text, "\n    cleanup plan: {plan}");
            }
            // The same diff as `git incident cleanup` shows: what the
            // cleanup must apply.
            match crate::render::cleanup::diff(&m) {
                Some(diff) => {
                    for line in diff.lines() {
                        let _ = write!(text, "\n    {line}");
                    }
                }
                None => {
                    if let Some(target) = &m.target {
                        let _ = write!(text, "\n    it changed {target}");
                    }
                }
            }
            if m.kind == MitigationKind::Flag {
                let _ = write!(
                    text,
                    "\n    Re-enable gradually (for example 10%, 50%, 100%) and watch error rates at each stage."
                );
            }
            self.say(Tone::Text, &text);
            let items = [
                "Cleaned up: it is undone".to_owned(),
                "Keep it: make it permanent".to_owned(),
                "Not yet: it stays in place for now".to_owned(),
            ];
            match self.select(&format!("{}: cleaned up?", m.id), &items, Some(2))? {
                0 => {
                    let note = self.input_optional("How was it cleaned up (optional)", "note")?;
                    self.record(
                        inc,
                        &Change::CleanupDone {
                            mitigation: m.id.clone(),
                            note,
                        },
                    )?;
                }
                1 => {
                    let why = self.input_required("Why does it stay?", None, "reason")?;
                    self.record(
                        inc,
                        &Change::CleanupKeep {
                            mitigation: m.id.clone(),
                            why,
                        },
                    )?;
                }
                _ => {}
            }
        }
        if inc.status < Status::Resolved {
            let stable = checks.is_none_or(|(done, total)| done == total);
            if !stable {
                self.say(
                    Tone::Warn,
                    "not every recovery check is done; do not resolve until the system is stable",
                );
            }
            let prompt = format!("Is the service restored and stable? Resolve {}", inc.id);
            if !self.confirm(&prompt, Some(stable))? {
                self.say(Tone::Text, "  Keep monitoring.");
                return Ok(Flow::Pause);
            }
            let summary = self.input_optional("How was it resolved (optional)", "summary")?;
            if !self.record(inc, &Change::Resolve { summary })? {
                return Ok(Flow::Pause);
            }
        }
        let still: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !still.is_empty() {
            self.say(
                Tone::Warn,
                &format!(
                    "{} still in place: {} cannot close until cleaned up (`git incident cleanup` lists it)",
                    still.join(", "),
                    inc.id
                ),
            );
        }
        Ok(Flow::Next)
    }

    fn review(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        let timeline = match self.journal.timeline(inc) {
            Ok(t) => t,
            Err(JournalError::Ledger(e)) => return Err(EngineError::Ledger(e)),
            Err(JournalError::Refused(e)) => {
                self.say(Tone::Warn, &format!("no timeline: {e}"));
                Vec::new()
            }
        };
        if !timeline.is_empty() {
            self.say(
                Tone::Text,
                &format!(
                    "  Timeline, from the ledger's history:\n{}",
                    render_timeline(&timeline)
                ),
            );
        }
        // The review's questions are the step's prompts, asked by `step`.
        Ok(Flow::Next)
    }

    fn prevention(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        if !inc.actions.is_empty() {
            let mut text = "  Follow-up actions so far:".to_owned();
            for a in &inc.actions {
                let _ = write!(
                    text,
                    "\n  {} {} ({}): {}",
                    a.id,
                    a.kind.as_str(),
                    name_of(&a.owner),
                    a.text
                );
            }
            self.say(Tone::Text, &text);
        } else if self.policy.review_required.contains(&inc.severity) {
            self.say(
                Tone::Text,
                &format!(
                    "  {} needs at least one follow-up action before it closes.",
                    inc.severity
                ),
            );
        }
        let kinds: Vec<String> = ACTION_KINDS.iter().map(|(_, l)| (*l).to_owned()).collect();
        let me = self.policy.me.to_string();
        while let Some(text) =
            self.input_optional("Follow-up action (empty when done)", "action")?
        {
            let kind = ACTION_KINDS[self.select("What does it improve", &kinds, Some(0))?].0;
            let owner = self.identity("Owner (Name <email>)", Some(&me))?;
            let due = self.due_date()?;
            self.record(
                inc,
                &Change::Action(NewAction {
                    text,
                    owner,
                    kind,
                    due,
                }),
            )?;
        }
        self.close(inc)
    }

    fn due_date(&mut self) -> Result<Option<NaiveDate>, EngineError> {
        let default = (self.journal.now() + Duration::days(DEFAULT_DUE_DAYS))
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        loop {
            let answer = self.input("Due date (YYYY-MM-DD, `none`)", Some(&default))?;
            if answer.is_empty() || answer.eq_ignore_ascii_case("none") {
                return Ok(None);
            }
            match NaiveDate::parse_from_str(&answer, "%Y-%m-%d") {
                Ok(d) => return Ok(Some(d)),
                Err(_) => self.say(
                    Tone::Warn,
                    &format!("`{answer}` is not a date such as {default}"),
                ),
            }
        }
    }

    /// Offers to close, unless temporary measures are still in place.
    fn close(&mut self, inc: &mut Incident) -> Result<Flow, EngineError> {
        let pending: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !pending.is_empty() {
            self.say(
                Tone::Warn,
                &format!(
                    "{} cannot close while {} {} in place; clean up, then run `git incident respond {}` again",
                    inc.id,
                    pending.join(", "),
                    if pending.len() == 1 { "is" } else { "are" },
                    inc.id
                ),
            );
            return Ok(Flow::Pause);
        }
        if inc.status != Status::Resolved {
            self.say(
                Tone::Warn,
                &format!(
                    "{} is {}, not resolved: it cannot close yet",
                    inc.id, inc.status
                ),
            );
            return Ok(Flow::Pause);
        }
        if !self.confirm(&format!("Close {}?", inc.id), Some(true))? {
            return Ok(Flow::Pause);
        }
        if self.record(inc, &Change::Close)? {
            Ok(Flow::Finish)
        } else {
            Ok(Flow::Pause)
        }
    }
}

/// Whether a step's work is already done, so the walk passes it by.
fn done(step: &Step, inc: &Incident) -> bool {
    match step.kind {
        StepKind::Acknowledge => inc.status != Status::Declared,
        StepKind::Stabilize => !inc.mitigations.is_empty() || inc.status >= Status::Resolved,
        StepKind::Recover => {
            inc.status >= Status::Resolved && inc.pending_mitigations().next().is_none()
        }
        StepKind::Review => {
            let review = inc.review.clone().unwrap_or_default();
            step.prompts
                .iter()
                .all(|p| review_field(&p.id).is_some_and(|f| !f.get(&review).trim().is_empty()))
                && !step.prompts.is_empty()
        }
        StepKind::Lead
        | StepKind::Investigate
        | StepKind::Communicate
        | StepKind::Mitigate
        | StepKind::Prevention
        | StepKind::Checklist => false,
    }
}

/// A review field named by a prompt's id.
#[derive(Debug, Clone, Copy)]
enum Field {
    WhatHappened,
    RootCause,
    WentWell,
    WentWrong,
}

fn review_field(id: &str) -> Option<Field> {
    Some(match id {
        "what_happened" => Field::WhatHappened,
        "root_cause" => Field::RootCause,
        "went_well" => Field::WentWell,
        "went_wrong" => Field::WentWrong,
        _ => return None,
    })
}

impl Field {
    fn get(self, review: &crate::domain::Review) -> &str {
        match self {
            Field::WhatHappened => &review.what_happened,
            Field::RootCause => &review.root_cause,
            Field::WentWell => &review.went_well,
            Field::WentWrong => &review.went_wrong,
        }
    }

    fn set(self, value: String) -> ReviewFields {
        let mut fields = ReviewFields::default();
        match self {
            Field::WhatHappened => fields.what_happened = Some(value),
            Field::RootCause => fields.root_cause = Some(value),
            Field::WentWell => fields.went_well = Some(value),
            Field::WentWrong => fields.went_wrong = Some(value),
        }
        fields
    }
}

/// A stakeholder update built from where the incident stands: verified
/// facts only, and when the next update comes.
pub fn propose_update(
    inc: &Incident,
    audience: Audience,
    cadence: Option<Duration>,
    now: DateTime<Utc>,
) -> String {
    let mut lines = Vec::new();
    let services = if inc.services.is_empty() {
        String::new()
    } else {
        format!(" ({})", inc.services.join(", "))
    };
    match audience {
        Audience::Internal => {
            lines.push(format!(
                "[{}] {} {}: {}.",
                inc.severity, inc.id, inc.title, inc.status
            ));
            if let Some(impact) = &inc.impact {
                lines.push(format!("Impact: {impact}{services}."));
            } else if !services.is_empty() {
                lines.push(format!("Affected:{services}."));
            }
            let in_place: Vec<String> = inc
                .mitigations
                .iter()
                .filter(|m| m.cleaned_up_at.is_none())
                .map(|m| {
                    let temp = if m.is_pending() { ", temporary" } else { "" };
                    format!("{} ({}{temp})", m.action, m.kind.as_str())
                })
                .collect();
            if !in_place.is_empty() {
                lines.push(format!("In place: {}.", in_place.join("; ")));
            }
            let finding = inc
                .notes
                .iter()
                .rev()
                .find(|n| !n.text.contains(" checklist:") && !n.text.contains('\n'));
            if let Some(note) = finding {
                lines.push(format!("Latest finding: {}", note.text.trim_end_matches('.')) + ".");
            }
            if let Some(lead) = &inc.lead {
                lines.push(format!("Lead: {}.", name_of(lead)));
            }
        }
        Audience::External => {
            let state = match inc.status {
                Status::Declared | Status::Acknowledged => "We are investigating",
                Status::Mitigated => "A fix is in place and we are monitoring the results",
                _ => "This issue is resolved",
            };
            lines.push(format!("{}: {state}.", inc.title));
            if let Some(impact) = &inc.impact {
                lines.push(format!("Impact: {impact}."));
            }
        }
    }
    if let Some(c) = cadence
        && inc.status.is_open()
    {
        lines.push(format!("Next update by {} UTC.", (now + c).format("%H:%M")));
    }
    lines.join("\n")
}

/// The review's timeline as lines: time, who, what.
pub fn render_timeline(entries: &[TimelineEntry]) -> String {
    let days: std::collections::BTreeSet<NaiveDate> =
        entries.iter().map(|e| e.at.date_naive()).collect();
    let format = if days.len() > 1 {
        "%Y-%m-%d %H:%M"
    } else {
        "%H:%M"
    };
    let width = entries
        .iter()
        .map(|e| e.who.as_deref().map_or(0, |w| w.chars().count()))
        .max()
        .unwrap_or(0);
    entries
        .iter()
        .map(|e| {
            format!(
                "    {}  {:<width$}  {}",
                e.at.format(format),
                e.who.as_deref().unwrap_or(""),
                e.what
            )
            .trim_end()
            .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn name_of(who: &str) -> &str {
    who.split_once('<').map_or(who, |(name, _)| name.trim())
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
