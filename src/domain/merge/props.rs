//! Property tests: a random incident, then a random run of changes on each
//! side, through the domain's own change rules. Whatever the runs, the merge
//! gives a valid incident that keeps every entry of both sides, the same
//! bytes in either order and on every rerun, and the identities of a merge.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::keys::{Entry, list_keys};
use super::{Options, merge};
use crate::domain::change::{
    Actor, Change, NewAction, NewMitigation, ReviewFields, Settings, check_milestones,
};
use crate::domain::identity::Identity;
use crate::domain::incident::{ActionKind, Audience, Incident, MitigationKind};

#[derive(Debug, Clone)]
enum Op {
    Ack,
    Lead(u8),
    Sev(u8),
    Note(u8),
    Update(u8, bool),
    Mitigate(u8, bool),
    CleanupDone(u8),
    Resolve,
    Review(u8),
    Action(u8),
    ActionDone(u8),
    Close,
    Reopen,
    Decline,
}

fn op() -> impl Strategy<Value = Op> {
    // Weighted as an incident goes: many notes and measures, few exits.
    prop_oneof![
        3 => Just(Op::Ack),
        2 => (0..3u8).prop_map(Op::Lead),
        2 => (0..4u8).prop_map(Op::Sev),
        6 => (0..6u8).prop_map(Op::Note),
        3 => (0..4u8, any::<bool>()).prop_map(|(t, e)| Op::Update(t, e)),
        4 => (0..4u8, any::<bool>()).prop_map(|(t, e)| Op::Mitigate(t, e)),
        2 => (1..4u8).prop_map(Op::CleanupDone),
        2 => Just(Op::Resolve),
        2 => (0..3u8).prop_map(Op::Review),
        2 => (0..3u8).prop_map(Op::Action),
        2 => (1..4u8).prop_map(Op::ActionDone),
        1 => Just(Op::Close),
        1 => Just(Op::Reopen),
        1 => Just(Op::Decline),
    ]
}

const PEOPLE: [(&str, &str); 3] = [
    ("Ada", "ada@x.org"),
    ("Bob", "bob@x.org"),
    ("Cy", "cy@x.org"),
];
const WORDS: [&str; 6] = [
    "flag off",
    "5xx back",
    "db slow",
    "all green",
    "rolled back",
    "paged",
];
const REVIEW: [&str; 3] = [
    "Deploy broke it.\nRolled back.\n",
    "A bad config shipped.\nRolled back.\n",
    "Deploy broke it.\nThe flag stopped it.\n",
];

fn change(op: &Op) -> Change {
    let who = |n: u8| {
        let (name, email) = PEOPLE[usize::from(n) % 3];
        Identity::new(name, email)
    };
    let word = |n: u8| WORDS[usize::from(n) % WORDS.len()].to_owned();
    match op {
        Op::Ack => Change::Ack,
        Op::Lead(n) => Change::Lead(who(*n)),
        Op::Sev(n) => Change::Severity {
            to: format!("SEV-{}", n + 1),
            why: None,
        },
        Op::Note(n) => Change::Note(word(*n)),
        Op::Update(n, external) => Change::Update {
            text: word(*n),
            audience: if *external {
                Audience::External
            } else {
                Audience::Internal
            },
        },
        Op::Mitigate(n, temporary) => Change::Mitigate(NewMitigation {
            kind: Some(MitigationKind::Flag),
            action: word(*n),
            temporary: *temporary,
            cleanup: temporary.then(|| "flag on".to_owned()),
            ..NewMitigation::default()
        }),
        Op::CleanupDone(n) => Change::CleanupDone {
            mitigation: format!("M{n}"),
            note: None,
        },
        Op::Resolve => Change::Resolve { summary: None },
        Op::Review(n) => Change::Review(ReviewFields {
            what_happened: Some(REVIEW[usize::from(*n)].to_owned()),
            ..ReviewFields::default()
        }),
        Op::Action(n) => Change::Action(NewAction {
            text: word(*n),
            owner: who(*n),
            kind: ActionKind::Preventive,
            due: None,
        }),
        Op::ActionDone(n) => Change::ActionDone {
            action: format!("A{n}"),
        },
        Op::Close => Change::Close,
        Op::Reopen => Change::Reopen { why: "back".into() },
        Op::Decline => Change::Decline {
            why: "a test".into(),
        },
    }
}

