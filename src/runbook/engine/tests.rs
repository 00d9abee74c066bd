//! The engine with scripted answers, against an in-memory journal that
//! applies each change with the domain's own rules. The walk against a real
//! ledger is tested with the ledger's journal, in `commands::respond`.

use std::collections::BTreeMap;
use std::convert::Infallible;

use chrono::{DateTime, Duration, FixedOffset, Utc};

use crate::domain::Declaration;
use crate::domain::delta::{Delta, diff};
use crate::domain::{ActionKind, Audience, MitigationKind, Settings, Status};
use crate::runbook::journal::{Concurrent, Meanwhile, Recorded, TimelineEntry};
use crate::runbook::prompt::AcceptDefaults;
use crate::runbook::scripted::{Answer, ScriptedPrompter, declare_script, stabilize_script};

use super::steps::render_timeline;
use super::*;

use Answer::{Checks, Default, Interrupt, No, Pick, Yes};

fn text(t: &str) -> Answer {
    Answer::Text(t.to_owned())
}

fn pick(t: &str) -> Answer {
    Answer::PickText(t.to_owned())
}

fn runbook() -> Runbook {
    toml::from_str(crate::domain::runbook::DEFAULT_RUNBOOK).unwrap()
}

fn ada() -> Identity {
    Identity::new("Ada Lovelace", "ada@example.com")
}

fn policy() -> Policy {
    let mut cadence = BTreeMap::new();
    cadence.insert("SEV-1".to_owned(), Duration::minutes(30));
    cadence.insert("SEV-2".to_owned(), Duration::hours(1));
    Policy {
        me: ada(),
        local: FixedOffset::east_opt(0).unwrap(),
        services: Vec::new(),
        review_required: vec!["SEV-1".to_owned(), "SEV-2".to_owned()],
        update_cadence: cadence,
        runbook_version: "v1".to_owned(),
    }
}

/// Applies changes with the domain's rules; the clock moves a minute per
/// change.
struct Memory {
    incident: Option<Incident>,
    changes: Vec<Change>,
    now: DateTime<Utc>,
    first_step: Option<String>,
    /// Bob's changes: each lands once the walk recorded that many of its
    /// own, before its next answer.
    others: Vec<(usize, Change)>,
    /// The files an answer may name (`@FILE`).
    files: BTreeMap<String, String>,
    /// The step each change of the walk moved the incident to.
    steps: Vec<String>,
}

impl Memory {
    fn new(runbook: &Runbook) -> Self {
        Self {
            incident: None,
            changes: Vec::new(),
            now: "2026-11-26T18:50:00Z".parse().unwrap(),
            first_step: runbook.steps.first().map(|s| s.id.clone()),
            others: Vec::new(),
            files: BTreeMap::new(),
            steps: Vec::new(),
        }
    }

    fn settings() -> Settings {
        Settings {
            severities: ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
                .map(str::to_owned)
                .to_vec(),
            services: Vec::new(),
            review_required: vec!["SEV-1".to_owned(), "SEV-2".to_owned()],
        }
    }

    fn actor(&mut self) -> crate::domain::Actor {
        self.now += Duration::minutes(1);
        crate::domain::Actor {
            by: ada(),
            now: self.now,
            at: self.now,
            force: None,
        }
    }

    fn verbs(&self) -> Vec<&'static str> {
        self.changes.iter().map(|c| c.verb().as_str()).collect()
    }

    fn count(&self, verb: &str) -> usize {
        self.verbs().iter().filter(|v| **v == verb).count()
    }
}

impl Journal for Memory {
    type Error = Infallible;

    fn declare(&mut self, declaration: Declaration) -> Result<Recorded, JournalError<Infallible>> {
        let actor = self.actor();
        let (incident, applied) = declaration.into_incident(
            "INC-1".into(),
            "01TEST".into(),
            Some("v1".into()),
            self.first_step.clone(),
            &actor,
            &Self::settings(),
        )?;
        self.incident = Some(incident.clone());
        Ok(Recorded {
            incident,
            summary: applied.summary,
            commit: "c0ffee00".into(),
        })
    }

