//! Incident ids: `INC-42`, a prefix and a number.

use std::fmt;

/// An incident id such as `INC-42`.
///
/// The prefix is the ledger's (`prefix` in ledger.toml); the number is the
/// next free one when the incident is declared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentId {
    prefix: String,
    number: u64,
}

/// Why a string is not an incident id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{0}` is not an incident id: an id has no path separators")]
    PathSeparator(String),
    #[error("`{0}` is not an incident id: expected PREFIX-NUMBER, such as INC-42")]
    Malformed(String),
}

impl IncidentId {
    pub fn new(prefix: &str, number: u64) -> Self {
        Self {
            prefix: prefix.to_owned(),
            number,
        }
    }

    /// Parses `INC-42`, `inc-42` or, given the ledger's prefix, a bare `42`.
    pub fn parse(text: &str, default_prefix: &str) -> Result<Self, IdError> {
        if text.contains(['/', '\\']) || text.contains("..") {
            return Err(IdError::PathSeparator(text.to_owned()));
        }
        let malformed = || IdError::Malformed(text.to_owned());
        let (prefix, number) = match text.rsplit_once('-') {
            Some((prefix, number)) => (prefix, number),
            None => (default_prefix, text),
        };
        let prefix_ok = !prefix.is_empty()
            && prefix.chars().all(|c| c.is_ascii_alphanumeric())
            && prefix.starts_with(|c: char| c.is_ascii_alphabetic());
        if !prefix_ok || number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(malformed());
        }
        let number = number.parse().map_err(|_| malformed())?;
        Ok(Self {
            prefix: prefix.to_ascii_uppercase(),
            number,
        })
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_short_and_lowercase_ids() {
        assert_eq!(
            IncidentId::parse("INC-42", "INC").unwrap().to_string(),
            "INC-42"
        );
        assert_eq!(
            IncidentId::parse("inc-7", "INC").unwrap().to_string(),
            "INC-7"
        );
        assert_eq!(
            IncidentId::parse("12", "OPS").unwrap().to_string(),
            "OPS-12"
        );
    }

    #[test]
    fn refuses_paths_and_junk() {
        assert!(matches!(
            IncidentId::parse("../INC-1", "INC"),
            Err(IdError::PathSeparator(_))
        ));
        assert!(matches!(
            IncidentId::parse("2026/INC-1", "INC"),
            Err(IdError::PathSeparator(_))
        ));
        for bad in ["", "INC-", "-3", "INC-x", "IN C-3", "1NC-3"] {
            assert!(IncidentId::parse(bad, "INC").is_err(), "{bad}");
        }
    }
}
