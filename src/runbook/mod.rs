//! The runbook as data: its severity table and its steps, loaded from the
//! ledger's `runbook.toml`.
//!
//! No terminal and no git here; guided response asks its questions only
//! through a prompter that the caller hands in, and records its answers
//! through a journal ([`journal::LedgerJournal`] on a real ledger).

pub mod engine;
pub mod journal;
mod model;

pub use model::{Prompt, Runbook, Severity, Step, StepKind};

/// The default runbook that `init` writes: the seed incident-response runbook.
pub const DEFAULT_RUNBOOK: &str = include_str!("default.toml");
