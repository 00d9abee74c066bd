//! Unit tests of the rules: each change against a fixed incident, clock
//! and settings.

use super::*;
use crate::domain::IncidentId;

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

// The rule edge cases that tests/cli/test_refusals.rs also checks end to end.

/// The message of a refusal, and whether `--force` may override it.
fn refusal(result: Result<Applied, ChangeError>) -> (String, bool) {
    match result {
        Err(e @ ChangeError::Refused { .. }) => (e.to_string(), true),
        Err(e @ ChangeError::Invalid { .. }) => (e.to_string(), false),
        Ok(applied) => panic!("accepted: {applied:?}"),
    }
}

fn acknowledged(sev: &str) -> Incident {
    let mut inc = declared(sev);
    apply(&mut inc, Change::Ack, "2026-11-26T18:06:00Z").unwrap();
    inc
}

fn resolved(sev: &str) -> Incident {
    let mut inc = acknowledged(sev);
    let resolve = Change::Resolve { summary: None };
    apply(&mut inc, resolve, "2026-11-26T19:00:00Z").unwrap();
    inc
}

#[test]
fn resolve_before_ack_is_refused_but_forceable_and_a_mitigation_acknowledges() {
    let mut inc = declared("SEV-3");
    let (rule, forceable) = refusal(apply(
        &mut inc,
        Change::Resolve { summary: None },
        "2026-11-26T18:10:00Z",
    ));
    assert!(
        rule.contains("not acknowledged yet; acknowledge it before resolving"),
        "{rule}"
    );
    assert!(forceable);
    assert_eq!(inc, declared("SEV-3"));
    let applied = apply(&mut inc, temporary(), "2026-11-26T18:10:00Z").unwrap();
    assert_eq!(inc.status, Status::Mitigated);
    assert_eq!(inc.acknowledged_at, Some(at("2026-11-26T18:10:00Z")));
    assert_eq!(
        inc.acknowledged_by,
        inc.mitigations[0].applied_by.clone().into()
    );
    assert!(
        applied
            .body
            .as_deref()
            .unwrap()
            .contains("Acknowledged with this mitigation"),
        "{applied:?}"
    );
}

#[test]
fn lowering_the_severity_needs_a_reason_which_becomes_a_note() {
    let mut inc = acknowledged("SEV-1");
    let lower = |why: Option<&str>| Change::Severity {
        to: "SEV-3".into(),
        why: why.map(str::to_owned),
    };
    let (rule, forceable) = refusal(apply(&mut inc, lower(None), "2026-11-26T18:10:00Z"));
    assert!(
        rule.contains("lowering INC-1 from SEV-1 to SEV-3 needs a reason"),
        "{rule}"
    );
    assert!(!forceable);
    apply(
        &mut inc,
        lower(Some("only one region")),
        "2026-11-26T18:11:00Z",
    )
    .unwrap();
    assert_eq!(inc.severity, "SEV-3");
    let note = inc.notes.last().unwrap();
    assert_eq!(note.text, "Severity SEV-1 -> SEV-3: only one region");
    // Raising needs none.
    let raise = Change::Severity {
        to: "SEV-2".into(),
        why: None,
    };
    apply(&mut inc, raise, "2026-11-26T18:12:00Z").unwrap();
    assert_eq!(inc.notes.len(), 1);
}

#[test]
fn a_backfilled_note_goes_in_event_time_order() {
    let mut inc = acknowledged("SEV-3");
    apply(
        &mut inc,
        Change::Note("later".into()),
        "2026-11-26T18:30:00Z",
    )
    .unwrap();
    apply(
        &mut inc,
        Change::Note("earlier".into()),
        "2026-11-26T18:20:00Z",
    )
    .unwrap();
    let texts: Vec<&str> = inc.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["earlier", "later"]);
}

