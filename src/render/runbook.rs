//! The runbook as people read it (`git incident runbook`) and as scripts
//! read it; what guided response shows of an incident along the walk; and
//! how a walk ended. The runbook model is data from the ledger's
//! `runbook.toml`; nothing here reads it.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use crate::domain::runbook::Runbook;
use crate::domain::when::human_duration;
use crate::domain::{Incident, Mitigation, MitigationKind};

use super::json::to_json;
use super::plural;
use super::style::{self, paint};

/// The runbook: its severity levels, then each step with its guidance,
/// examples, checklist, questions and caution.
pub(crate) fn describe(runbook: &Runbook, version: &str, color: bool) -> String {
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

/// Where an incident stands, shown when a walk resumes: severity, status,
/// lead and age, then mitigations, notes and the last update.
pub(crate) fn standing(inc: &Incident, now: DateTime<Utc>) -> String {
    let mut text = String::new();
    let lead = inc.lead.as_ref().map_or_else(
        || "no lead yet".to_owned(),
        |l| format!("lead {}", l.name()),
    );
    let _ = writeln!(
        text,
        "  {} · {} · {} · declared {} ago",
        inc.severity,
        inc.status,
        lead,
        human_duration(now - inc.declared_at)
    );
    let pending = inc.pending_mitigations().count();
    let last_update = inc.updates.last().map_or_else(
        || "no update yet".to_owned(),
        |u| format!("last update {} ago", human_duration(now - u.at)),
    );
    let _ = write!(
        text,
        "  {} ({} pending cleanup) · {} · {}",
        plural(inc.mitigations.len(), "mitigation"),
        pending,
        plural(inc.notes.len(), "note"),
        last_update
    );
    text
}

/// The mitigations recorded so far, one line each, with what is still
/// temporary and what was cleaned up.
pub(crate) fn mitigations_so_far(inc: &Incident) -> String {
    let mut text = "  In place so far:".to_owned();
    for m in &inc.mitigations {
        let state = if m.is_pending() {
            ", temporary"
        } else if m.cleaned_up_at.is_some() {
            ", cleaned up"
        } else {
            ""
        };
        let _ = write!(
            text,
            "\n  {} {}{state}: {}",
            m.id,
            m.kind.as_str(),
            m.action
        );
    }
    text
}

/// A temporary mitigation still in place, as the recovery step asks about
/// it: its plan, and the same diff as `git incident cleanup` shows, what
/// the cleanup must apply.
pub(crate) fn cleanup_to_do(m: &Mitigation) -> String {
    let mut text = format!("  {} {}: {}", m.id, m.kind.as_str(), m.action);
    if let Some(plan) = &m.cleanup {
        let _ = write!(text, "\n    cleanup plan: {plan}");
    }
    match super::cleanup::diff(m) {
        Some(diff) => {
            for line in diff.lines() {
                let _ = write!(text, "\n    {line}");
            }
        }
        None => {
            if let Some(target) = &m.target {
                let _ = write!(text, "\n    it changed {target}");
            }
        }
    }
    if m.kind == MitigationKind::Flag {
        let _ = write!(
            text,
            "\n    Re-enable gradually (for example 10%, 50%, 100%) and watch error rates at each stage."
        );
    }
    text
}

/// The follow-up actions recorded so far, one line each, with their owner.
pub(crate) fn actions_so_far(inc: &Incident) -> String {
    let mut text = "  Follow-up actions so far:".to_owned();
    for a in &inc.actions {
        let _ = write!(
            text,
            "\n  {} {} ({}): {}",
            a.id,
            a.kind.as_str(),
            a.owner.name(),
            a.text
        );
    }
    text
}

/// The runbook for scripts: the model as the file holds it, and its
/// version.
pub(crate) fn json(runbook: &Runbook, version: &str) -> Json {
    let mut value = to_json(runbook);
    value["version"] = json!(version);
    value
}

/// Where a guided-response walk left the incident, for scripts.
pub(crate) fn outcome_json(inc: &Incident, finished: bool) -> Json {
    json!({
        "id": inc.id,
        "status": inc.status.as_str(),
        "step": inc.step,
        "finished": finished,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Fixture {
        i: Vec<Incident>,
    }

    fn incidents() -> Vec<Incident> {
        let text = include_str!("../../tests/fixtures/cleanup.toml");
        toml::from_str::<Fixture>(text).unwrap().i
    }

    #[test]
    fn the_walk_shows_where_the_incident_stands() {
        let incidents = incidents();
        let now: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        assert_eq!(
            standing(&incidents[0], now),
            "  SEV-1 · mitigated · no lead yet · declared 8d 1h ago\n  \
             2 mitigations (2 pending cleanup) · 0 notes · no update yet"
        );
        assert_eq!(
            mitigations_so_far(&incidents[0]),
            "  In place so far:\n  \
             M1 flag, temporary: Disabled new-checkout-flow, back to the legacy cart\n  \
             M2 scale, temporary: Scaled checkout pool from 10 to 40 pods"
        );
    }

    #[test]
    fn a_cleanup_to_do_shows_its_plan_and_the_diff_to_apply() {
        let incidents = incidents();
        let flag = cleanup_to_do(&incidents[0].mitigations[0]);
        assert!(
            flag.starts_with(
                "  M1 flag: Disabled new-checkout-flow, back to the legacy cart\n    \
                 cleanup plan: Re-enable gradually: 10%, 50%, 100% while watching the 5xx rate\n    \
                 --- flags/checkout.yaml (in place now, temporary)\n"
            ),
            "{flag}"
        );
        assert!(flag.contains("\n    -  enabled: false\n"), "{flag}");
        assert!(flag.ends_with("\n    Re-enable gradually (for example 10%, 50%, 100%) and watch error rates at each stage."), "{flag}");
        // Without both states, the target alone.
        assert_eq!(
            cleanup_to_do(&incidents[1].mitigations[1]),
            "  M2 other: Pinned search to replica set B\n    cleanup plan: Unpin\n    it changed search/pin.conf"
        );
    }
}
