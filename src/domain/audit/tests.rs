//! Every change the tool makes fits its own trailer, and a diff that does
//! something else is caught; the signer is bound to the committer.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::change::{Actor, Change, Declaration, NewAction, NewMitigation, ReviewFields};
use crate::domain::delta::diff;
use crate::domain::{ActionKind, Audience, Identity, Incident, Settings};

fn at(t: &str) -> DateTime<Utc> {
    t.parse().unwrap()
}

fn actor(minute: u32, force: Option<&str>) -> Actor {
    let t = at(&format!("2026-11-26T18:{minute:02}:00Z"));
    Actor {
        by: Identity::new("Ada Lovelace", "ada@example.com"),
        now: t,
        at: t,
        force: force.map(str::to_owned),
    }
}

fn settings() -> Settings {
    Settings {
        severities: ["SEV-1", "SEV-2", "SEV-3"].map(String::from).to_vec(),
        services: Vec::new(),
        review_required: vec!["SEV-1".into()],
    }
}

fn declared(id: &str) -> Incident {
    Declaration {
        title: "Checkout down".into(),
        severity: "SEV-2".into(),
        services: vec![],
        impact: None,
        lead: None,
        started_at: None,
    }
    .into_incident(
        id.into(),
        "U".into(),
        None,
        Some("triage".into()),
        &actor(0, None),
        &settings(),
    )
    .unwrap()
    .0
}

fn temporary() -> Change {
    Change::Mitigate(NewMitigation {
        action: "Disabled flag".into(),
        temporary: true,
        cleanup: Some("Re-enable".into()),
        ..NewMitigation::default()
    })
}

/// Applies each change in turn and checks that its diff fits its trailer.
fn each_fits(mut inc: Incident, changes: Vec<(Change, Option<&str>)>) {
    for (minute, (change, force)) in (1..).zip(changes) {
        let before = inc.clone();
        let applied = change
            .apply(&mut inc, &actor(minute, force), &settings())
            .unwrap();
        let deltas = diff(Some(&before), Some(&inc));
        let from_to = applied
            .from_to
            .as_ref()
            .map(|(f, t)| (f.as_str(), t.as_str()));
        assert_eq!(
            trailer_fits(applied.verb, from_to, &deltas),
            Ok(()),
            "{change:?}: {deltas:?}"
        );
    }
}

#[test]
fn every_change_of_the_tool_fits_its_trailer() {
    let bob = Identity::new("Bob Ng", "bob@example.com");
    each_fits(
        declared("INC-1"),
        vec![
            (Change::Step("ack".into()), None),
            (Change::Ack, None),
            (Change::Lead(bob.clone()), None),
            (Change::Lead(Identity::new("Cy", "cy@example.com")), None),
            (
                Change::Severity {
                    to: "SEV-1".into(),
                    why: Some("worse".into()),
                },
                None,
            ),
            (Change::Note("Looking".into()), None),
            (
                Change::Update {
                    text: "We know".into(),
                    audience: Audience::Internal,
                },
                None,
            ),
            (temporary(), None),
            (temporary(), None),
            (
                Change::CleanupDone {
                    mitigation: "M1".into(),
                    note: Some("done".into()),
                },
                None,
            ),
            (
                Change::CleanupKeep {
                    mitigation: "M2".into(),
                    why: "good".into(),
                },
                None,
            ),
            (
                Change::Action(NewAction {
                    text: "Alert".into(),
                    owner: bob,
                    kind: ActionKind::Detective,
                    due: NaiveDate::from_ymd_opt(2026, 12, 1),
                }),
                None,
            ),
            (
                Change::ActionDone {
                    action: "A1".into(),
                },
                None,
            ),
            (
                Change::Resolve {
                    summary: Some("fixed".into()),
                },
                None,
            ),
            (
                Change::Review(ReviewFields {
                    what_happened: Some("x".into()),
                    root_cause: Some("y".into()),
                    ..ReviewFields::default()
                }),
                None,
            ),
            (Change::Close, None),
            (
                Change::Reopen {
                    why: "again".into(),
                },
                None,
            ),
            (
                Change::Decline {
                    why: "not real".into(),
                },
                None,
            ),
        ],
    );
    each_fits(
        declared("INC-2"),
        vec![
            (Change::Ack, None),
            (Change::Close, Some("it went away")),
            (Change::Reopen { why: "back".into() }, None),
            (Change::Duplicate { of: "INC-1".into() }, None),
        ],
    );
    each_fits(
        declared("INC-3"),
        vec![(
            Change::Cancel {
                why: "drill".into(),
            },
            None,
        )],
    );
    let created = diff(None, Some(&declared("INC-4")));
    assert_eq!(trailer_fits(Verb::Declare, None, &created), Ok(()));
}