#[test]
fn ack_twice_and_close_before_resolve_are_refused() {
    let mut inc = acknowledged("SEV-3");
    let (rule, forceable) = refusal(apply(&mut inc, Change::Ack, "2026-11-26T18:10:00Z"));
    assert_eq!(rule, "INC-1 is already acknowledged");
    assert!(!forceable);
    let (rule, forceable) = refusal(apply(&mut inc, Change::Close, "2026-11-26T18:10:00Z"));
    assert!(
        rule.starts_with("INC-1 is acknowledged, not resolved"),
        "{rule}"
    );
    assert!(forceable);
}

#[test]
fn a_milestone_before_the_previous_one_is_refused() {
    let mut inc = declared("SEV-3");
    let mut early = actor("2026-11-26T18:10:00Z", Some("backfill"));
    early.at = at("2026-11-26T18:01:00Z");
    let err = Change::Ack
        .apply(&mut inc, &early, &settings())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "acknowledged_at (2026-11-26 18:01 UTC) would come before declared_at (2026-11-26 18:05 UTC)"
    );
    assert!(err.hint().unwrap().contains("milestones are chronological"));
}

#[test]
fn an_event_in_the_future_is_refused() {
    let mut inc = acknowledged("SEV-3");
    let mut later = actor("2026-11-26T18:10:00Z", None);
    later.at = at("2030-01-01T00:00:00Z");
    let err = Change::Note("later".into())
        .apply(&mut inc, &later, &settings())
        .unwrap_err();
    assert!(err.to_string().contains("is in the future"), "{err}");
}

#[test]
fn unknown_severities_and_services_are_refused() {
    let mut inc = acknowledged("SEV-3");
    let sev = Change::Severity {
        to: "SEV-9".into(),
        why: None,
    };
    let err = sev
        .apply(&mut inc, &actor("2026-11-26T18:10:00Z", None), &settings())
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown severity `SEV-9`"),
        "{err}"
    );
    assert_eq!(
        err.hint().as_deref(),
        Some("the runbook's severities are SEV-1, SEV-2, SEV-3, SEV-4")
    );
    let listed = Settings {
        services: vec!["checkout-api".into()],
        ..settings()
    };
    let declare = |service: &str| {
        Declaration {
            title: "Disk full".into(),
            severity: "SEV-3".into(),
            services: vec![service.into()],
            impact: None,
            lead: None,
            started_at: None,
        }
        .into_incident(
            "INC-2".into(),
            "U2".into(),
            None,
            None,
            &actor("2026-11-26T18:05:00Z", None),
            &listed,
        )
    };
    let err = declare("billing").unwrap_err();
    assert!(
        err.to_string().contains("unknown service `billing`"),
        "{err}"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains("add it to `services` in ledger.toml")
    );
    assert!(declare("checkout-api").is_ok());
}

#[test]
fn control_characters_in_text_are_refused() {
    let mut inc = acknowledged("SEV-3");
    let note = Change::Note("evil \u{1b}[2J text".into());
    let (rule, forceable) = refusal(apply(&mut inc, note, "2026-11-26T18:10:00Z"));
    assert!(rule.contains("control character U+001B"), "{rule}");
    assert!(!forceable);
}

#[test]
fn a_closed_incident_changes_only_through_reopen() {
    let mut inc = resolved("SEV-3");
    apply(&mut inc, Change::Close, "2026-11-26T19:10:00Z").unwrap();
    let err = apply(
        &mut inc,
        Change::Note("late".into()),
        "2026-11-26T19:20:00Z",
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "INC-1 is closed");
    assert!(err.hint().unwrap().contains("reopen INC-1 --why"));
    let reopen = Change::Reopen {
        why: "It came back".into(),
    };
    apply(&mut inc, reopen, "2026-11-26T19:20:00Z").unwrap();
    apply(
        &mut inc,
        Change::Note("late".into()),
        "2026-11-26T19:21:00Z",
    )
    .unwrap();
}

