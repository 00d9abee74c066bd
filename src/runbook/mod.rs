//! Guided response: the walk through the team's runbook (its format, the
//! severity table and the steps, is `domain::runbook`).
//!
//! No terminal and no git here; guided response asks its questions only
//! through a prompter that the caller hands in, and records its answers
//! through a [`journal::Journal`] (the `respond` command's is the ledger).

pub(crate) mod engine;
pub(crate) mod journal;
pub(crate) mod prompt;
#[cfg(test)]
pub(crate) mod scripted;

pub(crate) use crate::domain::runbook::{Runbook, Step, StepKind};
