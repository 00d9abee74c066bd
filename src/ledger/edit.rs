//! Format-preserving edits of incident files.
//!
//! A change is applied to the typed incident; the new incident is then
//! serialised and reconciled into the existing document key by key, so that
//! comments, blank lines and formatting a person added survive: only values
//! that changed are replaced (keeping their surrounding comments), new keys
//! and entries are inserted in the schema's field order, and removed ones go.

use serde::Serialize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Key, Table, Value};

/// The first line of every incident file: editors with a TOML language
/// server validate and complete against it.
pub(crate) const SCHEMA_DIRECTIVE: &str = "#:schema ../../schema/incident.schema.json\n";

/// Renders `value` into `existing` (the file as it is), or afresh. Fails
/// only on a value TOML cannot hold, such as a time past the year 9999.
pub(crate) fn render<T: Serialize>(
    existing: Option<&str>,
    value: &T,
) -> Result<String, toml::ser::Error> {
    let fresh = toml::to_string_pretty(value)?;
    Ok(render_text(existing, fresh))
}

fn render_text(existing: Option<&str>, fresh: String) -> String {
    let fresh = match fresh.parse::<DocumentMut>() {
        Ok(mut new) => {
            readable_strings(new.as_table_mut());
            new.to_string()
        }
        Err(_) => fresh,
    };
    let Some(existing) = existing else {
        return format!("{SCHEMA_DIRECTIVE}{fresh}");
    };
    let (Ok(mut doc), Ok(new)) = (
        existing.parse::<DocumentMut>(),
        fresh.parse::<DocumentMut>(),
    ) else {
        return format!("{SCHEMA_DIRECTIVE}{fresh}");
    };
    reconcile_table(doc.as_table_mut(), new.as_table());
    doc.to_string()
}

/// Keeps multi-line text readable in the file and in `git log -p`.
///
/// The serialiser writes multi-line values as `"""` strings, which read well,
/// but it escapes every tab there as `\t`: a tab-indented config snapshot
/// (a Makefile, a TSV, a Go file) would become one long escaped mess. Such
/// values are written as `'''` literal strings instead, or, where the text
/// itself holds `'''`, as `"""` strings that escape only backslashes and
/// runs of three quotes.
fn readable_strings(table: &mut Table) {
    for (_, item) in table.iter_mut() {
        match item {
            Item::Value(value) => readable_value(value),
            Item::Table(t) => readable_strings(t),
            Item::ArrayOfTables(array) => array.iter_mut().for_each(readable_strings),
            Item::None => {}
        }
    }
}

fn readable_value(value: &mut Value) {
    match value {
        Value::String(s) => {
            let Some(raw) = multiline_repr(s.value()) else {
                return;
            };
            // What is written must read back as the same text, or it stays
            // as the serialiser wrote it.
            if let Ok(mut readable) = raw.parse::<Value>()
                && readable.as_str() == Some(s.value().as_str())
            {
                *readable.decor_mut() = s.decor().clone();
                *value = readable;
            }
        }
        Value::Array(array) => array.iter_mut().for_each(readable_value),
        Value::InlineTable(table) => table.iter_mut().for_each(|(_, v)| readable_value(v)),
        _ => {}
    }
}

/// The readable TOML form of a multi-line string holding tabs; `None` where
/// the serialiser's own form reads as well (no tab) or where escapes are
/// needed anyway (other control characters, such as `\r`).
fn multiline_repr(text: &str) -> Option<String> {
    if !text.contains('\n') || !text.contains('\t') {
        return None;
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return None;
    }
    // A newline right after the opening delimiter is not part of the value.
    if !text.contains("'''") {
        return Some(format!("'''\n{text}'''"));
    }
    let mut out = String::from("\"\"\"\n");
    let mut quotes = 0;
    for c in text.chars() {
        match c {
            '\\' => {
                out.push_str("\\\\");
                quotes = 0;
            }
            '"' if quotes == 2 => {
                out.push_str("\\\"");
                quotes = 0;
            }
            '"' => {
                out.push('"');
                quotes += 1;
            }
            c => {
                out.push(c);
                quotes = 0;
            }
        }
    }
    out.push_str("\"\"\"");
    Some(out)
}

fn reconcile_table(old: &mut Table, new: &Table) {
    carry_comments_of_removed_keys(old, new);
    let mut merged = Table::new();
    merged.set_implicit(old.is_implicit());
    merged.set_position(old.position());
    *merged.decor_mut() = old.decor().clone();
    for (key, new_item) in new {
        let (key, item) = match old.remove_entry(key) {
            Some((old_key, mut old_item)) => {
                reconcile_item(&mut old_item, new_item);
                (old_key, old_item)
            }
            None => (Key::new(key), new_item.clone()),
        };
        merged.insert_formatted(&key, item);
    }
    *old = merged;
}

