//! `validate`'s rules at rest ([`crate::domain::rest`]) applied to files as
//! read, each problem placed at its line and column in the file's text;
//! and the one rule across files: an id in one folder only.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::Settings;
use crate::domain::rest::{Place, problems};

use super::Stored;

/// Every rule the file at rest breaks, as `file:line:col: message`.
pub(crate) fn problems_at_rest(stored: &Stored, settings: &Settings) -> Vec<String> {
    problems(&stored.incident, settings)
        .into_iter()
        .map(|p| {
            let (line, column) = locate(&stored.text, &p.place);
            format!("{}:{line}:{column}: {}", stored.path.display(), p.message)
        })
        .collect()
}

/// The files that hold an id another file (in another year's folder)
/// holds too, as `file:1:1: message` for each but the first.
pub(crate) fn ids_twice(stored: &[Stored]) -> Vec<String> {
    let mut first: HashMap<String, &Path> = HashMap::new();
    let mut out = Vec::new();
    for s in stored {
        let id = s.incident.id.to_string();
        match first.get(&id) {
            Some(other) => out.push(format!(
                "{}:1:1: {id} is also in {}; an id names one incident",
                s.path.display(),
                other.display()
            )),
            None => {
                first.insert(id, &s.path);
            }
        }
    }
    out
}

/// The line and column (from 1) of the key a place names; the table's
/// header, or the file's start, where the key is not written.
fn locate(text: &str, place: &Place) -> (usize, usize) {
    let (table, index, key) = match place {
        Place::Key(key) => (None, 0, *key),
        Place::Entry { table, index, key } => (Some(*table), *index, *key),
    };
    let mut current: Option<&str> = None;
    let mut seen = 0;
    let mut fallback = (1, 1);
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let column = line.len() - trimmed.len() + 1;
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = header.trim_start_matches('[');
            let name = name.split(']').next().unwrap_or("").trim();
            current = Some(name);
            if Some(name) == table {
                if seen == index {
                    fallback = (n + 1, column);
                }
                seen += 1;
            }
            continue;
        }
        let here = match table {
            None => current.is_none(),
            Some(t) => current == Some(t) && seen == index + 1,
        };
        let is_key = trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if here && is_key {
            return (n + 1, column);
        }
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"INC-1\"\nseverity = \"SEV-9\"\n\n[[mitigations]]\nid = \"M1\"\n\n[[mitigations]]\n  id = \"M1\"\n\n[[notes]]\nby = \"Ada\"\n";

    #[test]
    fn finds_a_key_at_the_top_or_in_the_nth_entry() {
        assert_eq!(locate(TEXT, &Place::Key("severity")), (2, 1));
        let second = Place::Entry {
            table: "mitigations",
            index: 1,
            key: "id",
        };
        assert_eq!(locate(TEXT, &second), (8, 3));
        let absent = Place::Entry {
            table: "notes",
            index: 0,
            key: "at",
        };
        assert_eq!(locate(TEXT, &absent), (10, 1));
        assert_eq!(locate(TEXT, &Place::Key("resolved_at")), (1, 1));
    }
}
