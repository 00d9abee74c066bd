//! The rules shared by the changes: text that may be recorded, known
//! severities and services, no change from the future, milestones in order,
//! the next entry id, and the entries a change may name.

use crate::domain::when::shown;
use chrono::{DateTime, Utc};

use super::{Actor, Change, ChangeError, Guard, Settings};
use crate::domain::id::IncidentId;
use crate::domain::incident::{Incident, Mitigation, Status};
use crate::domain::runbook::severity_named;
use crate::domain::when::{CLOCK_SKEW, TimeError};

/// Refuses empty text, and control characters other than newline and tab.
pub fn check_text(what: &str, text: &str) -> Result<(), ChangeError> {
    if text.trim().is_empty() {
        return Err(ChangeError::invalid(format!("the {what} is empty")));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ChangeError::invalid_hint(
            format!(
                "the {what} contains the control character U+{:04X}",
                u32::from(c)
            ),
            "remove terminal escapes and other control characters from the text",
        ));
    }
    Ok(())
}

/// A change that points at another incident (a duplicate's original) needs
/// that incident in the ledger; checked before the change is applied, and
/// before its own incident is read. `lookup` reads an id as the user typed
/// it and answers which incident that is and whether the ledger holds it;
/// its error (text that is no id) passes through.
pub fn check_target<E: From<ChangeError>>(
    change: &Change,
    lookup: impl FnOnce(&str) -> Result<(IncidentId, bool), E>,
) -> Result<(), E> {
    let Change::Duplicate { of } = change else {
        return Ok(());
    };
    match lookup(of)? {
        (_, true) => Ok(()),
        (id, false) => Err(ChangeError::invalid_hint(
            format!("no incident {id} in this ledger"),
            "`git incident list` shows the incidents in this ledger",
        )
        .into()),
    }
}

/// The known severity `severity` names (`1`, `sev1` and `SEV-1` are SEV-1),
/// or why it names none.
pub(super) fn check_severity(severity: &str, settings: &Settings) -> Result<String, ChangeError> {
    if let Some(known) = severity_named(&settings.severities, severity) {
        return Ok(known.clone());
    }
    Err(ChangeError::invalid_hint(
        format!("unknown severity `{severity}`"),
        format!(
            "the runbook's severities are {}",
            settings.severities.join(", ")
        ),
    ))
}

pub(super) fn check_service(service: &str, settings: &Settings) -> Result<(), ChangeError> {
    check_text("service name", service)?;
    if settings.services.is_empty() || settings.services.iter().any(|s| s == service) {
        return Ok(());
    }
    Err(ChangeError::invalid_hint(
        format!("unknown service `{service}`"),
        format!(
            "known services are {}; add it to `services` in ledger.toml if it is new",
            settings.services.join(", ")
        ),
    ))
}

pub(super) fn check_not_future(actor: &Actor) -> Result<(), ChangeError> {
    let grace = actor
        .now
        .checked_add_signed(CLOCK_SKEW)
        .unwrap_or(actor.now);
    if actor.at > grace {
        return Err(ChangeError::invalid_hint(
            format!("the event time {} is in the future", shown(actor.at)),
            format!("--at takes a past time: {}", TimeError::HINT),
        ));
    }
    Ok(())
}

/// How far back an event time may lie without `--force`.
pub const MAX_BACKDATE: chrono::Duration = chrono::Duration::days(30);

/// An event time given with `--at` before the incident began, or longer ago
/// than [`MAX_BACKDATE`], is more often a mistyped time than a late record:
/// refused unless forced.
pub(super) fn check_event_time(
    inc: &Incident,
    actor: &Actor,
    guard: &mut Guard<'_>,
) -> Result<(), ChangeError> {
    if actor.at == actor.now {
        return Ok(());
    }
    guard.check(actor.at >= inc.started_at, || {
        format!(
            "the event time {} is before {} began ({})",
            shown(actor.at),
            inc.id,
            shown(inc.started_at)
        )
    })?;
    check_not_long_ago("event time", actor.at, actor, guard)
}

/// Refuses `at`, unless forced, where it lies more than [`MAX_BACKDATE`]
/// before now.
pub(super) fn check_not_long_ago(
    what: &str,
    at: DateTime<Utc>,
    actor: &Actor,
    guard: &mut Guard<'_>,
) -> Result<(), ChangeError> {
    let oldest = actor.now.checked_sub_signed(MAX_BACKDATE);
    guard.check(oldest.is_none_or(|oldest| at >= oldest), || {
        format!(
            "the {what} {} is more than {} days ago",
            shown(at),
            MAX_BACKDATE.num_days()
        )
    })
}

/// Refuses milestones out of order: started <= declared <= acknowledged <=
/// mitigated <= resolved <= closed.
pub fn check_milestones(incident: &Incident) -> Result<(), ChangeError> {
    let mut previous: Option<(&str, DateTime<Utc>)> = None;
    for (name, at) in incident.milestones() {
        let Some(at) = at else { continue };
        if let Some((before, then)) = previous
            && at < then
        {
            return Err(ChangeError::invalid_hint(
                format!(
                    "{name} ({}) would come before {before} ({})",
                    shown(at),
                    shown(then)
                ),
                "milestones are chronological; give a later time with --at",
            ));
        }
        previous = Some((name, at));
    }
    Ok(())
}

pub(super) fn next_id(prefix: char, existing: impl Iterator<Item = String>) -> String {
    let max = existing
        .filter_map(|id| id.get(1..).and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", max + 1)
}

pub(super) fn exit_open(inc: &Incident, to: Status) -> Result<(), ChangeError> {
    if inc.status.is_open() {
        return Ok(());
    }
    Err(ChangeError::invalid(format!(
        "{} is {}; only an open incident can be marked {}",
        inc.id, inc.status, to
    )))
}

pub(super) fn unknown_entry<'a>(
    what: &str,
    given: &str,
    id: &IncidentId,
    existing: impl Iterator<Item = &'a String>,
) -> ChangeError {
    let known: Vec<&str> = existing.map(String::as_str).collect();
    let hint = if known.is_empty() {
        format!("{id} has no {what}s yet")
    } else {
        format!("{id} has {}", known.join(", "))
    };
    ChangeError::invalid_hint(format!("{id} has no {what} `{given}`"), hint)
}

pub(super) fn pending_mitigation<'a>(
    inc: &'a Incident,
    given: &str,
) -> Result<&'a Mitigation, ChangeError> {
    let Some(m) = inc.mitigation(given) else {
        return Err(unknown_entry(
            "mitigation",
            given,
            &inc.id,
            inc.mitigations.iter().map(|m| &m.id),
        ));
    };
    if !m.temporary {
        return Err(ChangeError::invalid(format!(
            "mitigation {} of {} is not temporary; there is nothing to clean up",
            m.id, inc.id
        )));
    }
    if let Some(at) = m.cleaned_up_at {
        return Err(ChangeError::invalid(format!(
            "mitigation {} of {} was already cleaned up at {}",
            m.id,
            inc.id,
            shown(at)
        )));
    }
    if m.kept_at.is_some() {
        return Err(ChangeError::invalid(format!(
            "mitigation {} of {} was made permanent",
            m.id, inc.id
        )));
    }
    Ok(m)
}
