//! Writes the merged incident keeping what people wrote around the values.
//!
//! The merged incident is written in the file's canonical field order; then,
//! place by place (a key, an entry's header, the end of the file), the
//! comments and blank lines come from the sides by the same three-way rule
//! as values: one side's change to them is taken, and where both sides
//! changed one place, both are kept, in a fixed order. A value written the
//! same on every side that has it keeps its written form (a literal string,
//! a hand-aligned array).

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use super::keys::{Entry, list_keys};
use super::text::merge_lines;
use crate::domain::incident::{Action, Incident, Mitigation, Note, Override, Update};

type Sides<'a, T> = [Option<&'a T>; 3];

pub(super) fn render(merged: &Incident, sides: Sides<'_, DocumentMut>) -> String {
    // Invariant: `merged` holds only values read from the three sides' TOML,
    // so every time in it is a TOML datetime again.
    let fresh = toml::to_string_pretty(merged).expect("incident types serialise to TOML");
    let Ok(mut doc) = fresh.parse::<DocumentMut>() else {
        return fresh;
    };
    let roots: Sides<'_, Table> = sides.map(|d| d.map(DocumentMut::as_table));
    graft_table(doc.as_table_mut(), roots);
    let trailing = decor3(sides.map(|d| d.map(|d| d.trailing().as_str().unwrap_or("").to_owned())));
    if let Some(trailing) = trailing {
        doc.set_trailing(trailing);
    }
    doc.to_string()
}

fn graft_table(table: &mut Table, sides: Sides<'_, Table>) {
    let names: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
    for name in names {
        let at: Sides<'_, Item> = sides.map(|s| s.and_then(|t| t.get(&name)));
        let prefix = decor3(sides.map(|s| {
            s.and_then(|t| t.key(&name)).map(|k| {
                k.leaf_decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_owned()
            })
        }));
        if let (Some(prefix), Some(mut key)) = (prefix, table.key_mut(&name)) {
            key.leaf_decor_mut().set_prefix(prefix);
        }
        match table.get_mut(&name) {
            Some(Item::Value(value)) => graft_value(value, at.map(|i| i.and_then(Item::as_value))),
            Some(Item::Table(inner)) => {
                let inner_sides = at.map(|i| i.and_then(Item::as_table));
                graft_header(inner, inner_sides);
                graft_table(inner, inner_sides);
            }
            Some(Item::ArrayOfTables(array)) => {
                let arrays = at.map(|i| i.and_then(Item::as_array_of_tables));
                match name.as_str() {
                    "notes" => graft_entries::<Note>(array, arrays),
                    "updates" => graft_entries::<Update>(array, arrays),
                    "mitigations" => graft_entries::<Mitigation>(array, arrays),
                    "actions" => graft_entries::<Action>(array, arrays),
                    "overrides" => graft_entries::<Override>(array, arrays),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

fn graft_header(table: &mut Table, sides: Sides<'_, Table>) {
    let prefix = decor3(sides.map(|s| {
        s.map(|t| {
            t.decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_owned()
        })
    }));
    if let Some(prefix) = prefix {
        table.decor_mut().set_prefix(prefix);
    }
    let suffix = decor3(sides.map(|s| {
        s.map(|t| {
            t.decor()
                .suffix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_owned()
        })
    }));
    if let Some(suffix) = suffix {
        table.decor_mut().set_suffix(suffix);
    }
}

/// Entries are matched across the sides by key, not by position.
fn graft_entries<E: Entry>(array: &mut ArrayOfTables, sides: Sides<'_, ArrayOfTables>) {
    let keyed = |a: &ArrayOfTables| -> Vec<(String, Table)> {
        let entries: Vec<Option<E>> = a.iter().map(parse_entry::<E>).collect();
        if entries.iter().any(Option::is_none) {
            return Vec::new();
        }
        let entries: Vec<E> = entries.into_iter().flatten().collect();
        list_keys(&entries)
            .into_iter()
            .zip(a.iter().cloned())
            .collect()
    };
    let side_maps: [Option<Vec<(String, Table)>>; 3] = sides.map(|s| s.map(keyed));
    let ours_keys = keyed(array);
    for (i, (key, _)) in ours_keys.iter().enumerate() {
        let found: [Option<Table>; 3] = std::array::from_fn(|s| {
            side_maps[s]
                .as_ref()
                .and_then(|m| m.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()))
        });
        let refs: Sides<'_, Table> = [found[0].as_ref(), found[1].as_ref(), found[2].as_ref()];
        if let Some(table) = array.get_mut(i) {
            graft_header(table, refs);
            graft_table(table, refs);
        }
    }
}

fn parse_entry<E: Entry>(table: &Table) -> Option<E> {
    let mut doc = DocumentMut::new();
    *doc.as_table_mut() = table.clone();
    toml::from_str(&doc.to_string()).ok()
}

/// Keeps a side's written form of the value where it means the same, and
/// merges the comment after it.
fn graft_value(value: &mut Value, sides: Sides<'_, Value>) {
    let bare = |v: &Value| {
        let mut v = v.clone();
        v.decor_mut().clear();
        v.to_string()
    };
    let forms = sides.map(|s| s.filter(|v| same(v, value)).map(bare));
    let suffix = decor3(sides.map(|s| {
        s.map(|v| {
            v.decor()
                .suffix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_owned()
        })
    }));
    let form = match three_opt(&forms) {
        Some(form) => Some(form),
        None => forms.iter().flatten().min().cloned(),
    };
    if let Some(written) = form.and_then(|f| f.parse::<Value>().ok()) {
        let decor = value.decor().clone();
        *value = written;
        *value.decor_mut() = decor;
    }
    if let Some(suffix) = suffix {
        value.decor_mut().set_suffix(suffix);
    }
}

fn three_opt(values: &[Option<String>; 3]) -> Option<String> {
    let [b, o, t] = values;
    match (o, t) {
        (Some(o), Some(t)) if o == t => Some(o.clone()),
        (Some(o), Some(t)) if b.as_ref() == Some(o) => Some(t.clone()),
        (Some(o), Some(t)) if b.as_ref() == Some(t) => Some(o.clone()),
        (Some(_), Some(_)) => None,
        (one, other) => one.clone().or_else(|| other.clone()),
    }
}

/// The three-way merge of what surrounds a value: `None` where no side has
/// the place (the canonical form stays), else one side's change, or both
/// sides' added lines where both changed it.
fn decor3(sides: [Option<String>; 3]) -> Option<String> {
    let [b, o, t] = sides;
    match (o, t) {
        (None, None) => None,
        (Some(one), None) | (None, Some(one)) => Some(one),
        (Some(o), Some(t)) => {
            let base = b.unwrap_or_default();
            let merged = merge_lines(&base, &o, &t);
            if !merged.conflicted {
                return Some(merged.text);
            }
            // Both sides wrote comments at one place: keep both.
            let (first, second) = if o <= t { (o, t) } else { (t, o) };
            let extra: String = second
                .split_inclusive('\n')
                .filter(|line| !first.contains(line.trim_end()) || line.trim().is_empty())
                .collect();
            Some(format!("{first}{extra}"))
        }
    }
}

/// Values equal in meaning, however written.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same(a, b))
        }
        (Value::InlineTable(a), Value::InlineTable(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}
