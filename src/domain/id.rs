//! Incident ids: `INC-42`, a prefix and a number.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// An incident id such as `INC-42`.
///
/// The prefix is the ledger's (`prefix` in ledger.toml); the number is the
/// next free one when the incident is declared.
/// In a file it is one string, such as `"INC-42"`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

impl IncidentId {
    /// The ledger's prefix, such as `INC`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The number after the prefix.
    pub fn number(&self) -> u64 {
        self.number
    }
}

impl TryFrom<String> for IncidentId {
    type Error = IdError;

    /// A recorded id names its prefix: `INC-42`, never a bare `42`.
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text, "")
    }
}

impl From<IncidentId> for String {
    fn from(id: IncidentId) -> Self {
        id.to_string()
    }
}

/// In the file formats' schemas an id is a string.
impl JsonSchema for IncidentId {
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

/// Shown as its text, quoted, as a merge report names a value.
impl fmt::Debug for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Read from the borrowed text where the format lends it, validated as
/// [`TryFrom<String>`] does, with no copy of the text first.
impl<'de> Deserialize<'de> for IncidentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = IncidentId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an incident id such as `INC-42`")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<IncidentId, E> {
                IncidentId::parse(text, "").map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Written as its one string, straight from [`fmt::Display`]: no copy of
/// the value on the way (lists write thousands of them).
impl Serialize for IncidentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

/// Tests write people and ids as text.
#[cfg(test)]
impl From<&str> for IncidentId {
    fn from(text: &str) -> Self {
        Self::parse(text, "").expect("a valid IncidentId in a test")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_an_id_with_its_prefix() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Row {
            id: IncidentId,
        }
        let row: Row = toml::from_str("id = \"INC-42\"").unwrap();
        assert_eq!((row.id.prefix(), row.id.number()), ("INC", 42));
        assert_eq!(toml::to_string(&row).unwrap(), "id = \"INC-42\"\n");
        // A bare number is what a responder types, never what a file holds.
        assert!(toml::from_str::<Row>("id = \"42\"").is_err());
    }

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
