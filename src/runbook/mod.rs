//! Guided response: the walk through the team's runbook (its format, the
//! severity table and the steps, is `domain::runbook`).
//!
//! No terminal and no git here; guided response asks its questions only
//! through a prompter that the caller hands in, and records its answers
//! through a [`journal::Journal`] (the `respond` command's is the ledger).

pub mod engine;
pub mod journal;
pub mod prompt;
#[cfg(test)]
pub mod scripted;

pub use crate::domain::runbook::{DEFAULT_RUNBOOK, Prompt, Runbook, Severity, Step, StepKind};