    fn apply(
        &mut self,
        id: &str,
        change: &Change,
        step: Option<&str>,
    ) -> Result<Recorded, JournalError<Infallible>> {
        let actor = self.actor();
        let mut incident = self.incident.clone().expect("declared");
        assert_eq!(incident.id.to_string(), id);
        let applied = change.apply(&mut incident, &actor, &Self::settings())?;
        if let Some(step) = step {
            incident.step = Some(step.to_owned());
            self.steps.push(step.to_owned());
        }
        self.incident = Some(incident.clone());
        self.changes.push(change.clone());
        Ok(Recorded {
            incident,
            summary: applied.summary,
            commit: format!("{:08x}", self.changes.len()),
        })
    }

    fn timeline(
        &mut self,
        incident: &Incident,
    ) -> Result<Vec<TimelineEntry>, JournalError<Infallible>> {
        Ok(vec![TimelineEntry {
            at: incident.started_at,
            who: None,
            what: "impact started".into(),
        }])
    }

    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "No such file or directory (os error 2)".to_owned())
    }

    fn meanwhile(
        &mut self,
        incident: &Incident,
    ) -> Result<Option<Meanwhile>, JournalError<Infallible>> {
        let due: Vec<Change> = self
            .others
            .iter()
            .filter(|(after, _)| *after == self.changes.len())
            .map(|(_, change)| change.clone())
            .collect();
        self.others
            .retain(|(after, _)| *after != self.changes.len());
        let mut changes = Vec::new();
        for change in due {
            let mut actor = self.actor();
            actor.by = bob();
            let mut inc = self.incident.clone().expect("declared");
            let before = inc.clone();
            change.apply(&mut inc, &actor, &Self::settings())?;
            changes.push(Concurrent {
                who: bob().to_string(),
                what: change.verb().as_str().to_owned(),
                fields: diff(Some(&before), Some(&inc))
                    .into_iter()
                    .filter_map(|d| match d {
                        Delta::Field { field, .. } => Some(field),
                        _ => None,
                    })
                    .collect(),
            });
            self.incident = Some(inc);
        }
        let now = self.incident.clone().expect("declared");
        if changes.is_empty() || now == *incident {
            return Ok(None);
        }
        Ok(Some(Meanwhile {
            incident: now,
            changes,
        }))
    }
}

fn bob() -> Identity {
    Identity::new("Bob Ng", "bob@example.com")
}

/// Runs the engine with `script`; returns the result, the journal and the
/// transcript.
fn walk(
    runbook: &Runbook,
    existing: Option<Incident>,
    memory: &mut Memory,
    script: Vec<(&str, Answer)>,
) -> (Result<Outcome, EngineError<Infallible>>, String, usize) {
    let mut prompter = ScriptedPrompter::new(script);
    let transcript = prompter.transcript();
    let policy = policy();
    let result = Engine::new(runbook, &policy, &mut prompter, memory).respond(existing);
    let log = transcript.lock().unwrap().join("\n");
    (result, log, prompter.remaining())
}

