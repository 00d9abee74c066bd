//! Changes that add to or edit an incident's entries and people: lead,
//! severity, notes, updates, mitigations and their cleanup, the review and
//! follow-up actions. One function per change.

use super::rules::{check_severity, check_text, next_id, pending_mitigation, unknown_entry};
use super::{
    Actor, Applied, ChangeError, Guard, NewAction, NewMitigation, ReviewFields, Settings, Trailer,
    Verb, short,
};
use crate::domain::identity::Identity;
use crate::domain::incident::{
    Action, Audience, Incident, Mitigation, MitigationKind, Note, Review, Status, Update,
};
use crate::domain::when::shown;

/// Hands the lead to someone else.
pub(super) fn lead(inc: &mut Incident, lead: &Identity) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    if inc.lead.as_ref() == Some(lead) {
        return Err(ChangeError::invalid(format!("{lead} already leads {id}")));
    }
    let summary = match &inc.lead {
        Some(from) => format!("lead {} -> {}", from.name(), lead.name()),
        None => format!("lead {}", lead.name()),
    };
    let from = inc
        .lead
        .replace(lead.clone())
        .map_or_else(|| "none".to_owned(), |from| from.to_string());
    Ok(Applied::new(Verb::Lead, summary).changed(from, lead.to_string()))
}

/// Changes the severity. A reason is kept as a note, where `show`, `log`
/// and the report show it; lowering the severity needs one.
pub(super) fn severity(
    inc: &mut Incident,
    actor: &Actor,
    to: &str,
    why: &Option<String>,
    settings: &Settings,
) -> Result<Applied, ChangeError> {
    let id = inc.id.clone();
    let to = &check_severity(to, settings)?;
    if &inc.severity == to {
        return Err(ChangeError::invalid(format!("{id} is already {to}")));
    }
    let rank = |s: &str| settings.severities.iter().position(|known| known == s);
    let lower = matches!((rank(&inc.severity), rank(to)), (Some(from), Some(to)) if to > from);
    match why {
        Some(why) => check_text("reason", why)?,
        None if lower => {
            return Err(ChangeError::invalid_hint(
                format!("lowering {id} from {} to {to} needs a reason", inc.severity),
                "say why with --why \"...\"; it is kept with the incident's notes",
            ));
        }
        None => {}
    }
    let from = std::mem::replace(&mut inc.severity, to.to_owned());
    if let Some(why) = why {
        add_note(
            inc,
            Note {
                at: actor.at,
                by: actor.by.clone(),
                text: format!("Severity {from} -> {to}: {why}"),
                key: None,
            },
        );
    }
    Ok(
        Applied::new(Verb::Severity, format!("severity {from} -> {to}"))
            .changed(from, to.to_owned())
            .body(why.to_owned()),
    )
}

/// Adds a note to the incident's log.
pub(super) fn note(inc: &mut Incident, actor: &Actor, text: &str) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    check_text("note", text)?;
    add_note(
        inc,
        Note {
            at,
            by,
            text: text.to_owned(),
            key: None,
        },
    );
    Ok(Applied::new(Verb::Note, format!("note: {}", short(text)))
        .body((text.trim() != short(text)).then(|| text.to_owned())))
}

/// Records a status update sent to an audience.
pub(super) fn update(
    inc: &mut Incident,
    actor: &Actor,
    text: &str,
    audience: &Audience,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    check_text("update", text)?;
    inc.updates.push(Update {
        at,
        by,
        audience: *audience,
        text: text.to_owned(),
        key: None,
    });
    Ok(Applied::new(
        Verb::Update,
        format!("{} update: {}", audience.as_str(), short(text)),
    )
    .body((text.trim() != short(text)).then(|| text.to_owned())))
}

