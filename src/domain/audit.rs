//! The integrity audit behind `verify`, as rules on values: whether a
//! commit's `Incident-Change` trailer names the change its diff made, and
//! whether a signature's signer is the commit's committer. The ledger walks
//! git and hands the facts in; what counts as a problem is decided here.

use std::path::PathBuf;

use serde::Serialize;

use super::change::Verb;
use super::commit::CommitId;
use super::delta::{Delta, EntryKind, Field, Value};

/// How grave a finding is: an error fails `verify` (exit 1), a warning
/// does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An incident file changed in the working tree or the index.
    Uncommitted,
    /// A commit touching incident files without a trailer of ours.
    OutOfBand,
    /// The last verified commit is no longer in HEAD's history.
    Rewritten,
    /// A trailer that does not match what the commit changed.
    Mismatch,
    /// A missing, bad or foreign signature.
    Signature,
}

impl Kind {
    /// The level a kind of finding always has.
    pub fn level(self) -> Level {
        match self {
            Kind::OutOfBand => Level::Warning,
            _ => Level::Error,
        }
    }
}

/// One problem `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub kind: Kind,
    /// The commit it is about, if any.
    pub commit: Option<CommitId>,
    /// The file it is about, relative to the ledger's root, if any.
    pub path: Option<PathBuf>,
    pub message: String,
}

impl Finding {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            level: kind.level(),
            kind,
            commit: None,
            path: None,
            message: message.into(),
        }
    }

    pub fn at_commit(mut self, commit: CommitId) -> Self {
        self.commit = Some(commit);
        self
    }

    pub fn at_path(mut self, path: PathBuf) -> Self {
        self.path = Some(path);
        self
    }
}

/// What `verify` found over the ledger's history.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    /// HEAD when the audit ran; `None` in a repository without commits.
    pub head: Option<CommitId>,
    /// The last verified commit, before this run.
    pub verified: Option<CommitId>,
    /// How many commits touching incident files were checked.
    pub commits: usize,
    /// Whether signatures were checked (signing is configured).
    pub signatures: bool,
    pub findings: Vec<Finding>,
}

impl Audit {
    /// Whether any finding is an error: `verify` fails.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }
}

/// Whether a tool commit's verb, and its `From:`/`To:` trailers where the
/// change has them, name what its diff (`deltas`, parent to commit)
/// actually did. `Err` says what does not match.
pub fn trailer_fits(
    verb: Verb,
    from_to: Option<(&str, &str)>,
    deltas: &[Delta],
) -> Result<(), String> {
    if let Some(stray) = deltas.iter().find(|d| !explains(verb, d)) {
        return Err(format!(
            "the commit says `Incident-Change: {verb}` but {}",
            describe(stray)
        ));
    }
    let Some(field) = from_to_field(verb) else {
        return Ok(());
    };
    let Some((from, to)) = from_to else {
        return Ok(());
    };
    let changed = deltas.iter().find_map(|d| match d {
        Delta::Field {
            field: f,
            from: before,
            to: after,
        } if *f == field => Some((text(before.as_ref()), text(after.as_ref()))),
        _ => None,
    });
    match changed {
        None => Err(format!(
            "the commit says {} {from} -> {to} but its diff does not change {}",
            field.as_str(),
            field.as_str()
        )),
        Some((before, after)) if before != from || after != to => Err(format!(
            "the commit says {} {from} -> {to} but its diff changes it {before} -> {after}",
            field.as_str()
        )),
        Some(_) => Ok(()),
    }
}

/// The field a verb's `From:`/`To:` trailers describe.
fn from_to_field(verb: Verb) -> Option<Field> {
    match verb {
        Verb::Severity => Some(Field::Severity),
        Verb::Lead => Some(Field::Lead),
        Verb::Step => Some(Field::Step),
        Verb::Ack
        | Verb::Resolve
        | Verb::Close
        | Verb::Reopen
        | Verb::Decline
        | Verb::Cancel
        | Verb::Duplicate
        | Verb::Mitigate => Some(Field::Status),
        _ => None,
    }
}

/// A field's value as the trailers spell it: `none` for absent.
fn text(value: Option<&Value>) -> String {
    match value {
        None => "none".into(),
        Some(Value::Text(t) | Value::Prose(t)) => t.clone(),
        Some(Value::Time(t)) => t.to_rfc3339(),
    }
}

