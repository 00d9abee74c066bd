//! The typed parts of a delta: which scalar field changed, what kind of
//! value it holds, and how an entry was finished.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::time;

/// A scalar field of an incident (the review's sections count as fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Uid,
    Title,
    Severity,
    Status,
    Lead,
    Services,
    Impact,
    StartedAt,
    DeclaredAt,
    DeclaredBy,
    AcknowledgedAt,
    AcknowledgedBy,
    MitigatedAt,
    ResolvedAt,
    ResolvedBy,
    ClosedAt,
    ClosedBy,
    Resolution,
    ExitReason,
    DuplicateOf,
    Step,
    Runbook,
    WhatHappened,
    RootCause,
    WentWell,
    WentWrong,
}

impl Field {
    /// The name in the file (`review.` and the key for a review section).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Uid => "uid",
            Field::Title => "title",
            Field::Severity => "severity",
            Field::Status => "status",
            Field::Lead => "lead",
            Field::Services => "services",
            Field::Impact => "impact",
            Field::StartedAt => "started_at",
            Field::DeclaredAt => "declared_at",
            Field::DeclaredBy => "declared_by",
            Field::AcknowledgedAt => "acknowledged_at",
            Field::AcknowledgedBy => "acknowledged_by",
            Field::MitigatedAt => "mitigated_at",
            Field::ResolvedAt => "resolved_at",
            Field::ResolvedBy => "resolved_by",
            Field::ClosedAt => "closed_at",
            Field::ClosedBy => "closed_by",
            Field::Resolution => "resolution",
            Field::ExitReason => "exit_reason",
            Field::DuplicateOf => "duplicate_of",
            Field::Step => "step",
            Field::Runbook => "runbook",
            Field::WhatHappened => "review.what_happened",
            Field::RootCause => "review.root_cause",
            Field::WentWell => "review.went_well",
            Field::WentWrong => "review.went_wrong",
        }
    }

    /// The milestones, whose values are times.
    pub fn is_milestone(self) -> bool {
        matches!(
            self,
            Field::StartedAt
                | Field::DeclaredAt
                | Field::AcknowledgedAt
                | Field::MitigatedAt
                | Field::ResolvedAt
                | Field::ClosedAt
        )
    }

    /// Bookkeeping that a post-incident timeline leaves out: where guided
    /// response stands, which runbook, the review text itself, who reached
    /// a milestone (the timeline's own "who" says it).
    pub fn is_bookkeeping(self) -> bool {
        matches!(
            self,
            Field::Step
                | Field::AcknowledgedBy
                | Field::ResolvedBy
                | Field::ClosedBy
                | Field::Runbook
                | Field::WhatHappened
                | Field::RootCause
                | Field::WentWell
                | Field::WentWrong
        )
    }

    fn is_prose(self) -> bool {
        matches!(
            self,
            Field::Title
                | Field::Impact
                | Field::Resolution
                | Field::ExitReason
                | Field::WhatHappened
                | Field::RootCause
                | Field::WentWell
                | Field::WentWrong
        )
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The value of a field, as the comparison found it: a time, prose (a
/// sentence someone wrote) or a short text (an id, a name, a status).
/// Serialised as text, times in RFC 3339.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Prose(String),
    Time(DateTime<Utc>),
}

impl Value {
    pub(super) fn of(field: Field, text: String) -> Value {
        if field.is_prose() {
            Value::Prose(text)
        } else {
            Value::Text(text)
        }
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(text) | Value::Prose(text) => s.serialize_str(text),
            Value::Time(t) => s.serialize_str(&time(*t)),
        }
    }
}

/// How an entry was finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// A temporary mitigation was undone.
    CleanedUp,
    /// A temporary mitigation was kept for good.
    MadePermanent,
    /// An action was done.
    Done,
}

impl Finish {
    pub fn as_str(self) -> &'static str {
        match self {
            Finish::CleanedUp => "cleaned up",
            Finish::MadePermanent => "made permanent",
            Finish::Done => "done",
        }
    }
}

impl Serialize for Finish {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