#[test]
fn a_diff_that_does_something_else_than_its_trailer_is_caught() {
    let before = declared("INC-1");
    let mut after = before.clone();
    after.severity = "SEV-1".into();
    let deltas = diff(Some(&before), Some(&after));
    let err = trailer_fits(Verb::Note, None, &deltas).unwrap_err();
    assert!(err.contains("changes severity SEV-2 -> SEV-1"), "{err}");
    assert_eq!(
        trailer_fits(Verb::Severity, Some(("SEV-2", "SEV-1")), &deltas),
        Ok(())
    );
    let err = trailer_fits(Verb::Severity, Some(("SEV-3", "SEV-1")), &deltas).unwrap_err();
    assert!(
        err.contains("SEV-3 -> SEV-1") && err.contains("SEV-2 -> SEV-1"),
        "{err}"
    );
    let err = trailer_fits(Verb::Ack, Some(("declared", "acknowledged")), &[]).unwrap_err();
    assert!(err.contains("does not change status"), "{err}");
    let created = diff(None, Some(&before));
    assert!(trailer_fits(Verb::Note, None, &created).is_err());
    let deleted = diff(Some(&before), None);
    assert!(trailer_fits(Verb::Close, None, &deleted).is_err());
}

#[test]
fn a_signature_must_be_good_and_the_committers() {
    assert_eq!(
        signature_fits("G", "ada@example.com", "Ada@Example.com"),
        Ok(())
    );
    assert_eq!(
        signature_fits("G", "Ada Lovelace <ada@example.com>", "ada@example.com"),
        Ok(())
    );
    let err = signature_fits("G", "mallory@example.com", "ada@example.com").unwrap_err();
    assert!(err.contains("mallory@example.com") && err.contains("ada@example.com"));
    assert!(
        signature_fits("N", "", "ada@example.com")
            .unwrap_err()
            .contains("not signed")
    );
    assert!(signature_fits("U", "ada@example.com", "ada@example.com").is_err());
    assert!(signature_fits("E", "", "ada@example.com").is_err());
}

#[test]
fn only_errors_fail_an_audit() {
    let mut audit = Audit::default();
    audit
        .findings
        .push(Finding::new(Kind::OutOfBand, "hand edit"));
    assert!(!audit.failed());
    audit.findings.push(Finding::new(Kind::Rewritten, "gone"));
    assert!(audit.failed());
}

#[test]
fn an_answer_of_guided_response_may_move_its_step_in_the_same_commit() {
    let mut inc = declared("INC-1");
    let before = inc.clone();
    let applied = Change::Ack
        .apply(&mut inc, &actor(1, None), &settings())
        .unwrap();
    inc.step = Some("lead".into());
    let deltas = diff(Some(&before), Some(&inc));
    assert!(deltas.iter().any(|d| matches!(
        d,
        Delta::Field {
            field: Field::Step,
            ..
        }
    )));
    assert_eq!(
        trailer_fits(applied.verb, Some(("declared", "acknowledged")), &deltas),
        Ok(())
    );
}