/// Whether a change named `verb` makes a delta like `d`. Every verb may
/// record an override (`--force`), the runbook followed, and where guided
/// response stands (a walk's answer moves its `step` in the same commit).
fn explains(verb: Verb, d: &Delta) -> bool {
    use Field as F;
    if let Delta::Added {
        entry: EntryKind::Override,
        ..
    } = d
    {
        return true;
    }
    if let Delta::Field {
        field: F::Runbook | F::Step,
        ..
    } = d
    {
        return true;
    }
    let field =
        |allowed: &[Field]| matches!(d, Delta::Field { field, .. } if allowed.contains(field));
    let added = |kind: EntryKind| matches!(d, Delta::Added { entry, .. } if *entry == kind);
    let finished = |kind: EntryKind| matches!(d, Delta::Finished { entry, .. } | Delta::Edited { entry, .. } if *entry == kind);
    match verb {
        Verb::Declare => matches!(d, Delta::Created { .. }),
        Verb::Ack => field(&[F::Status, F::AcknowledgedAt, F::AcknowledgedBy]),
        Verb::Lead => field(&[F::Lead]),
        Verb::Severity => field(&[F::Severity]) || added(EntryKind::Note),
        Verb::Note => added(EntryKind::Note),
        Verb::Update => added(EntryKind::Update),
        Verb::Mitigate => {
            added(EntryKind::Mitigation)
                || field(&[
                    F::Status,
                    F::MitigatedAt,
                    F::AcknowledgedAt,
                    F::AcknowledgedBy,
                ])
        }
        Verb::CleanupDone | Verb::CleanupKeep => finished(EntryKind::Mitigation),
        Verb::Resolve => field(&[
            F::Status,
            F::ResolvedAt,
            F::ResolvedBy,
            F::MitigatedAt,
            F::Resolution,
        ]),
        Verb::Review => field(&[F::WhatHappened, F::RootCause, F::WentWell, F::WentWrong]),
        Verb::Action => added(EntryKind::Action),
        Verb::ActionDone => finished(EntryKind::Action),
        Verb::Close => field(&[F::Status, F::ClosedAt, F::ClosedBy]),
        Verb::Reopen => {
            added(EntryKind::Note)
                || field(&[
                    F::Status,
                    F::AcknowledgedAt,
                    F::AcknowledgedBy,
                    F::ResolvedAt,
                    F::ResolvedBy,
                    F::ClosedAt,
                    F::ClosedBy,
                    F::ExitReason,
                    F::DuplicateOf,
                ])
        }
        Verb::Decline | Verb::Cancel => {
            field(&[F::Status, F::ExitReason, F::ClosedAt, F::ClosedBy])
        }
        Verb::Duplicate => field(&[F::Status, F::DuplicateOf, F::ClosedAt, F::ClosedBy]),
        Verb::Step => field(&[F::Step]),
        Verb::Renumber => field(&[F::Id, F::DuplicateOf]),
        // The set-up commit writes no incident.
        Verb::Init => false,
    }
}

/// A delta in a few words, for the mismatch message.
fn describe(d: &Delta) -> String {
    match d {
        Delta::Created { id, .. } => format!("it creates {id}"),
        Delta::Deleted { id } => format!("it deletes {id}"),
        Delta::Field { field, from, to } => format!(
            "it changes {} {} -> {}",
            field.as_str(),
            text(from.as_ref()),
            text(to.as_ref())
        ),
        Delta::Added { entry, key, .. } => format!("it adds {} {key}", entry.as_str()),
        Delta::Removed { entry, key, .. } => format!("it removes {} {key}", entry.as_str()),
        Delta::Dropped { entry, key, .. } => format!("it drops {} {key}", entry.as_str()),
        Delta::Finished { entry, key, .. } => format!("it finishes {} {key}", entry.as_str()),
        Delta::Edited {
            entry, key, field, ..
        } => format!("it edits {field} of {} {key}", entry.as_str()),
    }
}

/// Whether a signature is good and made by the committer: `status` is
/// git's `%G?` (`G` good and trusted), `signer` its `%GS` (an SSH
/// principal such as `ada@example.com`, or an OpenPGP `Name <email>`).
/// Git itself does not bind the signer to the commit's people.
pub fn signature_fits(status: &str, signer: &str, committer_email: &str) -> Result<(), String> {
    let why = match status {
        "G" => None,
        "N" => Some("it is not signed"),
        "U" => Some("it is signed by a key that is not in the allowed signers"),
        "B" => Some("its signature is bad"),
        "X" | "Y" => Some("it is signed by an expired key"),
        "R" => Some("it is signed by a revoked key"),
        _ => Some("its signature cannot be checked"),
    };
    if let Some(why) = why {
        return Err(why.to_owned());
    }
    let email = signer
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(signer, |(email, _)| email)
        .trim();
    if email.eq_ignore_ascii_case(committer_email.trim()) {
        Ok(())
    } else {
        Err(format!(
            "it is signed by {email}, not by its committer {}",
            committer_email.trim()
        ))
    }
}

#[cfg(test)]
mod tests;
