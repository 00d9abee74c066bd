//! Text from a ledger or a command line made safe to print: a terminal
//! obeys control characters (ESC starts a sequence that can retitle the
//! window, clear the screen or move the cursor; BEL rings; CR overwrites the
//! line; U+009B is a one-byte CSI) and bidi controls reorder what is shown
//! (U+202E makes `exe.txt` read `txt.exe`). Each is shown as an escape
//! instead: `\e`, `\a`, `\r`, `\x9b`, `\u{202e}`. Newlines and tabs stay.
//!
//! The output streams (`ui`) apply [`terminal_safe`] to everything they
//! write; the views apply [`escape`] to one text where a newline must not
//! break the layout either.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The printable escape of one hostile character.
fn escaped(c: char, out: &mut String) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) < 0x100 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// `text` with every control and bidi character escaped, newlines and tabs
/// too: one value on one line.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    escape_but(text, |_| false)
}

/// `text` with every control and bidi character escaped but newlines and
/// tabs, and, where `keep_style`, the colour sequences the views write
/// themselves (`ESC [ digits ; m`), which only colour text.
pub(crate) fn terminal_safe(text: &str, keep_style: bool) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| hostile(c) && !matches!(c, '\n' | '\t'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep_style && let Some(len) = style_len(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if hostile(c) && !matches!(c, '\n' | '\t') {
            escaped(c, &mut out);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

fn escape_but(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| hostile(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hostile(c) && !keep(c) {
            escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence `text` starts with, if it is one the
/// palette ([`super::style`]) writes: a reset, bold, dim or one of its
/// foreground colours, or the underline clap's help and usage styles use
/// for their headings. Any other, such as conceal (8), which hides text
/// from whoever reads a hand-edited note, or reverse video, is escaped like
/// every other sequence, wherever it came from.
fn style_len(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    let palette = body[..params].split(';').all(|p| {
        matches!(
            p,
            "" | "0" | "1" | "2" | "4" | "22" | "24" | "31" | "32" | "33" | "36" | "39"
        )
    });
    (palette && body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(
            escape("a\u{1b}]0;pwned\u{07}b\u{202e}c\r\u{9b}2J\nd"),
            "a\\e]0;pwned\\ab\\u{202e}c\\r\\x9b2J\\nd"
        );
        assert_eq!(escape("plain text, ünïcode"), "plain text, ünïcode");
    }

    #[test]
    fn keeps_newlines_tabs_and_only_colour_sequences() {
        assert_eq!(
            terminal_safe("\u{1b}[1;31mred\u{1b}[0m\n\tx\u{1b}[2J", true),
            "\u{1b}[1;31mred\u{1b}[0m\n\tx\\e[2J"
        );
        assert_eq!(terminal_safe("\u{1b}[1mb", false), "\\e[1mb");
    }

    #[test]
    fn keeps_only_the_palette_s_own_sequences() {
        use crate::render::style::*;
        for style in [
            ERROR, WARN, HINT, OK, DIM, BOLD, ADDED, REMOVED, HEADER, CARET,
        ] {
            let painted = paint(true, style, "x");
            assert_eq!(terminal_safe(&painted, true), painted, "{painted:?}");
        }
        // Conceal, reverse video, blink and a background: escaped.
        for hidden in [
            "\u{1b}[8m",
            "\u{1b}[7m",
            "\u{1b}[5m",
            "\u{1b}[41m",
            "\u{1b}[1;8m",
        ] {
            let safe = terminal_safe(hidden, true);
            assert!(safe.starts_with("\\e["), "{hidden:?} gave {safe:?}");
        }
    }
}