#[test]
fn a_sev1_walk_from_declaration_to_close() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.extend(stabilize_script());
    script.extend([
        ("Record another stabilizing measure", Default),
        ("Investigation checklist", Checks(vec![0, 1, 2, 3])),
        ("still the right severity", Yes),
        ("Finding", text("5xx began right after deploy web-7f3a")),
        ("Finding", Default),
        ("Communication checklist", Checks(vec![0])),
        ("Who is this update for", Default),
        ("Post this update", Default),
        ("Post another update", Default),
        ("Record a further mitigation", Default),
        ("Recovery checklist", Checks(vec![0, 1, 2])),
        ("M1: cleaned up", Pick(0)),
        (
            "How was it cleaned up",
            text("Re-enabled at 10%, 50%, 100%"),
        ),
        ("Resolve INC-1", Default),
        ("How was it resolved", text("Rolled forward with the fix")),
        (
            "What happened",
            text("# comment\nCheckout failed for 30% of users."),
        ),
        ("root cause", text("A null price in the new flow.")),
        ("worked well", text("The flag.")),
        ("What failed", text("No alert on 5xx ratio.")),
        (
            "Follow-up action",
            text("Alert on checkout 5xx ratio above 2%"),
        ),
        ("What does it improve", pick("Detective")),
        ("Owner", Default),
        ("Due date", Default),
        ("Follow-up action", Default),
        ("Close INC-1", Yes),
    ]);
    let (result, log, left) = walk(&rb, None, &mut memory, script);
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(left, 0, "{log}");
    assert!(outcome.finished);
    let inc = outcome.incident;
    assert_eq!(inc.status, Status::Closed);
    assert_eq!(inc.severity, "SEV-1");
    assert_eq!(inc.services, ["checkout-api", "payments"]);
    assert_eq!(
        inc.lead.as_ref().map(ToString::to_string).as_deref(),
        Some("Ada Lovelace <ada@example.com>")
    );
    assert_eq!(
        inc.started_at,
        "2026-11-26T18:40:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    let m = &inc.mitigations[0];
    assert_eq!(m.kind, MitigationKind::Flag);
    assert!(m.temporary);
    assert!(m.cleanup.as_deref().unwrap().contains("gradually"));
    assert_eq!(m.before.as_deref(), Some("new-checkout-flow = true"));
    assert!(m.cleaned_up_at.is_some());
    let review = inc.review.unwrap();
    assert_eq!(review.what_happened, "Checkout failed for 30% of users.");
    assert_eq!(inc.actions[0].kind, ActionKind::Detective);
    assert_eq!(inc.actions[0].due.unwrap().to_string(), "2026-12-10");
    // The proposed update was built from the state, and posted as it was.
    let update = &inc.updates[0].text;
    assert!(
        update.starts_with("[SEV-1] INC-1 Checkout API returning 502s: mitigated."),
        "{update}"
    );
    assert!(
        update.contains("Disabled flag new-checkout-flow (flag, temporary)"),
        "{update}"
    );
    assert!(
        update.contains("Latest finding: 5xx began right after deploy web-7f3a."),
        "{update}"
    );
    assert!(update.contains("Next update by"), "{update}");
    // Every answer is its own change, and the walk's position is never one:
    // it moves with the answers, step by step; the answer that ends a step
    // (the acknowledgement, the lead, the resolution, the last review
    // question) moves it on to the next. Nothing was recorded at the
    // mitigation step.
    assert!(
        !memory.changes.iter().any(|c| matches!(c, Change::Step(_))),
        "{:?}",
        memory.verbs()
    );
    let mut steps = memory.steps.clone();
    steps.dedup();
    assert_eq!(
        steps,
        [
            "lead",
            "stabilize",
            "investigate",
            "communicate",
            "recover",
            "review",
            "prevention"
        ]
    );
    let at = |verb: &str| {
        memory
            .changes
            .iter()
            .zip(&memory.steps)
            .filter(|(c, _)| c.verb().as_str() == verb)
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(at("ack"), ["lead"]);
    assert_eq!(at("resolve"), ["review"]);
    assert_eq!(at("review"), ["review", "review", "review", "prevention"]);
    assert_eq!(at("mitigate"), ["stabilize"]);
    assert_eq!(memory.count("review"), 4);
    assert_eq!(memory.count("note"), 4, "three checklists and a finding");
    assert_eq!(memory.verbs().last(), Some(&"close"));
    assert!(log.contains("Timeline, from the ledger's history"), "{log}");
    assert!(
        log.contains("Severity (when unsure, pick the higher level)"),
        "{log}"
    );
}

#[test]
fn an_interrupted_walk_resumes_without_asking_a_step_twice() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script[1] = ("Severity", Pick(2));
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.extend(stabilize_script());
    script.push(("Record another stabilizing measure", Interrupt));
    let (result, _, _) = walk(&rb, None, &mut memory, script);
    assert!(matches!(
        result,
        Err(EngineError::Interrupted { id: Some(ref id) }) if id == "INC-1"
    ));
    assert_eq!(memory.count("mitigate"), 1);
    let inc = memory.incident.clone().unwrap();
    assert_eq!(inc.step.as_deref(), Some("stabilize"));

    let script = vec![
        ("Investigation checklist", Checks(vec![0])),
        ("still the right severity", Default),
        ("Finding", Default),
        ("Record a further mitigation", No),
        ("Recovery checklist", Checks(vec![0, 1, 2])),
        ("M1: cleaned up", Pick(0)),
        ("How was it cleaned up", Default),
        ("Resolve INC-1", Yes),
        ("How was it resolved", Default),
        ("What happened", Default),
        ("root cause", Default),
        ("worked well", Default),
        ("What failed", Default),
        ("Follow-up action", Default),
        ("Close INC-1", Yes),
    ];
    let (result, log, left) = walk(&rb, Some(inc), &mut memory, script);
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(left, 0, "{log}");
    assert_eq!(outcome.incident.status, Status::Closed);
    assert!(log.contains("Resuming INC-1"), "{log}");
    assert!(log.contains("Stabilize: done"), "{log}");
    assert!(!log.contains("How are you stopping the impact"), "{log}");
    assert!(log.contains("Communication: skipped for SEV-3"), "{log}");
    assert_eq!(memory.count("mitigate"), 1);
    assert_eq!(memory.count("ack"), 1);
}

