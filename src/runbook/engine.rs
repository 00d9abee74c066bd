//! Guided response: walks the runbook's steps, asks through a [`Prompter`],
//! and turns every answer into a [`Change`] that a [`Journal`] commits at
//! once, so an interrupted walk loses nothing and resumes where it stopped.
//!
//! The engine reads no clock, no terminal and no file itself: the journal
//! gives the time and records changes, the prompter asks. Unit tests run it
//! with scripted answers against an in-memory journal.
//!
//! This file holds the walk (where to start, which steps apply, what is
//! already done, checklists and a step's own questions); `steps.rs` holds
//! the work of each kind of step.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Duration, FixedOffset, NaiveDate};

use super::prompt::{PromptError, Prompter, Tone};
use crate::domain::change::check_text;
use crate::domain::identity::name_of;
use crate::domain::when::{TimeError, human_duration, parse_time};
use crate::domain::{Change, ChangeError, Declaration, Identity, Incident, ReviewFields, Status};

use super::journal::{Journal, JournalError, TimelineEntry};
use super::{Runbook, Step, StepKind};

mod steps;

pub use steps::propose_update;

/// Why a walk stopped early; `E` is the journal's own failure.
#[derive(Debug, thiserror::Error)]
pub enum EngineError<E> {
    /// Ctrl-C: everything answered before is recorded.
    #[error("interrupted")]
    Interrupted { id: Option<String> },
    #[error(transparent)]
    Prompt(PromptError),
    /// The journal failed to record.
    #[error(transparent)]
    Journal(E),
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

/// The walk over one incident, recording through a journal whose failures
/// are `E`.
pub struct Engine<'a, E> {
    runbook: &'a Runbook,
    policy: &'a Policy,
    prompter: &'a mut dyn Prompter,
    journal: &'a mut dyn Journal<Error = E>,
    /// The incident being walked, for an interruption's message.
    current: Option<String>,
    /// The walk goes on where an earlier one stopped.
    resumed: bool,
}

impl<'a, E> Engine<'a, E> {
    pub fn new(
        runbook: &'a Runbook,
        policy: &'a Policy,
        prompter: &'a mut dyn Prompter,
        journal: &'a mut dyn Journal<Error = E>,
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
    pub fn respond(&mut self, existing: Option<Incident>) -> Result<Outcome, EngineError<E>> {
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

    fn ask<T>(&mut self, result: Result<T, PromptError>) -> Result<T, EngineError<E>> {
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

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, EngineError<E>> {
        let answer = self.prompter.input(prompt, default);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks until the answer is a usable text.
    fn input_required(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        what: &str,
    ) -> Result<String, EngineError<E>> {
        loop {
            let answer = self.input(prompt, default)?;
            match check_text(what, &answer) {
                Ok(()) => return Ok(answer),
                Err(e) => self.say(Tone::Warn, &e.to_string()),
            }
        }
    }

    /// An optional text: empty means none.
    fn input_optional(
        &mut self,
        prompt: &str,
        what: &str,
    ) -> Result<Option<String>, EngineError<E>> {
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
    ) -> Result<usize, EngineError<E>> {
        let answer = self.prompter.select(prompt, items, default);
        self.ask(answer)
    }

    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, EngineError<E>> {
        let answer = self.prompter.confirm(prompt, default);
        self.ask(answer)
    }

    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, EngineError<E>> {
        let answer = self.prompter.long_text(prompt, initial);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks for an identity (`me` is the responder) until one reads.
    fn identity(
        &mut self,
        prompt: &str,
        default: Option<&str>,
    ) -> Result<Identity, EngineError<E>> {
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
    ) -> Result<String, EngineError<E>> {
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
    fn record(&mut self, inc: &mut Incident, change: &Change) -> Result<bool, EngineError<E>> {
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
            Err(JournalError::Failed(e)) => Err(EngineError::Journal(e)),
        }
    }

    // ---- declaring ----------------------------------------------------

    /// Asks what a new incident is and declares it: one commit.
    pub fn declare(&mut self) -> Result<Incident, EngineError<E>> {
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
            Err(JournalError::Failed(e)) => return Err(EngineError::Journal(e)),
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
    pub fn walk(&mut self, mut inc: Incident) -> Result<Outcome, EngineError<E>> {
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

    fn step(&mut self, inc: &mut Incident, step: &Step) -> Result<Flow, EngineError<E>> {
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
    ) -> Result<Option<(usize, usize)>, EngineError<E>> {
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
    fn prompts(&mut self, inc: &mut Incident, step: &Step) -> Result<(), EngineError<E>> {
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

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests;
