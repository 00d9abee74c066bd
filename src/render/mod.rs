//! Everything people read, as pure functions from domain values to text:
//! no IO, so every view can be snapshot-tested.

pub mod cleanup;
pub mod diff;
pub mod incident;
pub mod json;
pub mod list;
pub mod log;
pub mod report;
pub mod stats;

use chrono::{DateTime, Utc};

/// A time as the views show it: `2026-11-26 18:40 UTC`.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The name part of `Name <email>`.
pub fn name_of(who: &str) -> &str {
    who.split_once('<').map_or(who, |(name, _)| name.trim())
}