#[test]
fn close_is_not_offered_while_a_temporary_mitigation_is_pending() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script[1] = ("Severity", Pick(3));
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.extend(stabilize_script());
    script.extend([
        ("Record another stabilizing measure", No),
        ("Investigation checklist", Default),
        ("still the right severity", Default),
        ("Finding", Default),
        ("Record a further mitigation", No),
        ("Recovery checklist", Checks(vec![0, 1, 2])),
        ("M1: cleaned up", Default),
        ("Resolve INC-1", Yes),
        ("How was it resolved", Default),
        ("What happened", Default),
        ("root cause", Default),
        ("worked well", Default),
        ("What failed", Default),
        ("Follow-up action", Default),
    ]);
    let (result, log, left) = walk(&rb, None, &mut memory, script);
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(left, 0, "{log}");
    assert!(!outcome.finished);
    assert_eq!(outcome.incident.status, Status::Resolved);
    assert!(!log.contains("Close INC-1"), "{log}");
    assert!(
        log.contains("INC-1 cannot close while M1 is in place"),
        "{log}"
    );
    assert_eq!(memory.count("close"), 0);
}

#[test]
fn close_is_not_offered_while_the_review_or_actions_are_missing() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut inc = Incident::declared(
        "INC-1".into(),
        "U".into(),
        "Checkout API returning 502s".into(),
        "SEV-2".into(),
        "2026-11-26T18:00:00Z".parse().unwrap(),
        "Ada <ada@example.com>".into(),
    );
    inc.status = Status::Resolved;
    inc.acknowledged_at = Some("2026-11-26T18:05:00Z".parse().unwrap());
    inc.resolved_at = Some("2026-11-26T19:00:00Z".parse().unwrap());
    inc.step = Some("prevention".into());
    memory.incident = Some(inc.clone());
    let script = vec![("Follow-up action", Default)];
    let (result, log, left) = walk(&rb, Some(inc), &mut memory, script);
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(left, 0, "{log}");
    assert!(!outcome.finished);
    assert!(!log.contains("Close INC-1?"), "{log}");
    assert!(
        log.contains("INC-1 cannot close yet: INC-1 is SEV-2 and has no review"),
        "{log}"
    );
    assert_eq!(memory.count("close"), 0);
}

