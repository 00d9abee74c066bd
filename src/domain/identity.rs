//! Responder identities, written as git writes them: `Name <email>`.

use std::fmt;

/// A person, as git names an author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

/// Why a string is not an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an identity: expected `Name <email>`, such as `Ada Lovelace <ada@example.com>`"
)]
pub struct IdentityError(pub String);

impl Identity {
    pub fn new(name: &str, email: &str) -> Self {
        Self {
            name: name.trim().to_owned(),
            email: email.trim().to_owned(),
        }
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
}

/// The name part of `Name <email>`, or the whole text when it has no
/// email part.
pub fn name_of(who: &str) -> &str {
    who.split_once('<').map_or(who, |(name, _)| name.trim())
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_name_and_email() {
        let who = Identity::parse(" Ada Lovelace <ada@example.com> ").unwrap();
        assert_eq!(who.name, "Ada Lovelace");
        assert_eq!(who.to_string(), "Ada Lovelace <ada@example.com>");
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
