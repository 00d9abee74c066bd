//! Temporary mitigations awaiting cleanup: which are pending, how long they
//! have been in place, whether they are past the ledger's deadline, and what
//! changed between two states of the ledger (`cleanup --since`).
//!
//! Pure: the caller hands in the incidents, the current time and the deadline
//! policy; reading states out of git is the ledger's business.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::IncidentId;
use super::incident::{Incident, Mitigation};

/// A temporary mitigation still in place.
#[derive(Debug, Clone, Copy)]
pub struct Pending<'a> {
    pub incident: &'a Incident,
    pub mitigation: &'a Mitigation,
    /// How long the measure has been in place: now − `applied_at`.
    pub age: Duration,
    /// The cleanup deadline, where the ledger sets one for the severity.
    pub deadline: Option<Deadline>,
}

/// When a temporary mitigation must be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// When the clock started: the incident's `mitigated_at` (the impact
    /// stopped), else the mitigation's `applied_at`.
    pub from: DateTime<Utc>,
    /// How long the ledger allows for the incident's severity.
    pub allowed: Duration,
    /// `from + allowed`.
    pub due: DateTime<Utc>,
    /// Past `due` at the time asked about.
    pub overdue: bool,
    /// `due − now`: negative once overdue.
    pub left: Duration,
}

impl Pending<'_> {
    pub fn is_overdue(&self) -> bool {
        self.deadline.is_some_and(|d| d.overdue)
    }
}

/// Every pending temporary mitigation of `incidents`, grouped by incident,
/// the oldest incident first, each incident's in the order they were
/// recorded. `deadline_for` gives the allowed time for a severity.
pub fn pending<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    now: DateTime<Utc>,
    deadline_for: impl Fn(&str) -> Option<Duration>,
) -> Vec<Pending<'a>> {
    let mut incidents: Vec<&Incident> = incidents.into_iter().collect();
    incidents.sort_by(|a, b| oldest_first(a).cmp(&oldest_first(b)));
    let mut found = Vec::new();
    for incident in incidents {
        let allowed = deadline_for(&incident.severity);
        for mitigation in incident.pending_mitigations() {
            // A deadline past chrono's last time is no deadline: the ledger
            // bounds it (100 years), this keeps a bad one from panicking.
            let deadline = allowed.and_then(|allowed| {
                let from = incident.mitigated_at.unwrap_or(mitigation.applied_at);
                let due = from.checked_add_signed(allowed)?;
                Some(Deadline {
                    from,
                    allowed,
                    due,
                    overdue: now > due,
                    left: due.signed_duration_since(now),
                })
            });
            found.push(Pending {
                incident,
                mitigation,
                age: now.signed_duration_since(mitigation.applied_at),
                deadline,
            });
        }
    }
    found
}

/// Declared first; `INC-9` before `INC-10` when declared at the same time.
fn oldest_first(incident: &Incident) -> (DateTime<Utc>, u64, &str) {
    (
        incident.declared_at,
        incident.id.number(),
        incident.id.prefix(),
    )
}

/// One mitigation as it stands in one state of the ledger.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub incident: &'a Incident,
    pub mitigation: &'a Mitigation,
}

/// How the temporary mitigations moved between two states of the ledger.
#[derive(Debug, Clone, Default)]
pub struct Since<'a> {
    /// Temporary mitigations recorded since then (as they stand now: one
    /// added and cleaned up in between is also under `cleaned_up`).
    pub added: Vec<Entry<'a>>,
    /// Cleaned up since then.
    pub cleaned_up: Vec<Entry<'a>>,
    /// Made permanent since then.
    pub made_permanent: Vec<Entry<'a>>,
    /// Pending then, and now neither pending nor cleaned up nor kept: the
    /// entry or its incident was deleted, or edited by hand (as it stood
    /// then).
    pub vanished: Vec<Entry<'a>>,
    /// Pending cleanup then and now.
    pub pending_then: usize,
    pub pending_now: usize,
}