/// Records a mitigation; the first one marks the incident mitigated.
pub(super) fn mitigate(
    inc: &mut Incident,
    actor: &Actor,
    m: &NewMitigation,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    check_text("mitigation", &m.action)?;
    for (what, value) in [("cleanup plan", &m.cleanup), ("target", &m.target)] {
        if let Some(value) = value {
            check_text(what, value)?;
        }
    }
    if m.temporary && m.cleanup.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(ChangeError::invalid_hint(
            "a temporary mitigation needs a cleanup plan",
            "say how it will be undone with --cleanup \"<plan>\"",
        ));
    }
    // Responders often restart something before anyone acknowledged:
    // the mitigation acknowledges the incident with it.
    let acknowledges = inc.status == Status::Declared;
    if acknowledges {
        inc.acknowledged_at = Some(at);
        inc.acknowledged_by = Some(by.clone());
    }
    let mid = next_id('M', inc.mitigations.iter().map(|m| m.id.clone()));
    let kind = m.kind.unwrap_or(MitigationKind::Other);
    inc.mitigations.push(Mitigation {
        cleanup: m.cleanup.clone(),
        target: m.target.clone(),
        before: m.before.clone(),
        after: m.after.clone(),
        ..Mitigation::applied(mid.clone(), kind, m.action.clone(), m.temporary, at, by)
    });
    let mut applied = Applied::new(
        Verb::Mitigate,
        format!(
            "mitigation {mid} ({}{}): {}",
            kind.as_str(),
            if m.temporary { ", temporary" } else { "" },
            short(&m.action)
        ),
    )
    .trailer(Trailer::Mitigation, mid.clone())
    .body(whole(&m.action, acknowledges));
    if matches!(inc.status, Status::Declared | Status::Acknowledged) {
        applied = applied.changed(inc.status.as_str(), "mitigated");
        inc.status = Status::Mitigated;
    }
    if inc.mitigated_at.is_none() {
        inc.mitigated_at = Some(at);
    }
    applied.created = Some(mid);
    Ok(applied)
}

/// Records that a temporary mitigation was undone.
pub(super) fn cleanup_done(
    inc: &mut Incident,
    actor: &Actor,
    mitigation: &str,
    note: &Option<String>,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    let m = pending_mitigation(inc, mitigation)?;
    if at < m.applied_at {
        return Err(ChangeError::invalid(format!(
            "the cleanup ({}) cannot come before the mitigation was applied ({})",
            shown(at),
            shown(m.applied_at)
        )));
    }
    if let Some(note) = note {
        check_text("cleanup note", note)?;
    }
    let mid = m.id.clone();
    let m = inc
        .mitigations
        .iter_mut()
        .find(|m| m.id == mid)
        .expect("found above");
    m.cleaned_up_at = Some(at);
    m.cleaned_up_by = Some(by);
    m.cleanup_note.clone_from(note);
    Ok(
        Applied::new(Verb::CleanupDone, format!("mitigation {mid} cleaned up"))
            .trailer(Trailer::Mitigation, mid)
            .body(note.clone()),
    )
}

/// Makes a temporary mitigation permanent, with the reason.
pub(super) fn cleanup_keep(
    inc: &mut Incident,
    actor: &Actor,
    mitigation: &str,
    why: &str,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    check_text("reason", why)?;
    let mid = pending_mitigation(inc, mitigation)?.id.clone();
    let m = inc
        .mitigations
        .iter_mut()
        .find(|m| m.id == mid)
        .expect("found above");
    m.kept_at = Some(at);
    m.kept_by = Some(by);
    m.kept_why = Some(why.to_owned());
    Ok(Applied::new(
        Verb::CleanupKeep,
        format!("mitigation {mid} made permanent"),
    )
    .trailer(Trailer::Mitigation, mid)
    .body(Some(why.to_owned())))
}

