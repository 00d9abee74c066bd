//! Others writing between two answers: before an answer is recorded, the
//! journal says whether someone else changed the incident since the walk
//! last saw it. The walk then goes on from the incident as it is now, says
//! in one line who changed what, and checks the answer against it: where it
//! would overwrite a field they set, the responder says whose value stands;
//! where it no longer applies (they did it already), theirs stands.

use crate::domain::delta::{Delta, Field, Value, diff};
use crate::domain::{Actor, Change, ChangeError, Incident, Settings};
use crate::runbook::journal::{Concurrent, JournalError};
use crate::runbook::prompt::Tone;

use super::{Engine, EngineError};

/// What an answer meets in the incident as others left it.
enum Verdict {
    /// It applies and overwrites nothing of theirs.
    Fits,
    /// The rules no longer accept it, such as acknowledging a resolved
    /// incident: theirs stands.
    Stale(ChangeError),
    /// It would overwrite what they set, one line per field.
    Clash(Vec<String>),
}

impl<E> Engine<'_, E> {
    /// Reloads `inc` when others changed it since it was last read, and
    /// says so. `Some(recorded)` when that settles the answer without
    /// recording it (theirs stands); `None` to record it.
    pub(super) fn catch_up(
        &mut self,
        inc: &mut Incident,
        change: &Change,
    ) -> Result<Option<bool>, EngineError<E>> {
        let meanwhile = match self.journal.meanwhile(inc) {
            Ok(Some(meanwhile)) => meanwhile,
            Ok(None) => return Ok(None),
            Err(JournalError::Failed(e)) => return Err(EngineError::Journal(e)),
            // The write itself re-reads the incident; only the notice is lost.
            Err(JournalError::Refused(_)) => return Ok(None),
        };
        let what = describe(&meanwhile.changes);
        self.say(
            Tone::Warn,
            &format!("{} changed meanwhile{what}; reloaded", inc.id),
        );
        let base = std::mem::replace(inc, meanwhile.incident);
        match self.against(&base, inc, change, &meanwhile.changes) {
            Verdict::Fits => Ok(None),
            Verdict::Stale(e) => {
                self.say(
                    Tone::Warn,
                    &format!("your answer no longer applies: {e}; theirs stands"),
                );
                Ok(Some(true))
            }
            Verdict::Clash(lines) => {
                self.say(Tone::Warn, &lines.join("\n"));
                if self.confirm("Keep theirs? (no records yours)", Some(true))? {
                    self.say(Tone::Text, "  Kept theirs; yours is not recorded.");
                    Ok(Some(true))
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Checks `change`, answered on `base`, against `fresh`, the incident
    /// as others left it.
    fn against(
        &self,
        base: &Incident,
        fresh: &Incident,
        change: &Change,
        changes: &[Concurrent],
    ) -> Verdict {
        let settings = self.settings();
        let now = self.journal.now();
        let actor = Actor {
            by: self.policy.me.clone(),
            now,
            at: now,
            force: None,
        };
        // An answer the rules refuse anyway is the journal's to refuse.
        if change.apply(&mut base.clone(), &actor, &settings).is_err() {
            return Verdict::Fits;
        }
        let mut mine = fresh.clone();
        match change.apply(&mut mine, &actor, &settings) {
            Ok(_) => {}
            Err(e @ ChangeError::Invalid { .. }) => return Verdict::Stale(e),
            // A lifecycle rule: refused as ever, with its hint.
            Err(ChangeError::Refused { .. }) => return Verdict::Fits,
        }
        let theirs = fields(&diff(Some(base), Some(fresh)));
        let lines: Vec<String> = fields(&diff(Some(fresh), Some(&mine)))
            .into_iter()
            .filter_map(|(field, yours)| {
                let (_, set) = theirs.iter().find(|(f, _)| *f == field)?;
                let who = changes
                    .iter()
                    .rev()
                    .find(|c| c.fields.contains(&field))
                    .map_or("someone", |c| c.who.as_str());
                Some(format!(
                    "{who} set the {} to {}; you answered {}",
                    name(field),
                    shown(set.as_ref()),
                    shown(yours.as_ref())
                ))
            })
            .collect();
        if lines.is_empty() {
            Verdict::Fits
        } else {
            Verdict::Clash(lines)
        }
    }

    /// The settings the domain's rules consult.
    pub(super) fn settings(&self) -> Settings {
        Settings {
            severities: self.runbook.severity_names(),
            services: self.policy.services.clone(),
            review_required: self.policy.review_required.clone(),
        }
    }
}

/// ` : note by Bob Ng <bob@example.com>`, each person's changes together,
/// in order; empty when nobody is known.
fn describe(changes: &[Concurrent]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for change in changes {
        match groups.last_mut() {
            Some((who, whats)) if *who == change.who => whats.push(&change.what),
            _ => groups.push((&change.who, vec![&change.what])),
        }
    }
    if groups.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(who, whats)| format!("{} by {who}", whats.join(", ")))
        .collect();
    format!(": {}", parts.join(" and "))
}

/// The fields two responders can set to different values: the lifecycle
/// (status, milestones) is the rules' to check, the walk's bookkeeping is
/// nobody's.
fn contested(field: Field) -> bool {
    !(field.is_milestone()
        || matches!(
            field,
            Field::Id
                | Field::Uid
                | Field::Status
                | Field::DeclaredBy
                | Field::Step
                | Field::Runbook
        ))
}

/// The contested fields a diff sets, with their new values.
fn fields(deltas: &[Delta]) -> Vec<(Field, Option<Value>)> {
    deltas
        .iter()
        .filter_map(|d| match d {
            Delta::Field { field, to, .. } if contested(*field) => Some((*field, to.clone())),
            _ => None,
        })
        .collect()
}

/// `lead`, `review's root cause`.
fn name(field: Field) -> String {
    let name = field.as_str();
    match name.strip_prefix("review.") {
        Some(section) => format!("review's {}", section.replace('_', " ")),
        None => name.replace('_', " "),
    }
}

/// A value in a line: prose quoted, cut to its first line.
fn shown(value: Option<&Value>) -> String {
    match value {
        Some(Value::Text(text)) => text.clone(),
        Some(Value::Prose(text)) => {
            let first = text.lines().next().unwrap_or_default();
            let more = if text.trim_end().lines().count() > 1 {
                " …"
            } else {
                ""
            };
            format!("\"{first}{more}\"")
        }
        Some(Value::Time(t)) => crate::domain::when::shown(*t),
        None => "nothing".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(who: &str, what: &str) -> Concurrent {
        Concurrent {
            who: who.to_owned(),
            what: what.to_owned(),
            fields: Vec::new(),
        }
    }

    #[test]
    fn one_line_names_each_persons_changes_in_order() {
        let bob = "Bob Ng <bob@example.com>";
        let cy = "Cy Li <cy@example.com>";
        assert_eq!(describe(&[]), "");
        assert_eq!(
            describe(&[by(bob, "ack"), by(bob, "resolve")]),
            ": ack, resolve by Bob Ng <bob@example.com>"
        );
        assert_eq!(
            describe(&[by(bob, "note"), by(cy, "lead"), by(bob, "note")]),
            ": note by Bob Ng <bob@example.com> and lead by Cy Li <cy@example.com> and note by Bob Ng <bob@example.com>"
        );
    }

    #[test]
    fn fields_and_values_read_as_words() {
        assert_eq!(name(Field::Lead), "lead");
        assert_eq!(name(Field::RootCause), "review's root cause");
        assert_eq!(name(Field::DuplicateOf), "duplicate of");
        assert_eq!(shown(Some(&Value::Text("SEV-1".into()))), "SEV-1");
        assert_eq!(
            shown(Some(&Value::Prose("A deploy.\nMore.".into()))),
            "\"A deploy. …\""
        );
        assert_eq!(shown(None), "nothing");
        assert!(!contested(Field::Status));
        assert!(!contested(Field::Step));
        assert!(!contested(Field::AcknowledgedAt));
        assert!(contested(Field::Severity));
        assert!(contested(Field::WentWell));
    }
}
