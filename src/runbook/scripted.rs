//! A prompter that answers from a script, for the engine's tests. Each
//! answer names a text the prompt must contain, so a test fails where the
//! walk diverges. Compiled for tests only; the pty tests drive the real
//! binary instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::prompt::{PromptError, Prompter, Tone, strip_comments};

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// Text for `input` or `long_text`.
    Text(String),
    /// The item at this index, for `select`.
    Pick(usize),
    /// The first item that contains this text, for `select`.
    PickText(String),
    /// These items, for `multi_select`.
    Checks(Vec<usize>),
    /// For `confirm`.
    Yes,
    No,
    /// Whatever the default is (Enter).
    Default,
    /// Ctrl-C.
    Interrupt,
}

/// Every prompt asked and line shown, in order, for tests to read.
pub(crate) type Transcript = Arc<Mutex<Vec<String>>>;

/// A prompter that answers from a script.
pub(crate) struct ScriptedPrompter {
    script: VecDeque<(String, Answer)>,
    transcript: Transcript,
}

impl ScriptedPrompter {
    pub(crate) fn new<S: Into<String>>(script: impl IntoIterator<Item = (S, Answer)>) -> Self {
        Self {
            script: script.into_iter().map(|(p, a)| (p.into(), a)).collect(),
            transcript: Arc::default(),
        }
    }

    /// The transcript, shared, so it can be read after the prompter is gone.
    pub(crate) fn transcript(&self) -> Transcript {
        Arc::clone(&self.transcript)
    }

    /// Answers still unused.
    pub(crate) fn remaining(&self) -> usize {
        self.script.len()
    }

    fn next(&mut self, kind: &str, prompt: &str) -> Result<Answer, PromptError> {
        self.log(format!("? {prompt}"));
        let Some((expected, answer)) = self.script.pop_front() else {
            return Err(PromptError::ScriptExhausted(prompt.to_owned()));
        };
        assert!(
            prompt.contains(&expected),
            "the script expected a prompt containing {expected:?}, but the {kind} asked {prompt:?}\ntranscript:\n{}",
            self.transcript
                .lock()
                .map(|t| t.join("\n"))
                .unwrap_or_default()
        );
        if answer == Answer::Interrupt {
            return Err(PromptError::Interrupted);
        }
        Ok(answer)
    }

    fn log(&self, line: String) {
        if let Ok(mut t) = self.transcript.lock() {
            t.push(line);
        }
    }
}

fn wrong(kind: &str, prompt: &str, answer: &Answer) -> ! {
    panic!("the script answered the {kind} {prompt:?} with {answer:?}")
}

impl Prompter for ScriptedPrompter {
    fn show(&mut self, _tone: Tone, text: &str) {
        self.log(text.to_owned());
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, PromptError> {
        match self.next("input", prompt)? {
            Answer::Text(t) => Ok(t),
            Answer::Default if default.is_some() => Ok(default.unwrap_or_default().to_owned()),
            other => wrong("input", prompt, &other),
        }
    }

    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, PromptError> {
        match self.next("select", prompt)? {
            Answer::Pick(i) if i < items.len() => Ok(i),
            Answer::PickText(t) => match items.iter().position(|item| item.contains(&t)) {
                Some(i) => Ok(i),
                None => panic!("no item of {prompt:?} contains {t:?}: {items:?}"),
            },
            Answer::Default => Ok(default.unwrap_or(0)),
            other => wrong("select", prompt, &other),
        }
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>, PromptError> {
        match self.next("checklist", prompt)? {
            Answer::Checks(picked) if picked.iter().all(|&i| i < items.len()) => Ok(picked),
            Answer::Default => Ok((0..items.len())
                .filter(|&i| checked.get(i).copied().unwrap_or(false))
                .collect()),
            other => wrong("checklist", prompt, &other),
        }
    }

    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, PromptError> {
        match self.next("confirm", prompt)? {
            Answer::Yes => Ok(true),
            Answer::No => Ok(false),
            Answer::Default if default.is_some() => Ok(default.unwrap_or_default()),
            other => wrong("confirm", prompt, &other),
        }
    }

    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, PromptError> {
        match self.next("editor", prompt)? {
            Answer::Text(t) => Ok(strip_comments(&t)),
            Answer::Default => Ok(initial.trim().to_owned()),
            other => wrong("editor", prompt, &other),
        }
    }
}

/// Declaring a SEV-1 with the default runbook: title, severity, services,
/// impact and start.
pub(crate) fn declare_script() -> Vec<(&'static str, Answer)> {
    let text = |t: &str| Answer::Text(t.to_owned());
    vec![
        ("Title", text("Checkout API returning 502s")),
        ("Severity", Answer::Pick(0)),
        ("Affected services", text("checkout-api, payments")),
        ("Impact", text("About 30% of checkout attempts fail")),
        ("When did the impact start", text("10m ago")),
    ]
}

/// The default runbook's stabilize step: one temporary flag, with its
/// target and both states.
pub(crate) fn stabilize_script() -> Vec<(&'static str, Answer)> {
    let text = |t: &str| Answer::Text(t.to_owned());
    vec![
        (
            "How are you stopping the impact",
            Answer::PickText("flag".to_owned()),
        ),
        (
            "What exactly was done",
            text("Disabled flag new-checkout-flow"),
        ),
        ("temporary", Answer::Default),
        ("Cleanup plan", Answer::Default),
        ("What did it change", text("flags/checkout.toml")),
        ("stable state", text("new-checkout-flow = true")),
        ("temporary state", text("new-checkout-flow = false")),
    ]
}
