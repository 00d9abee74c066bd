//! The runbook as data: its severity table and its steps, loaded from the
//! ledger's `runbook.toml`.
//!
//! No terminal and no git here; guided response asks its questions only
//! through a prompter that the caller hands in, and records its answers
//! through a [`journal::Journal`] (the `respond` command's is the ledger).

pub mod engine;
pub mod journal;
pub mod model;
pub mod prompt;
#[cfg(test)]
pub mod scripted;

pub use model::{DEFAULT_RUNBOOK, Prompt, Runbook, Severity, Step, StepKind};
