//! State changes as values: each is validated against the current incident and
//! then applied, and says how its commit should read.
//!
//! A rule a responder may override with `--force --why` is checked through
//! `Guard`; a forced rule is recorded in the incident's `overrides` and in the
//! commit. Rules that protect the file's integrity (chronological milestones,
//! known severities, entries that exist) cannot be forced.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::identity::{Identity, name_of};
use super::incident::{
    Action, ActionKind, Audience, Incident, Mitigation, MitigationKind, Note, Override, Review,
    Status, Update,
};

/// The ledger's settings that rules consult.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Known severities, most severe first.
    pub severities: Vec<String>,
    /// Known services; empty means any service is accepted.
    pub services: Vec<String>,
    /// Severities that need a review and follow-up actions before close.
    pub review_required: Vec<String>,
}

/// Who makes a change, when, and whether rules are overridden.
#[derive(Debug, Clone)]
pub struct Actor {
    pub by: Identity,
    /// The record time: now.
    pub now: DateTime<Utc>,
    /// The event time: now, or what `--at` said.
    pub at: DateTime<Utc>,
    /// `--force --why`: the reason to override refusable rules.
    pub force: Option<String>,
}

/// One change to one incident.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Ack,
    Lead(Identity),
    Severity {
        to: String,
        why: Option<String>,
    },
    Note(String),
    Update {
        text: String,
        audience: Audience,
    },
    Mitigate(NewMitigation),
    CleanupDone {
        mitigation: String,
        note: Option<String>,
    },
    CleanupKeep {
        mitigation: String,
        why: String,
    },
    Resolve {
        summary: Option<String>,
    },
    Review(ReviewFields),
    Action(NewAction),
    ActionDone {
        action: String,
    },
    Close,
    Reopen {
        why: String,
    },
    Decline {
        why: String,
    },
    Duplicate {
        of: String,
    },
    Cancel {
        why: String,
    },
    /// Where guided response resumes.
    Step(String),
}

/// A mitigation as a responder describes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewMitigation {
    pub kind: Option<MitigationKind>,
    pub action: String,
    pub temporary: bool,
    pub cleanup: Option<String>,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Review fields to set; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewFields {
    pub what_happened: Option<String>,
    pub root_cause: Option<String>,
    pub went_well: Option<String>,
    pub went_wrong: Option<String>,
}

/// A follow-up action as a responder describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub text: String,
    pub owner: Identity,
    pub kind: ActionKind,
    pub due: Option<NaiveDate>,
}

/// A new incident as a responder declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub title: String,
    pub severity: String,
    pub services: Vec<String>,
    pub impact: Option<String>,
    pub lead: Option<Identity>,
    pub started_at: Option<DateTime<Utc>>,
}

/// What an applied change did, for its commit and its output.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The `Incident-Change` trailer.
    pub verb: &'static str,
    /// The subject, without the `INC-42: ` prefix.
    pub summary: String,
    /// An optional commit body (a reason, a full text).
    pub body: Option<String>,
    /// `From:`/`To:` trailers where a value changed.
    pub from_to: Option<(String, String)>,
    /// Further trailers, such as `Mitigation: M1`.
    pub trailers: Vec<(&'static str, String)>,
    /// The id of what was created (`M1`, `A2`), printed on stdout.
    pub created: Option<String>,
    /// Rules that were overridden.
    pub overridden: Vec<String>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// A lifecycle rule; `--force --why` overrides it.
    #[error("{rule}")]
    Refused { rule: String },
    /// A rule that cannot be overridden.
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },
}

impl ChangeError {
    fn invalid(message: impl Into<String>) -> Self {
        ChangeError::Invalid {
            message: message.into(),
            hint: None,
        }
    }

    fn invalid_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        ChangeError::Invalid {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            ChangeError::Refused { .. } => Some(
                "if you must, override the rule with --force --why \"<reason>\"; the override is recorded"
                    .to_owned(),
            ),
            ChangeError::Invalid { hint, .. } => hint.clone(),
        }
    }
}

/// Checks refusable rules, or records them as overridden under `--force`.
struct Guard<'a> {
    force: Option<&'a str>,
    overridden: Vec<String>,
}

