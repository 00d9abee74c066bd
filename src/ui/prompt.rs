//! Asking the responder: the [`Prompter`] trait that guided response talks
//! to, its dialoguer implementation for a terminal, a scripted one for tests,
//! and [`AcceptDefaults`] for `--yes`.
//!
//! Nothing here knows about incidents or the ledger: a prompter asks
//! questions and shows lines of text, and says when the responder pressed
//! Ctrl-C.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use console::Term;
use dialoguer::theme::{ColorfulTheme, Theme};

use super::{paint, style};
use crate::render;

/// What a line of text is, so a prompter can style it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
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
pub enum PromptError {
    /// The responder pressed Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// The terminal could not be read or written.
    #[error("the terminal failed: {0}")]
    Terminal(String),
    /// A scripted prompter was asked a question its script does not answer.
    #[error("the script has no answer for `{0}`")]
    ScriptExhausted(String),
}

/// Everything guided response may ask. Each call blocks until answered.
pub trait Prompter {
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
pub struct AcceptDefaults<P>(pub P);

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

/// Set by the Ctrl-C handler; the next question reports `Interrupted`.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// A question reported the interruption: the walk is on its way out.
static HANDLED: AtomicBool = AtomicBool::new(false);
/// An editor runs in the foreground: Ctrl-C belongs to it.
static IN_EDITOR: AtomicBool = AtomicBool::new(false);
/// Changes being written right now; Ctrl-C waits for them.
static WRITING: AtomicUsize = AtomicUsize::new(0);
static HANDLER: Once = Once::new();

/// How long the handler gives the current question to report Ctrl-C before
/// it ends the process itself.
const GRACE: Duration = Duration::from_millis(300);

/// Installs the Ctrl-C handler once per process.
///
/// dialoguer hides the cursor while a list is shown and leaves it hidden
/// when interrupted: its maintainers leave signals to the application. The
/// handler shows the cursor again. A question waiting for a key reports
/// the interruption itself, and the walk returns through its callers. Where
/// no question picks it up (a key press landing between two reads, a slow
/// git), the handler ends the process after a short grace, unless a change
/// is being written: then the walk stops at its next question, so a commit
/// is never cut in half.
fn install_interrupt_handler() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if IN_EDITOR.load(Ordering::SeqCst) {
                return;
            }
            show_cursor();
            INTERRUPTED.store(true, Ordering::SeqCst);
            std::thread::sleep(GRACE);
            if HANDLED.load(Ordering::SeqCst) || WRITING.load(Ordering::SeqCst) > 0 {
                return;
            }
            let term = Term::stderr();
            let _ = term.write_line("");
            let _ = term.write_line(
                "error: interrupted; every answer given so far is recorded\nhint: `git incident respond <ID>` resumes the walk",
            );
            show_cursor();
            std::process::exit(130);
        });
    });
}

/// Shows the cursor on whichever of stderr and stdout is a terminal.
fn show_cursor() {
    for term in [Term::stderr(), Term::stdout()] {
        if term.is_term() {
            let _ = term.show_cursor();
        }
    }
}

/// Holds Ctrl-C off while a change is being written; see
/// [`hold_interrupts`].
pub struct InterruptHold(());

/// Ctrl-C will not end the process until the returned hold is dropped; the
/// walk stops at its next question instead.
pub fn hold_interrupts() -> InterruptHold {
    WRITING.fetch_add(1, Ordering::SeqCst);
    InterruptHold(())
}