#[test]
fn communicate_reminds_when_the_last_update_is_older_than_the_cadence() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.push(("How are you stopping the impact", pick("Nothing yet")));
    script.extend([
        ("Investigation checklist", Default),
        ("still the right severity", Default),
        ("Finding", Default),
        ("Communication checklist", Default),
        ("Who is this update for", pick("External")),
        ("Post this update", pick("different")),
        ("Your update", text("We are looking into failed checkouts.")),
        ("Post another update", Default),
        ("Record a mitigation", Interrupt),
    ]);
    // The walk so far takes minutes; 40 minutes passed since the
    // declaration, so the SEV-1 cadence of 30 minutes is exceeded.
    memory.now -= Duration::minutes(35);
    let (_, _, _) = walk(&rb, None, &mut memory, script);
    let mut inc = memory.incident.clone().unwrap();
    assert_eq!(inc.updates[0].audience, Audience::External);
    assert_eq!(inc.updates[0].text, "We are looking into failed checkouts.");
    inc.step = Some("communicate".into());
    memory.incident = Some(inc.clone());
    memory.now += Duration::minutes(45);
    let script = vec![
        ("Who is this update for", Default),
        ("Post this update", pick("No update")),
        ("Record a mitigation", Interrupt),
    ];
    let (_, log, _) = walk(&rb, Some(inc), &mut memory, script);
    assert!(
        log.contains("the last update was 4") && log.contains("SEV-1 expects an update every 30m"),
        "{log}"
    );
}

#[test]
fn a_teams_own_step_shows_its_checklist_and_keeps_the_answers() {
    let mut rb = runbook();
    let custom: Step = toml::from_str(
        r#"
id = "support"
title = "Customer Support"
guidance = "Tell the support team what to say."
checklist = ["Support macro posted", "Status page updated"]
prompts = [{ id = "ticket", text = "Support ticket number?" }]
"#,
    )
    .unwrap();
    rb.steps.insert(1, custom);
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([
        ("Acknowledge", Yes),
        ("Customer Support checklist", Checks(vec![1])),
        ("Support ticket number?", text("ZD-4711")),
        ("Incident lead", Interrupt),
    ]);
    let (result, log, _) = walk(&rb, None, &mut memory, script);
    assert!(matches!(result, Err(EngineError::Interrupted { .. })));
    assert!(log.contains("[2/10] Customer Support"), "{log}");
    assert!(log.contains("Tell the support team what to say."), "{log}");
    let notes: Vec<String> = memory
        .incident
        .unwrap()
        .notes
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(
        notes,
        [
            "Customer Support checklist: 1 of 2 done\n[ ] Support macro posted\n[x] Status page updated",
            "Support ticket number?\nZD-4711",
        ]
    );
}

#[test]
fn yes_accepts_the_defaults_and_asks_the_rest() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = vec![("Title", text("Search is slow")), ("Severity", Pick(1))];
    script.push(("How are you stopping the impact", Interrupt));
    let mut prompter = AcceptDefaults(ScriptedPrompter::new(script));
    let transcript = prompter.0.transcript();
    let policy = policy();
    let result = Engine::new(&rb, &policy, &mut prompter, &mut memory).respond(None);
    assert!(matches!(result, Err(EngineError::Interrupted { .. })));
    let inc = memory.incident.unwrap();
    assert_eq!(inc.status, Status::Acknowledged);
    assert_eq!(
        inc.lead.as_ref().map(ToString::to_string).as_deref(),
        Some("Ada Lovelace <ada@example.com>")
    );
    assert!(inc.services.is_empty());
    let log = transcript.lock().unwrap().join("\n");
    assert!(
        log.contains("Incident lead (Name <email>): Ada Lovelace <ada@example.com>"),
        "{log}"
    );
}

