//! What changed between two versions of an incident, field by field: the
//! semantic diff behind `log`, `diff` and the report's timeline.
//!
//! It compares parsed incidents, not commit trailers, so a hand edit
//! committed with plain git is described as precisely as a tool change.
//! Scalars are compared field by field; mitigations and actions are matched
//! by id, notes, updates and overrides by position (they are append-only).
//! Pure: times and values come in, descriptions go out.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

mod field;

pub use field::{Field, Finish, Value};

use super::incident::{Incident, Review};
use super::{Identity, IncidentId};

/// The kinds of entry an incident holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Note,
    Update,
    Mitigation,
    Action,
    Override,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::Update => "update",
            EntryKind::Mitigation => "mitigation",
            EntryKind::Action => "action",
            EntryKind::Override => "override",
        }
    }
}

/// One change between two versions of an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delta {
    /// The incident appeared: declared, or its file added by hand.
    Created {
        id: IncidentId,
        severity: String,
        title: String,
        at: DateTime<Utc>,
        by: Identity,
    },
    /// The incident's file went away.
    Deleted { id: IncidentId },
    /// A scalar field changed; `None` is absent.
    Field {
        field: Field,
        from: Option<Value>,
        to: Option<Value>,
    },
    /// An entry was added. `key` is an id (`M1`) or a position (`2`).
    Added {
        entry: EntryKind,
        key: String,
        at: Option<DateTime<Utc>>,
        by: Option<Identity>,
        /// `internal`, `flag, temporary`, `owner Bob Ng, due 2026-12-10`.
        detail: Option<String>,
        text: String,
    },
    /// An entry was removed.
    Removed {
        entry: EntryKind,
        key: String,
        text: String,
    },
    /// A merge left out an entry that one of its parents had: work on that
    /// branch that the merge threw away. `key` is as in that parent.
    Dropped {
        entry: EntryKind,
        key: String,
        text: String,
    },
    /// A temporary mitigation was cleaned up or made permanent, or an action
    /// was done.
    Finished {
        entry: EntryKind,
        key: String,
        what: Finish,
        at: DateTime<Utc>,
        by: Option<Identity>,
        detail: Option<String>,
    },
    /// One field of an entry changed, named as in the file.
    Edited {
        entry: EntryKind,
        key: String,
        field: String,
        from: Option<Value>,
        to: Option<Value>,
    },
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The entries of `theirs` (one parent of a merge) that `merged` lacks,
/// matched by content rather than position, so that a merge which keeps
/// both branches' notes in another order drops nothing.
pub fn dropped(theirs: &Incident, merged: &Incident) -> Vec<Delta> {
    let mut out = Vec::new();
    let mut lost = |entry: EntryKind, key: String, text: &str| {
        out.push(Delta::Dropped {
            entry,
            key,
            text: text.to_owned(),
        });
    };
    for (i, n) in theirs.notes.iter().enumerate() {
        if !merged.notes.contains(n) {
            lost(EntryKind::Note, (i + 1).to_string(), &n.text);
        }
    }
    for (i, u) in theirs.updates.iter().enumerate() {
        if !merged.updates.contains(u) {
            lost(EntryKind::Update, (i + 1).to_string(), &u.text);
        }
    }
    for m in &theirs.mitigations {
        if !merged
            .mitigations
            .iter()
            .any(|x| x.id == m.id && x.action == m.action)
        {
            lost(EntryKind::Mitigation, m.id.clone(), &m.action);
        }
    }
    for a in &theirs.actions {
        if !merged
            .actions
            .iter()
            .any(|x| x.id == a.id && x.text == a.text)
        {
            lost(EntryKind::Action, a.id.clone(), &a.text);
        }
    }
    for (i, o) in theirs.overrides.iter().enumerate() {
        if !merged.overrides.contains(o) {
            lost(EntryKind::Override, (i + 1).to_string(), &o.rule);
        }
    }
    out
}

