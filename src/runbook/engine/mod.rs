//! Guided response: walks the runbook's steps, asks through a [`Prompter`],
//! and turns every answer into a [`Change`] that a [`Journal`] commits at
//! once, so an interrupted walk loses nothing and resumes where it stopped.
//!
//! The engine reads no clock, no terminal and no file itself: the journal
//! gives the time and records changes, the prompter asks. Unit tests run it
//! with scripted answers against an in-memory journal.
//!
//! This file holds the walk: where to start, which steps apply, what is
//! already done, and recording a change. `ask.rs` holds the questions
//! (typed answers, checklists, a step's own prompts), `declare.rs` the
//! declaration and the summary on resume, `steps.rs` the work of each kind
//! of step, `meanwhile.rs` catching up with others who wrote between two
//! answers.

use std::collections::BTreeMap;

use chrono::{Duration, FixedOffset};

use crate::domain::{Change, ChangeError, Identity, Incident, Status};

use super::journal::{Journal, JournalError};
use super::prompt::{PromptError, Prompter, Tone};
use super::{Runbook, Step, StepKind};

mod ask;
mod declare;
mod meanwhile;
mod steps;

use ask::{answered, checklist_note, review_field};

/// Why a walk stopped early; `E` is the journal's own failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EngineError<E> {
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
pub(crate) struct Policy {
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
pub(crate) struct Outcome {
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
pub(crate) struct Engine<'a, E> {
    runbook: &'a Runbook,
    policy: &'a Policy,
    prompter: &'a mut dyn Prompter,
    journal: &'a mut dyn Journal<Error = E>,
    /// The incident being walked, for an interruption's message.
    current: Option<String>,
    /// The walk goes on where an earlier one stopped.
    resumed: bool,
    /// The step the walk stands at: each answer's record moves the
    /// incident's `step` here, so the position is never a record of its own.
    position: Option<String>,
    /// The step at hand asks more after its own work (its questions, or
    /// the follow-up actions): see [`Engine::record_final`].
    questions_follow: bool,
}

impl<'a, E> Engine<'a, E> {
    pub(crate) fn new(
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
            position: None,
            questions_follow: false,
        }
    }

    /// Declares a new incident when `existing` is `None`, else summarises
    /// where it stands; then walks the runbook from the incident's step.
    pub(crate) fn respond(
        &mut self,
        existing: Option<Incident>,
    ) -> Result<Outcome, EngineError<E>> {
        let incident = match existing {
            Some(incident) => {
                self.current = Some(incident.id.to_string());
                self.resumed = true;
                self.summary(&incident);
                incident
            }
            None => self.declare()?,
        };
        self.walk(incident)
    }