impl Guard<'_> {
    fn check(&mut self, ok: bool, rule: impl FnOnce() -> String) -> Result<(), ChangeError> {
        if ok {
            return Ok(());
        }
        let rule = rule();
        if self.force.is_some() {
            self.overridden.push(rule);
            Ok(())
        } else {
            Err(ChangeError::Refused { rule })
        }
    }
}

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

/// The first line of a text, cut to fit a commit subject; `…` says that
/// more follows (the whole text goes in the commit body).
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let more_lines = text.trim().lines().count() > 1;
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(59).collect();
        format!("{}…", cut.trim_end())
    } else if more_lines {
        format!("{} …", line.trim_end_matches(['.', ' ']))
    } else {
        line.to_owned()
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Applied {
    fn new(verb: &'static str, summary: impl Into<String>) -> Self {
        Self {
            verb,
            summary: summary.into(),
            body: None,
            from_to: None,
            trailers: Vec::new(),
            created: None,
            overridden: Vec::new(),
        }
    }

    fn changed(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.from_to = Some((from.into(), to.into()));
        self
    }

    fn body(mut self, body: Option<String>) -> Self {
        self.body = body.filter(|b| !b.trim().is_empty());
        self
    }

    fn trailer(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.trailers.push((key, value.into()));
        self
    }
}

impl Declaration {
    /// Builds the new incident, or says why it cannot be declared.
    pub fn into_incident(
        self,
        id: String,
        uid: String,
        runbook: Option<String>,
        first_step: Option<String>,
        actor: &Actor,
        settings: &Settings,
    ) -> Result<(Incident, Applied), ChangeError> {
        check_text("title", &self.title)?;
        if self.title.contains('\n') {
            return Err(ChangeError::invalid("the title must be one line"));
        }
        check_severity(&self.severity, settings)?;
        for service in &self.services {
            check_service(service, settings)?;
        }
        if let Some(impact) = &self.impact {
            check_text("impact", impact)?;
        }
        check_not_future(actor)?;
        let started_at = self.started_at.unwrap_or(actor.at);
        if started_at > actor.at {
            return Err(ChangeError::invalid(format!(
                "the impact cannot start ({}) after the incident is declared ({})",
                time(started_at),
                time(actor.at)
            )));
        }
        let incident = Incident {
            lead: self.lead.map(|l| l.to_string()),
            services: self.services,
            impact: self.impact,
            started_at,
            step: first_step,
            runbook,
            ..Incident::declared(
                id,
                uid,
                self.title.trim().to_owned(),
                self.severity.clone(),
                actor.at,
                actor.by.to_string(),
            )
        };
        let mut applied = Applied::new(
            "declare",
            format!("declared {}: {}", self.severity, short(&incident.title)),
        )
        .trailer("Severity", self.severity);
        // As for every other change: a backdated declaration says so.
        if actor.at != actor.now {
            applied = applied.trailer("Event-Time", time(actor.at));
        }
        Ok((incident, applied))
    }
}

fn check_severity(severity: &str, settings: &Settings) -> Result<(), ChangeError> {
    if settings.severities.iter().any(|s| s == severity) {
        return Ok(());
    }
    Err(ChangeError::invalid_hint(
        format!("unknown severity `{severity}`"),
        format!(
            "the runbook's severities are {}",
            settings.severities.join(", ")
        ),
    ))
}

fn check_service(service: &str, settings: &Settings) -> Result<(), ChangeError> {
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

fn check_not_future(actor: &Actor) -> Result<(), ChangeError> {
    if actor.at > actor.now + chrono::Duration::minutes(1) {
        return Err(ChangeError::invalid_hint(
            format!("the event time {} is in the future", time(actor.at)),
            "--at takes a past time: RFC 3339, HH:MM (today), or an age such as `15m ago`",
        ));
    }
    Ok(())
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
                    time(at),
                    time(then)
                ),
                "milestones are chronological; give a later time with --at",
            ));
        }
        previous = Some((name, at));
    }
    Ok(())
}

