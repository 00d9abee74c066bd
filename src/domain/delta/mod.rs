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

mod entries;
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
            out.extend(entries::entries(&empty, a));
            out
        }
        (Some(b), Some(a)) => {
            let mut out = Vec::new();
            for ((field, from), (_, to)) in scalars(b).into_iter().zip(scalars(a)) {
                if from != to {
                    out.push(Delta::Field { field, from, to });
                }
            }
            out.extend(entries::entries(b, a));
            out
        }
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
