//! The stakeholder update that guided response proposes, built from where
//! the incident stands: verified facts only, and when the next update
//! comes. An external update names no internals (no mitigations, no
//! findings, no lead).

use chrono::{DateTime, Duration, Utc};

use crate::domain::{Audience, Incident, Status};

/// A stakeholder update built from where the incident stands: verified
/// facts only, and when the next update comes.
pub(crate) fn propose(
    inc: &Incident,
    audience: Audience,
    cadence: Option<Duration>,
    now: DateTime<Utc>,
) -> String {
    let mut lines = Vec::new();
    let services = if inc.services.is_empty() {
        String::new()
    } else {
        format!(" ({})", inc.services.join(", "))
    };
    match audience {
        Audience::Internal => {
            lines.push(format!(
                "[{}] {} {}: {}.",
                inc.severity, inc.id, inc.title, inc.status
            ));
            if let Some(impact) = &inc.impact {
                lines.push(format!("Impact: {impact}{services}."));
            } else if !services.is_empty() {
                lines.push(format!("Affected:{services}."));
            }
            let in_place: Vec<String> = inc
                .mitigations
                .iter()
                .filter(|m| m.cleaned_up_at.is_none())
                .map(|m| {
                    let temp = if m.is_pending() { ", temporary" } else { "" };
                    format!("{} ({}{temp})", m.action, m.kind.as_str())
                })
                .collect();
            if !in_place.is_empty() {
                lines.push(format!("In place: {}.", in_place.join("; ")));
            }
            let finding = inc
                .notes
                .iter()
                .rev()
                .find(|n| !n.text.contains(" checklist:") && !n.text.contains('\n'));
            if let Some(note) = finding {
                lines.push(format!("Latest finding: {}", note.text.trim_end_matches('.')) + ".");
            }
            if let Some(lead) = &inc.lead {
                lines.push(format!("Lead: {}.", lead.name()));
            }
        }
        Audience::External => {
            let state = match inc.status {
                Status::Declared | Status::Acknowledged => "We are investigating",
                Status::Mitigated => "A fix is in place and we are monitoring the results",
                _ => "This issue is resolved",
            };
            lines.push(format!("{}: {state}.", inc.title));
            if let Some(impact) = &inc.impact {
                lines.push(format!("Impact: {impact}."));
            }
        }
    }
    if let Some(c) = cadence
        && inc.status.is_open()
        && let Some(next) = now.checked_add_signed(c)
    {
        lines.push(format!("Next update by {} UTC.", next.format("%H:%M")));
    }
    lines.join("\n")
}
