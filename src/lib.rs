//! git-incident: a git-backed incident ledger.
//!
//! The layers, and who may call whom (each arrow points down; nothing
//! points back up; `tests/cli/test_layers.rs` fails when one does):
//!
//! ```text
//! commands ──> runbook ──> domain
//!    │  │                    ▲
//!    │  └──> ledger ─────────┤
//!    ├──> render ────────────┘
//!    └──> ui ──> render::style, runbook::prompt
//! ```
//!
//! - `commands`: one file per subcommand; parses arguments, makes one call
//!   into the ledger or the runbook engine, renders, prints. No git2, no
//!   file IO, no rules. `commands/respond/journal.rs` is where the engine's
//!   journal port meets the ledger.
//! - `runbook`: the guided-response engine over the runbook (its format,
//!   `domain::runbook`, is data like an incident file). It
//!   asks through its `runbook::prompt::Prompter` port and records through
//!   its `runbook::journal::Journal` port; it knows no terminal and no git.
//! - [`ledger`]: the only code that touches git2, git and the files: reading
//!   the work tree and committed trees, the one write path, the git-dir
//!   caches, the schemas of the file formats.
//! - [`domain`]: the incident, the runbook's format, the history and the
//!   rules; pure.
//! - `render`: pure text and JSON from domain values, with its palette.
//! - `ui`: all terminal IO: streams, the dialoguer prompter, the editor,
//!   Ctrl-C.
//! - `context` is the one place that reads the environment, the clock and
//!   the identity; `error` is the one error type at the edge.
//!
//! The library's public surface is [`run`] (the binary), the [`domain`]
//! model and the [`ledger`] (the schema test and the benchmarks' generator
//! use them), and [`to_json`]. Everything else is `pub(crate)`, and the
//! `unreachable_pub` lint keeps a `pub` from leaking out of those layers.

pub(crate) mod commands;
pub(crate) mod context;
pub mod domain;
pub(crate) mod error;
pub mod ledger;
pub(crate) mod render;
pub(crate) mod runbook;
pub(crate) mod ui;

pub use commands::run;
pub use render::json::to_json;