#[test]
fn a_refused_answer_is_shown_and_asked_again() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([
        ("Acknowledge", Yes),
        ("Incident lead", text("bob")),
        ("Incident lead", text("Bob Ng <bob@example.com>")),
        ("How are you stopping the impact", pick("Restart")),
        ("What exactly was done", text("   ")),
        ("What exactly was done", text("Restarted api pods")),
        ("temporary", Default),
        ("Record another stabilizing measure", Interrupt),
    ]);
    let (result, log, left) = walk(&rb, None, &mut memory, script);
    assert!(
        matches!(result, Err(EngineError::Interrupted { .. })),
        "{log}"
    );
    assert_eq!(left, 0);
    assert!(log.contains("`bob` is not an identity"), "{log}");
    assert!(log.contains("the mitigation is empty"), "{log}");
    let inc = memory.incident.unwrap();
    assert_eq!(
        inc.lead.as_ref().map(ToString::to_string).as_deref(),
        Some("Bob Ng <bob@example.com>")
    );
    assert!(!inc.mitigations[0].temporary);
}

#[test]
fn declining_ends_the_walk() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([
        ("Acknowledge", No),
        ("What is it, then", Pick(0)),
        ("Why is it not an incident?", text("A load test")),
    ]);
    let (result, log, _) = walk(&rb, None, &mut memory, script);
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert!(outcome.finished);
    assert_eq!(outcome.incident.status, Status::Declined);
}

#[test]
fn the_timeline_lists_time_who_and_what() {
    let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
    let text = render_timeline(&[
        TimelineEntry {
            at: at("2026-11-26T18:40:00Z"),
            who: None,
            what: "impact started".into(),
        },
        TimelineEntry {
            at: at("2026-11-26T18:52:00Z"),
            who: Some("Ada Lovelace".into()),
            what: "declared SEV-1: Checkout".into(),
        },
    ]);
    assert_eq!(
        text,
        "    18:40                impact started\n    18:52  Ada Lovelace  declared SEV-1: Checkout"
    );
}

#[test]
fn an_external_update_shares_no_internals() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.extend(stabilize_script());
    script.push(("Record another stabilizing measure", Interrupt));
    let _ = walk(&rb, None, &mut memory, script);
    let inc = memory.incident.clone().unwrap();
    let now = memory.now;
    let text =
        crate::render::update::propose(&inc, Audience::External, Some(Duration::minutes(30)), now);
    assert_eq!(
        text,
        format!(
            "Checkout API returning 502s: A fix is in place and we are monitoring the results.\n\
             Impact: About 30% of checkout attempts fail.\n\
             Next update by {} UTC.",
            (now + Duration::minutes(30)).format("%H:%M")
        )
    );
    assert!(!text.contains("new-checkout-flow"));
}

#[test]
fn a_closed_incident_has_nothing_left_to_walk() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut script = declare_script();
    script.extend([
        ("Acknowledge", No),
        ("What is it, then", Pick(2)),
        ("Why is it withdrawn?", text("Declared twice")),
    ]);
    let _ = walk(&rb, None, &mut memory, script);
    let inc = memory.incident.clone().unwrap();
    assert_eq!(inc.status, Status::Cancelled);
    let (result, log, _) = walk(&rb, Some(inc), &mut memory, Vec::new());
    assert!(result.unwrap().finished);
    assert!(
        log.contains("INC-1 is cancelled: there is nothing left to walk"),
        "{log}"
    );
}

/// Declared and acknowledged by the walk; Bob's `change` lands before the
/// walk's `n`-th recorded change.
fn with_bob(n: usize, change: Change, then: Vec<(&str, Answer)>) -> (Memory, String) {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    memory.others.push((n, change));
    let mut script = declare_script();
    script.extend(then);
    let (result, log, left) = walk(&rb, None, &mut memory, script);
    assert!(
        matches!(result, Err(EngineError::Interrupted { .. })),
        "{log}"
    );
    assert_eq!(left, 0, "{log}");
    (memory, log)
}

