//! The identity of a commit as the layers above the ledger see it: its hex
//! id, with the short form people read. The ledger converts from git's own
//! ids; nothing above it names git2.

use std::fmt;

use serde::Serialize;

/// How many hex digits the short form shows.
const SHORT: usize = 8;

/// A commit id, as lowercase hex (40 digits for SHA-1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CommitId(String);

impl CommitId {
    /// A commit id from its hex text.
    pub fn from_hex(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    /// The full hex id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 8 hex digits, as `log` and the status lines print them.
    pub fn short(&self) -> &str {
        self.prefix(SHORT)
    }

    /// The first `digits` hex digits (all of them if there are fewer).
    pub fn prefix(&self, digits: usize) -> &str {
        // Hex is ASCII, so a digit is a byte.
        self.0.get(..digits).unwrap_or(&self.0)
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_is_the_first_eight_digits() {
        let id = CommitId::from_hex("1234567890abcdef1234567890abcdef12345678");
        assert_eq!(id.short(), "12345678");
        assert_eq!(id.to_string().len(), 40);
        assert_eq!(id.prefix(12), "1234567890ab");
        assert_eq!(CommitId::from_hex("abc").short(), "abc");
    }
}
