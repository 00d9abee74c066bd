//! The lifecycle of an incident, one function per change: acknowledge,
//! resolve, close, reopen, the three ways out of an open incident (decline,
//! cancel, duplicate) and guided response's step marker.

use super::entries::add_note;
use super::rules::{check_text, exit_open};
use super::{Actor, Applied, ChangeError, Guard, Settings, Trailer, Verb, short};
use crate::domain::IncidentId;
use crate::domain::incident::{Incident, Note, Review, Status};

/// Acknowledges a declared incident: it is real, and tracking begins.
pub(super) fn ack(inc: &mut Incident, actor: &Actor) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    let at = actor.at;
    if inc.status != Status::Declared {
        return Err(ChangeError::invalid(format!(
            "{id} is already {}",
            inc.status
        )));
    }
    inc.status = Status::Acknowledged;
    inc.acknowledged_at = Some(at);
    inc.acknowledged_by = Some(actor.by.clone());
    Ok(Applied::new(Verb::Ack, "acknowledged").changed("declared", "acknowledged"))
}

/// Resolves the incident: the impact is over.
pub(super) fn resolve(
    inc: &mut Incident,
    actor: &Actor,
    summary: &Option<String>,
    guard: &mut Guard<'_>,
) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    let at = actor.at;
    if inc.status == Status::Resolved {
        return Err(ChangeError::invalid(format!("{id} is already resolved")));
    }
    guard.check(inc.status >= Status::Acknowledged, || {
        format!("{id} is not acknowledged yet; acknowledge it before resolving")
    })?;
    if let Some(summary) = summary {
        check_text("summary", summary)?;
    }
    let from = inc.status;
    inc.status = Status::Resolved;
    inc.resolved_at = Some(at);
    inc.resolved_by = Some(actor.by.clone());
    if inc.mitigated_at.is_none() {
        inc.mitigated_at = Some(at);
    }
    if summary.is_some() {
        inc.resolution.clone_from(summary);
    }
    Ok(Applied::new(Verb::Resolve, "resolved")
        .changed(from.as_str(), "resolved")
        .body(summary.clone()))
}

/// Closes a resolved incident; the review rules apply by severity.
pub(super) fn close(
    inc: &mut Incident,
    actor: &Actor,
    settings: &Settings,
    guard: &mut Guard<'_>,
) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    let at = actor.at;
    guard.check(inc.status == Status::Resolved, || {
        format!(
            "{id} is {}, not resolved; resolve it before closing",
            inc.status
        )
    })?;
    let pending: Vec<String> = inc
        .pending_mitigations()
        .map(|m| format!("{} ({})", m.id, short(&m.action)))
        .collect();
    guard.check(pending.is_empty(), || {
        format!(
            "{id} has temporary mitigations still in place: {}; clean them up with `git incident cleanup done {id} <M>` or make them permanent with `git incident cleanup keep {id} <M> --why \"...\"`",
            pending.join(", ")
        )
    })?;
    if settings.review_required.contains(&inc.severity) {
        guard.check(inc.review.as_ref().is_some_and(Review::is_complete), || {
            format!(
                "{id} is {} and has no review; record what happened and the root cause with `git incident review {id}`",
                inc.severity
            )
        })?;
        guard.check(!inc.actions.is_empty(), || {
            format!(
                "{id} is {} and has no follow-up actions; add one with `git incident action {id} \"...\" --owner \"Name <email>\"`",
                inc.severity
            )
        })?;
    }
    let from = inc.status;
    inc.status = Status::Closed;
    inc.closed_at = Some(at);
    inc.closed_by = Some(actor.by.clone());
    Ok(Applied::new(Verb::Close, "closed").changed(from.as_str(), "closed"))
}

/// Reopens a finished incident, keeping a note of why.
pub(super) fn reopen(inc: &mut Incident, actor: &Actor, why: &str) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    let by = actor.by.clone();
    let at = actor.at;
    check_text("reason", why)?;
    if inc.status.is_open() {
        return Err(ChangeError::invalid(format!(
            "{id} is {}, still open",
            inc.status
        )));
    }
    let from = inc.status;
    inc.status = Status::Acknowledged;
    if inc.acknowledged_at.is_none() {
        inc.acknowledged_at = Some(at);
        inc.acknowledged_by = Some(by.clone());
    }
    inc.resolved_at = None;
    inc.resolved_by = None;
    inc.closed_at = None;
    inc.closed_by = None;
    inc.exit_reason = None;
    inc.duplicate_of = None;
    add_note(
        inc,
        Note {
            at,
            by,
            text: format!("Reopened: {why}"),
            key: None,
        },
    );
    Ok(Applied::new(Verb::Reopen, "reopened")
        .changed(from.as_str(), "acknowledged")
        .body(Some(why.to_owned())))
}

/// Ends an open incident as declined or cancelled, with the reason.
pub(super) fn exit(
    inc: &mut Incident,
    actor: &Actor,
    why: &str,
    to: Status,
) -> Result<Applied, ChangeError> {
    let at = actor.at;
    check_text("reason", why)?;
    let verb = if to == Status::Declined {
        Verb::Decline
    } else {
        Verb::Cancel
    };
    exit_open(inc, to)?;
    let from = std::mem::replace(&mut inc.status, to);
    inc.exit_reason = Some(why.to_owned());
    inc.closed_at = Some(at);
    inc.closed_by = Some(actor.by.clone());
    Ok(Applied::new(verb, to.as_str())
        .changed(from.as_str(), to.as_str())
        .body(Some(why.to_owned())))
}

/// Marks an open incident a duplicate of another.
pub(super) fn duplicate(
    inc: &mut Incident,
    actor: &Actor,
    of: &str,
) -> Result<Applied, ChangeError> {
    let at = actor.at;
    let id = inc.id.clone();
    // As typed: `INC-7`, `inc-7` or `7` in this incident's ledger.
    let of = IncidentId::parse(of, id.prefix()).map_err(|e| ChangeError::invalid(e.to_string()))?;
    if of == id {
        return Err(ChangeError::invalid(format!(
            "{id} cannot duplicate itself"
        )));
    }
    exit_open(inc, Status::Duplicate)?;
    let from = std::mem::replace(&mut inc.status, Status::Duplicate);
    inc.duplicate_of = Some(of.clone());
    inc.closed_at = Some(at);
    inc.closed_by = Some(actor.by.clone());
    Ok(Applied::new(Verb::Duplicate, format!("duplicate of {of}"))
        .changed(from.as_str(), "duplicate")
        .trailer(Trailer::DuplicateOf, of.to_string()))
}

/// Records where guided response resumes.
pub(super) fn step(inc: &mut Incident, step: &str) -> Result<Applied, ChangeError> {
    let from = inc
        .step
        .replace(step.to_owned())
        .unwrap_or_else(|| "none".into());
    Ok(
        Applied::new(Verb::Step, format!("guided response at step {step}"))
            .changed(from, step.to_owned()),
    )
}
