//! Ledger metrics: counts by severity and status, response times (median and
//! p90), documentation lag, cleanups pending and overdue, reviews missing.
//!
//! Pure: the incidents, the change records and the reference time come in,
//! so the same revision always gives the same numbers.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::IncidentId;
use super::change::Verb;
use super::cleanup;
use super::incident::{Incident, Mitigation, MitigationKind, Review, Status};

/// How to group the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Severity,
    Service,
}

/// One tool change as the metrics need it: which incident, which verb, when
/// recorded, and when it happened if backdated. Read from the commits'
/// trailers alone (`Ledger::change_records`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub incident: String,
    pub verb: String,
    pub record_time: DateTime<Utc>,
    pub event_time: Option<DateTime<Utc>>,
}

/// The figures of one group (or of the whole ledger).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub total: usize,
    /// Count per status, in lifecycle order; statuses with no incident left
    /// out. A JSON object: `{"resolved": 12, "declined": 1}`.
    #[serde(serialize_with = "as_object")]
    pub by_status: Vec<(String, usize)>,
    pub time_to_declare: Option<Spread>,
    pub time_to_acknowledge: Option<Spread>,
    pub time_to_mitigate: Option<Spread>,
    pub time_to_resolve: Option<Spread>,
    /// Record time minus event time, over the changes that record an event.
    pub documentation_lag: Option<Spread>,
    /// How many of those changes were backdated.
    pub backdated: usize,
}

fn as_object<S: serde::Serializer>(pairs: &[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// A temporary mitigation still in place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    pub incident: IncidentId,
    pub mitigation: String,
    pub severity: String,
    pub applied_at: DateTime<Utc>,
    pub age_secs: i64,
    /// When the cleanup is due, if the ledger sets a deadline.
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// Everything `stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The reference time: overdue is judged then.
    pub as_of: DateTime<Utc>,
    pub since: Option<DateTime<Utc>>,
    pub all: Group,
    /// Per severity or service, when asked.
    pub groups: Vec<Group>,
    pub pending_cleanups: Vec<Pending>,
    pub overdue_cleanups: usize,
    /// Resolved or closed incidents of severities that need a review, whose
    /// review lacks what happened or the root cause.
    pub missing_review: Vec<IncidentId>,
}

fn group(name: String, incidents: &[&Incident], records: &[&Recorded]) -> Group {
    let mut by_status = Vec::new();
    for status in Status::ALL {
        let n = incidents.iter().filter(|i| i.status == status).count();
        if n > 0 {
            by_status.push((status.as_str().to_owned(), n));
        }
    }
    // Exits (declined, duplicate, cancelled) were not incidents after all:
    // they would skew the response times.
    let real: Vec<ResponseTimes> = incidents
        .iter()
        .filter(|i| {
            !matches!(
                i.status,
                Status::Declined | Status::Duplicate | Status::Cancelled
            )
        })
        .map(|i| ResponseTimes::of(i))
        .collect();
    let spread = |f: fn(&ResponseTimes) -> Option<Duration>| {
        let v: Vec<i64> = real.iter().filter_map(f).map(|d| d.num_seconds()).collect();
        Spread::of(&v)
    };
    let ids: HashSet<String> = incidents.iter().map(|i| i.id.to_string()).collect();
    let events: Vec<&&Recorded> = records
        .iter()
        .filter(|r| {
            !Verb::parse(&r.verb).is_some_and(Verb::is_bookkeeping) && ids.contains(&r.incident)
        })
        .collect();
    let lags: Vec<i64> = events
        .iter()
        .map(|r| {
            r.event_time
                .map_or(0, |e| (r.record_time - e).num_seconds())
        })
        .collect();
    Group {
        name,
        total: incidents.len(),
        by_status,
        time_to_declare: spread(|t| t.to_declare),
        time_to_acknowledge: spread(|t| t.to_acknowledge),
        time_to_mitigate: spread(|t| t.to_mitigate),
        time_to_resolve: spread(|t| t.to_resolve),
        documentation_lag: Spread::of(&lags),
        backdated: events.iter().filter(|r| r.event_time.is_some()).count(),
    }
}

/// Computes the metrics of `incidents` declared at or after `since`.
pub fn compute(
    incidents: &[Incident],
    records: &[Recorded],
    by: Option<GroupBy>,
    since: Option<DateTime<Utc>>,
    as_of: DateTime<Utc>,
    deadline: impl Fn(&str) -> Option<Duration>,
    review_required: &[String],
) -> Stats {
    let mut scope: Vec<&Incident> = incidents
        .iter()
        .filter(|i| since.is_none_or(|t| i.declared_at >= t))
        .collect();
    scope.sort_by(|a, b| (a.declared_at, &a.id).cmp(&(b.declared_at, &b.id)));
    let records: Vec<&Recorded> = records.iter().collect();
    let all = group("all".to_owned(), &scope, &records);
    let mut groups = Vec::new();
    if let Some(by) = by {
        let mut named: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
        for inc in &scope {
            let keys = match by {
                GroupBy::Severity => vec![inc.severity.clone()],
                GroupBy::Service if inc.services.is_empty() => vec!["(none)".to_owned()],
                GroupBy::Service => inc.services.clone(),
            };
            for key in keys {
                named.entry(key).or_default().push(inc);
            }
        }
        groups = named
            .into_iter()
            .map(|(name, list)| group(name, &list, &records))
            .collect();
    }
    let pending_cleanups: Vec<Pending> = cleanup::pending(scope.iter().copied(), as_of, deadline)
        .iter()
        .map(|p| Pending {
            incident: p.incident.id.clone(),
            mitigation: p.mitigation.id.clone(),
            severity: p.incident.severity.clone(),
            applied_at: p.mitigation.applied_at,
            age_secs: p.age.num_seconds(),
            due: p.deadline.map(|d| d.due),
            overdue: p.is_overdue(),
        })
        .collect();
    let missing_review = scope
        .iter()
        .filter(|i| matches!(i.status, Status::Resolved | Status::Closed))
        .filter(|i| review_required.contains(&i.severity))
        .filter(|i| !i.review.as_ref().is_some_and(|r| r.is_complete()))
        .map(|i| i.id.clone())
        .collect();
    Stats {
        as_of,
        since,
        all,
        groups,
        overdue_cleanups: pending_cleanups.iter().filter(|p| p.overdue).count(),
        pending_cleanups,
        missing_review,
    }
}

/// How fast the response went, as a seasoned SRE measures it:
/// - time to declare: impact start to declaration;
/// - time to acknowledge: declaration to acknowledgement (a responder owns it);
/// - time to mitigate: impact start to the first mitigation (impact stopped);
/// - time to resolve: impact start to resolution (also the impact duration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseTimes {
    pub to_declare: Option<chrono::Duration>,
    pub to_acknowledge: Option<chrono::Duration>,
    pub to_mitigate: Option<chrono::Duration>,
    pub to_resolve: Option<chrono::Duration>,
}

