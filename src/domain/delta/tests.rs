//! The semantic diff on small incidents built in place.

use super::*;
use crate::domain::incident::{Mitigation, MitigationKind, Note};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn incident() -> Incident {
    Incident {
        started_at: at("2026-11-26T18:40:00Z"),
        ..Incident::declared(
            "INC-1".into(),
            "U".into(),
            "Checkout down".into(),
            "SEV-2".into(),
            at("2026-11-26T18:50:00Z"),
            "Ada <ada@x.org>".into(),
        )
    }
}

#[test]
fn scalars_change_field_by_field() {
    let b = incident();
    let mut a = b.clone();
    a.severity = "SEV-1".into();
    a.lead = Some("Bob <bob@x.org>".into());
    assert_eq!(
        diff(Some(&b), Some(&a)),
        vec![
            Delta::Field {
                field: Field::Severity,
                from: Some(Value::Text("SEV-2".into())),
                to: Some(Value::Text("SEV-1".into()))
            },
            Delta::Field {
                field: Field::Lead,
                from: None,
                to: Some(Value::Text("Bob <bob@x.org>".into()))
            },
        ]
    );
}

#[test]
fn mitigation_cleanup_is_one_event_not_three_fields() {
    let mut b = incident();
    b.mitigations.push(Mitigation {
        cleanup: Some("flag on".into()),
        ..Mitigation::applied(
            "M1".into(),
            MitigationKind::Flag,
            "flag off".into(),
            true,
            at("2026-11-26T19:00:00Z"),
            "Ada <ada@x.org>".into(),
        )
    });
    let mut a = b.clone();
    a.mitigations[0].cleaned_up_at = Some(at("2026-11-27T10:00:00Z"));
    a.mitigations[0].cleaned_up_by = Some("Bob <bob@x.org>".into());
    a.mitigations[0].action = "flag new-checkout off".into();
    let d = diff(Some(&b), Some(&a));
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(matches!(&d[0], Delta::Finished { what: Finish::CleanedUp, key, .. } if key == "M1"));
    assert!(matches!(&d[1], Delta::Edited { field, .. } if field == "action"));
    assert_eq!(event_time(&d), Some(at("2026-11-27T10:00:00Z")));
}

#[test]
fn notes_match_by_position() {
    let mut b = incident();
    let note = |t: &str| Note {
        at: at("2026-11-26T19:00:00Z"),
        by: "Ada <ada@x.org>".into(),
        text: t.into(),
        key: None,
    };
    b.notes = vec![note("one"), note("two")];
    let mut a = b.clone();
    a.notes[1].text = "two, corrected".into();
    a.notes.push(note("three"));
    let d = diff(Some(&b), Some(&a));
    assert!(matches!(&d[0], Delta::Edited { key, field, .. } if key == "2" && field == "text"));
    assert!(matches!(&d[1], Delta::Added { key, text, .. } if key == "3" && text == "three"));
    let back = diff(Some(&a), Some(&b));
    assert!(
        back.iter()
            .any(|d| matches!(d, Delta::Removed { key, .. } if key == "3"))
    );
}

#[test]
fn a_merge_drops_only_what_it_left_out_in_any_order() {
    let note = |t: &str| Note {
        at: at("2026-11-26T19:00:00Z"),
        by: "Ada <ada@x.org>".into(),
        text: t.into(),
        key: None,
    };
    let mut theirs = incident();
    theirs.notes = vec![note("main"), note("side")];
    let mut merged = incident();
    merged.notes = vec![note("side"), note("main")];
    assert_eq!(dropped(&theirs, &merged), []);
    merged.notes.remove(0);
    assert_eq!(
        dropped(&theirs, &merged),
        [Delta::Dropped {
            entry: EntryKind::Note,
            key: "2".into(),
            text: "side".into()
        }]
    );
}
