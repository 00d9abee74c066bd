//! The runbook's format: a team's severity table and response steps, as
//! `runbook.toml` holds them. Data like an incident file; the guided walk
//! over it is in `crate::runbook`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The default runbook that `init` writes: the seed incident-response runbook.
pub const DEFAULT_RUNBOOK: &str = include_str!("default-runbook.toml");

/// A team's incident-response runbook (`runbook.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "git-incident runbook")]
pub struct Runbook {
    /// The runbook's name.
    pub name: String,
    /// Why the runbook exists, in a few lines.
    #[serde(default)]
    pub purpose: String,
    /// What counts as an incident.
    #[serde(default)]
    pub what_is_an_incident: Vec<String>,
    /// Severity levels, most severe first.
    pub severities: Vec<Severity>,
    /// The steps of a response, in order.
    pub steps: Vec<Step>,
}

/// One severity level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// Its name, such as `SEV-1`.
    pub name: String,
    /// What an incident of this level looks like.
    pub description: String,
}

/// What guided response does at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Confirm the incident is real.
    Acknowledge,
    /// Assign or hand over the incident lead.
    Lead,
    /// Stop the impact: record mitigations.
    Stabilize,
    /// Work the checklist and record findings as notes.
    Investigate,
    /// Post stakeholder updates.
    Communicate,
    /// Further mitigations, temporary measures documented for cleanup.
    Mitigate,
    /// Clean up temporary measures and resolve.
    Recover,
    /// The post-incident review.
    Review,
    /// Follow-up actions, then close.
    Prevention,
    /// A team's own step: its checklist and prompts, answers kept as notes.
    Checklist,
}

/// One step of the runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short stable name, recorded as the incident's `step`.
    pub id: String,
    /// The heading shown to the responder.
    pub title: String,
    /// What guided response does here.
    #[serde(default = "default_kind")]
    pub kind: StepKind,
    /// What the step is for, shown when it starts.
    #[serde(default)]
    pub guidance: String,
    /// Examples shown with the guidance.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Items the responder ticks off.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Questions asked at this step.
    #[serde(default)]
    pub prompts: Vec<Prompt>,
    /// Severities this step applies to; empty means all.
    #[serde(default)]
    pub severities: Vec<String>,
    /// A warning shown with the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
}

fn default_kind() -> StepKind {
    StepKind::Checklist
}

/// A question asked at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// Where the answer goes: a review field (`what_happened`, `root_cause`,
    /// `went_well`, `went_wrong`) or, for any other name, a note.
    pub id: String,
    /// The question.
    pub text: String,
    /// Ask in the editor for a long answer.
    #[serde(default)]
    pub long: bool,
}

impl Runbook {
    pub fn severity_names(&self) -> Vec<String> {
        self.severities.iter().map(|s| s.name.clone()).collect()
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Problems a parser cannot see: duplicates and empty tables.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.severities.is_empty() {
            problems.push("the runbook defines no severities".to_owned());
        }
        if self.steps.is_empty() {
            problems.push("the runbook defines no steps".to_owned());
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.severities {
            if !seen.insert(&s.name) {
                problems.push(format!("severity `{}` is defined twice", s.name));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for step in &self.steps {
            if !seen.insert(&step.id) {
                problems.push(format!("step `{}` is defined twice", step.id));
            }
            for sev in &step.severities {
                if !self.severities.iter().any(|s| &s.name == sev) {
                    problems.push(format!("step `{}` names unknown severity `{sev}`", step.id));
                }
            }
        }
        problems
    }
}

/// The severity among `known` that `text` names, read as ids are: the name
/// itself (`SEV-1`), in any case and with or without its punctuation
/// (`sev-1`, `Sev1`, `SEV1`), or its number alone (`1`). `None` where it
/// names none, or more than one.
pub fn severity_named<'a>(known: &'a [String], text: &str) -> Option<&'a String> {
    let text = text.trim();
    if let Some(exact) = known.iter().find(|k| *k == text) {
        return Some(exact);
    }
    let key = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let number = |s: &str| -> Option<u64> {
        let digits = s.trim_end_matches(|c: char| !c.is_ascii_digit());
        let start = digits.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        digits[start..].parse().ok()
    };
    let only = |mut found: Vec<&'a String>| (found.len() == 1).then(|| found.remove(0));
    let wanted = key(text);
    if wanted.is_empty() {
        return None;
    }
    let by_key: Vec<&String> = known.iter().filter(|k| key(k) == wanted).collect();
    if !by_key.is_empty() {
        return only(by_key);
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let wanted = text.parse::<u64>().ok()?;
    only(known.iter().filter(|k| number(k) == Some(wanted)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_severity_is_named_as_an_id_is() {
        let known = ["SEV-1", "SEV-2", "SEV-3", "SEV-4"].map(String::from);
        for text in [
            "SEV-1", "sev-1", "Sev1", "SEV1", "1", "01", " sev 1 ", "sev_1",
        ] {
            assert_eq!(
                severity_named(&known, text).map(String::as_str),
                Some("SEV-1"),
                "{text}"
            );
        }
        for text in [
            "SEV-9", "9", "", "-", "SEV", "SEV-12", "1.0", "one", "SEV-1x",
        ] {
            assert_eq!(severity_named(&known, text), None, "{text}");
        }
        // A team's own names: a number that two of them end in names neither.
        let known = ["P0", "P1", "critical", "minor-1", "C1"].map(String::from);
        assert_eq!(severity_named(&known, "p0").map(String::as_str), Some("P0"));
        assert_eq!(severity_named(&known, "0").map(String::as_str), Some("P0"));
        assert_eq!(
            severity_named(&known, "CRITICAL").map(String::as_str),
            Some("critical")
        );
        assert_eq!(severity_named(&known, "1"), None);
        assert_eq!(
            severity_named(&known, "Minor 1").map(String::as_str),
            Some("minor-1")
        );
    }

    #[test]
    fn default_runbook_encodes_the_seed_runbook() {
        let runbook: Runbook = toml::from_str(DEFAULT_RUNBOOK).unwrap();
        assert!(runbook.problems().is_empty(), "{:?}", runbook.problems());
        assert_eq!(
            runbook.severity_names(),
            ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
        );
        let ids: Vec<_> = runbook.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "acknowledge",
                "lead",
                "stabilize",
                "investigate",
                "communicate",
                "mitigate",
                "recover",
                "review",
                "prevention"
            ]
        );
        let investigate = runbook.step("investigate").unwrap();
        assert_eq!(investigate.checklist.len(), 4);
        assert!(investigate.checklist[2].contains("database, search, AI services"));
    }
}