/// Sets the review's fields that are given.
pub(super) fn review(inc: &mut Incident, fields: &ReviewFields) -> Result<Applied, ChangeError> {
    let given = [
        ("what happened", &fields.what_happened),
        ("root cause", &fields.root_cause),
        ("what went well", &fields.went_well),
        ("what went wrong", &fields.went_wrong),
    ];
    let named: Vec<&str> = given
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| *name)
        .collect();
    if named.is_empty() {
        return Err(ChangeError::invalid_hint(
            "the review names no field to set",
            "give --what-happened, --root-cause, --went-well or --went-wrong",
        ));
    }
    for (name, value) in given {
        if let Some(value) = value {
            check_text(name, value)?;
        }
    }
    let review = inc.review.get_or_insert_with(Review::default);
    let set = |field: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            field.clone_from(value);
        }
    };
    set(&mut review.what_happened, &fields.what_happened);
    set(&mut review.root_cause, &fields.root_cause);
    set(&mut review.went_well, &fields.went_well);
    set(&mut review.went_wrong, &fields.went_wrong);
    Ok(Applied::new(
        Verb::Review,
        format!("review: {}", named.join(", ")),
    ))
}

/// Adds a follow-up action with an owner.
pub(super) fn action(
    inc: &mut Incident,
    actor: &Actor,
    a: &NewAction,
    guard: &mut Guard<'_>,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    check_text("action", &a.text)?;
    if let Some(due) = a.due {
        let today = actor.now.date_naive();
        guard.check(due >= today, || {
            format!("the due date {due} is in the past (today is {today}); give a later --due")
        })?;
    }
    let aid = next_id('A', inc.actions.iter().map(|a| a.id.clone()));
    inc.actions.push(Action {
        id: aid.clone(),
        kind: a.kind,
        text: a.text.to_owned(),
        owner: a.owner.clone(),
        due: a.due,
        created_at: at,
        created_by: by,
        done_at: None,
        done_by: None,
        key: None,
    });
    let mut applied = Applied::new(
        Verb::Action,
        format!("action {aid} for {}: {}", a.owner.name(), short(&a.text)),
    )
    .trailer(Trailer::Action, aid.clone())
    .trailer(Trailer::Owner, a.owner.to_string())
    .body(whole(&a.text, false));
    applied.created = Some(aid);
    Ok(applied)
}

/// Marks a follow-up action done.
pub(super) fn action_done(
    inc: &mut Incident,
    actor: &Actor,
    action: &str,
) -> Result<Applied, ChangeError> {
    let by = actor.by.clone();
    let at = actor.at;
    let id = inc.id.clone();
    let Some(found) = inc.action(action) else {
        return Err(unknown_entry(
            "action",
            action,
            &id,
            inc.actions.iter().map(|a| &a.id),
        ));
    };
    if found.done_at.is_some() {
        return Err(ChangeError::invalid(format!(
            "action {} of {id} is already done",
            found.id
        )));
    }
    let aid = found.id.clone();
    let a = inc
        .actions
        .iter_mut()
        .find(|a| a.id == aid)
        .expect("found above");
    a.done_at = Some(at);
    a.done_by = Some(by);
    Ok(Applied::new(Verb::ActionDone, format!("action {aid} done")).trailer(Trailer::Action, aid))
}

/// Adds a note in event-time order: a note backfilled with `--at` goes
/// before the later ones, so every view and the file read in order.
pub(super) fn add_note(inc: &mut Incident, note: Note) {
    let at = inc.notes.partition_point(|n| n.at <= note.at);
    inc.notes.insert(at, note);
}

/// The commit body for an entry whose text the subject cuts: the text
/// whole; and a word when the mitigation acknowledged the incident.
fn whole(text: &str, acknowledged: bool) -> Option<String> {
    let mut body = (short(text) != text.trim()).then(|| text.trim().to_owned());
    if acknowledged {
        let said = "Acknowledged with this mitigation: it was recorded before anyone acknowledged.";
        body = Some(match body {
            Some(text) => format!("{text}\n\n{said}"),
            None => said.to_owned(),
        });
    }
    body
}