/// The scalar fields in the file's order, then the review's sections.
fn scalars(inc: &Incident) -> Vec<(Field, Option<Value>)> {
    let text = |field: Field, v: Option<String>| (field, v.map(|v| Value::of(field, v)));
    let at = |field: Field, v: Option<DateTime<Utc>>| (field, v.map(Value::Time));
    let review = |f: fn(&Review) -> &String| {
        inc.review
            .as_ref()
            .map(|r| f(r).clone())
            .filter(|v| !v.trim().is_empty())
    };
    vec![
        text(Field::Id, Some(inc.id.to_string())),
        text(Field::Uid, Some(inc.uid.clone())),
        text(Field::Title, Some(inc.title.clone())),
        text(Field::Severity, Some(inc.severity.clone())),
        text(Field::Status, Some(inc.status.as_str().to_owned())),
        text(Field::Lead, inc.lead.as_ref().map(Identity::to_string)),
        text(
            Field::Services,
            (!inc.services.is_empty()).then(|| inc.services.join(", ")),
        ),
        text(Field::Impact, inc.impact.clone()),
        at(Field::StartedAt, Some(inc.started_at)),
        at(Field::DeclaredAt, Some(inc.declared_at)),
        text(Field::DeclaredBy, Some(inc.declared_by.to_string())),
        at(Field::AcknowledgedAt, inc.acknowledged_at),
        text(
            Field::AcknowledgedBy,
            inc.acknowledged_by.as_ref().map(Identity::to_string),
        ),
        at(Field::MitigatedAt, inc.mitigated_at),
        at(Field::ResolvedAt, inc.resolved_at),
        text(
            Field::ResolvedBy,
            inc.resolved_by.as_ref().map(Identity::to_string),
        ),
        at(Field::ClosedAt, inc.closed_at),
        text(
            Field::ClosedBy,
            inc.closed_by.as_ref().map(Identity::to_string),
        ),
        text(Field::Resolution, inc.resolution.clone()),
        text(Field::ExitReason, inc.exit_reason.clone()),
        text(
            Field::DuplicateOf,
            inc.duplicate_of.as_ref().map(IncidentId::to_string),
        ),
        text(Field::Step, inc.step.clone()),
        text(Field::Runbook, inc.runbook.clone()),
        text(Field::WhatHappened, review(|r| &r.what_happened)),
        text(Field::RootCause, review(|r| &r.root_cause)),
        text(Field::WentWell, review(|r| &r.went_well)),
        text(Field::WentWrong, review(|r| &r.went_wrong)),
    ]
}

/// Whether an entry's field holds prose (shown quoted and cut to a line).
fn is_prose_entry_field(name: &str) -> bool {
    matches!(name, "text" | "action" | "cleanup" | "before" | "after")
        || name.ends_with("_note")
        || name.ends_with("_why")
}

/// An entry's fields, for a generic field-by-field comparison.
fn fields_of<T: Serialize>(entry: &T) -> Vec<(String, Value)> {
    let Ok(toml::Value::Table(table)) = toml::Value::try_from(entry) else {
        return Vec::new();
    };
    table
        .into_iter()
        .map(|(k, v)| {
            // Times named `*_at` are events; an entry's own `at` is shown
            // as written, as it always was.
            let value = match v {
                toml::Value::Datetime(d) if k.ends_with("_at") => {
                    DateTime::parse_from_rfc3339(&d.to_string()).map_or_else(
                        |_| Value::Text(d.to_string()),
                        |t| Value::Time(t.with_timezone(&Utc)),
                    )
                }
                toml::Value::String(s) if is_prose_entry_field(&k) => Value::Prose(s),
                toml::Value::String(s) => Value::Text(s),
                other if is_prose_entry_field(&k) => Value::Prose(other.to_string()),
                other => Value::Text(other.to_string()),
            };
            (k, value)
        })
        .collect()
}

/// Field edits of one entry, leaving out the fields in `skip`.
fn edits<T: Serialize>(
    out: &mut Vec<Delta>,
    entry: EntryKind,
    key: &str,
    before: &T,
    after: &T,
    skip: &[&str],
) {
    let old = fields_of(before);
    let new = fields_of(after);
    let mut names: Vec<&String> = old.iter().chain(new.iter()).map(|(k, _)| k).collect();
    names.sort();
    names.dedup();
    for name in names {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let find =
            |list: &[(String, Value)]| list.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (from, to) = (find(&old), find(&new));
        if from != to {
            out.push(Delta::Edited {
                entry,
                key: key.to_owned(),
                field: name.clone(),
                from,
                to,
            });
        }
    }
}