impl Drop for InterruptHold {
    fn drop(&mut self) {
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The prompter of a real terminal, drawing on stderr (or stdout when only
/// stdout is a terminal).
pub struct DialoguerPrompter {
    term: Term,
    theme: Box<dyn Theme>,
    color: bool,
    editor: Option<String>,
}

impl DialoguerPrompter {
    /// A prompter on stderr; installs the Ctrl-C handler. `editor` is
    /// `$VISUAL` or `$EDITOR` as the context read it.
    pub fn new(color: bool, editor: Option<String>) -> Self {
        install_interrupt_handler();
        INTERRUPTED.store(false, Ordering::SeqCst);
        HANDLED.store(false, Ordering::SeqCst);
        // Questions go to stderr, like every status line; when stderr is
        // redirected (`respond 2>log`), to the terminal on stdout.
        let term = if Term::stderr().is_term() {
            Term::stderr()
        } else {
            Term::stdout()
        };
        console::set_colors_enabled_stderr(color);
        console::set_colors_enabled(color);
        let theme: Box<dyn Theme> = if color {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(PlainTheme)
        };
        Self {
            term,
            theme,
            color,
            editor,
        }
    }

    fn check(&self) -> Result<(), PromptError> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            HANDLED.store(true, Ordering::SeqCst);
            let _ = self.term.show_cursor();
            return Err(PromptError::Interrupted);
        }
        Ok(())
    }

    /// Maps dialoguer's error; Ctrl-C arrives as an interrupted read.
    fn fail(&self, e: dialoguer::Error) -> PromptError {
        let dialoguer::Error::IO(io) = e;
        let _ = self.term.show_cursor();
        if io.kind() == std::io::ErrorKind::Interrupted || INTERRUPTED.load(Ordering::SeqCst) {
            INTERRUPTED.store(true, Ordering::SeqCst);
            HANDLED.store(true, Ordering::SeqCst);
            // The prompt's line is left open; what follows starts on its own.
            let _ = self.term.write_line("");
            PromptError::Interrupted
        } else {
            PromptError::Terminal(io.to_string())
        }
    }
}

impl Prompter for DialoguerPrompter {
    fn show(&mut self, tone: Tone, text: &str) {
        let c = self.color;
        // Runbook prose and timelines are wrapped at spaces to the terminal,
        // each line hanging under its own indent, rather than cut mid-word
        // by the terminal.
        let width = self.term.size_checked().map(|(_, w)| usize::from(w));
        // `mark` stands in the first line's indent; the wrapped lines hang
        // under the text.
        let wrap = |mark: &str, indent: usize, text: &str| -> String {
            let pad = " ".repeat(indent);
            let indented: Vec<String> = text.lines().map(|line| format!("{pad}{line}")).collect();
            let fitted = render::fit_lines(&indented.join("\n"), width);
            format!("{mark}{}", &fitted[indent.min(fitted.len())..])
        };
        let line = match tone {
            Tone::Heading => format!("\n{}", paint(c, style::HEADER.bold(), text)),
            Tone::Text => wrap("", 0, text),
            Tone::Warn => wrap(&format!("{} ", paint(c, style::WARN, "!")), 2, text),
            Tone::Done => wrap(&format!("  {} ", paint(c, style::OK, "✓")), 4, text),
        };
        let _ = self.term.write_line(&line);
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, PromptError> {
        self.check()?;
        let mut input = dialoguer::Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .allow_empty(true);
        if let Some(d) = default {
            input = input.default(d.to_owned()).show_default(!d.is_empty());
        }
        input.interact_text_on(&self.term).map_err(|e| self.fail(e))
    }

    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> Result<usize, PromptError> {
        self.check()?;
        dialoguer::Select::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .items(items)
            .default(default.unwrap_or(0))
            .interact_on(&self.term)
            .map_err(|e| self.fail(e))
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>, PromptError> {
        self.check()?;
        self.show(Tone::Text, "  (space ticks an item, enter confirms)");
        let picked = dialoguer::MultiSelect::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .items(items)
            .defaults(checked)
            // A long checklist's items would wrap: report a count instead.
            .report(false)
            .interact_on(&self.term)
            .map_err(|e| self.fail(e))?;
        let _ = self.term.write_line(&format!(
            "{prompt}: {} of {} ticked",
            picked.len(),
            items.len()
        ));
        Ok(picked)
    }

    fn confirm(&mut self, prompt: &str, default: Option<bool>) -> Result<bool, PromptError> {
        self.check()?;
        let mut confirm = dialoguer::Confirm::with_theme(self.theme.as_ref()).with_prompt(prompt);
        if let Some(d) = default {
            confirm = confirm.default(d);
        }
        confirm.interact_on(&self.term).map_err(|e| self.fail(e))
    }

    fn long_text(&mut self, prompt: &str, initial: &str) -> Result<String, PromptError> {
        self.check()?;
        let template = format!(
            "# {prompt}\n# Lines starting with # are ignored; leave it empty to skip the question.\n\n{initial}"
        );
        let mut editor = dialoguer::Editor::new();
        if let Some(program) = &self.editor {
            editor.executable(program);
        }
        editor.extension(".md").require_save(false);
        self.term
            .write_line(&format!("{prompt} (opening the editor)"))
            .map_err(|e| PromptError::Terminal(e.to_string()))?;
        IN_EDITOR.store(true, Ordering::SeqCst);
        let edited = editor.edit(&template);
        IN_EDITOR.store(false, Ordering::SeqCst);
        let _ = self.term.clear_last_lines(1);
        match edited {
            Ok(text) => {
                let answer = strip_comments(&text.unwrap_or_default());
                let first = answer.lines().next().unwrap_or("(skipped)");
                let more = if answer.lines().count() > 1 {
                    " ..."
                } else {
                    ""
                };
                let _ = self
                    .term
                    .write_line(&format!("{prompt}{}{first}{more}", separator(prompt)));
                Ok(answer)
            }
            Err(e) => {
                // No usable editor: ask for one line instead.
                self.show(
                    Tone::Warn,
                    &format!("the editor did not start ({e}); set $EDITOR for long answers"),
                );
                self.input(prompt, Some(initial.trim()))
            }
        }
    }
}

/// dialoguer's plain theme, but a question keeps its question mark alone:
/// `What happened? ...`, not `What happened?: ...`.
struct PlainTheme;

fn separator(prompt: &str) -> &'static str {
    if prompt.ends_with('?') { " " } else { ": " }
}

impl Theme for PlainTheme {
    fn format_prompt(&self, f: &mut dyn std::fmt::Write, prompt: &str) -> std::fmt::Result {
        write!(f, "{prompt}{}", separator(prompt).trim_end())
    }