/// The set difference of temporary mitigations between `then` and `now`,
/// keyed by the incident's uid (stable across renumbering) and the
/// mitigation's id.
pub fn since<'a>(
    then: impl IntoIterator<Item = &'a Incident>,
    now: impl IntoIterator<Item = &'a Incident>,
) -> Since<'a> {
    let entries = |incidents: Vec<&'a Incident>| -> Vec<Entry<'a>> {
        incidents
            .into_iter()
            .flat_map(|incident| {
                incident
                    .mitigations
                    .iter()
                    .filter(|m| m.temporary)
                    .map(move |mitigation| Entry {
                        incident,
                        mitigation,
                    })
            })
            .collect()
    };
    let then = entries(then.into_iter().collect());
    let now = entries(now.into_iter().collect());
    let before: HashMap<(String, String), &Mitigation> =
        then.iter().map(|e| (key(e), e.mitigation)).collect();
    let after: HashSet<(String, String)> = now.iter().map(key).collect();

    let mut report = Since {
        pending_then: then.iter().filter(|e| e.mitigation.is_pending()).count(),
        pending_now: now.iter().filter(|e| e.mitigation.is_pending()).count(),
        ..Since::default()
    };
    for entry in &now {
        let was = before.get(&key(entry));
        let m = entry.mitigation;
        if was.is_none() {
            report.added.push(*entry);
        }
        if m.cleaned_up_at.is_some() && was.is_none_or(|w| w.cleaned_up_at.is_none()) {
            report.cleaned_up.push(*entry);
        }
        if m.kept_at.is_some() && was.is_none_or(|w| w.kept_at.is_none()) {
            report.made_permanent.push(*entry);
        }
    }
    for entry in &then {
        if !entry.mitigation.is_pending() {
            continue;
        }
        // Still pending, cleaned up or kept are accounted for; what is left
        // was deleted, or is no longer temporary by a hand edit.
        if !after.contains(&key(entry)) {
            report.vanished.push(*entry);
        }
    }
    let by_time = |at: fn(&Mitigation) -> Option<DateTime<Utc>>| {
        move |a: &Entry<'_>, b: &Entry<'_>| {
            (at(a.mitigation), oldest_first(a.incident), number(a)).cmp(&(
                at(b.mitigation),
                oldest_first(b.incident),
                number(b),
            ))
        }
    };
    report.added.sort_by(by_time(|m| Some(m.applied_at)));
    report.cleaned_up.sort_by(by_time(|m| m.cleaned_up_at));
    report.made_permanent.sort_by(by_time(|m| m.kept_at));
    report.vanished.sort_by(by_time(|m| Some(m.applied_at)));
    report
}

/// The incident's uid, else its id (a hand-made file may lack a real uid),
/// and the mitigation's id.
fn key(entry: &Entry<'_>) -> (String, String) {
    let incident = if entry.incident.uid.trim().is_empty() {
        entry.incident.id.to_string()
    } else {
        entry.incident.uid.clone()
    };
    (incident, entry.mitigation.id.to_ascii_uppercase())
}