#[test]
fn a_note_by_someone_else_is_reloaded_said_in_one_line_and_kept() {
    let note = Change::Note("Payments team is looking".into());
    let (memory, log) = with_bob(
        1,
        note,
        vec![
            ("Acknowledge", Yes),
            ("Incident lead", Default),
            ("How are you stopping the impact", Interrupt),
        ],
    );
    assert_eq!(
        log.matches("INC-1 changed meanwhile: note by Bob Ng <bob@example.com>; reloaded")
            .count(),
        1,
        "{log}"
    );
    assert!(!log.contains("Keep theirs"), "{log}");
    assert_eq!(memory.verbs(), ["ack", "lead"]);
    let inc = memory.incident.unwrap();
    assert_eq!(inc.notes[0].text, "Payments team is looking");
    assert_eq!(
        inc.lead.as_ref().map(ToString::to_string).as_deref(),
        Some("Ada Lovelace <ada@example.com>")
    );
}

#[test]
fn both_setting_the_lead_asks_whose_stands() {
    let lead = || Change::Lead(bob());
    let script = |keep: Answer| {
        vec![
            ("Acknowledge", Yes),
            ("Incident lead", Default),
            ("Keep theirs?", keep),
            ("How are you stopping the impact", Interrupt),
        ]
    };
    let (memory, log) = with_bob(1, lead(), script(Default));
    assert!(
        log.contains("Bob Ng <bob@example.com> set the lead to Bob Ng <bob@example.com>; you answered Ada Lovelace <ada@example.com>"),
        "{log}"
    );
    assert!(log.contains("Kept theirs"), "{log}");
    assert_eq!(memory.verbs(), ["ack"]);
    assert_eq!(
        memory
            .incident
            .unwrap()
            .lead
            .map(|l| l.to_string())
            .as_deref(),
        Some("Bob Ng <bob@example.com>")
    );

    let (memory, log) = with_bob(1, lead(), script(No));
    assert!(log.contains("lead Bob Ng -> Ada Lovelace"), "{log}");
    assert_eq!(memory.verbs(), ["ack", "lead"]);
    assert_eq!(
        memory
            .incident
            .unwrap()
            .lead
            .map(|l| l.to_string())
            .as_deref(),
        Some("Ada Lovelace <ada@example.com>")
    );
}

#[test]
fn an_answer_someone_else_already_gave_leaves_theirs_and_goes_on() {
    let (memory, log) = with_bob(
        0,
        Change::Ack,
        vec![("Acknowledge", Yes), ("Incident lead", Interrupt)],
    );
    assert!(
        log.contains("INC-1 changed meanwhile: ack by Bob Ng <bob@example.com>; reloaded"),
        "{log}"
    );
    assert!(
        log.contains("your answer no longer applies: INC-1 is already acknowledged; theirs stands"),
        "{log}"
    );
    assert!(!log.contains("Keep theirs"), "{log}");
    // On to the lead step, from Bob's acknowledgement: nothing of the
    // walk's is recorded, not even its position.
    assert!(memory.verbs().is_empty());
    assert_eq!(memory.incident.unwrap().status, Status::Acknowledged);
}

#[test]
fn a_change_that_fits_is_recorded_on_the_fresh_state() {
    // Bob lowered the severity; the walk's note goes on top of it.
    let severity = Change::Severity {
        to: "SEV-2".into(),
        why: Some("one region only".into()),
    };
    let (memory, log) = with_bob(
        0,
        severity,
        vec![("Acknowledge", Yes), ("Incident lead", Interrupt)],
    );
    assert!(log.contains("sev by Bob Ng"), "{log}");
    assert!(!log.contains("Keep theirs"), "{log}");
    assert_eq!(memory.verbs(), ["ack"]);
    let inc = memory.incident.unwrap();
    assert_eq!(inc.severity, "SEV-2");
    assert_eq!(inc.status, Status::Acknowledged);
}

/// An incident declared under the default runbook, as the single commands
/// leave it: at the first step, whatever its state.
fn declared_by_hand() -> Incident {
    let mut inc = Incident::declared(
        "INC-1".into(),
        "U".into(),
        "Search is slow".into(),
        "SEV-3".into(),
        "2026-11-26T18:00:00Z".parse().unwrap(),
        "Ada <ada@example.com>".into(),
    );
    inc.step = Some("acknowledge".into());
    inc
}