    /// Commits one change. `Ok(false)` when a rule refused it: the refusal
    /// is shown and the walk goes on. When others changed the incident
    /// meanwhile, it goes on from their state (see `meanwhile`); `Ok(true)`
    /// without a commit when theirs stands.
    fn record(&mut self, inc: &mut Incident, change: &Change) -> Result<bool, EngineError<E>> {
        if let Some(settled) = self.catch_up(inc, change)? {
            return Ok(settled);
        }
        let step = self.position.clone();
        match self
            .journal
            .apply(&inc.id.to_string(), change, step.as_deref())
        {
            Ok(recorded) => {
                self.say(
                    Tone::Done,
                    &format!("{} ({})", recorded.summary, recorded.commit),
                );
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

    /// Commits the answer that ends the step at hand: its record moves the
    /// incident's `step` on to the step the walk goes to next, so a walk
    /// stopped there resumes there. Another answer of the step would
    /// follow: as [`Engine::record`].
    fn record_final(
        &mut self,
        inc: &mut Incident,
        change: &Change,
    ) -> Result<bool, EngineError<E>> {
        if self.questions_follow {
            return self.record(inc, change);
        }
        let here = self.position.clone();
        if let Some(next) = self.next_step(inc) {
            self.position = Some(next);
        }
        let recorded = self.record(inc, change);
        self.position = here;
        recorded
    }

    /// The step after the one at hand that applies to the incident.
    fn next_step(&self, inc: &Incident) -> Option<String> {
        let steps = &self.runbook.steps;
        let here = steps
            .iter()
            .position(|s| Some(&s.id) == self.position.as_ref())?;
        steps[here + 1..]
            .iter()
            .find(|s| s.severities.is_empty() || s.severities.contains(&inc.severity))
            .map(|s| s.id.clone())
    }

    /// Where the walk starts: where the incident's state stands, or the
    /// incident's step where an earlier walk got further (it stopped at a
    /// step that records nothing the state shows, such as communication).
    /// Single commands move the state, not the step: an incident acked,
    /// mitigated and resolved by hand resumes at its review, not at step 1.
    ///
    /// Returns the first step to show and the first to walk: the step an
    /// earlier walk stopped at is shown as done when the state moved past
    /// it, so the responder sees where the walk picks up.
    fn start(&mut self, inc: &Incident) -> (usize, usize) {
        let steps = &self.runbook.steps;
        let by_state = state_start(steps, inc);
        let Some(step) = &inc.step else {
            return (by_state, by_state);
        };
        let Some(i) = steps.iter().position(|s| &s.id == step) else {
            let i = by_state.min(steps.len().saturating_sub(1));
            self.say(
                Tone::Warn,
                &format!(
                    "step `{step}` is not in the runbook in force; resuming at `{}`",
                    steps[i].id
                ),
            );
            return (i, i);
        };
        if i > state_ceiling(steps, inc) {
            // Past what the state allows (the incident was reopened): the
            // state says where it stands.
            (by_state, by_state)
        } else if i >= by_state {
            (i, i)
        } else {
            (i.max(by_state - 1), by_state)
        }
    }

    /// Walks the runbook from the incident's step to its end, or until the
    /// responder pauses.
    pub(crate) fn walk(&mut self, mut inc: Incident) -> Result<Outcome, EngineError<E>> {
        self.current = Some(inc.id.to_string());
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
        let (shown, start) = self.start(&inc);
        if self.resumed
            && let Some(step) = self.runbook.steps.get(start)
        {
            let title = &step.title;
            self.say(
                Tone::Text,
                &format!("  Continuing at step {} of {total}: {title}", start + 1),
            );
        }
        for (i, step) in self.runbook.steps.iter().enumerate().skip(shown) {
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
            if i < start || done(step, &inc) {
                self.say(Tone::Heading, &format!("{heading}: done"));
                continue;
            }
            self.say(Tone::Heading, &heading);
            self.position = Some(step.id.clone());
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
        self.questions_follow =
            step.kind == StepKind::Prevention || step.prompts.iter().any(|p| !answered(p, inc));
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
}

/// The first step the incident's state has not got past: one after the
/// last step whose work the state shows done (acknowledged, a lead, a
/// mitigation, resolved), never past what the state allows.
fn state_start(steps: &[Step], inc: &Incident) -> usize {
    let reached = steps
        .iter()
        .rposition(|s| passed(s, inc))
        .map_or(0, |i| i + 1);
    reached.min(state_ceiling(steps, inc))
}

/// The furthest step the incident's state allows the walk to stand at: an
/// unacknowledged incident is at acknowledge at the latest, an unresolved
/// one at recovery.
fn state_ceiling(steps: &[Step], inc: &Incident) -> usize {
    let first = |kind: StepKind| steps.iter().position(|s| s.kind == kind);
    let cap = if inc.status == Status::Declared {
        first(StepKind::Acknowledge)
    } else if inc.status < Status::Resolved {
        first(StepKind::Recover)
    } else {
        None
    };
    cap.unwrap_or(steps.len())
}

/// Whether the incident's state shows the walk is past this step.
fn passed(step: &Step, inc: &Incident) -> bool {
    match step.kind {
        StepKind::Lead => inc.lead.is_some() && inc.status != Status::Declared,
        // Resolving ends the work of the steps during the impact.
        StepKind::Investigate | StepKind::Communicate | StepKind::Mitigate => {
            inc.status >= Status::Resolved
        }
        _ => done(step, inc),
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
        // A team's own step: its checklist and every question recorded.
        StepKind::Checklist => {
            (!step.checklist.is_empty() || !step.prompts.is_empty())
                && (step.checklist.is_empty() || checklist_note(step, inc).is_some())
                && step.prompts.iter().all(|p| answered(p, inc))
        }
        StepKind::Lead
        | StepKind::Investigate
        | StepKind::Communicate
        | StepKind::Mitigate
        | StepKind::Prevention => false,
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
