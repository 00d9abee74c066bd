//! Asking the responder: the [`Prompter`] port that guided response talks
//! to, and [`AcceptDefaults`], the `--yes` policy, which wraps any
//! prompter.
//!
//! The engine owns this contract; `ui::terminal` implements it for a real
//! terminal, and `runbook::scripted` for tests. Nothing here knows about
//! incidents, the ledger or a terminal: a prompter asks questions and shows
//! lines of text, and says when the responder pressed Ctrl-C.

/// What a line of text is, so a prompter can style it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// A step's title.
    Heading,
    /// Guidance and facts.
    Text,
    /// Something the responder should not miss.
    Warn,
    /// What was just recorded.
    Done,
}

/// Why a question got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PromptError {
    /// The responder pressed Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// The terminal could not be read or written.
    #[error("the terminal failed: {0}")]
    Terminal(String),
    /// A scripted prompter was asked a question its script does not answer.
    #[cfg(test)]
    #[error("the script has no answer for `{0}`")]
    ScriptExhausted(String),
}

/// Everything guided response may ask. Each call blocks until answered.
pub(crate) trait Prompter {
    /// Shows a line (or lines) of text.
    fn show(&mut self, tone: Tone, text: &str);
    /// One line of text. `Some("")` means an empty answer is the default.
    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, PromptError>;
    /// One of `items`; `default` is where the cursor starts and what `--yes`
    /// accepts.
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, PromptError>;
    /// Any of `items` (a checklist); `checked` is the default.
    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>, PromptError>;
    /// Yes or no.
    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, PromptError>;
    /// A long answer, in the editor; `initial` is the text to start from (and
    /// the default when not empty). Returns the text without comment lines.
    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, PromptError>;
}

/// `--yes`: answers every question that has a default with that default,
/// and asks the wrapped prompter the others.
pub(crate) struct AcceptDefaults<P>(pub P);

impl<P: Prompter> Prompter for AcceptDefaults<P> {
    fn show(&mut self, tone: Tone, text: &str) {
        self.0.show(tone, text);
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, PromptError> {
        match default {
            Some(d) => {
                self.0.show(Tone::Text, &format!("{prompt}: {d}"));
                Ok(d.to_owned())
            }
            None => self.0.input(prompt, default),
        }
    }

    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, PromptError> {
        match default.filter(|&d| d < items.len()) {
            Some(d) => {
                self.0.show(Tone::Text, &format!("{prompt}: {}", items[d]));
                Ok(d)
            }
            None => self.0.select(prompt, items, default),
        }
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>, PromptError> {
        let picked: Vec<usize> = (0..items.len())
            .filter(|&i| checked.get(i).copied().unwrap_or(false))
            .collect();
        let names: Vec<&str> = picked.iter().map(|&i| items[i].as_str()).collect();
        self.0
            .show(Tone::Text, &format!("{prompt}: {}", names.join(", ")));
        Ok(picked)
    }

    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, PromptError> {
        match default {
            Some(d) => {
                let word = if d { "yes" } else { "no" };
                self.0.show(Tone::Text, &format!("{prompt} {word}"));
                Ok(d)
            }
            None => self.0.confirm(prompt, None),
        }
    }

    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, PromptError> {
        if initial.trim().is_empty() {
            return self.0.long_text(prompt, initial);
        }
        self.0
            .show(Tone::Text, &format!("{prompt}: {}", initial.trim()));
        Ok(initial.trim().to_owned())
    }
}

/// The text of an edited answer without its `#` comment lines.
pub(crate) fn strip_comments(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::scripted::{Answer, ScriptedPrompter};

    #[test]
    fn accept_defaults_answers_only_where_a_default_exists() {
        let inner = ScriptedPrompter::new([("Title", Answer::Text("DB down".into()))]);
        let transcript = inner.transcript();
        let mut yes = AcceptDefaults(inner);
        assert_eq!(
            yes.input("Lead", Some("Ada <a@b.c>")).unwrap(),
            "Ada <a@b.c>"
        );
        assert!(yes.confirm("Acknowledge?", Some(true)).unwrap());
        let items = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(yes.select("Pick", &items, Some(1)).unwrap(), 1);
        // No default: the wrapped prompter is asked.
        assert_eq!(yes.input("Title", None).unwrap(), "DB down");
        assert!(matches!(
            yes.confirm("Really?", None),
            Err(PromptError::ScriptExhausted(_))
        ));
        let log = transcript.lock().unwrap().join("\n");
        assert!(log.contains("Lead: Ada <a@b.c>"), "{log}");
        assert!(log.contains("? Title"), "{log}");
    }

    #[test]
    fn comments_are_not_part_of_an_answer() {
        assert_eq!(
            strip_comments("# What happened?\n# ignored\n\nA deploy broke it.\n"),
            "A deploy broke it."
        );
    }
}