#[test]
fn close_is_refused_while_temporary_mitigations_are_pending() {
    let mut inc = acknowledged("SEV-3");
    apply(&mut inc, temporary(), "2026-11-26T18:10:00Z").unwrap();
    let resolve = Change::Resolve { summary: None };
    apply(&mut inc, resolve, "2026-11-26T19:00:00Z").unwrap();
    let (rule, forceable) = refusal(apply(&mut inc, Change::Close, "2026-11-26T19:10:00Z"));
    assert!(
        rule.contains("temporary mitigations still in place: M1 (Disabled flag)"),
        "{rule}"
    );
    assert!(forceable);
}

#[test]
fn close_of_a_sev1_needs_a_review_and_follow_up_actions() {
    let mut inc = resolved("SEV-1");
    let (rule, _) = refusal(apply(&mut inc, Change::Close, "2026-11-26T19:10:00Z"));
    assert!(rule.contains("INC-1 is SEV-1 and has no review"), "{rule}");
    let review = Change::Review(ReviewFields {
        what_happened: Some("A bad deploy".into()),
        root_cause: Some("No canary".into()),
        went_well: Some("Fast rollback".into()),
        went_wrong: Some("Slow detection".into()),
    });
    apply(&mut inc, review, "2026-11-26T19:20:00Z").unwrap();
    let (rule, _) = refusal(apply(&mut inc, Change::Close, "2026-11-26T19:30:00Z"));
    assert!(
        rule.contains("INC-1 is SEV-1 and has no follow-up actions"),
        "{rule}"
    );
}

#[test]
fn an_unknown_mitigation_or_action_names_the_existing_ones() {
    let mut inc = acknowledged("SEV-3");
    apply(&mut inc, temporary(), "2026-11-26T18:10:00Z").unwrap();
    let cleanup = |m: &str| Change::CleanupDone {
        mitigation: m.into(),
        note: None,
    };
    let err = apply(&mut inc, cleanup("M7"), "2026-11-26T18:20:00Z").unwrap_err();
    assert_eq!(err.to_string(), "INC-1 has no mitigation `M7`");
    assert_eq!(err.hint().as_deref(), Some("INC-1 has M1"));
    let done = Change::ActionDone {
        action: "A1".into(),
    };
    let err = apply(&mut inc, done, "2026-11-26T18:20:00Z").unwrap_err();
    assert_eq!(err.to_string(), "INC-1 has no action `A1`");
    apply(&mut inc, cleanup("M1"), "2026-11-26T18:30:00Z").unwrap();
    let err = apply(&mut inc, cleanup("M1"), "2026-11-26T18:40:00Z").unwrap_err();
    assert!(err.to_string().contains("was already cleaned up"), "{err}");
}

#[test]
fn the_verb_recorded_is_the_change_s_own() {
    let owner = Identity::new("Bob Ng", "bob@example.com");
    let mut inc = acknowledged("SEV-3");
    let changes = [
        Change::Lead(owner.clone()),
        Change::Severity {
            to: "SEV-2".into(),
            why: None,
        },
        Change::Note("n".into()),
        Change::Update {
            text: "u".into(),
            audience: Audience::Internal,
        },
        temporary(),
        Change::CleanupDone {
            mitigation: "M1".into(),
            note: None,
        },
        temporary(),
        Change::CleanupKeep {
            mitigation: "M2".into(),
            why: "w".into(),
        },
        Change::Action(NewAction {
            text: "a".into(),
            owner,
            kind: ActionKind::Preventive,
            due: None,
        }),
        Change::ActionDone {
            action: "A1".into(),
        },
        Change::Step("triage".into()),
        Change::Resolve { summary: None },
        Change::Review(ReviewFields {
            what_happened: Some("w".into()),
            ..ReviewFields::default()
        }),
        Change::Close,
        Change::Reopen { why: "r".into() },
        Change::Decline { why: "d".into() },
    ];
    for change in changes {
        let applied = change
            .apply(
                &mut inc,
                &actor("2026-11-26T19:00:00Z", Some("x")),
                &settings(),
            )
            .unwrap_or_else(|e| panic!("{change:?}: {e}"));
        assert_eq!(applied.verb, change.verb(), "{change:?}");
        assert_eq!(Verb::parse(applied.verb.as_str()), Some(applied.verb));
    }
    for change in [
        Change::Cancel { why: "c".into() },
        Change::Duplicate { of: "INC-2".into() },
    ] {
        let mut open = acknowledged("SEV-3");
        let applied = change
            .apply(&mut open, &actor("2026-11-26T19:00:00Z", None), &settings())
            .unwrap();
        assert_eq!(applied.verb, change.verb());
    }
    assert_eq!(Verb::parse("renumber"), Some(Verb::Renumber));
    assert_eq!(Verb::parse("dance"), None);
}

