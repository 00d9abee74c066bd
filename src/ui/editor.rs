//! The one way the tool opens an editor: `$VISUAL` or `$EDITOR` (as the
//! context read them) on a Markdown file, for the review and for guided
//! response's long answers. Ctrl-C belongs to the editor while it runs.

use super::interrupt;

/// What leaving the editor without saving means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsaved {
    /// The text as it was handed in is the answer.
    Keep,
    /// Nothing was answered: [`edit`] returns `None`.
    Discard,
}

/// Opens `text` in `program` (dialoguer's platform default without one)
/// and returns the text as the editor left it. The error is dialoguer's,
/// whose message callers show as it is.
pub(crate) fn edit(
    program: Option<&str>,
    text: &str,
    unsaved: Unsaved,
) -> dialoguer::Result<Option<String>> {
    let mut editor = dialoguer::Editor::new();
    if let Some(program) = program {
        editor.executable(program);
    }
    editor
        .extension(".md")
        .require_save(unsaved == Unsaved::Discard);
    interrupt::in_editor(|| editor.edit(text))
}
