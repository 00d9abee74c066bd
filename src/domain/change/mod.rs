//! State changes as values: each is validated against the current incident and
//! then applied, and says how its commit should read.
//!
//! A rule a responder may override with `--force --why` is checked through
//! `Guard`; a forced rule is recorded in the incident's `overrides` and in the
//! commit. Rules that protect the file's integrity (chronological milestones,
//! known severities, entries that exist) cannot be forced.

mod declare;
mod entries;
mod lifecycle;
mod rules;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub use rules::{MAX_BACKDATE, check_milestones, check_target, check_text};
use rules::{check_event_time, check_not_future};

use super::identity::Identity;
use super::incident::{ActionKind, Audience, Incident, MitigationKind, Override, Status};

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

/// What a commit did to the ledger, as its `Incident-Change` trailer names
/// it: one per kind of change, and the two the ledger makes itself (`init`,
/// `renumber`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Declare,
    Ack,
    Lead,
    Severity,
    Note,
    Update,
    Mitigate,
    CleanupDone,
    CleanupKeep,
    Resolve,
    Review,
    Action,
    ActionDone,
    Close,
    Reopen,
    Decline,
    Duplicate,
    Cancel,
    Step,
    Init,
    Renumber,
}

impl Verb {
    /// Every verb, in the order of the commands.
    pub const ALL: [Verb; 21] = [
        Verb::Declare,
        Verb::Ack,
        Verb::Lead,
        Verb::Severity,
        Verb::Note,
        Verb::Update,
        Verb::Mitigate,
        Verb::CleanupDone,
        Verb::CleanupKeep,
        Verb::Resolve,
        Verb::Review,
        Verb::Action,
        Verb::ActionDone,
        Verb::Close,
        Verb::Reopen,
        Verb::Decline,
        Verb::Duplicate,
        Verb::Cancel,
        Verb::Step,
        Verb::Init,
        Verb::Renumber,
    ];

    /// The trailer's text: `ack`, `cleanup-done`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Declare => "declare",
            Verb::Ack => "ack",
            Verb::Lead => "lead",
            Verb::Severity => "sev",
            Verb::Note => "note",
            Verb::Update => "update",
            Verb::Mitigate => "mitigate",
            Verb::CleanupDone => "cleanup-done",
            Verb::CleanupKeep => "cleanup-keep",
            Verb::Resolve => "resolve",
            Verb::Review => "review",
            Verb::Action => "action",
            Verb::ActionDone => "action-done",
            Verb::Close => "close",
            Verb::Reopen => "reopen",
            Verb::Decline => "decline",
            Verb::Duplicate => "duplicate",
            Verb::Cancel => "cancel",
            Verb::Step => "step",
            Verb::Init => "init",
            Verb::Renumber => "renumber",
        }
    }

    /// The verb a trailer names, if it is one of ours.
    pub fn parse(text: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// Commits that record no event of the incident itself: guided
    /// response's step marker, the review text, the ledger's own setup and
    /// renumbering. The documentation-lag figure leaves them out.
    pub fn is_bookkeeping(self) -> bool {
        matches!(
            self,
            Verb::Step | Verb::Review | Verb::Init | Verb::Renumber
        )
    }
}

impl std::fmt::Display for Verb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Verb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What an applied change did, for its commit and its output.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The `Incident-Change` trailer.
    pub verb: Verb,
    /// The subject, without the `INC-42: ` prefix.
    pub summary: String,
    /// An optional commit body (a reason, a full text).
    pub body: Option<String>,
    /// `From:`/`To:` trailers where a value changed.
    pub from_to: Option<(String, String)>,
    /// Further trailers, such as `Mitigation: M1`.
    pub trailers: Vec<(Trailer, String)>,
    /// The id of what was created (`M1`, `A2`), printed on stdout.
    pub created: Option<String>,
    /// Rules that were overridden.
    pub overridden: Vec<String>,
}

/// A trailer a change adds to its commit beyond the verb and `From`/`To`:
/// what it names, not how it is spelled (the ledger spells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trailer {
    /// The severity an incident is declared at.
    Severity,
    /// When it happened, where that is not when it was recorded (`--at`).
    EventTime,
    /// The mitigation a change is about (`M1`).
    Mitigation,
    /// The follow-up action a change is about (`A2`).
    Action,
    /// Who owns a new follow-up action.
    Owner,
    /// The incident this one duplicates.
    DuplicateOf,
    /// A rule overridden with `--force`.
    Override,
    /// Why the rules were overridden.
    OverrideWhy,
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

