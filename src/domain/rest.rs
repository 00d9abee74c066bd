//! The rules a file at rest must hold, for `validate`: what the tool
//! enforces on every change also holds for a file written by hand or merged
//! by git. Parsing already checks types, unknown fields, the id against the
//! file name and the milestones' order; these are the rules on top. Each
//! problem names where it is, as a key of the file, for the ledger to turn
//! into a line and column.

use chrono::{DateTime, Utc};

use super::change::Settings;
use super::incident::{Incident, Status};

/// Where in the file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A top-level key, such as `severity`.
    Key(&'static str),
    /// A key of the `index`-th (from 0) `[[table]]`, such as `id` of the
    /// second `[[mitigations]]`.
    Entry {
        table: &'static str,
        index: usize,
        key: &'static str,
    },
}

/// One rule a file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

fn problem(place: Place, message: String) -> Problem {
    Problem { place, message }
}

fn time(t: DateTime<Utc>) -> String {
    super::when::shown(t)
}

/// Every rule `incident` breaks, in the order of the file.
pub fn problems(incident: &Incident, settings: &Settings) -> Vec<Problem> {
    let mut out = Vec::new();
    known_values(incident, settings, &mut out);
    status_milestones(incident, settings, &mut out);
    entry_ids(incident, &mut out);
    event_times(incident, &mut out);
    out
}

/// Severities of the runbook, services of ledger.toml (where it lists any).
fn known_values(inc: &Incident, settings: &Settings, out: &mut Vec<Problem>) {
    if !settings.severities.is_empty() && !settings.severities.contains(&inc.severity) {
        out.push(problem(
            Place::Key("severity"),
            format!(
                "unknown severity `{}`; the runbook knows {}",
                inc.severity,
                settings.severities.join(", ")
            ),
        ));
    }
    if settings.services.is_empty() {
        return;
    }
    for service in inc
        .services
        .iter()
        .filter(|s| !settings.services.contains(s))
    {
        out.push(problem(
            Place::Key("services"),
            format!(
                "unknown service `{service}`; ledger.toml lists {}",
                settings.services.join(", ")
            ),
        ));
    }
}