/// `M2` before `M10`.
fn number(entry: &Entry<'_>) -> u64 {
    entry
        .mitigation
        .id
        .get(1..)
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// Which incidents a `--since` review of one incident looks at: the one
/// with that id at either end, or the one that holds its uid now (it may
/// have been renumbered since).
#[derive(Debug, Clone)]
pub struct OneIncident {
    id: IncidentId,
    uid: Option<String>,
}

impl OneIncident {
    pub fn new<'a>(id: IncidentId, now: impl IntoIterator<Item = &'a Incident>) -> Self {
        let uid = now.into_iter().find(|i| i.id == id).map(|i| i.uid.clone());
        Self { id, uid }
    }

    pub fn matches(&self, incident: &Incident) -> bool {
        incident.id == self.id || self.uid.as_ref() == Some(&incident.uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MitigationKind, Status};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn incident(id: &str, severity: &str, declared: &str) -> Incident {
        Incident {
            status: Status::Mitigated,
            acknowledged_at: Some(t(declared)),
            ..Incident::declared(
                id.into(),
                format!("UID-{id}"),
                format!("{id} title"),
                severity.into(),
                t(declared),
                "Ada <ada@example.com>".into(),
            )
        }
    }

    fn mitigate(inc: &mut Incident, at: &str, temporary: bool) -> usize {
        let id = format!("M{}", inc.mitigations.len() + 1);
        inc.mitigated_at.get_or_insert(t(at));
        inc.mitigations.push(Mitigation {
            cleanup: temporary.then(|| "flag on".into()),
            ..Mitigation::applied(
                id,
                MitigationKind::Flag,
                "flag off".into(),
                temporary,
                t(at),
                "Ada <ada@example.com>".into(),
            )
        });
        inc.mitigations.len() - 1
    }

    fn policy(severity: &str) -> Option<Duration> {
        match severity {
            "SEV-1" => Some(Duration::days(7)),
            "SEV-4" => None,
            _ => Some(Duration::days(14)),
        }
    }

    #[test]
    fn pending_are_grouped_oldest_incident_first_with_age_and_deadline() {
        let mut newer = incident("INC-10", "SEV-1", "2026-11-20T10:00:00Z");
        mitigate(&mut newer, "2026-11-20T11:00:00Z", true);
        let late = mitigate(&mut newer, "2026-11-25T11:00:00Z", true);
        mitigate(&mut newer, "2026-11-20T12:00:00Z", false);
        let mut older = incident("INC-9", "SEV-3", "2026-11-01T10:00:00Z");
        let done = mitigate(&mut older, "2026-11-01T11:00:00Z", true);
        older.mitigations[done].cleaned_up_at = Some(t("2026-11-02T00:00:00Z"));
        mitigate(&mut older, "2026-11-01T12:00:00Z", true);
        let now = t("2026-11-27T11:00:00Z");

        let found = pending([&newer, &older], now, policy);
        let ids: Vec<_> = found
            .iter()
            .map(|p| format!("{} {}", p.incident.id, p.mitigation.id))
            .collect();
        assert_eq!(ids, ["INC-9 M2", "INC-10 M1", "INC-10 M2"]);
        assert_eq!(found[0].age, Duration::days(26) - Duration::hours(1));
        // Counted from when the incident was mitigated, whatever the
        // mitigation's own time: M2 of INC-10 came five days later.
        let late_deadline = found[2].deadline.unwrap();
        assert_eq!(newer.mitigations[late].id, "M2");
        assert_eq!(late_deadline.from, t("2026-11-20T11:00:00Z"));
        assert_eq!(late_deadline.due, t("2026-11-27T11:00:00Z"));
        // Due exactly now is not yet overdue.
        assert!(!late_deadline.overdue);
        assert_eq!(late_deadline.left, Duration::zero());
        assert!(found[0].is_overdue());
        assert_eq!(found[0].deadline.unwrap().left, -Duration::days(12));
    }

    #[test]
    fn without_a_deadline_nothing_is_overdue() {
        let mut inc = incident("INC-1", "SEV-4", "2020-01-01T00:00:00Z");
        mitigate(&mut inc, "2020-01-01T00:00:00Z", true);
        let found = pending([&inc], t("2026-01-01T00:00:00Z"), policy);
        assert_eq!(found.len(), 1);
        assert!(found[0].deadline.is_none());
        assert!(!found[0].is_overdue());
    }

    #[test]
    fn the_deadline_falls_back_to_the_mitigation_time() {
        let mut inc = incident("INC-1", "SEV-1", "2026-11-01T00:00:00Z");
        mitigate(&mut inc, "2026-11-02T00:00:00Z", true);
        inc.mitigated_at = None;
        let found = pending([&inc], t("2026-11-03T00:00:00Z"), policy);
        assert_eq!(found[0].deadline.unwrap().due, t("2026-11-09T00:00:00Z"));
    }

    #[test]
    fn since_is_the_set_difference_by_uid_and_mitigation() {
        let mut a = incident("INC-1", "SEV-2", "2026-11-01T00:00:00Z");
        mitigate(&mut a, "2026-11-01T01:00:00Z", true); // M1: cleaned later
        mitigate(&mut a, "2026-11-01T02:00:00Z", true); // M2: kept later
        mitigate(&mut a, "2026-11-01T03:00:00Z", true); // M3: still pending
        mitigate(&mut a, "2026-11-01T04:00:00Z", true); // M4: deleted by hand
        let mut gone = incident("INC-2", "SEV-2", "2026-11-01T00:00:00Z");
        mitigate(&mut gone, "2026-11-01T05:00:00Z", true);
        let then = [a.clone(), gone];

        let mut now_a = a;
        now_a.id = "INC-7".into(); // renumbered: the uid still matches
        now_a.mitigations[0].cleaned_up_at = Some(t("2026-11-03T00:00:00Z"));
        now_a.mitigations[1].kept_at = Some(t("2026-11-04T00:00:00Z"));
        now_a.mitigations.remove(3);
        mitigate(&mut now_a, "2026-11-05T00:00:00Z", true); // M4 again: new
        let m5 = mitigate(&mut now_a, "2026-11-05T01:00:00Z", true); // added and cleaned
        now_a.mitigations[m5].cleaned_up_at = Some(t("2026-11-05T02:00:00Z"));
        mitigate(&mut now_a, "2026-11-05T03:00:00Z", false); // permanent: not listed
        let now = [now_a];

        let report = since(&then, &now);
        let ids = |entries: &[Entry<'_>]| -> Vec<String> {
            entries
                .iter()
                .map(|e| format!("{} {}", e.incident.id, e.mitigation.id))
                .collect()
        };
        // M4 was deleted and a new M4 recorded: keyed by id, it is the same
        // entry, still pending; neither added nor vanished.
        assert_eq!(ids(&report.added), ["INC-7 M5"]);
        assert_eq!(ids(&report.cleaned_up), ["INC-7 M1", "INC-7 M5"]);
        assert_eq!(ids(&report.made_permanent), ["INC-7 M2"]);
        assert_eq!(ids(&report.vanished), ["INC-2 M1"]);
        assert_eq!((report.pending_then, report.pending_now), (5, 2));
    }

    #[test]
    fn since_an_empty_ledger_everything_is_added() {
        let mut a = incident("INC-1", "SEV-2", "2026-11-01T00:00:00Z");
        mitigate(&mut a, "2026-11-01T01:00:00Z", true);
        let report = since([], [&a]);
        assert_eq!(report.added.len(), 1);
        assert!(report.cleaned_up.is_empty() && report.vanished.is_empty());
        assert_eq!((report.pending_then, report.pending_now), (0, 1));
    }

    #[test]
    fn one_incident_is_followed_across_a_renumbering() {
        let then = incident("INC-7", "SEV-2", "2026-11-20T09:00:00Z");
        let mut now = then.clone();
        now.id = "INC-9".into();
        let other = incident("INC-8", "SEV-2", "2026-11-20T09:00:00Z");
        let by_new_id = OneIncident::new("INC-9".into(), [&now, &other]);
        assert!(by_new_id.matches(&then), "the old number, by its uid");
        assert!(by_new_id.matches(&now));
        assert!(!by_new_id.matches(&other));
        let by_old_id = OneIncident::new("INC-7".into(), [&now, &other]);
        assert!(by_old_id.matches(&then), "the id at the earlier end");
        assert!(!by_old_id.matches(&other));
    }
}