/// A comment a person wrote above a key that is now removed moves to the
/// next key that stays, rather than being dropped.
fn carry_comments_of_removed_keys(old: &mut Table, new: &Table) {
    let old_keys: Vec<String> = old.iter().map(|(k, _)| k.to_owned()).collect();
    let mut carry = String::new();
    for k in &old_keys {
        let prefix = old
            .key(k)
            .and_then(|key| key.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_owned();
        if new.contains_key(k) {
            if !carry.is_empty()
                && let Some(mut key) = old.key_mut(k)
            {
                key.leaf_decor_mut().set_prefix(format!("{carry}{prefix}"));
                carry.clear();
            }
        } else if prefix.contains('#') {
            carry.push_str(&prefix);
        }
    }
}

fn reconcile_item(old: &mut Item, new: &Item) {
    match (old, new) {
        (Item::Value(o), Item::Value(n)) => {
            if !same_value(o, n) {
                let decor = o.decor().clone();
                *o = n.clone();
                *o.decor_mut() = decor;
            }
        }
        (Item::Table(o), Item::Table(n)) => reconcile_table(o, n),
        (Item::ArrayOfTables(o), Item::ArrayOfTables(n)) => reconcile_array(o, n),
        (o, n) => *o = n.clone(),
    }
}

fn reconcile_array(old: &mut ArrayOfTables, new: &ArrayOfTables) {
    for (i, n) in new.iter().enumerate() {
        match old.get_mut(i) {
            Some(o) => reconcile_table(o, n),
            None => old.push(n.clone()),
        }
    }
    while old.len() > new.len() {
        old.remove(old.len() - 1);
    }
}

/// Compares values by meaning, not by how they are written.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(a), Value::InlineTable(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Doc {
        id: String,
        status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        acknowledged: Option<String>,
        lead: String,
        notes: Vec<Entry>,
    }

    #[derive(Serialize)]
    struct Entry {
        text: String,
    }

    #[test]
    fn keeps_comments_and_inserts_in_field_order() {
        let before = "#:schema x.json\n# hand comment\nid = \"INC-1\" # keep\n\nstatus = \"declared\"\nlead = \"a\"\n\n# notes below\n[[notes]]\ntext = \"one\" # first\n";
        let doc = Doc {
            id: "INC-1".into(),
            status: "acknowledged".into(),
            acknowledged: Some("now".into()),
            lead: "a".into(),
            notes: vec![
                Entry { text: "one".into() },
                Entry {
                    text: "two\nlines".into(),
                },
            ],
        };
        let after = render(Some(before), &doc).unwrap();
        assert_eq!(
            after,
            "#:schema x.json\n# hand comment\nid = \"INC-1\" # keep\n\nstatus = \"acknowledged\"\nacknowledged = \"now\"\nlead = \"a\"\n\n# notes below\n[[notes]]\ntext = \"one\" # first\n\n[[notes]]\ntext = \"\"\"\ntwo\nlines\"\"\"\n"
        );
    }

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Snapshot {
        before: String,
    }

    /// Renders `text`, checks that it reads back intact, returns the TOML.
    fn written(text: &str) -> String {
        let value = Snapshot {
            before: text.to_owned(),
        };
        let toml = render(None, &value).unwrap();
        let back: Snapshot = toml::from_str(&toml).expect("reads back");
        assert_eq!(back, value, "{toml}");
        toml.strip_prefix(SCHEMA_DIRECTIVE).unwrap().to_owned()
    }

    #[test]
    fn multi_line_text_is_written_as_lines() {
        assert_eq!(
            written("a = 1\nb = \"x\"\n"),
            "before = \"\"\"\na = 1\nb = \"x\"\n\"\"\"\n"
        );
        // No trailing newline: the closing quotes end the last line.
        assert_eq!(written("a\nb"), "before = \"\"\"\na\nb\"\"\"\n");
        // A leading newline survives the one TOML trims after the quotes.
        assert_eq!(written("\na\n"), "before = \"\"\"\n\na\n\"\"\"\n");
    }

    #[test]
    fn tabs_in_multi_line_text_stay_tabs() {
        // The serialiser alone writes `\t`; a tab-indented snapshot must read
        // as itself in the file and in `git log -p`.
        assert_eq!(
            written("all:\n\tmake build\n"),
            "before = '''\nall:\n\tmake build\n'''\n"
        );
        assert_eq!(
            written(
                r#"x	'''
"""\
"#
            ),
            r#"before = """
x	'''
""\"\\
"""
"#
        );
    }

    #[test]
    fn quotes_and_backslashes_need_no_escapes_where_toml_allows() {
        assert_eq!(
            written("has \"\"\" inside\nline\n"),
            "before = '''\nhas \"\"\" inside\nline\n'''\n"
        );
        assert_eq!(
            written("C:\\dir\nline\n"),
            "before = '''\nC:\\dir\nline\n'''\n"
        );
        for text in [
            "ends with a quote\nx\"",
            "ends with two\nx\"\"",
            "ends with three\t\nx\"\"\"",
            "ends with an apostrophe\t\nx'",
            "ends with two\t\nx''",
            "''' and \\ and \t\nmixed",
            "crlf\r\nline\r\n",
            "single line with a tab\tand \"quotes\"",
            "\t\n",
        ] {
            written(text);
        }
    }

    #[test]
    fn a_removed_key_keeps_its_comment() {
        let before = "id = \"INC-1\"\nstatus = \"a\"\n# why it was acknowledged\nacknowledged = \"x\"\nlead = \"l\"\n";
        let doc = Doc {
            id: "INC-1".into(),
            status: "a".into(),
            acknowledged: None,
            lead: "l".into(),
            notes: vec![],
        };
        let after = render(Some(before), &doc).unwrap();
        assert!(after.contains("# why it was acknowledged"), "{after}");
        assert!(!after.contains("acknowledged = "), "{after}");
    }
}
