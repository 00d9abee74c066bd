//! The prompter of a real terminal: dialoguer's questions, drawn on stderr
//! (or stdout when only stdout is a terminal), in colour or in a plain
//! theme, wrapping prose to the terminal's width.

use console::Term;
use dialoguer::theme::{ColorfulTheme, Theme};

use crate::render;
use crate::render::escape::{escape, terminal_safe};
use crate::render::style::{self, paint};
use crate::runbook::prompt::{PromptError, Prompter, Tone, strip_comments};

use super::editor::{self, Unsaved};
use super::interrupt;

/// The prompter of a real terminal, drawing on stderr (or stdout when only
/// stdout is a terminal).
pub(crate) struct DialoguerPrompter {
    term: Term,
    theme: Box<dyn Theme>,
    color: bool,
    editor: Option<String>,
    /// Why long answers are typed on the terminal, once said.
    told: Option<String>,
}

impl DialoguerPrompter {
    /// A prompter on stderr; installs the Ctrl-C handler. `editor` is
    /// the editor git would open, as the context resolved it; `None` when
    /// none is configured.
    pub(crate) fn new(color: bool, editor: Option<String>) -> Self {
        interrupt::install();
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
            told: None,
        }
    }

    fn check(&self) -> Result<(), PromptError> {
        if interrupt::pending() {
            interrupt::take();
            let _ = self.term.show_cursor();
            return Err(PromptError::Interrupted);
        }
        Ok(())
    }

    /// Maps dialoguer's error; Ctrl-C arrives as an interrupted read.
    fn fail(&self, e: dialoguer::Error) -> PromptError {
        let dialoguer::Error::IO(io) = e;
        let _ = self.term.show_cursor();
        if io.kind() == std::io::ErrorKind::Interrupted || interrupt::pending() {
            interrupt::take();
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
        let text = &terminal_safe(text, false);
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
            .items(safe(items))
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
            .items(safe(items))
            .defaults(checked)
            // A long checklist's items would wrap: report a count instead.
            .report(false)
            .interact_on(&self.term)
            .map_err(|e| self.fail(e))?;
        let _ = self.term.write_line(&format!(
            "{}: {} of {} ticked",
            escape(prompt),
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
        let Some(program) = self.editor.clone() else {
            // Git would open vi unasked; a responder mid-incident may not
            // know how to leave it. The answer is typed here instead.
            return self.lines(
                prompt,
                initial,
                &format!("no editor is configured ({})", editor::SETTINGS),
            );
        };
        let template = format!(
            "# {prompt}\n# Lines starting with # are ignored; leave it empty to skip the question.\n\n{initial}"
        );
        self.term
            .write_line(&format!(
                "{} (opening {})",
                escape(prompt),
                escape(&program)
            ))
            .map_err(|e| PromptError::Terminal(e.to_string()))?;
        let edited = editor::edit(&program, &template, Unsaved::Keep);
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
                let _ = self.term.write_line(&format!(
                    "{}{}{}{more}",
                    escape(prompt),
                    separator(prompt),
                    escape(first)
                ));
                Ok(answer)
            }
            Err(e) => self.lines(
                prompt,
                initial,
                &format!("the editor `{program}` did not start ({e})"),
            ),
        }
    }
}

impl DialoguerPrompter {
    /// A long answer typed on the terminal, line by line until an empty
    /// line, where no editor opens: `why` says so, the first time. An
    /// empty answer is `initial`.
    fn lines(&mut self, prompt: &str, initial: &str, why: &str) -> Result<String, PromptError> {
        if self.told != Some(why.to_owned()) {
            self.show(
                Tone::Warn,
                &format!("{why}: long answers are typed here, line by line"),
            );
            self.told = Some(why.to_owned());
        }
        let keep = if initial.trim().is_empty() {
            "empty to skip"
        } else {
            "empty keeps the text above"
        };
        self.show(
            Tone::Text,
            &format!("{prompt} (an empty line ends it; {keep})"),
        );
        let mut lines: Vec<String> = Vec::new();
        loop {
            self.check()?;
            let _ = self.term.write_str("  > ");
            let line = self
                .term
                .read_line()
                .map_err(|e| self.fail(dialoguer::Error::IO(e)))?;
            if line.trim().is_empty() {
                break;
            }
            lines.push(line);
        }
        if lines.is_empty() {
            return Ok(initial.trim().to_owned());
        }
        Ok(lines.join("\n").trim().to_owned())
    }
}

/// dialoguer's plain theme, but a question keeps its question mark alone:
/// `What happened? ...`, not `What happened?: ...`.
struct PlainTheme;

/// List items as a terminal may show them (the answer is an index).
fn safe(items: &[String]) -> Vec<String> {
    items.iter().map(|i| escape(i).into_owned()).collect()
}

fn separator(prompt: &str) -> &'static str {
    if prompt.ends_with('?') { " " } else { ": " }
}

impl Theme for PlainTheme {
    fn format_prompt(&self, f: &mut dyn std::fmt::Write, prompt: &str) -> std::fmt::Result {
        write!(f, "{}{}", escape(prompt), separator(prompt).trim_end())
    }

    fn format_input_prompt(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        default: Option<&str>,
    ) -> std::fmt::Result {
        match default {
            Some(default) => write!(f, "{} [{}]: ", escape(prompt), escape(default)),
            None => write!(f, "{}{}", escape(prompt), separator(prompt)),
        }
    }

    fn format_input_prompt_selection(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        sel: &str,
    ) -> std::fmt::Result {
        write!(f, "{}{}{}", escape(prompt), separator(prompt), escape(sel))
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