impl<'a> Guard<'a> {
    fn new(actor: &'a Actor) -> Self {
        Guard {
            force: actor.force.as_deref(),
            overridden: Vec::new(),
        }
    }

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

    /// Records the rules overridden in the incident's `overrides` and in
    /// the commit's trailers.
    fn record(self, incident: &mut Incident, applied: &mut Applied, actor: &Actor) {
        if let Some(why) = self.force {
            for rule in &self.overridden {
                incident.overrides.push(Override {
                    at: actor.now,
                    by: actor.by.clone(),
                    change: applied.verb.as_str().to_owned(),
                    rule: rule.clone(),
                    why: why.to_owned(),
                });
                applied.trailers.push((Trailer::Override, rule.clone()));
            }
            if !self.overridden.is_empty() {
                applied
                    .trailers
                    .push((Trailer::OverrideWhy, why.to_owned()));
            }
        }
        applied.overridden = self.overridden;
    }
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
    fn new(verb: Verb, summary: impl Into<String>) -> Self {
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

    fn trailer(mut self, key: Trailer, value: impl Into<String>) -> Self {
        self.trailers.push((key, value.into()));
        self
    }
}

impl Change {
    /// The `Incident-Change` verb this change is recorded under.
    pub fn verb(&self) -> Verb {
        match self {
            Change::Ack => Verb::Ack,
            Change::Lead(_) => Verb::Lead,
            Change::Severity { .. } => Verb::Severity,
            Change::Note(_) => Verb::Note,
            Change::Update { .. } => Verb::Update,
            Change::Mitigate(_) => Verb::Mitigate,
            Change::CleanupDone { .. } => Verb::CleanupDone,
            Change::CleanupKeep { .. } => Verb::CleanupKeep,
            Change::Resolve { .. } => Verb::Resolve,
            Change::Review(_) => Verb::Review,
            Change::Action(_) => Verb::Action,
            Change::ActionDone { .. } => Verb::ActionDone,
            Change::Close => Verb::Close,
            Change::Reopen { .. } => Verb::Reopen,
            Change::Decline { .. } => Verb::Decline,
            Change::Duplicate { .. } => Verb::Duplicate,
            Change::Cancel { .. } => Verb::Cancel,
            Change::Step(_) => Verb::Step,
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
        let mut guard = Guard::new(actor);
        let mut applied = self.apply_to(&mut next, actor, settings, &mut guard)?;
        check_milestones(&next)?;
        // After the milestones: where they refuse the time, forcing would
        // not help, so they say so first.
        check_event_time(incident, actor, &mut guard)?;
        guard.record(&mut next, &mut applied, actor);
        if actor.at != actor.now {
            applied.trailers.push((Trailer::EventTime, time(actor.at)));
        }
        *incident = next;
        Ok(applied)
    }

    /// The rule and the effect of this change: one function per change.
    fn apply_to(
        &self,
        inc: &mut Incident,
        actor: &Actor,
        settings: &Settings,
        guard: &mut Guard<'_>,
    ) -> Result<Applied, ChangeError> {
        match self {
            Change::Ack => lifecycle::ack(inc, actor),
            Change::Lead(lead) => entries::lead(inc, lead),
            Change::Severity { to, why } => entries::severity(inc, actor, to, why, settings),
            Change::Note(text) => entries::note(inc, actor, text),
            Change::Update { text, audience } => entries::update(inc, actor, text, audience),
            Change::Mitigate(m) => entries::mitigate(inc, actor, m),
            Change::CleanupDone { mitigation, note } => {
                entries::cleanup_done(inc, actor, mitigation, note)
            }
            Change::CleanupKeep { mitigation, why } => {
                entries::cleanup_keep(inc, actor, mitigation, why)
            }
            Change::Resolve { summary } => lifecycle::resolve(inc, actor, summary, guard),
            Change::Review(fields) => entries::review(inc, fields),
            Change::Action(a) => entries::action(inc, actor, a, guard),
            Change::ActionDone { action } => entries::action_done(inc, actor, action),
            Change::Close => lifecycle::close(inc, actor, settings, guard),
            Change::Reopen { why } => lifecycle::reopen(inc, actor, why),
            Change::Decline { why } => lifecycle::exit(inc, actor, why, Status::Declined),
            Change::Cancel { why } => lifecycle::exit(inc, actor, why, Status::Cancelled),
            Change::Duplicate { of } => lifecycle::duplicate(inc, actor, of),
            Change::Step(step) => lifecycle::step(inc, step),
        }
    }
}

#[cfg(test)]
mod tests;