fn next_id(prefix: char, existing: impl Iterator<Item = String>) -> String {
    let max = existing
        .filter_map(|id| id.get(1..).and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", max + 1)
}

impl Change {
    /// The `Incident-Change` verb this change is recorded under.
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Ack => "ack",
            Change::Lead(_) => "lead",
            Change::Severity { .. } => "sev",
            Change::Note(_) => "note",
            Change::Update { .. } => "update",
            Change::Mitigate(_) => "mitigate",
            Change::CleanupDone { .. } => "cleanup-done",
            Change::CleanupKeep { .. } => "cleanup-keep",
            Change::Resolve { .. } => "resolve",
            Change::Review(_) => "review",
            Change::Action(_) => "action",
            Change::ActionDone { .. } => "action-done",
            Change::Close => "close",
            Change::Reopen { .. } => "reopen",
            Change::Decline { .. } => "decline",
            Change::Duplicate { .. } => "duplicate",
            Change::Cancel { .. } => "cancel",
            Change::Step(_) => "step",
        }
    }

    /// Follow-through that a closed incident still accepts: follow-up actions
    /// finish and temporary measures are undone long after the incident closes.
    fn allowed_when_final(&self) -> bool {
        matches!(
            self,
            Change::Reopen { .. }
                | Change::ActionDone { .. }
                | Change::CleanupDone { .. }
                | Change::CleanupKeep { .. }
        )
    }

    /// Validates the change against `incident` and applies it.
    ///
    /// On error the incident is left as it was.
    pub fn apply(
        &self,
        incident: &mut Incident,
        actor: &Actor,
        settings: &Settings,
    ) -> Result<Applied, ChangeError> {
        check_not_future(actor)?;
        if incident.status.is_final() && !self.allowed_when_final() {
            return Err(ChangeError::invalid_hint(
                format!("{} is {}", incident.id, incident.status),
                format!(
                    "a {} incident changes only through `git incident reopen {} --why \"...\"`",
                    incident.status, incident.id
                ),
            ));
        }
        let mut next = incident.clone();
        let mut guard = Guard {
            force: actor.force.as_deref(),
            overridden: Vec::new(),
        };
        let mut applied = self.apply_to(&mut next, actor, settings, &mut guard)?;
        check_milestones(&next)?;
        if let Some(why) = &actor.force {
            for rule in &guard.overridden {
                next.overrides.push(Override {
                    at: actor.now,
                    by: actor.by.to_string(),
                    change: self.verb().to_owned(),
                    rule: rule.clone(),
                    why: why.clone(),
                });
                applied.trailers.push(("Override", rule.clone()));
            }
            if !guard.overridden.is_empty() {
                applied.trailers.push(("Override-Why", why.clone()));
            }
        }
        applied.overridden = guard.overridden;
        if actor.at != actor.now {
            applied.trailers.push(("Event-Time", time(actor.at)));
        }
        *incident = next;
        Ok(applied)
    }

    #[allow(clippy::too_many_lines)]
    fn apply_to(
        &self,
        inc: &mut Incident,
        actor: &Actor,
        settings: &Settings,
        guard: &mut Guard<'_>,
    ) -> Result<Applied, ChangeError> {
        let by = actor.by.to_string();
        let at = actor.at;
        let id = inc.id.clone();
        match self {
            Change::Ack => {
                if inc.status != Status::Declared {
                    return Err(ChangeError::invalid(format!(
                        "{id} is already {}",
                        inc.status
                    )));
                }
                inc.status = Status::Acknowledged;
                inc.acknowledged_at = Some(at);
                Ok(Applied::new("ack", "acknowledged").changed("declared", "acknowledged"))
            }
            Change::Lead(lead) => {
                let lead = lead.to_string();
                if inc.lead.as_deref() == Some(lead.as_str()) {
                    return Err(ChangeError::invalid(format!("{lead} already leads {id}")));
                }
                let summary = match &inc.lead {
                    Some(from) => format!("lead {} -> {}", name_of(from), name_of(&lead)),
                    None => format!("lead {}", name_of(&lead)),
                };
                let from = inc
                    .lead
                    .replace(lead.clone())
                    .unwrap_or_else(|| "none".into());
                Ok(Applied::new("lead", summary).changed(from, lead))
            }
            Change::Severity { to, why } => {
                check_severity(to, settings)?;
                if &inc.severity == to {
                    return Err(ChangeError::invalid(format!("{id} is already {to}")));
                }
                if let Some(why) = why {
                    check_text("reason", why)?;
                }
                let from = std::mem::replace(&mut inc.severity, to.clone());
                Ok(Applied::new("sev", format!("severity {from} -> {to}"))
                    .changed(from, to.clone())
                    .body(why.clone()))
            }
            Change::Note(text) => {
                check_text("note", text)?;
                inc.notes.push(Note {
                    at,
                    by,
                    text: text.clone(),
                });
                Ok(Applied::new("note", format!("note: {}", short(text)))
                    .body((text.trim() != short(text)).then(|| text.clone())))
            }
            Change::Update { text, audience } => {
                check_text("update", text)?;
                inc.updates.push(Update {
                    at,
                    by,
                    audience: *audience,
                    text: text.clone(),
                });
                Ok(Applied::new(
                    "update",
                    format!("{} update: {}", audience.as_str(), short(text)),
                )
                .body((text.trim() != short(text)).then(|| text.clone())))
            }
            Change::Mitigate(m) => {
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
                guard.check(inc.status >= Status::Acknowledged, || {
                    format!(
                        "{id} is not acknowledged yet; acknowledge it before recording mitigations"
                    )
                })?;
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
                    "mitigate",
                    format!(
                        "mitigation {mid} ({}{}): {}",
                        kind.as_str(),
                        if m.temporary { ", temporary" } else { "" },
                        short(&m.action)
                    ),
                )
                .trailer("Mitigation", mid.clone());
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
            Change::CleanupDone { mitigation, note } => {
                let m = pending_mitigation(inc, mitigation)?;
                if at < m.applied_at {
                    return Err(ChangeError::invalid(format!(
                        "the cleanup ({}) cannot come before the mitigation was applied ({})",
                        time(at),
                        time(m.applied_at)
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
                    Applied::new("cleanup-done", format!("mitigation {mid} cleaned up"))
                        .trailer("Mitigation", mid)
                        .body(note.clone()),
                )
            }
            Change::CleanupKeep { mitigation, why } => {
                check_text("reason", why)?;
                let mid = pending_mitigation(inc, mitigation)?.id.clone();
                let m = inc
                    .mitigations
                    .iter_mut()
                    .find(|m| m.id == mid)
                    .expect("found above");
                m.kept_at = Some(at);
                m.kept_by = Some(by);
                m.kept_why = Some(why.clone());
                Ok(
                    Applied::new("cleanup-keep", format!("mitigation {mid} made permanent"))
                        .trailer("Mitigation", mid)
                        .body(Some(why.clone())),
                )
            }
            Change::Resolve { summary } => {
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
                if inc.mitigated_at.is_none() {
                    inc.mitigated_at = Some(at);
                }
                if summary.is_some() {
                    inc.resolution.clone_from(summary);
                }
                Ok(Applied::new("resolve", "resolved")
                    .changed(from.as_str(), "resolved")
                    .body(summary.clone()))
            }
            Change::Review(fields) => {
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
                    "review",
                    format!("review: {}", named.join(", ")),
                ))
            }
            Change::Action(a) => {
                check_text("action", &a.text)?;
                let aid = next_id('A', inc.actions.iter().map(|a| a.id.clone()));
                inc.actions.push(Action {
                    id: aid.clone(),
                    kind: a.kind,
                    text: a.text.clone(),
                    owner: a.owner.to_string(),
                    due: a.due,
                    created_at: at,
                    created_by: by,
                    done_at: None,
                    done_by: None,
                });
                let mut applied = Applied::new(
                    "action",
                    format!("action {aid} for {}: {}", a.owner.name, short(&a.text)),
                )
                .trailer("Action", aid.clone())
                .trailer("Owner", a.owner.to_string());
                applied.created = Some(aid);
                Ok(applied)
            }
            Change::ActionDone { action } => {
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
                Ok(
                    Applied::new("action-done", format!("action {aid} done"))
                        .trailer("Action", aid),
                )
            }
            Change::Close => {
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
                Ok(Applied::new("close", "closed").changed(from.as_str(), "closed"))
            }
            Change::Reopen { why } => {
                check_text("reason", why)?;
                if inc.status.is_open() {
                    return Err(ChangeError::invalid(format!(
                        "{id} is {}, still open",
                        inc.status
                    )));
                }
                let from = inc.status;
                inc.status = Status::Acknowledged;
                inc.acknowledged_at.get_or_insert(at);
                inc.resolved_at = None;
                inc.closed_at = None;
                inc.exit_reason = None;
                inc.duplicate_of = None;
                inc.notes.push(Note {
                    at,
                    by,
                    text: format!("Reopened: {why}"),
                });
                Ok(Applied::new("reopen", "reopened")
                    .changed(from.as_str(), "acknowledged")
                    .body(Some(why.clone())))
            }
            Change::Decline { why } | Change::Cancel { why } => {
                check_text("reason", why)?;
                let (to, verb) = if matches!(self, Change::Decline { .. }) {
                    (Status::Declined, "decline")
                } else {
                    (Status::Cancelled, "cancel")
                };
                exit_open(inc, to)?;
                let from = std::mem::replace(&mut inc.status, to);
                inc.exit_reason = Some(why.clone());
                inc.closed_at = Some(at);
                Ok(Applied::new(verb, to.as_str())
                    .changed(from.as_str(), to.as_str())
                    .body(Some(why.clone())))
            }
            Change::Duplicate { of } => {
                if of.eq_ignore_ascii_case(&id) {
                    return Err(ChangeError::invalid(format!(
                        "{id} cannot duplicate itself"
                    )));
                }
                exit_open(inc, Status::Duplicate)?;
                let from = std::mem::replace(&mut inc.status, Status::Duplicate);
                inc.duplicate_of = Some(of.clone());
                inc.closed_at = Some(at);
                Ok(Applied::new("duplicate", format!("duplicate of {of}"))
                    .changed(from.as_str(), "duplicate")
                    .trailer("Duplicate-Of", of.clone()))
            }
            Change::Step(step) => {
                let from = inc
                    .step
                    .replace(step.clone())
                    .unwrap_or_else(|| "none".into());
                Ok(
                    Applied::new("step", format!("guided response at step {step}"))
                        .changed(from, step.clone()),
                )
            }
        }
    }
}

