//! The palette: one style per kind of text, and [`paint`], which applies a
//! style only when colour is on. Views take a `color` flag and never ask
//! the terminal themselves; `ui` decides it once per invocation.

use anstyle::{AnsiColor, Style};

pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub(crate) const HINT: Style = AnsiColor::Cyan.on_default().bold();
pub(crate) const OK: Style = AnsiColor::Green.on_default().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const ADDED: Style = AnsiColor::Green.on_default();
pub(crate) const REMOVED: Style = AnsiColor::Red.on_default();
pub(crate) const HEADER: Style = AnsiColor::Cyan.on_default();
/// The caret under a parse error's column.
pub(crate) const CARET: Style = AnsiColor::Red.on_default();

/// Wraps `text` in `style` when colour is on.
pub(crate) fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}
