//! `ledger.toml`: the ledger's settings.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::when::{TimeError, parse_duration};

/// The ledger's settings (`ledger.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "git-incident ledger settings")]
pub struct LedgerConfig {
    /// The id prefix: `INC` gives INC-1, INC-2, …
    #[serde(default = "default_prefix")]
    pub(crate) prefix: String,
    /// The runbook file, relative to ledger.toml.
    #[serde(default = "default_runbook")]
    pub(crate) runbook: String,
    /// Known services; when empty, any service name is accepted.
    #[serde(default)]
    pub(crate) services: Vec<String>,
    /// The severity `declare` gives an incident declared without `--sev`;
    /// when unset, the runbook's most severe level (when unsure, pick the
    /// higher level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) default_severity: Option<String>,
    /// Whether a change's commit runs the repository's `pre-commit`,
    /// `commit-msg` and `post-commit` hooks, as `git commit` does.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub(crate) hooks: bool,
    /// Severities that need a review and follow-up actions before close.
    #[serde(default = "default_review_required")]
    pub(crate) review_required: Vec<String>,
    /// How often stakeholders should hear from the responders, per severity
    /// (`"SEV-1" = "30m"`).
    #[serde(default)]
    pub(crate) update_cadence: BTreeMap<String, String>,
    /// Deadlines for undoing temporary mitigations.
    #[serde(default)]
    pub(crate) cleanup: CleanupPolicy,
    /// Sharing the ledger with its remote.
    #[serde(default, skip_serializing_if = "SyncPolicy::is_default")]
    pub(crate) sync: SyncPolicy,
}

/// When the ledger syncs with its remote by itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncPolicy {
    /// Run `sync` after every change; a sync that fails is a warning, and
    /// the change stays committed here.
    #[serde(default)]
    pub(crate) after_change: bool,
}

impl SyncPolicy {
    fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

/// How long a temporary mitigation may stay in place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CleanupPolicy {
    /// The default deadline, counted from when the incident was mitigated
    /// (`"14d"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// Deadlines per severity (`"SEV-1" = "7d"`).
    #[serde(default)]
    pub(crate) by_severity: BTreeMap<String, String>,
}

fn default_prefix() -> String {
    "INC".to_owned()
}

fn default_runbook() -> String {
    "runbook.toml".to_owned()
}

fn default_true() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_true(value: &bool) -> bool {
    *value
}

fn default_review_required() -> Vec<String> {
    vec!["SEV-1".to_owned(), "SEV-2".to_owned()]
}

/// What `init` writes.
pub(crate) const DEFAULT_LEDGER: &str = r#"#:schema schema/ledger.schema.json
# Settings of this incident ledger. See `git incident --help`.

# Incident ids are PREFIX-NUMBER: INC-1, INC-2, ...
prefix = "INC"
# The runbook that guided response follows.
runbook = "runbook.toml"
# Known services. While the list is empty, any service name is accepted.
services = []
# The severity of an incident declared without --sev. Unset, it is the
# runbook's most severe level: when unsure, pick the higher level.
# default_severity = "SEV-1"
# Each change's commit runs the repository's pre-commit, commit-msg and
# post-commit hooks, as `git commit` does; false turns that off.
# hooks = true
# Severities that need a review and follow-up actions before `close`.
review_required = ["SEV-1", "SEV-2"]

# How often stakeholders should hear from you while an incident is open.
[update_cadence]
"SEV-1" = "30m"
"SEV-2" = "1h"

# How long a temporary mitigation may stay in place, counted from when the
# incident was mitigated. `git incident cleanup --overdue` fails past it.
[cleanup]
deadline = "14d"

[cleanup.by_severity]
"SEV-1" = "7d"
"SEV-2" = "7d"
"#;

/// The longest id prefix: ids stay short enough to type and to read.
const MAX_PREFIX: usize = 16;

/// Uppercase, because ids are read case-insensitively (`inc-7` is `INC-7`)
/// and written uppercase: a lowercase prefix would name files no id finds.
fn prefix_ok(prefix: &str) -> bool {
    prefix.len() <= MAX_PREFIX
        && prefix.starts_with(|c: char| c.is_ascii_uppercase())
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

impl LedgerConfig {
    /// Problems a parser cannot see: bad prefixes, durations and severities.
    pub(crate) fn problems(&self, severities: &[String]) -> Vec<String> {
        let mut problems = Vec::new();
        if !prefix_ok(&self.prefix) {
            problems.push(format!(
                "prefix `{}` must be 1 to {MAX_PREFIX} uppercase letters and digits, starting with a letter",
                self.prefix
            ));
        }
        let mut check = |what: &str, sev: Option<&String>, value: &String| {
            match parse_duration(value) {
                Ok(_) => {}
                Err(TimeError::TooLong(_)) => {
                    problems.push(format!("{what} `{value}` is longer than 100 years"));
                }
                Err(_) => problems.push(format!(
                    "{what} `{value}` is not a duration such as 30m, 1h, 7d"
                )),
            }
            if let Some(sev) = sev
                && !severities.contains(sev)
            {
                problems.push(format!("{what} names unknown severity `{sev}`"));
            }
        };
        for (sev, value) in &self.update_cadence {
            check("update_cadence", Some(sev), value);
        }
        if let Some(deadline) = &self.cleanup.deadline {
            check("cleanup.deadline", None, deadline);
        }
        for (sev, value) in &self.cleanup.by_severity {
            check("cleanup.by_severity", Some(sev), value);
        }
        if let Some(sev) = &self.default_severity
            && !severities.contains(sev)
        {
            problems.push(format!("default_severity names unknown severity `{sev}`"));
        }
        for sev in &self.review_required {
            if !severities.contains(sev) {
                problems.push(format!("review_required names unknown severity `{sev}`"));
            }
        }
        problems
    }

    /// The severity of an incident declared without one: `default_severity`,
    /// else the most severe of `severities` (most severe first).
    pub(crate) fn default_severity<'a>(&'a self, severities: &'a [String]) -> Option<&'a str> {
        self.default_severity
            .as_deref()
            .or_else(|| severities.first().map(String::as_str))
    }

    /// The cleanup deadline for a severity, if the ledger sets one.
    pub(crate) fn cleanup_deadline(&self, severity: &str) -> Option<chrono::Duration> {
        self.cleanup
            .by_severity
            .get(severity)
            .or(self.cleanup.deadline.as_ref())
            .and_then(|d| parse_duration(d).ok())
    }

    /// How often updates are due for a severity, if the ledger sets it.
    pub(crate) fn update_cadence(&self, severity: &str) -> Option<chrono::Duration> {
        self.update_cadence
            .get(severity)
            .and_then(|d| parse_duration(d).ok())
    }
}
