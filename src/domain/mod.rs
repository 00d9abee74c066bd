//! The incident and its rules: what an incident is, how it may change, and why a
//! change is refused.
//!
//! This layer is pure. It reads no clock, touches no file, no git object and no
//! terminal: every time and identity it needs is handed in by the caller, so
//! every rule can be unit-tested with fixed values.

pub mod audit;
pub mod change;
pub mod cleanup;
pub mod commit;
pub mod delta;
pub mod given;
pub mod history;
pub mod id;
pub mod identity;
pub mod incident;
pub mod merge;
pub mod rest;
pub mod runbook;
pub mod serde_time;
pub mod stats;
pub mod summary;
pub mod sync;
pub mod timeline;

pub mod when;

pub use change::{
    Actor, Applied, Change, ChangeError, Declaration, NewAction, NewMitigation, ReviewFields,
    Settings,
};
pub use commit::CommitId;
pub use id::IncidentId;
pub use identity::Identity;
pub use incident::{
    Action, ActionKind, Audience, Incident, Mitigation, MitigationKind, Note, Override, Review,
    Status, Update,
};
pub use summary::Summary;