impl ResponseTimes {
    pub fn of(inc: &Incident) -> Self {
        Self {
            to_declare: Some(inc.declared_at - inc.started_at),
            to_acknowledge: inc.acknowledged_at.map(|t| t - inc.declared_at),
            to_mitigate: inc.mitigated_at.map(|t| t - inc.started_at),
            to_resolve: inc.resolved_at.map(|t| t - inc.started_at),
        }
    }
}

/// Summary statistics of durations: the median (the mean of the two middle
/// values for an even count) and the 90th percentile by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub median_secs: i64,
    pub p90_secs: i64,
}

impl Spread {
    pub fn of(values: &[i64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_unstable();
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]).div_euclid(2)
        };
        // Nearest rank: the smallest value with at least 90% at or below it.
        let rank = (n * 9).div_ceil(10).max(1);
        Some(Spread {
            count: n,
            median_secs: median,
            p90_secs: v[rank - 1],
        })
    }
}

/// What `stats` reads of an incident, everything else left out: ids,
/// severity, status, services, the milestones, the temporary
/// mitigations (their id, times and whether they are pending) and
/// whether the review is complete (a one-character stand-in per
/// answered field). What `stats` keeps in its cache; never written to a
/// ledger.
pub fn for_metrics(inc: &Incident) -> Incident {
    let mut out = Incident::declared(
        inc.id.clone(),
        String::new(),
        String::new(),
        inc.severity.clone(),
        inc.declared_at,
        inc.declared_by.clone(),
    );
    out.status = inc.status;
    out.services.clone_from(&inc.services);
    out.started_at = inc.started_at;
    out.acknowledged_at = inc.acknowledged_at;
    out.mitigated_at = inc.mitigated_at;
    out.resolved_at = inc.resolved_at;
    out.closed_at = inc.closed_at;
    out.review = inc
        .review
        .as_ref()
        .map(|r| Review::stand_in(r.is_complete()));
    out.mitigations = inc
        .mitigations
        .iter()
        .filter(|m| m.temporary)
        .map(|m| Mitigation {
            cleaned_up_at: m.cleaned_up_at,
            kept_at: m.kept_at,
            ..Mitigation::applied(
                m.id.clone(),
                MitigationKind::Other,
                String::new(),
                true,
                m.applied_at,
                m.applied_by.clone(),
            )
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every incident file among the examples and test states.
    fn incidents() -> Vec<Incident> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        for dir in ["schema/examples", "tests/fixtures/states"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                if let Ok(incident) = toml::from_str::<Incident>(&text) {
                    found.push(incident);
                }
            }
        }
        assert!(found.len() >= 8, "{} incident files", found.len());
        found
    }

    #[test]
    fn leaving_the_prose_out_changes_no_figure() {
        let full = incidents();
        assert!(
            full.iter()
                .any(|i| i.pending_mitigations().next().is_some())
        );
        assert!(full.iter().any(|i| i.review.is_some()));
        let slim: Vec<Incident> = full.iter().map(for_metrics).collect();
        assert!(
            slim.iter()
                .all(|i| i.notes.is_empty() && i.title.is_empty())
        );
        let records = [Recorded {
            incident: full[0].id.to_string(),
            verb: "note".into(),
            record_time: full[0].declared_at,
            event_time: Some(full[0].started_at),
        }];
        let as_of = "2026-12-31T00:00:00Z".parse().unwrap();
        let deadline = |s: &str| Some(Duration::days(if s == "SEV-1" { 1 } else { 7 }));
        let required = ["SEV-1".to_owned(), "SEV-2".to_owned()];
        for by in [None, Some(GroupBy::Severity), Some(GroupBy::Service)] {
            let stats = |incidents: &[Incident]| {
                compute(incidents, &records, by, None, as_of, deadline, &required)
            };
            assert_eq!(stats(&slim), stats(&full), "by {by:?}");
        }
    }

    #[test]
    fn spread_uses_the_middle_and_nearest_rank() {
        let s = Spread::of(&[10, 40, 20, 30]).unwrap();
        assert_eq!((s.median_secs, s.p90_secs), (25, 40));
        let s = Spread::of(&(1..=20).collect::<Vec<_>>()).unwrap();
        assert_eq!((s.median_secs, s.p90_secs), (10, 18));
        assert_eq!(Spread::of(&[]), None);
    }
}