/// The changes from `before` to `after`; `None` is "no file".
pub fn diff(before: Option<&Incident>, after: Option<&Incident>) -> Vec<Delta> {
    match (before, after) {
        (None, None) => Vec::new(),
        (Some(b), None) => vec![Delta::Deleted { id: b.id.clone() }],
        (None, Some(a)) => {
            let mut out = vec![Delta::Created {
                id: a.id.clone(),
                severity: a.severity.clone(),
                title: a.title.clone(),
                at: a.declared_at,
                by: a.declared_by.clone(),
            }];
            // A file added by hand may hold more than a declaration: describe
            // it against an empty incident of the same identity.
            let mut empty = a.clone();
            empty.notes.clear();
            empty.updates.clear();
            empty.mitigations.clear();
            empty.actions.clear();
            empty.overrides.clear();
            empty.review = None;
            out.extend(entries(&empty, a));
            out
        }
        (Some(b), Some(a)) => {
            let mut out = Vec::new();
            for ((field, from), (_, to)) in scalars(b).into_iter().zip(scalars(a)) {
                if from != to {
                    out.push(Delta::Field { field, from, to });
                }
            }
            out.extend(entries(b, a));
            out
        }
    }
}

/// Pairs the entries of two lists: first those with the same written key,
/// then the rest by position among themselves. Returns the pairs (old,
/// new), the old entries left unpaired and the new ones.
fn pair(
    old: &[Option<&str>],
    new: &[Option<&str>],
) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut pairs = Vec::new();
    let mut old_free: Vec<bool> = vec![true; old.len()];
    let mut new_free: Vec<bool> = vec![true; new.len()];
    for (j, key) in new.iter().enumerate() {
        let Some(key) = key else { continue };
        if let Some(i) = (0..old.len()).find(|&i| old_free[i] && old[i] == Some(*key)) {
            old_free[i] = false;
            new_free[j] = false;
            pairs.push((i, j));
        }
    }
    // Entries whose key is not on the other side at all are new or gone;
    // keyless ones (files written before keys) pair by position.
    let rest = |keys: &[Option<&str>], free: &[bool]| -> Vec<usize> {
        (0..keys.len())
            .filter(|&i| free[i] && keys[i].is_none())
            .collect()
    };
    let old_rest = rest(old, &old_free);
    let new_rest = rest(new, &new_free);
    let mut removed: Vec<usize> = (0..old.len())
        .filter(|&i| old_free[i] && !old_rest.contains(&i))
        .collect();
    let mut added: Vec<usize> = (0..new.len())
        .filter(|&j| new_free[j] && !new_rest.contains(&j))
        .collect();
    for (n, &i) in old_rest.iter().enumerate() {
        match new_rest.get(n) {
            Some(&j) => pairs.push((i, j)),
            None => removed.push(i),
        }
    }
    added.extend(new_rest.iter().skip(old_rest.len()));
    pairs.sort_unstable();
    removed.sort_unstable();
    added.sort_unstable();
    (pairs, removed, added)
}

/// An appended entry as the comparison needs it: time, author, detail, text.
type Row = (Option<DateTime<Utc>>, Identity, Option<String>, String);