fn exit_open(inc: &Incident, to: Status) -> Result<(), ChangeError> {
    if inc.status.is_open() {
        return Ok(());
    }
    Err(ChangeError::invalid(format!(
        "{} is {}; only an open incident can be marked {}",
        inc.id, inc.status, to
    )))
}

fn unknown_entry<'a>(
    what: &str,
    given: &str,
    id: &str,
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

fn pending_mitigation<'a>(inc: &'a Incident, given: &str) -> Result<&'a Mitigation, ChangeError> {
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
            time(at)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> DateTime<Utc> {
        t.parse().unwrap()
    }

    fn actor(t: &str, force: Option<&str>) -> Actor {
        Actor {
            by: Identity::new("Ada Lovelace", "ada@example.com"),
            now: at(t),
            at: at(t),
            force: force.map(str::to_owned),
        }
    }

    fn settings() -> Settings {
        Settings {
            severities: ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
                .map(String::from)
                .to_vec(),
            services: Vec::new(),
            review_required: vec!["SEV-1".into(), "SEV-2".into()],
        }
    }

    fn declared(sev: &str) -> Incident {
        Declaration {
            title: "Checkout down".into(),
            severity: sev.into(),
            services: vec![],
            impact: None,
            lead: None,
            started_at: Some(at("2026-11-26T18:00:00Z")),
        }
        .into_incident(
            "INC-1".into(),
            "U".into(),
            None,
            None,
            &actor("2026-11-26T18:05:00Z", None),
            &settings(),
        )
        .unwrap()
        .0
    }

    fn apply(inc: &mut Incident, change: Change, t: &str) -> Result<Applied, ChangeError> {
        change.apply(inc, &actor(t, None), &settings())
    }

    fn temporary() -> Change {
        Change::Mitigate(NewMitigation {
            kind: Some(MitigationKind::Flag),
            action: "Disabled flag".into(),
            temporary: true,
            cleanup: Some("Re-enable".into()),
            ..NewMitigation::default()
        })
    }

    #[test]
    fn the_first_mitigation_marks_the_incident_mitigated_once() {
        let mut inc = declared("SEV-3");
        apply(&mut inc, Change::Ack, "2026-11-26T18:06:00Z").unwrap();
        let first = apply(&mut inc, temporary(), "2026-11-26T18:10:00Z").unwrap();
        assert_eq!(first.created.as_deref(), Some("M1"));
        assert_eq!(
            first.from_to,
            Some(("acknowledged".into(), "mitigated".into()))
        );
        let second = apply(&mut inc, temporary(), "2026-11-26T18:20:00Z").unwrap();
        assert_eq!(second.created.as_deref(), Some("M2"));
        assert_eq!(second.from_to, None);
        assert_eq!(inc.mitigated_at, Some(at("2026-11-26T18:10:00Z")));
        assert_eq!(inc.pending_mitigations().count(), 2);
    }

    #[test]
    fn a_refused_change_leaves_the_incident_untouched() {
        let mut inc = declared("SEV-3");
        let before = inc.clone();
        let err = apply(
            &mut inc,
            Change::Resolve { summary: None },
            "2026-11-26T18:06:00Z",
        );
        assert!(matches!(err, Err(ChangeError::Refused { .. })));
        assert_eq!(inc, before);
    }

    #[test]
    fn close_names_every_rule_it_would_break_and_force_records_them() {
        let mut inc = declared("SEV-2");
        apply(&mut inc, Change::Ack, "2026-11-26T18:06:00Z").unwrap();
        apply(&mut inc, temporary(), "2026-11-26T18:10:00Z").unwrap();
        apply(
            &mut inc,
            Change::Resolve { summary: None },
            "2026-11-26T18:30:00Z",
        )
        .unwrap();
        let refused = apply(&mut inc, Change::Close, "2026-11-26T18:40:00Z").unwrap_err();
        assert!(
            refused.to_string().contains("M1 (Disabled flag)"),
            "{refused}"
        );
        let forced = Change::Close
            .apply(
                &mut inc,
                &actor("2026-11-26T18:40:00Z", Some("known risk")),
                &settings(),
            )
            .unwrap();
        assert_eq!(forced.overridden.len(), 3, "{:?}", forced.overridden);
        assert_eq!(inc.overrides.len(), 3);
        assert!(
            inc.overrides
                .iter()
                .all(|o| o.why == "known risk" && o.change == "close")
        );
        assert_eq!(inc.status, Status::Closed);
    }

    #[test]
    fn integrity_rules_cannot_be_forced() {
        let mut inc = declared("SEV-3");
        let early = Actor {
            at: at("2026-11-26T17:00:00Z"),
            ..actor("2026-11-26T18:10:00Z", Some("because"))
        };
        let err = Change::Ack
            .apply(&mut inc, &early, &settings())
            .unwrap_err();
        assert!(matches!(err, ChangeError::Invalid { .. }), "{err}");
        let err = Change::Severity {
            to: "P1".into(),
            why: None,
        }
        .apply(
            &mut inc,
            &actor("2026-11-26T18:10:00Z", Some("because")),
            &settings(),
        )
        .unwrap_err();
        assert!(matches!(err, ChangeError::Invalid { .. }), "{err}");
    }

    #[test]
    fn reopen_goes_back_to_acknowledged_and_keeps_a_note_of_why() {
        let mut inc = declared("SEV-4");
        apply(
            &mut inc,
            Change::Cancel {
                why: "mistake".into(),
            },
            "2026-11-26T18:06:00Z",
        )
        .unwrap();
        assert!(apply(&mut inc, Change::Note("x".into()), "2026-11-26T18:07:00Z").is_err());
        apply(
            &mut inc,
            Change::Reopen { why: "real".into() },
            "2026-11-26T18:08:00Z",
        )
        .unwrap();
        assert_eq!(inc.status, Status::Acknowledged);
        assert_eq!(inc.closed_at, None);
        assert_eq!(inc.exit_reason, None);
        assert_eq!(inc.notes.last().unwrap().text, "Reopened: real");
    }

    #[test]
    fn long_texts_get_a_short_subject_and_the_whole_text_in_the_body() {
        let mut inc = declared("SEV-4");
        let text = "line one\nline two";
        let applied = apply(&mut inc, Change::Note(text.into()), "2026-11-26T18:06:00Z").unwrap();
        assert_eq!(applied.summary, "note: line one …");
        assert_eq!(applied.body.as_deref(), Some(text));
    }
}
