//! The work of each kind of step: what guided response asks at
//! acknowledge, lead, stabilize, investigate, communicate, mitigate,
//! recover, review and prevention, and the changes the answers become.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};

use crate::domain::when::{human_duration, parse_date};
use crate::domain::{
    ActionKind, Actor, Audience, Change, ChangeError, Incident, MitigationKind, NewAction,
    NewMitigation, Settings, Status,
};
use crate::render;
use crate::runbook::journal::{JournalError, TimelineEntry};
use crate::runbook::prompt::Tone;

use super::{Engine, EngineError, Flow, indent};

/// The kinds of mitigation, as the responder is offered them.
const MITIGATIONS: [(MitigationKind, &str); 6] = [
    (MitigationKind::Rollback, "Roll back a recent deployment"),
    (MitigationKind::Flag, "Disable a failing feature via flag"),
    (MitigationKind::Scale, "Scale resources (capacity)"),
    (MitigationKind::Restart, "Restart failing services"),
    (
        MitigationKind::Throttle,
        "Throttle traffic to overloaded components",
    ),
    (MitigationKind::Other, "Other measure"),
];

/// Whether a kind of measure is usually undone later, and how.
fn cleanup_default(kind: MitigationKind) -> (bool, Option<&'static str>) {
    match kind {
        MitigationKind::Flag => (
            true,
            Some("Re-enable gradually (10%, 50%, 100%), watching error rates"),
        ),
        MitigationKind::Scale => (
            true,
            Some("Scale back to normal capacity once load is normal"),
        ),
        MitigationKind::Throttle => (
            true,
            Some("Lift the throttle gradually, watching error rates"),
        ),
        MitigationKind::Rollback => (false, Some("Deploy the fixed version")),
        MitigationKind::Restart | MitigationKind::Other => (false, None),
    }
}

const ACTION_KINDS: [(ActionKind, &str); 3] = [
    (
        ActionKind::Preventive,
        "Preventive: keep it from happening (safeguards, tests, safer deploys)",
    ),
    (
        ActionKind::Detective,
        "Detective: find it sooner (monitoring, alerts)",
    ),
    (ActionKind::Corrective, "Corrective: fix what broke"),
];

/// Follow-up actions are due in two weeks unless the responder says otherwise.
const DEFAULT_DUE_DAYS: i64 = 14;

