//! git-incident: a git-backed incident ledger.
//!
//! Layers, each calling only the ones below it:
//! - [`commands`]: one file per subcommand; parses arguments, calls the
//!   ledger or the runbook engine, renders, prints. No git2, no TOML, no rules.
//! - [`runbook`]: the runbook as data, and the guided-response engine that
//!   asks through a prompter and records through the ledger.
//! - [`ledger`]: the only code that touches git2 and the files.
//! - [`domain`]: the incident and its rules; pure.
//! - [`render`] (pure text from domain values) and [`ui`] (all terminal IO)
//!   are leaves.
//! - [`context`] is the one place that reads the environment, the clock and
//!   the identity; [`error`] is the one error type at the edge.

pub mod commands;
pub mod context;
pub mod domain;
pub mod error;
pub mod ledger;
pub mod render;
pub mod runbook;
pub mod ui;

pub use commands::run;
