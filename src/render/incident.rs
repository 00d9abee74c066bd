//! One incident, readable.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::domain::Incident;
use crate::domain::when::human_duration;

use super::style::{self, paint};
use super::time;

fn since(t: DateTime<Utc>, from: DateTime<Utc>) -> String {
    format!("+{}", human_duration(t - from))
}

/// The `show` view.
#[allow(clippy::too_many_lines)]
pub(crate) fn show(inc: &Incident, color: bool) -> String {
    let mut out = String::new();
    let bold = |t: &str| paint(color, style::BOLD, t);
    let head = |t: &str| paint(color, style::HEADER, t);
    let dim = |t: &str| paint(color, style::DIM, t);
    let _ = writeln!(out, "{}  {}", bold(&inc.id.to_string()), bold(&inc.title));
    let _ = writeln!(out, "  severity  {}", inc.severity);
    let _ = writeln!(out, "  status    {}", inc.status);
    let _ = writeln!(
        out,
        "  lead      {}",
        inc.lead
            .as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    );
    if !inc.services.is_empty() {
        let _ = writeln!(out, "  services  {}", inc.services.join(", "));
    }
    if let Some(impact) = &inc.impact {
        let _ = writeln!(out, "  impact    {impact}");
    }
    if let Some(resolution) = &inc.resolution {
        let _ = writeln!(out, "  resolved  {resolution}");
    }
    if let Some(reason) = &inc.exit_reason {
        let _ = writeln!(out, "  reason    {reason}");
    }
    if let Some(of) = &inc.duplicate_of {
        let _ = writeln!(out, "  duplicate of {of}");
    }

    let _ = writeln!(out, "\n{}", head("Milestones"));
    for (name, at) in inc.milestones() {
        let Some(at) = at else { continue };
        let label = name.trim_end_matches("_at");
        let offset = if name == "started_at" {
            String::new()
        } else {
            format!("  {}", dim(&since(at, inc.started_at)))
        };
        let by = match name {
            "declared_at" => Some(&inc.declared_by),
            "acknowledged_at" => inc.acknowledged_by.as_ref(),
            "mitigated_at" => inc
                .mitigations
                .iter()
                .filter(|m| m.applied_at == at)
                .map(|m| &m.applied_by)
                .next(),
            "resolved_at" => inc.resolved_by.as_ref(),
            "closed_at" => inc.closed_by.as_ref(),
            _ => None,
        }
        .map_or_else(String::new, |who| format!("  by {}", who.name()));
        let _ = writeln!(out, "  {label:<13} {}{offset}{by}", time(at));
    }

    if !inc.notes.is_empty() {
        let _ = writeln!(out, "\n{}", head(&format!("Notes ({})", inc.notes.len())));
        let mut notes: Vec<_> = inc.notes.iter().collect();
        notes.sort_by_key(|n| n.at);
        for note in notes {
            entry(&mut out, note.at, &note.by, None, &note.text, color);
        }
    }
    if !inc.updates.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            head(&format!("Updates ({})", inc.updates.len()))
        );
        for update in &inc.updates {
            entry(
                &mut out,
                update.at,
                &update.by,
                Some(update.audience.as_str()),
                &update.text,
                color,
            );
        }
    }
    if !inc.mitigations.is_empty() {
        let pending = inc.pending_mitigations().count();
        let _ = writeln!(
            out,
            "\n{}",
            head(&format!(
                "Mitigations ({}, {pending} pending cleanup)",
                inc.mitigations.len()
            ))
        );
        for m in &inc.mitigations {
            let state = if !m.temporary {
                "permanent".to_owned()
            } else if m.cleaned_up_at.is_some() {
                "temporary, cleaned up".to_owned()
            } else if m.kept_at.is_some() {
                "made permanent".to_owned()
            } else {
                paint(color, style::WARN, "temporary, pending cleanup")
            };
            let _ = writeln!(
                out,
                "  {}  {:<8} {}  [{state}]",
                bold(&m.id),
                m.kind.as_str(),
                m.action
            );
            let _ = writeln!(
                out,
                "      applied {} by {}",
                time(m.applied_at),
                m.applied_by.name()
            );
            if let Some(target) = &m.target {
                let _ = writeln!(out, "      target  {target}");
            }
            if let Some(plan) = &m.cleanup {
                let _ = writeln!(out, "      cleanup {plan}");
            }
            if let (Some(at), Some(by)) = (m.cleaned_up_at, &m.cleaned_up_by) {
                let note = m
                    .cleanup_note
                    .as_deref()
                    .map_or(String::new(), |n| format!(": {n}"));
                let _ = writeln!(out, "      undone  {} by {}{note}", time(at), by.name());
            }
            if let Some(why) = &m.kept_why {
                let _ = writeln!(out, "      kept    {why}");
            }
        }
    }
    if let Some(review) = &inc.review {
        let _ = writeln!(out, "\n{}", head("Review"));
        for (label, text) in [
            ("What happened", &review.what_happened),
            ("Root cause", &review.root_cause),
            ("What went well", &review.went_well),
            ("What went wrong", &review.went_wrong),
        ] {
            if !text.is_empty() {
                let _ = writeln!(out, "  {label}:");
                for line in text.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }
    if !inc.actions.is_empty() {
        let open = inc.actions.iter().filter(|a| a.done_at.is_none()).count();
        let _ = writeln!(
            out,
            "\n{}",
            head(&format!("Actions ({}, {open} open)", inc.actions.len()))
        );
        for a in &inc.actions {
            let due = a.due.map(|d| format!(", due {d}")).unwrap_or_default();
            let done = a
                .done_at
                .map(|t| format!(" [done {}]", time(t)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}  {:<10} {} ({}{due}){done}",
                bold(&a.id),
                a.kind.as_str(),
                a.text,
                a.owner.name()
            );
        }
    }
    if !inc.overrides.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            head(&format!("Overridden rules ({})", inc.overrides.len()))
        );
        for o in &inc.overrides {
            let _ = writeln!(
                out,
                "  {}  {} by {}: {}\n      why: {}",
                time(o.at),
                o.change,
                o.by.name(),
                o.rule,
                o.why
            );
        }
    }
    out
}

fn entry(
    out: &mut String,
    at: DateTime<Utc>,
    by: &crate::domain::Identity,
    tag: Option<&str>,
    text: &str,
    color: bool,
) {
    let tag = tag.map(|t| format!(" [{t}]")).unwrap_or_default();
    let when = paint(color, style::DIM, &time(at));
    let mut lines = text.lines();
    let _ = writeln!(
        out,
        "  {when}  {}{tag}: {}",
        by.name(),
        lines.next().unwrap_or("")
    );
    for line in lines {
        let _ = writeln!(out, "      {line}");
    }
}