#[test]
fn an_incident_resolved_by_hand_resumes_at_its_review() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut inc = declared_by_hand();
    inc.status = Status::Resolved;
    inc.acknowledged_at = Some("2026-11-26T18:05:00Z".parse().unwrap());
    inc.resolved_at = Some("2026-11-26T19:00:00Z".parse().unwrap());
    memory.incident = Some(inc.clone());
    let script = vec![("What happened", Interrupt)];
    let (result, log, left) = walk(&rb, Some(inc), &mut memory, script);
    assert!(
        matches!(result, Err(EngineError::Interrupted { .. })),
        "{log}"
    );
    assert_eq!(left, 0, "{log}");
    assert!(
        log.contains("Continuing at step 8 of 9: Post-Incident Review"),
        "{log}"
    );
    assert!(log.contains("[7/9] Recovery: done"), "{log}");
    assert!(!log.contains("Acknowledge"), "{log}");
    assert!(!log.contains("Incident lead"), "{log}");
}

#[test]
fn a_reopened_incident_resumes_where_its_state_stands_not_at_its_old_step() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    let mut inc = declared_by_hand();
    inc.status = Status::Acknowledged;
    inc.acknowledged_at = Some("2026-11-26T18:05:00Z".parse().unwrap());
    inc.lead = Some(ada());
    // An earlier walk got to prevention before the incident was reopened.
    inc.step = Some("prevention".into());
    memory.incident = Some(inc.clone());
    let script = vec![("How are you stopping the impact", Interrupt)];
    let (_, log, left) = walk(&rb, Some(inc), &mut memory, script);
    assert_eq!(left, 0, "{log}");
    assert!(
        log.contains("Continuing at step 3 of 9: Stabilize"),
        "{log}"
    );
}

#[test]
fn a_prompt_reads_at_file_escapes_a_double_at_and_takes_lines_after_a_lone_at() {
    let rb = runbook();
    let mut memory = Memory::new(&rb);
    memory.files.insert(
        "before.toml".into(),
        "[flags]\nnew-checkout-flow = true\n".into(),
    );
    let mut script = declare_script();
    script.extend([("Acknowledge", Yes), ("Incident lead", Default)]);
    script.extend([
        ("How are you stopping the impact", pick("flag")),
        (
            "What exactly was done",
            text("Disabled flag new-checkout-flow"),
        ),
        ("temporary", Default),
        ("Cleanup plan", Default),
        ("What did it change", text("flags/checkout.toml")),
        ("stable state", text("@missing.toml")),
        ("stable state", text("@before.toml")),
        ("temporary state", text("@@off")),
        ("Record another stabilizing measure", No),
        ("Investigation checklist", Default),
        ("still the right severity", Default),
        ("Finding", text("@")),
        ("Finding", text("Pods restart in a loop.\nOOM killed.")),
        ("Finding", Default),
        ("Communication checklist", Interrupt),
    ]);
    let (result, log, left) = walk(&rb, None, &mut memory, script);
    assert!(
        matches!(result, Err(EngineError::Interrupted { .. })),
        "{log}"
    );
    assert_eq!(left, 0, "{log}");
    assert!(
        log.contains("cannot read missing.toml: No such file or directory"),
        "{log}"
    );
    assert!(log.contains("read before.toml (2 lines)"), "{log}");
    assert!(
        log.contains("? Its stable state, which the cleanup restores (empty to skip; @FILE reads a file, @ alone takes several lines)"),
        "{log}"
    );
    let inc = memory.incident.unwrap();
    let m = &inc.mitigations[0];
    assert_eq!(
        m.before.as_deref(),
        Some("[flags]\nnew-checkout-flow = true\n")
    );
    assert_eq!(m.after.as_deref(), Some("@off"));
    assert_eq!(
        inc.notes.last().map(|n| n.text.as_str()),
        Some("Pods restart in a loop.\nOOM killed.")
    );
}
