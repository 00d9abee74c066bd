//! The post-incident review document, in the runbook's outline: what
//! happened, the timeline (generated from git), root cause, what worked well,
//! what failed, preventive actions; headed by impact, duration and response
//! times. Markdown that GitHub and GitLab render alike (plain headings,
//! pipe tables, no HTML), or JSON.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use crate::domain::Incident;
use crate::domain::history::{History, Source};
use crate::domain::stats::ResponseTimes;
use crate::domain::timeline::{Happened, timeline};
use crate::domain::when::human_duration;
use crate::render::json::to_json;

use super::log::{describe, describe_whole, lag};
use super::time;

/// What a moment of the timeline says, in words: one entry per change,
/// its texts whole (`whole`) or cut to their first line.
pub(crate) fn what(happened: &Happened, whole: bool) -> Vec<String> {
    let describe = if whole { describe_whole } else { describe };
    match happened {
        Happened::ImpactStarted => vec!["impact started".to_owned()],
        Happened::Changed(deltas) => deltas.iter().map(describe).collect(),
    }
}

/// Escapes text for one Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn duration(d: Option<chrono::Duration>) -> String {
    d.map_or_else(|| "-".to_owned(), human_duration)
}

fn section(out: &mut String, title: &str, text: Option<&str>) {
    let _ = writeln!(out, "\n## {title}\n");
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let _ = writeln!(out, "{text}");
        }
        None => {
            let _ = writeln!(out, "_Not written yet._");
        }
    }
}

/// The report in Markdown; `commit` is where it was read.
pub(crate) fn markdown(inc: &Incident, history: &History, commit: &str) -> String {
    let mut out = String::new();
    let times = ResponseTimes::of(inc);
    let review = inc.review.clone().unwrap_or_default();
    let _ = writeln!(out, "# {}: {}\n", inc.id, cell(&inc.title));
    let _ = writeln!(out, "- **Severity:** {}", inc.severity);
    let _ = writeln!(out, "- **Status:** {}", inc.status);
    let _ = writeln!(
        out,
        "- **Lead:** {}",
        inc.lead.as_ref().map_or("-", |who| who.name())
    );
    if !inc.services.is_empty() {
        let _ = writeln!(out, "- **Services:** {}", inc.services.join(", "));
    }
    let _ = writeln!(
        out,
        "- **Impact:** {}",
        inc.impact.as_deref().map_or("-".to_owned(), cell)
    );
    let end = inc.resolved_at.map_or_else(
        || "ongoing".to_owned(),
        |t| format!("{} to {}", time(inc.started_at), time(t)),
    );
    let _ = writeln!(
        out,
        "- **Duration:** {} ({end})",
        duration(times.to_resolve)
    );
    let _ = writeln!(
        out,
        "- **Declared:** {} by {}",
        time(inc.declared_at),
        inc.declared_by.name()
    );
    let _ = writeln!(out, "\n| Measure | Time | From | To |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    for (name, d, from, to) in [
        (
            "Time to declare",
            times.to_declare,
            "impact start",
            "declared",
        ),
        (
            "Time to acknowledge",
            times.to_acknowledge,
            "declared",
            "acknowledged",
        ),
        (
            "Time to mitigate",
            times.to_mitigate,
            "impact start",
            "mitigated",
        ),
        (
            "Time to resolve",
            times.to_resolve,
            "impact start",
            "resolved",
        ),
    ] {
        let _ = writeln!(out, "| {name} | {} | {from} | {to} |", duration(d));
    }
    if let Some(resolution) = &inc.resolution {
        let _ = writeln!(out, "\n**Resolution:** {}", cell(resolution));
    }

    section(&mut out, "What happened", Some(&review.what_happened));

    let _ = writeln!(out, "\n## Timeline\n");
    let _ = writeln!(out, "| Time (UTC) | Who | What |");
    let _ = writeln!(out, "| --- | --- | --- |");
    for row in timeline(inc, history) {
        let mut when = row.at.format("%Y-%m-%d %H:%M").to_string();
        if let Some(recorded) = row.recorded {
            let _ = write!(when, " ({})", lag(row.at, recorded));
        }
        let name = row.who.as_deref().unwrap_or("-");
        let who = match row.source {
            Source::Tool => cell(name),
            other => format!("{} ({})", cell(name), other.as_str()),
        };
        let what: Vec<String> = what(&row.happened, true).iter().map(|w| cell(w)).collect();
        let _ = writeln!(out, "| {when} | {who} | {} |", what.join("; "));
    }

    if !inc.mitigations.is_empty() {
        let _ = writeln!(out, "\n### Mitigations\n");
        let _ = writeln!(out, "| ID | Kind | Action | Applied | Cleanup |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for m in &inc.mitigations {
            let cleanup = if !m.temporary {
                "permanent".to_owned()
            } else if let Some(at) = m.cleaned_up_at {
                format!("cleaned up {}", time(at))
            } else if m.kept_at.is_some() {
                "made permanent".to_owned()
            } else {
                "**pending**".to_owned()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} by {} | {cleanup} |",
                m.id,
                m.kind.as_str(),
                cell(&m.action),
                time(m.applied_at),
                cell(m.applied_by.name())
            );
        }
    }

    section(&mut out, "Root cause", Some(&review.root_cause));
    section(&mut out, "What worked well", Some(&review.went_well));
    section(&mut out, "What failed", Some(&review.went_wrong));

    let _ = writeln!(out, "\n## Preventive actions\n");
    if inc.actions.is_empty() {
        let _ = writeln!(out, "_None recorded._");
    } else {
        let _ = writeln!(out, "| ID | Action | Kind | Owner | Due | Status |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for a in &inc.actions {
            let status = a
                .done_at
                .map_or_else(|| "open".to_owned(), |t| format!("done {}", time(t)));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {status} |",
                a.id,
                cell(&a.text),
                a.kind.as_str(),
                cell(&a.owner.to_string()),
                a.due.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            );
        }
    }
    let _ = writeln!(
        out,
        "\n---\n\n_Generated by git-incident from the ledger's history at commit `{commit}`. \
Times to mitigate and to resolve count from the impact start; time to acknowledge from the declaration._"
    );
    out
}

/// The report as one JSON document.
pub(crate) fn json(inc: &Incident, history: &History, commit: &str) -> Json {
    let times = ResponseTimes::of(inc);
    let secs = |d: Option<chrono::Duration>| d.map(|d| d.num_seconds());
    let timeline: Vec<Json> = timeline(inc, history)
        .into_iter()
        .map(|r| {
            json!({
                "at": r.at,
                "recorded_at": r.recorded,
                "who": r.who.as_deref().unwrap_or("-"),
                "source": match r.source {
                    Source::Tool => "tool",
                    Source::Outside => "outside",
                    Source::Merge => "merge",
                },
                "what": what(&r.happened, true),
            })
        })
        .collect();
    json!({
        "id": inc.id,
        "commit": commit,
        "incident": to_json(inc),
        "metrics": {
            "duration_secs": secs(times.to_resolve),
            "time_to_declare_secs": secs(times.to_declare),
            "time_to_acknowledge_secs": secs(times.to_acknowledge),
            "time_to_mitigate_secs": secs(times.to_mitigate),
            "time_to_resolve_secs": secs(times.to_resolve),
        },
        "timeline": timeline,
    })
}