impl<E> Engine<'_, E> {
    pub(super) fn acknowledge(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        if !self.runbook.what_is_an_incident.is_empty() {
            let mut text = "  An incident is any unplanned event that:".to_owned();
            for item in &self.runbook.what_is_an_incident {
                let _ = write!(text, "\n  - {item}");
            }
            self.say(Tone::Text, &text);
        }
        loop {
            if self.confirm("Is it real? Acknowledge it and begin tracking", Some(true))? {
                if self.record_final(inc, &Change::Ack)? {
                    return Ok(Flow::Next);
                }
                return Ok(Flow::Pause);
            }
            let items = [
                "Not an incident: decline it",
                "A duplicate of another incident",
                "Withdrawn: cancel it",
                "Not sure yet: leave it declared for now",
                "Go back",
            ]
            .map(str::to_owned);
            let change = match self.select("What is it, then", &items, Some(3))? {
                0 => Change::Decline {
                    why: self.input_required("Why is it not an incident?", None, "reason")?,
                },
                1 => Change::Duplicate {
                    of: self.input_required(
                        "The same as which incident (such as INC-7)?",
                        None,
                        "id",
                    )?,
                },
                2 => Change::Cancel {
                    why: self.input_required("Why is it withdrawn?", None, "reason")?,
                },
                3 => return Ok(Flow::Pause),
                _ => continue,
            };
            if self.record(inc, &change)? {
                return Ok(Flow::Finish);
            }
        }
    }

    pub(super) fn lead(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        if let Some(lead) = inc.lead.clone() {
            self.say(Tone::Text, &format!("  {lead} leads {}.", inc.id));
            if !self.confirm("Hand the lead over to someone else?", Some(false))? {
                return Ok(Flow::Next);
            }
            loop {
                let who = self.identity("New lead (Name <email>)", None)?;
                if self.record_final(inc, &Change::Lead(who))? {
                    return Ok(Flow::Next);
                }
            }
        }
        let me = self.policy.me.to_string();
        loop {
            let who = self.identity("Incident lead (Name <email>)", Some(&me))?;
            if self.record_final(inc, &Change::Lead(who))? {
                return Ok(Flow::Next);
            }
        }
    }

    pub(super) fn stabilize(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        let mut items: Vec<String> = MITIGATIONS.iter().map(|(_, l)| (*l).to_owned()).collect();
        items.push("Nothing yet: go on to the investigation".to_owned());
        loop {
            let i = self.select("How are you stopping the impact", &items, None)?;
            let Some((kind, _)) = MITIGATIONS.get(i) else {
                self.say(
                    Tone::Text,
                    "  Record the measure when there is one: the Mitigation step asks again, or `git incident mitigate`.",
                );
                return Ok(Flow::Next);
            };
            self.mitigation(inc, *kind)?;
            if !self.confirm("Record another stabilizing measure?", Some(false))? {
                return Ok(Flow::Next);
            }
        }
    }

    /// Asks for one mitigation of `kind` and records it.
    fn mitigation(
        &mut self,
        inc: &mut Incident,
        kind: MitigationKind,
    ) -> Result<(), EngineError<E>> {
        loop {
            let action = self.input_required("What exactly was done", None, "mitigation")?;
            let (temporary_default, plan) = cleanup_default(kind);
            let temporary = self.confirm(
                "Is it temporary, to be undone later?",
                Some(temporary_default),
            )?;
            let mut m = NewMitigation {
                kind: Some(kind),
                action,
                temporary,
                ..NewMitigation::default()
            };
            if temporary {
                let plan = plan.filter(|_| temporary_default);
                m.cleanup = Some(self.input_required("Cleanup plan", plan, "cleanup plan")?);
                m.target = self.input_optional(
                    "What did it change (a flag, a config file, a deployment)? Empty to skip",
                    "target",
                )?;
                if m.target.is_some() {
                    m.before = self.prose_optional(
                        "Its stable state, which the cleanup restores (empty to skip)",
                        "state",
                    )?;
                    m.after = self.prose_optional(
                        "Its temporary state, now in place (empty to skip)",
                        "state",
                    )?;
                }
            }
            if self.record(inc, &Change::Mitigate(m))? {
                return Ok(());
            }
        }
    }

    pub(super) fn investigate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        let sev = inc.severity.clone();
        if !self.confirm(&format!("Is {sev} still the right severity?"), Some(true))? {
            let to = self.pick_severity(
                "New severity (when unsure, pick the higher level)",
                Some(&sev),
            )?;
            if to != sev {
                let names = self.runbook.severity_names();
                let rank = |s: &str| names.iter().position(|n| n == s);
                let why = if rank(&to) > rank(&sev) {
                    Some(self.input_required(
                        "Why lower it? (kept with the notes)",
                        None,
                        "reason",
                    )?)
                } else {
                    self.input_optional("Why (empty to skip)", "reason")?
                };
                self.record(inc, &Change::Severity { to, why })?;
            }
        }
        self.findings(inc)?;
        Ok(Flow::Next)
    }

    /// Findings, one note each, until an empty answer.
    fn findings(&mut self, inc: &mut Incident) -> Result<(), EngineError<E>> {
        loop {
            let Some(text) =
                self.prose_optional("Finding for the notes (empty when done)", "note")?
            else {
                return Ok(());
            };
            self.record(inc, &Change::Note(text))?;
        }
    }

    pub(super) fn communicate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        let cadence = self.policy.update_cadence.get(&inc.severity).copied();
        let overdue = self.cadence_reminder(inc);
        if let (false, Some(c)) = (overdue, cadence) {
            self.say(
                Tone::Text,
                &format!(
                    "  {} expects an update every {}.",
                    inc.severity,
                    human_duration(c)
                ),
            );
        }
        let audiences = [
            "Internal stakeholders".to_owned(),
            "External: customers, status page".to_owned(),
        ];
        loop {
            let audience = match self.select("Who is this update for", &audiences, Some(0))? {
                0 => Audience::Internal,
                _ => Audience::External,
            };
            let proposal = render::update::propose(inc, audience, cadence, self.journal.now());
            self.say(
                Tone::Text,
                &format!("  Proposed update:\n{}", indent(&indent(&proposal))),
            );
            let choices = [
                "Post it as it is",
                "Edit it first",
                "Write a different one",
                "No update now",
            ]
            .map(str::to_owned);
            let text = match self.select("Post this update?", &choices, Some(0))? {
                0 => proposal,
                1 => self.long_text("Edit the update", &proposal)?,
                2 => self
                    .prose_optional("Your update", "update")?
                    .unwrap_or_default(),
                _ => return Ok(Flow::Next),
            };
            if !text.is_empty() {
                self.record(inc, &Change::Update { text, audience })?;
            }
            if !self.confirm("Post another update (for another audience)?", Some(false))? {
                return Ok(Flow::Next);
            }
        }
    }

    pub(super) fn mitigate(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        if !inc.mitigations.is_empty() {
            self.say(Tone::Text, &render::runbook::mitigations_so_far(inc));
        }
        let items: Vec<String> = MITIGATIONS.iter().map(|(_, l)| (*l).to_owned()).collect();
        loop {
            let prompt = if inc.mitigations.is_empty() {
                "Record a mitigation?"
            } else {
                "Record a further mitigation?"
            };
            if !self.confirm(prompt, Some(inc.mitigations.is_empty()))? {
                return Ok(Flow::Next);
            }
            let i = self.select("What kind of measure", &items, None)?;
            self.mitigation(inc, MITIGATIONS[i].0)?;
        }
    }

    pub(super) fn recover(
        &mut self,
        inc: &mut Incident,
        checks: Option<(usize, usize)>,
    ) -> Result<Flow, EngineError<E>> {
        let pending: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !pending.is_empty() {
            self.say(
                Tone::Text,
                "  Temporary measures still in place, to clean up one by one:",
            );
        }
        for mid in pending {
            let Some(m) = inc.mitigation(&mid).cloned() else {
                continue;
            };
            self.say(Tone::Text, &render::runbook::cleanup_to_do(&m));
            let items = [
                "Cleaned up: it is undone".to_owned(),
                "Keep it: make it permanent".to_owned(),
                "Not yet: it stays in place for now".to_owned(),
            ];
            match self.select(&format!("{}: cleaned up?", m.id), &items, Some(2))? {
                0 => {
                    let note = self.input_optional("How was it cleaned up (optional)", "note")?;
                    self.record(
                        inc,
                        &Change::CleanupDone {
                            mitigation: m.id.clone(),
                            note,
                        },
                    )?;
                }
                1 => {
                    let why = self.input_required("Why does it stay?", None, "reason")?;
                    self.record(
                        inc,
                        &Change::CleanupKeep {
                            mitigation: m.id.clone(),
                            why,
                        },
                    )?;
                }
                _ => {}
            }
        }
        if inc.status < Status::Resolved {
            let stable = checks.is_none_or(|(done, total)| done == total);
            if !stable {
                self.say(
                    Tone::Warn,
                    "not every recovery check is done; do not resolve until the system is stable",
                );
            }
            let prompt = format!("Is the service restored and stable? Resolve {}", inc.id);
            if !self.confirm(&prompt, Some(stable))? {
                self.say(Tone::Text, "  Keep monitoring.");
                return Ok(Flow::Pause);
            }
            let summary = self.input_optional("How was it resolved (optional)", "summary")?;
            if !self.record_final(inc, &Change::Resolve { summary })? {
                return Ok(Flow::Pause);
            }
        }
        let still: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !still.is_empty() {
            self.say(
                Tone::Warn,
                &format!(
                    "{} still in place: {} cannot close until cleaned up (`git incident cleanup` lists it)",
                    still.join(", "),
                    inc.id
                ),
            );
        }
        Ok(Flow::Next)
    }

    pub(super) fn review(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        let timeline = match self.journal.timeline(inc) {
            Ok(t) => t,
            Err(JournalError::Failed(e)) => return Err(EngineError::Journal(e)),
            Err(JournalError::Refused(e)) => {
                self.say(Tone::Warn, &format!("no timeline: {e}"));
                Vec::new()
            }
        };
        if !timeline.is_empty() {
            self.say(
                Tone::Text,
                &format!(
                    "  Timeline, from the ledger's history:\n{}",
                    render_timeline(&timeline)
                ),
            );
        }
        // The review's questions are the step's prompts, asked by `step`.
        Ok(Flow::Next)
    }

    pub(super) fn prevention(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        if !inc.actions.is_empty() {
            self.say(Tone::Text, &render::runbook::actions_so_far(inc));
        } else if self.policy.review_required.contains(&inc.severity) {
            self.say(
                Tone::Text,
                &format!(
                    "  {} needs at least one follow-up action before it closes.",
                    inc.severity
                ),
            );
        }
        let kinds: Vec<String> = ACTION_KINDS.iter().map(|(_, l)| (*l).to_owned()).collect();
        let me = self.policy.me.to_string();
        while let Some(text) =
            self.input_optional("Follow-up action (empty when done)", "action")?
        {
            let kind = ACTION_KINDS[self.select("What does it improve", &kinds, Some(0))?].0;
            let owner = self.identity("Owner (Name <email>)", Some(&me))?;
            let due = self.due_date()?;
            self.record(
                inc,
                &Change::Action(NewAction {
                    text,
                    owner,
                    kind,
                    due,
                }),
            )?;
        }
        self.close(inc)
    }

    fn due_date(&mut self) -> Result<Option<NaiveDate>, EngineError<E>> {
        let now = self.journal.now();
        let default = now
            .checked_add_signed(Duration::days(DEFAULT_DUE_DAYS))
            .unwrap_or(now)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        loop {
            let answer = self.input("Due date (YYYY-MM-DD, `none`)", Some(&default))?;
            if answer.is_empty() || answer.eq_ignore_ascii_case("none") {
                return Ok(None);
            }
            match parse_date(&answer) {
                Ok(d) => return Ok(Some(d)),
                Err(e) => self.say(Tone::Warn, &format!("{e}: give a date such as {default}")),
            }
        }
    }

    /// Whether closing `inc` now would pass the ledger's rules.
    fn close_dry_run(&self, inc: &Incident) -> Result<(), ChangeError> {
        let now = self.journal.now();
        let actor = Actor {
            by: self.policy.me.clone(),
            now,
            at: now,
            force: None,
        };
        let settings = Settings {
            severities: Vec::new(),
            services: Vec::new(),
            review_required: self.policy.review_required.clone(),
        };
        Change::Close
            .apply(&mut inc.clone(), &actor, &settings)
            .map(|_| ())
    }

    /// Offers to close, unless temporary measures are still in place.
    fn close(&mut self, inc: &mut Incident) -> Result<Flow, EngineError<E>> {
        let pending: Vec<String> = inc.pending_mitigations().map(|m| m.id.clone()).collect();
        if !pending.is_empty() {
            self.say(
                Tone::Warn,
                &format!(
                    "{} cannot close while {} {} in place; clean up, then run `git incident respond {}` again",
                    inc.id,
                    pending.join(", "),
                    if pending.len() == 1 { "is" } else { "are" },
                    inc.id
                ),
            );
            return Ok(Flow::Pause);
        }
        if inc.status != Status::Resolved {
            self.say(
                Tone::Warn,
                &format!(
                    "{} is {}, not resolved: it cannot close yet",
                    inc.id, inc.status
                ),
            );
            return Ok(Flow::Pause);
        }
        // Offer close only where it would be recorded: say what is missing
        // instead (a review, follow-up actions) rather than ask, then refuse.
        if let Err(e) = self.close_dry_run(inc) {
            self.say(Tone::Warn, &format!("{} cannot close yet: {e}", inc.id));
            self.say(
                Tone::Text,
                &format!(
                    "  then run `git incident respond {}` again, or `git incident close {0} --force --why \"...\"`",
                    inc.id
                ),
            );
            return Ok(Flow::Pause);
        }
        if !self.confirm(&format!("Close {}?", inc.id), Some(true))? {
            return Ok(Flow::Pause);
        }
        if self.record(inc, &Change::Close)? {
            Ok(Flow::Finish)
        } else {
            Ok(Flow::Pause)
        }
    }
}

/// The review's timeline as lines: time, who, what.
pub(crate) fn render_timeline(entries: &[TimelineEntry]) -> String {
    let days: std::collections::BTreeSet<NaiveDate> =
        entries.iter().map(|e| e.at.date_naive()).collect();
    let format = if days.len() > 1 {
        "%Y-%m-%d %H:%M"
    } else {
        "%H:%M"
    };
    let width = entries
        .iter()
        .map(|e| e.who.as_deref().map_or(0, |w| w.chars().count()))
        .max()
        .unwrap_or(0);
    entries
        .iter()
        .map(|e| {
            format!(
                "    {}  {:<width$}  {}",
                e.at.format(format),
                e.who.as_deref().unwrap_or(""),
                e.what
            )
            .trim_end()
            .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
