//! Asking: each question of the walk through the prompter, an
//! interruption turned into [`EngineError::Interrupted`], and answers read
//! until they are usable (a text the rules accept, an identity, a
//! severity); then the checklists and a step's own questions, whose answers
//! become notes or review fields.

use std::fmt::Write as _;

use crate::domain::change::check_text;
use crate::domain::given::{Given, given};
use crate::domain::runbook::Prompt;
use crate::domain::{Change, Identity, Incident, Note, Review, ReviewFields};
use crate::runbook::prompt::{PromptError, Tone};
use crate::runbook::{Step, StepKind};

use super::{Engine, EngineError};

/// What a prose prompt says besides its question.
pub(super) const PROSE_HINT: &str = "@FILE reads a file, @ alone takes several lines";

impl<E> Engine<'_, E> {
    pub(super) fn ask<T>(&mut self, result: Result<T, PromptError>) -> Result<T, EngineError<E>> {
        result.map_err(|e| match e {
            PromptError::Interrupted => EngineError::Interrupted {
                id: self.current.clone(),
            },
            other => EngineError::Prompt(other),
        })
    }

    pub(super) fn say(&mut self, tone: Tone, text: &str) {
        self.prompter.show(tone, text);
    }

    pub(super) fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
    ) -> Result<String, EngineError<E>> {
        let answer = self.prompter.input(prompt, default);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks until the answer is a usable text.
    pub(super) fn input_required(
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
    pub(super) fn input_optional(
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

    /// A prose answer, read as the command line reads it: `@FILE` reads a
    /// file, `@@` escapes a literal `@`, and a lone `@` takes several lines
    /// (the prompter's editor). Empty means none; a file that cannot be
    /// read, or a text the rules refuse, is said and asked again.
    pub(super) fn prose_optional(
        &mut self,
        prompt: &str,
        what: &str,
    ) -> Result<Option<String>, EngineError<E>> {
        let asked = match prompt.strip_suffix(')') {
            Some(open) => format!("{open}; {PROSE_HINT})"),
            None => format!("{prompt} ({PROSE_HINT})"),
        };
        loop {
            let answer = self.input(&asked, Some(""))?;
            let text = if answer == "@" {
                self.long_text(prompt, "")?
            } else {
                answer
            };
            let Some(text) = self.given(text) else {
                continue;
            };
            if text.trim().is_empty() {
                return Ok(None);
            }
            match check_text(what, &text) {
                Ok(()) => return Ok(Some(text)),
                Err(e) => self.say(Tone::Warn, &e.to_string()),
            }
        }
    }

    /// A long answer (the editor), where a lone `@FILE` line reads a file
    /// as it does at any prompt.
    pub(super) fn long_given(&mut self, prompt: &str) -> Result<String, EngineError<E>> {
        loop {
            let answer = self.long_text(prompt, "")?;
            if let Some(answer) = self.given(answer) {
                return Ok(answer);
            }
        }
    }

    /// A one-line answer as given: `@FILE` is the file's text, `@@` a
    /// literal `@`. `None` when the file cannot be read (said).
    pub(super) fn given(&mut self, answer: String) -> Option<String> {
        if answer.contains('\n') {
            return Some(answer);
        }
        match given(&answer) {
            Given::Text(text) if text.len() == answer.len() => Some(answer),
            Given::Text(text) => Some(text.to_owned()),
            Given::File(path) => match self.journal.read_file(path) {
                Ok(text) => {
                    let lines = text.lines().count();
                    let s = if lines == 1 { "" } else { "s" };
                    self.say(Tone::Text, &format!("  read {path} ({lines} line{s})"));
                    Some(text)
                }
                Err(e) => {
                    self.say(Tone::Warn, &format!("cannot read {path}: {e}"));
                    None
                }
            },
        }
    }

    pub(super) fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, EngineError<E>> {
        let answer = self.prompter.select(prompt, items, default);
        self.ask(answer)
    }

    pub(super) fn confirm(
        &mut self,
        prompt: &str,
        default: Option<bool>,
    ) -> Result<bool, EngineError<E>> {
        let answer = self.prompter.confirm(prompt, default);
        self.ask(answer)
    }

    pub(super) fn long_text(
        &mut self,
        prompt: &str,
        initial: &str,
    ) -> Result<String, EngineError<E>> {
        let answer = self.prompter.long_text(prompt, initial);
        Ok(self.ask(answer)?.trim().to_owned())
    }

    /// Asks for an identity (`me` is the responder) until one reads.
    pub(super) fn identity(
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

    pub(super) fn pick_severity(
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

    /// Ticks the step's checklist and keeps it as a note. Returns how many
    /// items are done of how many, if the step has a checklist.
    pub(super) fn checklist(
        &mut self,
        inc: &mut Incident,
        step: &Step,
    ) -> Result<Option<(usize, usize)>, EngineError<E>> {
        if step.checklist.is_empty() {
            return Ok(None);
        }
        let head = format!("{} checklist:", step.title);
        if let Some(note) = checklist_note(step, inc) {
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
        // A team's own step asks nothing after its checklist but its
        // questions; every other kind has its own work to follow.
        if step.kind == StepKind::Checklist {
            self.record_final(inc, &Change::Note(text))?;
        } else {
            self.record(inc, &Change::Note(text))?;
        }
        Ok(Some((picked.len(), total)))
    }

    /// The step's own questions: review fields go to the review, any other
    /// answer becomes a note that starts with its question.
    pub(super) fn prompts(
        &mut self,
        inc: &mut Incident,
        step: &Step,
    ) -> Result<(), EngineError<E>> {
        let last = step.prompts.iter().rposition(|p| !answered(p, inc));
        for (i, prompt) in step.prompts.iter().enumerate() {
            let field = review_field(&prompt.id);
            if answered(prompt, inc) {
                self.say(Tone::Text, &format!("  {} (answered)", prompt.text));
                continue;
            }
            let answer = if prompt.long {
                self.long_given(&prompt.text)?
            } else {
                match self.prose_optional(&prompt.text, "answer")? {
                    Some(answer) => answer,
                    None => continue,
                }
            };
            if answer.trim().is_empty() {
                continue;
            }
            let change = match field {
                Some(f) => Change::Review(f.set(answer)),
                None => Change::Note(format!("{}\n{answer}", prompt.text)),
            };
            if Some(i) == last && step.kind != StepKind::Prevention {
                self.questions_follow = false;
                self.record_final(inc, &change)?;
            } else {
                self.record(inc, &change)?;
            }
        }
        Ok(())
    }
}

/// The note that keeps a step's ticked checklist, once it is recorded.
pub(super) fn checklist_note<'a>(step: &Step, inc: &'a Incident) -> Option<&'a Note> {
    let head = format!("{} checklist:", step.title);
    inc.notes.iter().find(|n| n.text.starts_with(&head))
}

/// Whether a step's question has its answer recorded: in the review, or
/// as a note that starts with the question.
pub(super) fn answered(prompt: &Prompt, inc: &Incident) -> bool {
    match review_field(&prompt.id) {
        Some(f) => inc
            .review
            .as_ref()
            .is_some_and(|r| !f.get(r).trim().is_empty()),
        None => inc
            .notes
            .iter()
            .any(|n| n.text.lines().next() == Some(prompt.text.as_str())),
    }
}

/// A review field named by a prompt's id.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    WhatHappened,
    RootCause,
    WentWell,
    WentWrong,
}

pub(super) fn review_field(id: &str) -> Option<Field> {
    Some(match id {
        "what_happened" => Field::WhatHappened,
        "root_cause" => Field::RootCause,
        "went_well" => Field::WentWell,
        "went_wrong" => Field::WentWrong,
        _ => return None,
    })
}

impl Field {
    pub(super) fn get(self, review: &Review) -> &str {
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
