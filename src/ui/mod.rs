//! All terminal IO. This file: primary output on stdout, status and errors
//! on stderr, colour only on a terminal and never with `NO_COLOR` or
//! `--no-color`; the palette is render's ([`crate::render::style`]).
//! [`terminal`] is the dialoguer prompter that guided response asks
//! through (it implements [`crate::runbook::prompt::Prompter`]),
//! [`interrupt`] its Ctrl-C handling, [`editor`] the one editor launch.

use std::io::Write;

use anstream::{AutoStream, ColorChoice};

use crate::error::CliError;
use crate::render::escape::{escape, terminal_safe};
use crate::render::style;

pub(crate) mod editor;
pub(crate) mod interrupt;
pub(crate) mod pager;
pub(crate) mod terminal;

/// The output streams of one invocation.
pub(crate) struct Ui {
    out: AutoStream<Box<dyn Write>>,
    /// The colour choice stdout was given, for a pager that takes over.
    choice: ColorChoice,
    /// The pager the output goes through, once [`Ui::page`] started one.
    pager: Option<std::process::Child>,
    err: AutoStream<std::io::Stderr>,
    quiet: bool,
    color: bool,
    /// Whether a JSON document went to stdout: an error after it (a check
    /// that found problems) gets no second document.
    printed_json: bool,
}

impl Ui {
    pub(crate) fn new(color: bool, quiet: bool) -> Self {
        let choice = if color {
            ColorChoice::Auto
        } else {
            ColorChoice::Never
        };
        // Resolved against stdout here (a terminal, NO_COLOR,
        // CLICOLOR_FORCE, TERM), so that a pager's pipe keeps the choice.
        let stdout_choice = match choice {
            ColorChoice::Never => ColorChoice::Never,
            _ => AutoStream::choice(&std::io::stdout()),
        };
        let out = AutoStream::new(Box::new(std::io::stdout()) as Box<dyn Write>, stdout_choice);
        let err = AutoStream::new(std::io::stderr(), choice);
        let color = !matches!(stdout_choice, ColorChoice::Never);
        Self {
            out,
            choice: stdout_choice,
            pager: None,
            err,
            quiet,
            color,
            printed_json: false,
        }
    }

    /// Sends the primary output through `pager` (see [`pager`]) from here
    /// on, where one is given and starts.
    pub(crate) fn page(&mut self, pager: Option<(String, Vec<&'static str>)>) {
        let Some((child, stdin)) = pager
            .as_ref()
            .and_then(|(pager, unset)| pager::spawn(pager, unset))
        else {
            return;
        };
        let _ = self.out.flush();
        self.out = AutoStream::new(Box::new(stdin) as Box<dyn Write>, self.choice);
        self.pager = Some(child);
    }

    /// Whether stdout shows colour: render functions skip styling otherwise.
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    /// Primary output. Every text written here and on stderr goes through
    /// [`terminal_safe`]: ledger and command-line text cannot drive the
    /// terminal, whichever view or message carries it.
    pub(crate) fn print(&mut self, text: &str) {
        let text = terminal_safe(text, true);
        let _ = self.out.write_all(text.as_bytes());
        if !text.ends_with('\n') && !text.is_empty() {
            let _ = self.out.write_all(b"\n");
        }
        let _ = self.out.flush();
    }

    /// A JSON document on stdout.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        // Straight to stdout: JSON holds no escape sequences to strip (serde
        // writes ESC as \u001b), and a listing of thousands of rows would
        // pay for the scan.
        let _ = self.out.flush();
        self.printed_json = true;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let _ = serde_json::to_writer_pretty(&mut out, value);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }

    /// What a command did, on stderr; silenced by `--quiet`.
    pub(crate) fn status(&mut self, text: &str) {
        if !self.quiet {
            let _ = writeln!(self.err, "{}", terminal_safe(text, true));
        }
    }

    /// A warning on stderr, even with `--quiet`: one line, whatever it
    /// quotes (a file name with a newline would forge a line of output).
    pub(crate) fn warn(&mut self, text: &str) {
        let s = style::WARN;
        let _ = writeln!(self.err, "{s}warning:{s:#} {}", escape(text));
    }

    /// An error, with its location and hint.
    /// Under `--json`, an error is also one JSON document on stdout, for
    /// the script that reads it, unless the command already printed its
    /// own (a check's findings).
    pub(crate) fn error_json(&mut self, e: &CliError) {
        if self.printed_json {
            return;
        }
        let at = e
            .snippet
            .as_deref()
            .map(|p| (p.path.as_path(), p.line, p.column));
        let document = crate::render::json::error(
            e.code(),
            e.kind.as_str(),
            &e.message,
            &e.causes,
            e.hint.as_deref(),
            at,
        );
        self.json(&document);
    }

    pub(crate) fn error(&mut self, e: &CliError) {
        let s = style::ERROR;
        let _ = writeln!(
            self.err,
            "{s}error:{s:#} {}",
            terminal_safe(&e.message, false)
        );
        if let Some(p) = &e.snippet {
            let number = p.line.to_string();
            let pad = " ".repeat(number.len());
            let dim = style::DIM;
            let caret = style::CARET;
            let _ = writeln!(self.err, "{dim}{pad} |{dim:#}");
            let _ = writeln!(
                self.err,
                "{dim}{number} |{dim:#} {}",
                escape(&p.source_line)
            );
            let _ = writeln!(
                self.err,
                "{dim}{pad} |{dim:#} {}{caret}{}{caret:#}",
                " ".repeat(p.column.saturating_sub(1)),
                "^".repeat(p.width.max(1))
            );
        }
        for cause in &e.causes {
            let _ = writeln!(self.err, "caused by: {}", terminal_safe(cause, false));
        }
        if let Some(hint) = &e.hint {
            let h = style::HINT;
            let _ = writeln!(self.err, "{h}hint:{h:#} {}", terminal_safe(hint, false));
        }
    }
}

impl Drop for Ui {
    /// Closes the pager's input and waits for the reader to quit it, as git
    /// does, so that the shell prompt comes back after the pager's screen.
    fn drop(&mut self) {
        if let Some(mut child) = self.pager.take() {
            let _ = self.out.flush();
            self.out = AutoStream::new(
                Box::new(std::io::sink()) as Box<dyn Write>,
                ColorChoice::Never,
            );
            let _ = child.wait();
        }
    }
}
