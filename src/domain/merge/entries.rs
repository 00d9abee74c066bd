//! The incident's lists, merged as sets by entry key.
//!
//! Both sides' new entries are kept; an entry changed on one side takes the
//! change; one changed on both merges field by field. Entries from the base
//! keep their order, and new ones follow, by event time then key, so both
//! clones write the same list. Two new measures that both took a label
//! (`M2`) keep one each: the later is renumbered to the next free label.

use std::collections::{BTreeMap, BTreeSet};

use toml::Value;

use super::keys::{Entry, list_keys};
use super::text::merge_lines;
use super::{Report, three};

/// Merges one list; `base` is `None` when the file is new on both sides.
pub(super) fn merge_list<E: Entry>(
    base: Option<&[E]>,
    ours: &[E],
    theirs: &[E],
    report: &mut Report,
) -> Vec<E> {
    if let Some(settled) = three(base.map(<[E]>::to_vec), ours.to_vec(), theirs.to_vec()) {
        return settled;
    }
    let base = base.unwrap_or(&[]);
    let keyed = |list: &[E]| -> BTreeMap<String, E> {
        list_keys(list)
            .into_iter()
            .zip(list.iter().cloned())
            .collect()
    };
    let (b, o, t) = (keyed(base), keyed(ours), keyed(theirs));
    let mut kept = Vec::new();
    for key in list_keys(base) {
        let old = &b[&key];
        match (o.get(&key), t.get(&key)) {
            (Some(x), Some(y)) => kept.push(merge_entry::<E>(Some(old), x, y, &key, report)),
            (Some(one), None) | (None, Some(one)) => {
                if one != old {
                    report.conflict(
                        format!("{}[{}]", E::LIST, describe(one, &key)),
                        "changed on one side and removed on the other; the changed entry is kept",
                    );
                    kept.push(one.clone());
                }
            }
            (None, None) => {}
        }
    }
    let added: BTreeSet<&String> = o
        .keys()
        .chain(t.keys())
        .filter(|k| !b.contains_key(*k))
        .collect();
    let mut new: Vec<(String, E)> = added
        .into_iter()
        .map(|key| {
            let entry = match (o.get(key), t.get(key)) {
                (Some(x), Some(y)) if x == y => x.clone(),
                (Some(x), Some(y)) => merge_entry::<E>(None, x, y, key, report),
                (Some(one), None) | (None, Some(one)) => one.clone(),
                (None, None) => unreachable!("an added key comes from a side"),
            };
            (key.clone(), entry)
        })
        .collect();
    if !new.is_empty()
        && !o.keys().all(|k| b.contains_key(k))
        && !t.keys().all(|k| b.contains_key(k))
    {
        report.rule(
            E::LIST,
            "entries added on both sides are all kept, ordered by time",
        );
    }
    new.sort_by(|(ka, a), (kb, b)| a.time().cmp(&b.time()).then_with(|| ka.cmp(kb)));
    if E::LABEL.is_some() {
        relabel(&kept, &mut new, report);
    }
    kept.extend(new.into_iter().map(|(_, e)| e));
    kept
}

/// Gives each new entry whose label is already taken the next free label,
/// in time-then-key order, so both clones number alike.
fn relabel<E: Entry>(kept: &[E], new: &mut [(String, E)], report: &mut Report) {
    let number = |label: &str| {
        label
            .get(1..)
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let mut taken: BTreeSet<String> = kept
        .iter()
        .map(|e| e.label().to_ascii_uppercase())
        .collect();
    let mut next = kept
        .iter()
        .chain(new.iter().map(|(_, e)| e))
        .map(|e| number(e.label()))
        .max()
        .unwrap_or(0);
    let prefix = E::LABEL.unwrap_or('?');
    for (_, entry) in new.iter_mut() {
        let label = entry.label().to_ascii_uppercase();
        if taken.insert(label.clone()) {
            continue;
        }
        next += 1;
        let fresh = format!("{prefix}{next}");
        report.rule(
            format!("{}[{label}]", E::LIST),
            format!("{label} was added on both sides; the later one is now {fresh}"),
        );
        taken.insert(fresh.clone());
        entry.set_label(fresh);
    }
}

fn describe<E: Entry>(entry: &E, key: &str) -> String {
    if entry.label().is_empty() {
        key.to_owned()
    } else {
        entry.label().to_owned()
    }
}

/// Merges one entry changed on both sides, field by field.
fn merge_entry<E: Entry>(
    base: Option<&E>,
    ours: &E,
    theirs: &E,
    key: &str,
    report: &mut Report,
) -> E {
    if let Some(settled) = three(base.cloned(), ours.clone(), theirs.clone()) {
        return settled;
    }
    let table = |e: &E| match Value::try_from(e) {
        Ok(Value::Table(t)) => t,
        _ => toml::Table::new(),
    };
    let (b, o, t) = (
        base.map(table).unwrap_or_default(),
        table(ours),
        table(theirs),
    );
    let name = describe(ours, key);
    let fields: BTreeSet<&String> = b.keys().chain(o.keys()).chain(t.keys()).collect();
    let mut merged = toml::Table::new();
    for field in fields {
        let at = format!("{}[{name}].{field}", E::LIST);
        let value = match three(
            Some(b.get(field).cloned()),
            o.get(field).cloned(),
            t.get(field).cloned(),
        ) {
            Some(v) => v,
            None => Some(merge_value(
                b.get(field),
                o.get(field),
                t.get(field),
                &at,
                report,
            )),
        };
        if let Some(v) = value {
            merged.insert(field.clone(), v);
        }
    }
    Value::Table(merged).try_into().unwrap_or_else(|_| {
        // Cannot happen for values that came from entries; keep a side
        // rather than lose the entry.
        report.conflict(
            at_entry::<E>(&name),
            "could not merge field by field; one version is kept",
        );
        std::cmp::max_by_key(ours.clone(), theirs.clone(), |e| {
            toml::to_string(e).unwrap_or_default()
        })
    })
}

fn at_entry<E: Entry>(name: &str) -> String {
    format!("{}[{name}]", E::LIST)
}

/// A field both sides changed differently.
fn merge_value(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    at: &str,
    report: &mut Report,
) -> Value {
    match (ours, theirs) {
        (Some(Value::String(o)), Some(Value::String(t))) => {
            let b = match base {
                Some(Value::String(b)) => b.as_str(),
                _ => "",
            };
            let m = merge_lines(b, o, t);
            if m.conflicted {
                report.conflict(
                    at,
                    "changed on both sides; both versions are kept between markers",
                );
            } else {
                report.rule(
                    at,
                    "changed on both sides in different lines; the lines are merged",
                );
            }
            Value::String(m.text)
        }
        // A time set once: the earliest is when it first happened.
        (Some(Value::Datetime(o)), Some(Value::Datetime(t))) => {
            report.rule(at, "set on both sides; the earliest is kept");
            Value::Datetime(*std::cmp::min_by_key(o, t, |d| d.to_string()))
        }
        (Some(v), None) | (None, Some(v)) => {
            report.rule(
                at,
                "set on one side, removed on the other; the value is kept",
            );
            v.clone()
        }
        (Some(o), Some(t)) => {
            report.conflict(
                at,
                format!(
                    "changed on both sides ({o} and {t}); {} is kept",
                    std::cmp::max_by_key(o, t, |v| v.to_string())
                ),
            );
            std::cmp::max_by_key(o, t, |v| v.to_string()).clone()
        }
        (None, None) => unreachable!("a field both sides changed is on a side"),
    }
}
