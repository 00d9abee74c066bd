//! The tool's caches in the git directory (never committed): what `list`,
//! `cleanup` and `stats` would otherwise read again from every file or
//! every commit. Each is checked against what it summarises before it is
//! used, so a cache that is stale, damaged or missing only costs speed.

mod journal;
pub(crate) mod log_index;
pub(crate) mod metrics;
pub(crate) mod records;
pub(crate) mod summary;