fn entries(b: &Incident, a: &Incident) -> Vec<Delta> {
    let mut out = Vec::new();
    let notes = |i: &Incident| -> Vec<Row> {
        i.notes
            .iter()
            .map(|n| (Some(n.at), n.by.clone(), None, n.text.clone()))
            .collect()
    };
    let updates = |i: &Incident| -> Vec<Row> {
        i.updates
            .iter()
            .map(|u| {
                let audience = Some(u.audience.as_str().to_owned());
                (Some(u.at), u.by.clone(), audience, u.text.clone())
            })
            .collect()
    };
    let overrides = |i: &Incident| -> Vec<Row> {
        i.overrides
            .iter()
            .map(|o| {
                (
                    Some(o.at),
                    o.by.clone(),
                    Some(o.change.clone()),
                    o.rule.clone(),
                )
            })
            .collect()
    };
    // Notes and updates are matched by their written key, the rest (and
    // overrides) by position: a note backfilled before others, or merged
    // in between them, is one note added, not every later one edited.
    let by_key = |out: &mut Vec<Delta>,
                  entry: EntryKind,
                  old: (Vec<Row>, Vec<Option<&str>>),
                  new: (Vec<Row>, Vec<Option<&str>>),
                  edit: &dyn Fn(&mut Vec<Delta>, usize, usize)| {
        let (pairs, removed, added) = pair(&old.1, &new.1);
        for (i, j) in pairs {
            edit(out, i, j);
        }
        for i in removed {
            out.push(Delta::Removed {
                entry,
                key: (i + 1).to_string(),
                text: old.0[i].3.clone(),
            });
        }
        for j in added {
            let (at, by, detail, text) = &new.0[j];
            out.push(Delta::Added {
                entry,
                key: (j + 1).to_string(),
                at: *at,
                by: Some(by.clone()),
                detail: detail.clone(),
                text: text.clone(),
            });
        }
    };
    by_key(
        &mut out,
        EntryKind::Note,
        (notes(b), b.notes.iter().map(|n| n.key.as_deref()).collect()),
        (notes(a), a.notes.iter().map(|n| n.key.as_deref()).collect()),
        &|out, i, j| {
            edits(
                out,
                EntryKind::Note,
                &(j + 1).to_string(),
                &b.notes[i],
                &a.notes[j],
                &[],
            );
        },
    );
    by_key(
        &mut out,
        EntryKind::Update,
        (
            updates(b),
            b.updates.iter().map(|u| u.key.as_deref()).collect(),
        ),
        (
            updates(a),
            a.updates.iter().map(|u| u.key.as_deref()).collect(),
        ),
        &|out, i, j| {
            edits(
                out,
                EntryKind::Update,
                &(j + 1).to_string(),
                &b.updates[i],
                &a.updates[j],
                &[],
            );
        },
    );
    // Overrides are appended: by position.
    let by_position = |out: &mut Vec<Delta>,
                       entry: EntryKind,
                       old: Vec<Row>,
                       new: Vec<Row>,
                       edit: &dyn Fn(&mut Vec<Delta>, usize, usize)| {
        let (old_keys, new_keys) = (vec![None; old.len()], vec![None; new.len()]);
        by_key(out, entry, (old, old_keys), (new, new_keys), edit);
    };

    // Mitigations by id.
    for m in &a.mitigations {
        match b.mitigations.iter().find(|o| o.id == m.id) {
            None => {
                let detail = if m.temporary {
                    format!("{}, temporary", m.kind.as_str())
                } else {
                    m.kind.as_str().to_owned()
                };
                out.push(Delta::Added {
                    entry: EntryKind::Mitigation,
                    key: m.id.clone(),
                    at: Some(m.applied_at),
                    by: Some(m.applied_by.clone()),
                    detail: Some(detail),
                    text: m.action.clone(),
                });
                push_finished_mitigation(&mut out, None, m);
            }
            Some(o) => {
                push_finished_mitigation(&mut out, Some(o), m);
                let mut skip = Vec::new();
                if o.cleaned_up_at.is_none() && m.cleaned_up_at.is_some() {
                    skip.extend(["cleaned_up_at", "cleaned_up_by", "cleanup_note"]);
                }
                if o.kept_at.is_none() && m.kept_at.is_some() {
                    skip.extend(["kept_at", "kept_by", "kept_why"]);
                }
                edits(&mut out, EntryKind::Mitigation, &m.id, o, m, &skip);
            }
        }
    }
    for o in &b.mitigations {
        if !a.mitigations.iter().any(|m| m.id == o.id) {
            out.push(Delta::Removed {
                entry: EntryKind::Mitigation,
                key: o.id.clone(),
                text: o.action.clone(),
            });
        }
    }

    // Actions by id.
    for x in &a.actions {
        let finished = |out: &mut Vec<Delta>| {
            if let Some(at) = x.done_at {
                out.push(Delta::Finished {
                    entry: EntryKind::Action,
                    key: x.id.clone(),
                    what: Finish::Done,
                    at,
                    by: x.done_by.clone(),
                    detail: None,
                });
            }
        };
        match b.actions.iter().find(|o| o.id == x.id) {
            None => {
                let due = x.due.map(|d| format!(", due {d}")).unwrap_or_default();
                out.push(Delta::Added {
                    entry: EntryKind::Action,
                    key: x.id.clone(),
                    at: Some(x.created_at),
                    by: Some(x.created_by.clone()),
                    detail: Some(format!("{}, owner {}{due}", x.kind.as_str(), x.owner)),
                    text: x.text.clone(),
                });
                finished(&mut out);
            }
            Some(o) => {
                let mut skip = Vec::new();
                if o.done_at.is_none() && x.done_at.is_some() {
                    finished(&mut out);
                    skip.extend(["done_at", "done_by"]);
                }
                edits(&mut out, EntryKind::Action, &x.id, o, x, &skip);
            }
        }
    }
    for o in &b.actions {
        if !a.actions.iter().any(|x| x.id == o.id) {
            out.push(Delta::Removed {
                entry: EntryKind::Action,
                key: o.id.clone(),
                text: o.text.clone(),
            });
        }
    }

    by_position(
        &mut out,
        EntryKind::Override,
        overrides(b),
        overrides(a),
        &|out, i, j| {
            edits(
                out,
                EntryKind::Override,
                &(j + 1).to_string(),
                &b.overrides[i],
                &a.overrides[j],
                &[],
            );
        },
    );
    out
}