#[test]
fn a_duplicate_needs_its_original_in_the_ledger() {
    let known = |text: &str| -> Result<(IncidentId, bool), ChangeError> {
        let id = IncidentId::parse(text, "INC").unwrap();
        Ok((id.clone(), id == IncidentId::new("INC", 2)))
    };
    let of = |text: &str| Change::Duplicate { of: text.into() };
    assert!(check_target(&of("INC-2"), known).is_ok());
    assert!(check_target(&of("2"), known).is_ok());
    let err = check_target(&of("inc-9"), known).unwrap_err();
    assert_eq!(err.to_string(), "no incident INC-9 in this ledger");
    assert_eq!(
        err.hint().as_deref(),
        Some("`git incident list` shows the incidents in this ledger")
    );
    // Only a duplicate names another incident.
    let never = |_: &str| -> Result<(IncidentId, bool), ChangeError> { unreachable!() };
    assert!(check_target(&Change::Close, never).is_ok());
}

/// An actor at `now` who says the event happened at `at`.
fn backdated(now: &str, at_: &str, force: Option<&str>) -> Actor {
    Actor {
        at: at(at_),
        ..actor(now, force)
    }
}

#[test]
fn an_event_time_before_the_start_or_over_30_days_ago_is_refused_unless_forced() {
    // Impact began 18:00; declared 18:05.
    let note = || Change::Note("deploy web-7f3a".into());
    let try_at = |now: &str, t: &str, force: Option<&str>| {
        let mut inc = declared("SEV-3");
        note()
            .apply(&mut inc, &backdated(now, t, force), &settings())
            .map(|applied| (applied, inc))
    };
    let now = "2026-11-26T18:30:00Z";
    assert!(
        try_at(now, "2026-11-26T18:00:00Z", None).is_ok(),
        "at the start"
    );
    let before = try_at(now, "2026-11-26T17:59:59Z", None).unwrap_err();
    assert_eq!(
        before,
        ChangeError::Refused {
            rule:
                "the event time 2026-11-26 17:59 UTC is before INC-1 began (2026-11-26 18:00 UTC)"
                    .into()
        }
    );
    let (applied, inc) =
        try_at(now, "2026-11-26T17:59:59Z", Some("the deploy came first")).unwrap();
    assert_eq!(applied.overridden.len(), 1);
    assert_eq!(inc.overrides[0].why, "the deploy came first");
    assert_eq!(inc.notes[0].at, at("2026-11-26T17:59:59Z"));

    // Thirty days after the start, the start itself is just in reach.
    let later = "2026-12-26T18:00:00Z";
    assert!(try_at(later, "2026-11-26T18:00:00Z", None).is_ok());
    let later = "2026-12-26T18:00:01Z";
    assert_eq!(
        try_at(later, "2026-11-26T18:00:00Z", None).map(|_| ()),
        Err(ChangeError::Refused {
            rule: "the event time 2026-11-26 18:00 UTC is more than 30 days ago".into()
        })
    );
    // Given no time, a change is never refused for its age.
    let mut inc = declared("SEV-3");
    assert!(
        note()
            .apply(&mut inc, &actor(later, None), &settings())
            .is_ok()
    );
}