/// The status and the milestones tell the same story: each state has the
/// milestone its change sets, and an open incident has no end.
fn status_milestones(inc: &Incident, settings: &Settings, out: &mut Vec<Problem>) {
    let status = inc.status;
    let needs: &[(&'static str, bool)] = match status {
        Status::Declared => &[],
        Status::Acknowledged => &[("acknowledged_at", inc.acknowledged_at.is_some())],
        Status::Mitigated => &[("mitigated_at", inc.mitigated_at.is_some())],
        Status::Resolved => &[("resolved_at", inc.resolved_at.is_some())],
        Status::Closed => &[
            ("resolved_at", inc.resolved_at.is_some()),
            ("closed_at", inc.closed_at.is_some()),
        ],
        Status::Declined | Status::Cancelled => &[
            ("closed_at", inc.closed_at.is_some()),
            ("exit_reason", inc.exit_reason.is_some()),
        ],
        Status::Duplicate => &[
            ("closed_at", inc.closed_at.is_some()),
            ("duplicate_of", inc.duplicate_of.is_some()),
        ],
    };
    for (key, present) in needs {
        if !present {
            out.push(problem(
                Place::Key("status"),
                format!("the status is {status} but {key} is missing"),
            ));
        }
    }
    closed_without_review(inc, settings, out);
    let mut ended: Vec<&'static str> = Vec::new();
    if status.is_open() {
        if inc.resolved_at.is_some() {
            ended.push("resolved_at");
        }
        if inc.closed_at.is_some() {
            ended.push("closed_at");
        }
    }
    if status == Status::Declared {
        if inc.acknowledged_at.is_some() {
            ended.push("acknowledged_at");
        }
        if inc.mitigated_at.is_some() {
            ended.push("mitigated_at");
        }
    }
    for key in ended {
        out.push(problem(
            Place::Key(key),
            format!("{key} is set but the status is {status}"),
        ));
    }
}

/// A closed incident of a severity that needs a review has one, complete,
/// and follow-up actions, as `close` requires, unless a recorded override
/// of `close` says why not.
fn closed_without_review(inc: &Incident, settings: &Settings, out: &mut Vec<Problem>) {
    if inc.status != Status::Closed
        || !settings.review_required.contains(&inc.severity)
        || inc.overrides.iter().any(|o| o.change == "close")
    {
        return;
    }
    if !inc.review.as_ref().is_some_and(|r| r.is_complete()) {
        out.push(problem(
            Place::Key("status"),
            format!(
                "the status is closed but this {} incident has no complete review",
                inc.severity
            ),
        ));
    }
    if inc.actions.is_empty() {
        out.push(problem(
            Place::Key("status"),
            format!(
                "the status is closed but this {} incident has no follow-up actions",
                inc.severity
            ),
        ));
    }
}

/// Mitigation and action ids, and entry keys, are unique in the file.
fn entry_ids(inc: &Incident, out: &mut Vec<Problem>) {
    let mut twice = |table: &'static str, key: &'static str, values: Vec<Option<&str>>| {
        for (index, value) in values.iter().enumerate() {
            let Some(value) = value else { continue };
            if values[..index].contains(&Some(value)) {
                out.push(problem(
                    Place::Entry { table, index, key },
                    format!("{table} {key} `{value}` is used twice"),
                ));
            }
        }
    };
    twice(
        "mitigations",
        "id",
        inc.mitigations
            .iter()
            .map(|m| Some(m.id.as_str()))
            .collect(),
    );
    twice(
        "actions",
        "id",
        inc.actions.iter().map(|a| Some(a.id.as_str())).collect(),
    );
    twice(
        "notes",
        "key",
        inc.notes.iter().map(|n| n.key.as_deref()).collect(),
    );
    twice(
        "updates",
        "key",
        inc.updates.iter().map(|u| u.key.as_deref()).collect(),
    );
    twice(
        "mitigations",
        "key",
        inc.mitigations.iter().map(|m| m.key.as_deref()).collect(),
    );
    twice(
        "actions",
        "key",
        inc.actions.iter().map(|a| a.key.as_deref()).collect(),
    );
}

/// No entry happened before the incident started.
fn event_times(inc: &Incident, out: &mut Vec<Problem>) {
    let start = inc.started_at;
    let mut check =
        |table: &'static str, index: usize, key: &'static str, at: Option<DateTime<Utc>>| {
            if let Some(at) = at
                && at < start
            {
                out.push(problem(
                    Place::Entry { table, index, key },
                    format!(
                        "{key} ({}) is before the incident started ({})",
                        time(at),
                        time(start)
                    ),
                ));
            }
        };
    for (i, n) in inc.notes.iter().enumerate() {
        check("notes", i, "at", Some(n.at));
    }
    for (i, u) in inc.updates.iter().enumerate() {
        check("updates", i, "at", Some(u.at));
    }
    for (i, m) in inc.mitigations.iter().enumerate() {
        check("mitigations", i, "applied_at", Some(m.applied_at));
        check("mitigations", i, "cleaned_up_at", m.cleaned_up_at);
        check("mitigations", i, "kept_at", m.kept_at);
    }
    for (i, a) in inc.actions.iter().enumerate() {
        check("actions", i, "created_at", Some(a.created_at));
        check("actions", i, "done_at", a.done_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::{Mitigation, MitigationKind, Note};
    use crate::domain::{Declaration, Identity};

    fn at(t: &str) -> DateTime<Utc> {
        t.parse().unwrap()
    }

    fn settings() -> Settings {
        Settings {
            severities: vec!["SEV-1".into(), "SEV-2".into()],
            services: vec!["api".into()],
            review_required: Vec::new(),
        }
    }

    fn incident() -> Incident {
        let actor = crate::domain::Actor {
            by: Identity::new("Ada", "ada@example.com"),
            now: at("2026-11-26T18:05:00Z"),
            at: at("2026-11-26T18:05:00Z"),
            force: None,
        };
        Declaration {
            title: "Down".into(),
            severity: "SEV-2".into(),
            services: vec!["api".into()],
            impact: None,
            lead: None,
            started_at: Some(at("2026-11-26T18:00:00Z")),
        }
        .into_incident("INC-1".into(), "U".into(), None, None, &actor, &settings())
        .unwrap()
        .0
    }

    #[test]
    fn a_sound_incident_has_no_problem() {
        assert_eq!(problems(&incident(), &settings()), []);
    }

    #[test]
    fn each_rule_names_its_place() {
        let mut inc = incident();
        inc.severity = "SEV-9".into();
        inc.services.push("web".into());
        inc.status = Status::Resolved;
        inc.closed_at = None;
        let by = Identity::new("Ada", "ada@example.com");
        let m = Mitigation::applied(
            "M1".into(),
            MitigationKind::Flag,
            "x".into(),
            false,
            at("2026-11-26T18:10:00Z"),
            by.clone(),
        );
        inc.mitigations = vec![m.clone(), m];
        inc.notes.push(Note {
            at: at("2026-11-26T17:00:00Z"),
            by,
            text: "early".into(),
            key: None,
        });
        let found = problems(&inc, &settings());
        let places: Vec<&Place> = found.iter().map(|p| &p.place).collect();
        assert_eq!(
            places,
            [
                &Place::Key("severity"),
                &Place::Key("services"),
                &Place::Key("status"),
                &Place::Entry {
                    table: "mitigations",
                    index: 1,
                    key: "id"
                },
                &Place::Entry {
                    table: "notes",
                    index: 0,
                    key: "at"
                },
            ]
        );
        assert_eq!(
            found[2].message,
            "the status is resolved but resolved_at is missing"
        );
        assert_eq!(found[3].message, "mitigations id `M1` is used twice");
        assert!(found[4].message.contains("before the incident started"));
    }

    #[test]
    fn an_open_incident_has_no_end() {
        let mut inc = incident();
        inc.resolved_at = Some(at("2026-11-26T19:00:00Z"));
        let found = problems(&inc, &settings());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].place, Place::Key("resolved_at"));
        assert_eq!(
            found[0].message,
            "resolved_at is set but the status is declared"
        );
    }
}