fn push_finished_mitigation(
    out: &mut Vec<Delta>,
    before: Option<&super::incident::Mitigation>,
    m: &super::incident::Mitigation,
) {
    if let Some(at) = m.cleaned_up_at
        && before.is_none_or(|o| o.cleaned_up_at.is_none())
    {
        out.push(Delta::Finished {
            entry: EntryKind::Mitigation,
            key: m.id.clone(),
            what: Finish::CleanedUp,
            at,
            by: m.cleaned_up_by.clone(),
            detail: m.cleanup_note.clone(),
        });
    }
    if let Some(at) = m.kept_at
        && before.is_none_or(|o| o.kept_at.is_none())
    {
        out.push(Delta::Finished {
            entry: EntryKind::Mitigation,
            key: m.id.clone(),
            what: Finish::MadePermanent,
            at,
            by: m.kept_by.clone(),
            detail: m.kept_why.clone(),
        });
    }
}

/// The time the changes describe: the latest milestone set, entry added or
/// entry finished. For a hand edit this is the only event time there is.
pub fn event_time(deltas: &[Delta]) -> Option<DateTime<Utc>> {
    deltas
        .iter()
        .filter_map(|d| match d {
            Delta::Created { at, .. } | Delta::Finished { at, .. } => Some(*at),
            Delta::Added { at, .. } => *at,
            Delta::Field {
                field,
                to: Some(Value::Time(t)),
                ..
            } if field.is_milestone() && *field != Field::StartedAt => Some(*t),
            _ => None,
        })
        .max()
}

/// Bookkeeping that a post-incident timeline leaves out: where guided
/// response stands, which runbook, the review text itself.
pub fn is_bookkeeping(delta: &Delta) -> bool {
    match delta {
        Delta::Field { field, .. } => field.is_bookkeeping(),
        _ => false,
    }
}

/// A move of guided response's position (`step`): the walk's bookkeeping,
/// which rides on its answers' commits (older versions gave it commits of
/// its own). The audit trail people read (`log`, the hand-over brief
/// `diff --since`) leaves it out; their `--json` and `verify` keep it.
pub fn is_walk_position(delta: &Delta) -> bool {
    matches!(
        delta,
        Delta::Field {
            field: Field::Step,
            ..
        }
    )
}

#[cfg(test)]
mod tests;
