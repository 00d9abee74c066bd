//! The runbook as people read it (`git incident runbook`), as scripts read
//! it, and how a guided-response walk ended. The runbook model is data from
//! the ledger's `runbook.toml`; nothing here reads it.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use super::json::to_json;
use super::style::{self, paint};
use crate::domain::Incident;
use crate::runbook::Runbook;

/// The runbook: its severity levels, then each step with its guidance,
/// examples, checklist, questions and caution.
pub fn describe(runbook: &Runbook, version: &str, color: bool) -> String {
    let mut out = String::new();
    let head = |t: &str| paint(color, style::HEADER, t);
    let _ = writeln!(
        out,
        "{} ({version})",
        paint(color, style::BOLD, &runbook.name)
    );
    if !runbook.purpose.is_empty() {
        let _ = writeln!(out, "{}", runbook.purpose.trim());
    }
    let _ = writeln!(out, "\n{}", head("Severity levels"));
    for s in &runbook.severities {
        let _ = writeln!(out, "  {:<7} {}", s.name, s.description);
    }
    let _ = writeln!(out, "\n{}", head("Steps"));
    for (i, step) in runbook.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} [{}]", i + 1, step.title, step.id);
        if !step.guidance.is_empty() {
            let _ = writeln!(out, "     {}", step.guidance);
        }
        for example in &step.examples {
            let _ = writeln!(out, "     - {example}");
        }
        for item in &step.checklist {
            let _ = writeln!(out, "     [ ] {item}");
        }
        for prompt in &step.prompts {
            let _ = writeln!(out, "     ? {}", prompt.text);
        }
        if let Some(caution) = &step.caution {
            let _ = writeln!(out, "     ! {caution}");
        }
    }
    out
}

/// The runbook for scripts: the model as the file holds it, and its
/// version.
pub fn json(runbook: &Runbook, version: &str) -> Json {
    let mut value = to_json(runbook);
    value["version"] = json!(version);
    value
}

/// Where a guided-response walk left the incident, for scripts.
pub fn outcome_json(inc: &Incident, finished: bool) -> Json {
    json!({
        "id": inc.id,
        "status": inc.status.as_str(),
        "step": inc.step,
        "finished": finished,
    })
}
