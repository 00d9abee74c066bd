//! A text as a responder gives it, on the command line or at a prompt of
//! guided response: `@FILE` names a file that holds it (a config snapshot,
//! a long finding), and `@@` starts a text with a literal `@` (`@@here`
//! is the text `@here`). Reading the file is the caller's: the ledger's
//! one reader, bounded like every file the tool reads.

/// What a given text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given<'a> {
    /// The text itself.
    Text(&'a str),
    /// The text is in this file, relative to where the command runs.
    File(&'a str),
}

/// Reads `value` as the command line and the prompts do.
pub fn given(value: &str) -> Given<'_> {
    if let Some(escaped) = value.strip_prefix("@@") {
        // The first `@` is the escape; the text keeps the second.
        return Given::Text(&value[value.len() - escaped.len() - 1..]);
    }
    match value.strip_prefix('@') {
        Some(path) => Given::File(path),
        None => Given::Text(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_names_a_file_and_a_double_at_escapes_it() {
        assert_eq!(given("flags.toml"), Given::Text("flags.toml"));
        assert_eq!(given("@flags.toml"), Given::File("flags.toml"));
        assert_eq!(given("@@here"), Given::Text("@here"));
        assert_eq!(given("@@@x"), Given::Text("@@x"));
        assert_eq!(given("@@"), Given::Text("@"));
        assert_eq!(given("a@b"), Given::Text("a@b"));
        assert_eq!(given(""), Given::Text(""));
    }
}