    fn format_input_prompt(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        default: Option<&str>,
    ) -> std::fmt::Result {
        match default {
            Some(default) => write!(f, "{prompt} [{default}]: "),
            None => write!(f, "{prompt}{}", separator(prompt)),
        }
    }

    fn format_input_prompt_selection(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        sel: &str,
    ) -> std::fmt::Result {
        write!(f, "{prompt}{}{sel}", separator(prompt))
    }

    fn format_multi_select_prompt_selection(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        selections: &[&str],
    ) -> std::fmt::Result {
        let picked = if selections.is_empty() {
            "(none)".to_owned()
        } else {
            selections.join(", ")
        };
        write!(f, "{prompt}{}{picked}", separator(prompt))
    }
}

/// The text of an edited answer without its `#` comment lines.
pub fn strip_comments(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
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
pub type Transcript = Arc<Mutex<Vec<String>>>;

/// A prompter that answers from a script, for tests. Each answer names a
/// text the prompt must contain, so a test fails where the walk diverges.
pub struct ScriptedPrompter {
    script: VecDeque<(String, Answer)>,
    transcript: Transcript,
}

impl ScriptedPrompter {
    pub fn new<S: Into<String>>(script: impl IntoIterator<Item = (S, Answer)>) -> Self {
        Self {
            script: script.into_iter().map(|(p, a)| (p.into(), a)).collect(),
            transcript: Arc::default(),
        }
    }

    /// The transcript, shared, so it can be read after the prompter is gone.
    pub fn transcript(&self) -> Transcript {
        Arc::clone(&self.transcript)
    }

    /// Answers still unused.
    pub fn remaining(&self) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

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