fn settings() -> Settings {
    Settings {
        severities: ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
            .map(String::from)
            .to_vec(),
        ..Settings::default()
    }
}

fn start() -> DateTime<Utc> {
    "2026-11-26T18:40:00Z".parse().unwrap()
}

/// Applies the ops that the rules accept, one minute apart from `from`.
fn run(mut inc: Incident, ops: &[Op], from: DateTime<Utc>, people: u8) -> Incident {
    for (i, op) in ops.iter().enumerate() {
        let at = from + Duration::minutes(i64::try_from(i).unwrap());
        let (name, email) = PEOPLE[usize::from(people) % 3];
        let actor = Actor {
            by: Identity::new(name, email),
            now: at,
            at,
            force: None,
        };
        let _ = change(op).apply(&mut inc, &actor, &settings());
    }
    inc
}

fn text(inc: &Incident) -> String {
    format!(
        "#:schema ../../schema/incident.schema.json\n{}",
        toml::to_string_pretty(inc).unwrap()
    )
}

fn keys<E: Entry>(list: &[E]) -> Vec<String> {
    list_keys(list)
}

fn options() -> Options {
    Options {
        severities: settings().severities,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn merges_are_valid_lossless_symmetric_and_stable(
        base_ops in prop::collection::vec(op(), 0..10),
        ours_ops in prop::collection::vec(op(), 0..10),
        theirs_ops in prop::collection::vec(op(), 0..10),
    ) {
        let declared = Incident::declared(
            "INC-1".into(),
            "01JDX00000000000000000000A".into(),
            "Checkout down".into(),
            "SEV-3".into(),
            start(),
            "Ada <ada@x.org>".into(),
        );
        let base = run(declared, &base_ops, start() + Duration::minutes(1), 0);
        let later = start() + Duration::hours(1);
        let ours = run(base.clone(), &ours_ops, later, 1);
        let theirs = run(base.clone(), &theirs_ops, later, 2);
        let (b, o, t) = (text(&base), text(&ours), text(&theirs));

        let one = merge(&b, &o, &t, &options()).expect("merges");
        let two = merge(&b, &t, &o, &options()).expect("merges");
        prop_assert_eq!(&one.text, &two.text, "symmetric");
        prop_assert_eq!(&merge(&b, &o, &t, &options()).unwrap().text, &one.text, "stable");

        let merged: Incident = toml::from_str(&one.text).expect("parses");
        prop_assert!(check_milestones(&merged).is_ok(), "{}", one.text);
        for side in [&ours, &theirs] {
            for (list, mine) in [
                (keys(&merged.notes), keys(&side.notes)),
                (keys(&merged.updates), keys(&side.updates)),
                (keys(&merged.mitigations), keys(&side.mitigations)),
                (keys(&merged.actions), keys(&side.actions)),
                (keys(&merged.overrides), keys(&side.overrides)),
            ] {
                for key in mine {
                    prop_assert!(list.contains(&key), "lost {} in\n{}", key, one.text);
                }
            }
        }
        let mut labels: Vec<&str> = merged.mitigations.iter().map(|m| m.id.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        prop_assert_eq!(labels.len(), merged.mitigations.len(), "labels unique");

        prop_assert_eq!(merge(&b, &o, &b, &options()).unwrap().text, o.clone());
        prop_assert_eq!(merge(&b, &b, &t, &options()).unwrap().text, t.clone());
        prop_assert_eq!(merge(&o, &o, &o, &options()).unwrap().text, o.clone());
    }
}
