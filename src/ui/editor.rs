//! The one way the tool opens an editor: the one git would open
//! (`GIT_EDITOR`, `core.editor`, `VISUAL`, `EDITOR`, as the context
//! resolved them) on a Markdown file, for the review and for guided
//! response's long answers. Ctrl-C belongs to the editor while it runs.
//!
//! Where none is configured, git opens `vi` in silence; the tool never
//! does: guided response asks on the terminal instead, and `review` asks
//! first whether to open `vi` ([`fallback`]).

use console::Term;

use super::interrupt;

/// What git opens when no editor is configured.
pub(crate) const GIT_DEFAULT: &str = "vi";

/// The settings that choose the editor, in git's order, for the messages
/// that say none is set.
pub(crate) const SETTINGS: &str = "GIT_EDITOR, core.editor, VISUAL or EDITOR";

/// What leaving the editor without saving means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsaved {
    /// The text as it was handed in is the answer.
    Keep,
    /// Nothing was answered: [`edit`] returns `None`.
    Discard,
}

/// Opens `text` in `program` and returns the text as the editor left it.
/// The error is dialoguer's, whose message callers show as it is.
pub(crate) fn edit(
    program: &str,
    text: &str,
    unsaved: Unsaved,
) -> dialoguer::Result<Option<String>> {
    let mut editor = dialoguer::Editor::new();
    editor
        .executable(program)
        .extension(".md")
        .require_save(unsaved == Unsaved::Discard);
    interrupt::in_editor(|| editor.edit(text))
}

/// With no editor configured: says so on one line, naming the editor git
/// would open, and asks whether to open it for `what`. `Some(vi)` when the
/// answer is yes; `None` when no, or when there is no terminal to ask on.
pub(crate) fn fallback(what: &str) -> Option<&'static str> {
    let term = Term::stderr();
    if !term.is_term() {
        return None;
    }
    dialoguer::Confirm::new()
        .with_prompt(format!(
            "No editor is configured ({SETTINGS}): open {what} in {GIT_DEFAULT}?"
        ))
        .default(false)
        .interact_on(&term)
        .ok()
        .filter(|&yes| yes)
        .map(|_| GIT_DEFAULT)
}
