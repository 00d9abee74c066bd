//! The entries' part of a diff: notes and updates paired by their key
//! (else by position), overrides by position, mitigations and actions by
//! id.

use chrono::{DateTime, Utc};

use super::{Delta, EntryKind, Finish, edits};
use crate::domain::Identity;
use crate::domain::incident::{Incident, Mitigation};

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

pub(super) fn entries(b: &Incident, a: &Incident) -> Vec<Delta> {
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

fn push_finished_mitigation(out: &mut Vec<Delta>, before: Option<&Mitigation>, m: &Mitigation) {
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
