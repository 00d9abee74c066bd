//! Responder identities, written as git writes them: `Name <email>`.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// A person, as git names an author.
///
/// In an incident file it is one string, `Name <email>`, read with
/// [`Identity::recorded`]: what git would write as an author is accepted.
///
/// Held as that one string (the name and the email are slices of it), so
/// reading, writing and ordering thousands of them costs one allocation
/// each, as the plain string did.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// `Name <email>`, trimmed, one space before the `<`.
    text: String,
    /// Where the name ends in `text`.
    name_len: usize,
}

/// Why a string is not an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an identity: expected `Name <email>`, such as `Ada Lovelace <ada@example.com>`"
)]
pub struct IdentityError(pub String);

impl Identity {
    pub fn new(name: &str, email: &str) -> Self {
        let (name, email) = (name.trim(), email.trim());
        let mut text = String::with_capacity(name.len() + email.len() + 3);
        text.push_str(name);
        text.push_str(" <");
        text.push_str(email);
        text.push('>');
        Self {
            text,
            name_len: name.len(),
        }
    }

    /// The name part.
    pub fn name(&self) -> &str {
        &self.text[..self.name_len]
    }

    /// The email part, without its brackets.
    pub fn email(&self) -> &str {
        &self.text[self.name_len + 2..self.text.len() - 1]
    }

    /// The whole `Name <email>`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let err = || IdentityError(text.to_owned());
        let text = text.trim();
        let (name, rest) = text.split_once('<').ok_or_else(err)?;
        let email = rest.strip_suffix('>').ok_or_else(err)?;
        let name = name.trim();
        let valid = !name.is_empty()
            && !name.contains(['<', '>'])
            && email.contains('@')
            && !email.contains(['<', '>', ' '])
            && !text.chars().any(char::is_control);
        if !valid {
            return Err(err());
        }
        Ok(Self::new(name, email))
    }

    /// Reads an identity as it is recorded in a file: `Name <email>` as
    /// git writes an author, where the email need not hold an `@` (git
    /// takes `user.email` as it is configured). Stricter [`Identity::parse`]
    /// is for what a responder types.
    pub fn recorded(text: &str) -> Result<Self, IdentityError> {
        let err = || IdentityError(text.to_owned());
        let (name, rest) = text.split_once('<').ok_or_else(err)?;
        let email = rest.strip_suffix('>').ok_or_else(err)?;
        let valid = !name.trim().is_empty()
            && !name.contains('>')
            && !email.contains(['<', '>'])
            && !text.chars().any(char::is_control);
        if !valid {
            return Err(err());
        }
        Ok(Self::new(name, email))
    }
}

impl TryFrom<String> for Identity {
    type Error = IdentityError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::recorded(&text)
    }
}

impl From<Identity> for String {
    fn from(who: Identity) -> Self {
        who.text
    }
}

/// In the file formats' schemas an identity is a string.
impl JsonSchema for Identity {
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

/// The name part of `Name <email>`, or the whole text when it has no
/// email part.
pub fn name_of(who: &str) -> &str {
    who.split_once('<').map_or(who, |(name, _)| name.trim())
}

/// Ordered as the text `Name <email>` is, as when it was a string.
impl Ord for Identity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl PartialOrd for Identity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Shown as its text, quoted, as a merge report names a value.
impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

/// Read from the borrowed text where the format lends it, validated as
/// [`TryFrom<String>`] does, with no copy of the text first.
impl<'de> Deserialize<'de> for Identity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Identity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a person, `Name <email>`")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Identity, E> {
                Identity::recorded(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Written as its one string, straight from [`fmt::Display`]: no copy of
/// the value on the way (lists write thousands of them).
impl Serialize for Identity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Tests write people and ids as text.
#[cfg(test)]
impl From<&str> for Identity {
    fn from(text: &str) -> Self {
        Self::recorded(text).expect("a valid Identity in a test")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_name_and_email() {
        let who = Identity::parse(" Ada Lovelace <ada@example.com> ").unwrap();
        assert_eq!(who.name(), "Ada Lovelace");
        assert_eq!(who.to_string(), "Ada Lovelace <ada@example.com>");
    }

    #[test]
    fn a_recorded_identity_is_what_git_writes_as_an_author() {
        // git takes user.email as configured: no `@` needed.
        let who = Identity::recorded("ci bot <ci>").unwrap();
        assert_eq!(who.to_string(), "ci bot <ci>");
        for bad in [
            "ada",
            "<ada@example.com>",
            "Ada <a<b>",
            "Ada <ada@x.org",
            "A\u{1b} <a@x>",
        ] {
            assert!(Identity::recorded(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_holds_an_identity_as_one_string() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Row {
            by: Identity,
        }
        let row: Row = toml::from_str("by = \"Ada Lovelace <ada@example.com>\"").unwrap();
        assert_eq!(row.by.name(), "Ada Lovelace");
        assert_eq!(
            toml::to_string(&row).unwrap(),
            "by = \"Ada Lovelace <ada@example.com>\"\n"
        );
        let err = toml::from_str::<Row>("by = \"ada\"").err().unwrap();
        assert!(
            err.to_string().contains("`ada` is not an identity"),
            "{err}"
        );
    }

    #[test]
    fn refuses_what_git_would_not_write() {
        for bad in [
            "ada",
            "ada@example.com",
            "<ada@example.com>",
            "Ada <ada>",
            "Ada <a b@c>",
        ] {
            assert!(Identity::parse(bad).is_err(), "{bad}");
        }
    }
}
