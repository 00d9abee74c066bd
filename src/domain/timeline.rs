//! The timeline of a post-incident review: when the impact started, then
//! every commit that changed something a reader of the review cares about,
//! at its event time. The report prints it; guided response writes it into
//! the review it drafts. Choosing what belongs in it is a rule, so it lives
//! here and not with either view.

use chrono::{DateTime, Utc};

use super::delta::{Delta, Value, is_bookkeeping};
use super::history::{History, Revision, Source};
use super::identity::name_of;
use super::incident::Incident;

/// What a moment of the timeline tells.
#[derive(Debug, Clone, PartialEq)]
pub enum Happened {
    /// The impact began (the incident's `started_at`).
    ImpactStarted,
    /// A commit changed these things.
    Changed(Vec<Delta>),
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub at: DateTime<Utc>,
    /// Set when the entry was recorded at another time than it happened.
    pub recorded: Option<DateTime<Utc>>,
    /// The name of who made the change; `None` for the impact's start.
    pub who: Option<String>,
    pub source: Source,
    pub happened: Happened,
}

/// The timeline: impact start, then every commit that changed something a
/// reader of the review cares about, chronological by event time (a
/// backdated entry takes its place in the story, marked with when it was
/// recorded).
pub fn timeline(incident: &Incident, history: &History) -> Vec<Moment> {
    let mut moments = vec![Moment {
        at: incident.started_at,
        recorded: None,
        who: None,
        source: Source::Tool,
        happened: Happened::ImpactStarted,
    }];
    for revision in &history.revisions {
        let at = revision.at();
        let told: Vec<Delta> = revision
            .deltas
            .iter()
            .filter(|d| !is_bookkeeping(d) && !is_milestone_at(d, at))
            .cloned()
            .collect();
        if told.is_empty() {
            continue;
        }
        moments.push(moment(revision, told));
    }
    moments.sort_by_key(|m| m.at);
    moments
}

/// A milestone set to the row's own time says nothing the row does not.
fn is_milestone_at(delta: &Delta, at: DateTime<Utc>) -> bool {
    match delta {
        Delta::Field {
            field,
            from: None,
            to: Some(Value::Time(t)),
        } => field.is_milestone() && *t == at,
        _ => false,
    }
}

fn moment(revision: &Revision, told: Vec<Delta>) -> Moment {
    Moment {
        at: revision.at(),
        recorded: revision.event_time.map(|_| revision.record_time),
        who: Some(name_of(&revision.author).to_owned()),
        source: revision.source,
        happened: Happened::Changed(told),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::domain::CommitId;
    use crate::domain::delta::{Field, diff};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn revision(record: &str, event: Option<&str>, deltas: Vec<Delta>) -> Revision {
        Revision {
            commit: CommitId::from_hex("0123456789abcdef0123456789abcdef01234567"),
            parents: Vec::new(),
            author: "Ada Lovelace <ada@example.com>".into(),
            committer: "Ada Lovelace <ada@example.com>".into(),
            record_time: at(record),
            event_time: event.map(at),
            subject: "INC-1: a change".into(),
            source: Source::Tool,
            verb: Some("note".into()),
            path: PathBuf::from("incidents/2026/INC-1.toml"),
            deltas,
            problem: None,
        }
    }

    #[test]
    fn starts_with_the_impact_and_orders_by_event_time() {
        let declared = Incident {
            started_at: at("2026-11-26T18:40:00Z"),
            ..Incident::declared(
                "INC-1".into(),
                "U".into(),
                "Checkout down".into(),
                "SEV-2".into(),
                at("2026-11-26T18:50:00Z"),
                "Ada Lovelace <ada@example.com>".into(),
            )
        };
        let mut acked = declared.clone();
        acked.acknowledged_at = Some(at("2026-11-26T18:55:00Z"));
        acked.lead = Some("Bob Ng <bob@example.com>".into());
        let mut stepped = acked.clone();
        stepped.step = Some("triage".into());
        let history = History {
            id: "INC-1".into(),
            path: PathBuf::from("incidents/2026/INC-1.toml"),
            revisions: vec![
                revision("2026-11-26T18:50:00Z", None, diff(None, Some(&declared))),
                // Recorded late, backdated to before the declaration.
                revision(
                    "2026-11-26T19:30:00Z",
                    Some("2026-11-26T18:45:00Z"),
                    diff(Some(&declared), Some(&acked)),
                ),
                // Bookkeeping only: left out.
                revision(
                    "2026-11-26T19:40:00Z",
                    None,
                    diff(Some(&acked), Some(&stepped)),
                ),
            ],
        };
        let moments = timeline(&declared, &history);
        assert_eq!(moments.len(), 3, "{moments:?}");
        assert_eq!(moments[0].happened, Happened::ImpactStarted);
        assert_eq!(moments[0].who, None);
        assert_eq!(moments[1].at, at("2026-11-26T18:45:00Z"));
        assert_eq!(moments[1].recorded, Some(at("2026-11-26T19:30:00Z")));
        assert_eq!(moments[1].who.as_deref(), Some("Ada Lovelace"));
        let Happened::Changed(told) = &moments[1].happened else {
            panic!("{:?}", moments[1]);
        };
        // The acknowledgement time is not the row's own time, so it stays.
        assert!(told.iter().any(|d| matches!(
            d,
            Delta::Field {
                field: Field::Lead,
                ..
            }
        )));
        assert!(told.iter().any(|d| matches!(
            d,
            Delta::Field {
                field: Field::AcknowledgedAt,
                ..
            }
        )));
        // The declaration's milestone at its own time is left out.
        let Happened::Changed(declared) = &moments[2].happened else {
            panic!("{:?}", moments[2]);
        };
        assert!(declared.iter().all(|d| !matches!(
            d,
            Delta::Field {
                field: Field::DeclaredAt,
                ..
            }
        )));
    }
}
