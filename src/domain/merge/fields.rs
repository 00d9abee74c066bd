//! The incident's own fields, each merged by its rule.
//!
//! Only where both sides changed a field differently does a rule decide:
//! severity goes to the more severe, status to the furthest lifecycle state
//! (a reopen on one side beats progress on the other), a milestone to the
//! earliest time, services to the union, free text to a line merge. A field
//! that no rule can decide (two different leads) keeps one value in a fixed
//! order and is reported as a conflict.

use chrono::{DateTime, Utc};

use super::entries::merge_list;
use super::text::merge_lines;
use super::{Options, Report, three};
use crate::domain::incident::{Incident, Review};
use crate::domain::{Identity, IncidentId};

/// The three versions of one field.
struct Three<'a, T> {
    base: Option<T>,
    ours: T,
    theirs: T,
    name: &'a str,
}

impl<T: PartialEq + Clone> Three<'_, T> {
    fn settled(&self) -> Option<T> {
        three(self.base.clone(), self.ours.clone(), self.theirs.clone())
    }
}

fn of<'a, T>(
    base: Option<&Incident>,
    ours: &Incident,
    theirs: &Incident,
    name: &'a str,
    get: impl Fn(&Incident) -> T,
) -> Three<'a, T> {
    Three {
        base: base.map(&get),
        ours: get(ours),
        theirs: get(theirs),
        name,
    }
}

/// How many times the incident was reopened: each reopen leaves its note.
fn reopens(incident: &Incident) -> usize {
    incident
        .notes
        .iter()
        .filter(|n| n.text.starts_with("Reopened: "))
        .count()
}

#[allow(clippy::too_many_lines)]
pub(super) fn merge(
    base: Option<&Incident>,
    ours: &Incident,
    theirs: &Incident,
    options: &Options,
    report: &mut Report,
) -> Incident {
    let f = |name, get: fn(&Incident) -> String| of(base, ours, theirs, name, get);
    let o = |name, get: fn(&Incident) -> Option<String>| of(base, ours, theirs, name, get);
    let t = |name, get: fn(&Incident) -> DateTime<Utc>| of(base, ours, theirs, name, get);
    let m = |name, get: fn(&Incident) -> Option<DateTime<Utc>>| of(base, ours, theirs, name, get);

    let mut out = ours.clone();
    out.id = pick(
        &of(base, ours, theirs, "id", |i| i.id.clone()),
        report,
        true,
    );
    // Renumbered ids stay aliases whichever side renumbered.
    let mut aliases: Vec<IncidentId> = base
        .into_iter()
        .chain([ours, theirs])
        .flat_map(|i| i.aliases.iter().cloned())
        .collect();
    aliases.sort();
    aliases.dedup();
    out.aliases = aliases;
    out.title = text(&f("title", |i| i.title.clone()), report);
    out.severity = severity(&f("severity", |i| i.severity.clone()), options, report);
    out.lead = pick(
        &of(base, ours, theirs, "lead", |i| i.lead.clone()),
        report,
        true,
    );
    out.services = services(
        &of(base, ours, theirs, "services", |i| i.services.clone()),
        report,
    );
    out.impact = optional_text(&o("impact", |i| i.impact.clone()), report);
    out.started_at = earliest(&t("started_at", |i| i.started_at), report);
    out.declared_at = earliest(&t("declared_at", |i| i.declared_at), report);
    out.declared_by = pick(
        &of(base, ours, theirs, "declared_by", |i| i.declared_by.clone()),
        report,
        false,
    );
    out.acknowledged_at = earliest_set(&m("acknowledged_at", |i| i.acknowledged_at), report);
    out.mitigated_at = earliest_set(&m("mitigated_at", |i| i.mitigated_at), report);
    out.resolution = optional_text(&o("resolution", |i| i.resolution.clone()), report);
    out.step = pick(&o("step", |i| i.step.clone()), report, false);
    out.runbook = pick(&o("runbook", |i| i.runbook.clone()), report, false);
    out.review = review(base, ours, theirs, report);

    // The lifecycle: status and what goes with it move together.
    let (again_ours, again_theirs) = (reopens(ours), reopens(theirs));
    if again_ours == again_theirs {
        let status = of(base, ours, theirs, "status", |i| i.status);
        out.status = status.settled().unwrap_or_else(|| {
            let furthest = status.ours.max(status.theirs);
            report.rule(
                "status",
                format!(
                    "{} and {}: the further state, {furthest}, wins",
                    status.ours.min(status.theirs),
                    furthest
                ),
            );
            furthest
        });
        out.resolved_at = earliest_set(&m("resolved_at", |i| i.resolved_at), report);
        out.closed_at = earliest_set(&m("closed_at", |i| i.closed_at), report);
        let winner = if out.status == theirs.status && out.status != ours.status {
            theirs
        } else {
            ours
        };
        out.exit_reason = with_winner(
            &o("exit_reason", |i| i.exit_reason.clone()),
            ours.status == theirs.status,
            winner.exit_reason.clone(),
            report,
        );
        out.duplicate_of = with_winner(
            &of(base, ours, theirs, "duplicate_of", |i| {
                i.duplicate_of.clone()
            }),
            ours.status == theirs.status,
            winner.duplicate_of.clone(),
            report,
        );
    } else {
        // A reopen on one side is newer news than whatever the other did
        // to the lifecycle before hearing of it.
        let (reopened, other) = if again_ours > again_theirs {
            (ours, theirs)
        } else {
            (theirs, ours)
        };
        if reopened.status != other.status {
            report.rule(
                "status",
                format!(
                    "reopened on one side while the other made it {}: the reopen wins ({})",
                    other.status, reopened.status
                ),
            );
        }
        out.status = reopened.status;
        out.resolved_at = reopened.resolved_at;
        out.closed_at = reopened.closed_at;
        out.exit_reason = reopened.exit_reason.clone();
        out.duplicate_of = reopened.duplicate_of.clone();
    }
    if out.status.is_open() {
        out.closed_at = None;
    }
    // Who reached a milestone goes with the time that was kept.
    let sides: Vec<&Incident> = [Some(ours), Some(theirs), base]
        .into_iter()
        .flatten()
        .collect();
    let by = |at: Option<DateTime<Utc>>,
              get_at: fn(&Incident) -> Option<DateTime<Utc>>,
              get_by: fn(&Incident) -> &Option<Identity>| {
        // Both sides may hold the time with different people (each
        // recorded it offline): the first by name, so that both merges agree.
        let at = at?;
        let mut who: Vec<&Identity> = sides[..2]
            .iter()
            .filter(|side| get_at(side) == Some(at))
            .filter_map(|side| get_by(side).as_ref())
            .collect();
        who.sort_by_key(|w| w.to_string());
        who.first()
            .copied()
            .or_else(|| {
                sides[2..]
                    .iter()
                    .filter(|side| get_at(side) == Some(at))
                    .find_map(|side| get_by(side).as_ref())
            })
            .cloned()
    };
    out.acknowledged_by = by(
        out.acknowledged_at,
        |i| i.acknowledged_at,
        |i| &i.acknowledged_by,
    );
    out.resolved_by = by(out.resolved_at, |i| i.resolved_at, |i| &i.resolved_by);
    out.closed_by = by(out.closed_at, |i| i.closed_at, |i| &i.closed_by);

    out.notes = merge_list(
        base.map(|b| &b.notes[..]),
        &ours.notes,
        &theirs.notes,
        report,
    );
    out.updates = merge_list(
        base.map(|b| &b.updates[..]),
        &ours.updates,
        &theirs.updates,
        report,
    );
    out.mitigations = merge_list(
        base.map(|b| &b.mitigations[..]),
        &ours.mitigations,
        &theirs.mitigations,
        report,
    );
    out.actions = merge_list(
        base.map(|b| &b.actions[..]),
        &ours.actions,
        &theirs.actions,
        report,
    );
    out.overrides = merge_list(
        base.map(|b| &b.overrides[..]),
        &ours.overrides,
        &theirs.overrides,
        report,
    );
    in_order(&mut out, report);
    out
}

/// A field that goes with the status: the side whose status won decides it;
/// with the same status on both sides, as [`pick`].
fn with_winner<T: PartialEq + Clone + Ord + std::fmt::Debug>(
    field: &Three<'_, T>,
    same_status: bool,
    winners: T,
    report: &mut Report,
) -> T {
    field.settled().unwrap_or_else(|| {
        if same_status {
            pick(field, report, true)
        } else {
            winners
        }
    })
}

/// A value no rule decides: one side's, in a fixed order (the greater),
/// reported as a conflict when a person should look.
fn pick<T: PartialEq + Clone + Ord + std::fmt::Debug>(
    field: &Three<'_, T>,
    report: &mut Report,
    conflict: bool,
) -> T {
    field.settled().unwrap_or_else(|| {
        let kept = field.ours.clone().max(field.theirs.clone());
        let why = format!("changed on both sides; {kept:?} is kept");
        if conflict {
            report.conflict(field.name, why);
        } else {
            report.rule(field.name, why);
        }
        kept
    })
}

fn text(field: &Three<'_, String>, report: &mut Report) -> String {
    field.settled().unwrap_or_else(|| {
        let base = field.base.clone().unwrap_or_default();
        let merged = merge_lines(&base, &field.ours, &field.theirs);
        if merged.conflicted {
            report.conflict(
                field.name,
                "changed on both sides; both versions are kept between markers",
            );
        } else {
            report.rule(
                field.name,
                "changed on both sides in different lines; the lines are merged",
            );
        }
        merged.text
    })
}

fn optional_text(field: &Three<'_, Option<String>>, report: &mut Report) -> Option<String> {
    field.settled().unwrap_or_else(|| {
        let merged = text(
            &Three {
                base: field.base.clone().map(Option::unwrap_or_default),
                ours: field.ours.clone().unwrap_or_default(),
                theirs: field.theirs.clone().unwrap_or_default(),
                name: field.name,
            },
            report,
        );
        (!merged.is_empty()).then_some(merged)
    })
}

/// The rank of a severity: its place in the table, else its number.
fn rank(severity: &str, options: &Options) -> (usize, u64, String) {
    match options
        .severities
        .iter()
        .position(|s| s.eq_ignore_ascii_case(severity))
    {
        Some(place) => (0, place as u64, String::new()),
        None => {
            let digits: String = severity
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            (1, digits.parse().unwrap_or(u64::MAX), severity.to_owned())
        }
    }
}

fn severity(field: &Three<'_, String>, options: &Options, report: &mut Report) -> String {
    field.settled().unwrap_or_else(|| {
        let (o, t) = (&field.ours, &field.theirs);
        let (more, less) = if rank(o, options) <= rank(t, options) {
            (o, t)
        } else {
            (t, o)
        };
        report.rule(
            "severity",
            format!("{more} and {less}: the more severe, {more}, wins"),
        );
        more.clone()
    })
}

fn services(field: &Three<'_, Vec<String>>, report: &mut Report) -> Vec<String> {
    field.settled().unwrap_or_else(|| {
        let base = field.base.clone().unwrap_or_default();
        let (o, t) = (&field.ours, &field.theirs);
        // Kept where neither side removed it; added where either side did.
        let mut merged: Vec<String> = base
            .iter()
            .filter(|s| o.contains(s) && t.contains(s))
            .cloned()
            .collect();
        let mut added: Vec<String> = o
            .iter()
            .chain(t.iter())
            .filter(|s| !base.contains(s))
            .cloned()
            .collect();
        added.sort();
        added.dedup();
        merged.extend(added);
        report.rule("services", "changed on both sides; the union is kept");
        merged
    })
}

fn earliest(field: &Three<'_, DateTime<Utc>>, report: &mut Report) -> DateTime<Utc> {
    field.settled().unwrap_or_else(|| {
        report.rule(field.name, "changed on both sides; the earliest is kept");
        field.ours.min(field.theirs)
    })
}

/// A milestone is set once: the earliest time either side recorded.
fn earliest_set(
    field: &Three<'_, Option<DateTime<Utc>>>,
    report: &mut Report,
) -> Option<DateTime<Utc>> {
    field.settled().unwrap_or_else(|| {
        report.rule(field.name, "set on both sides; the earliest is kept");
        match (field.ours, field.theirs) {
            (Some(o), Some(t)) => Some(o.min(t)),
            (one, other) => one.or(other),
        }
    })
}

fn review(
    base: Option<&Incident>,
    ours: &Incident,
    theirs: &Incident,
    report: &mut Report,
) -> Option<Review> {
    let field = of(base, ours, theirs, "review", |i| i.review.clone());
    field.settled().unwrap_or_else(|| {
        let b = field.base.clone().flatten().unwrap_or_default();
        let (o, t) = (
            field.ours.clone().unwrap_or_default(),
            field.theirs.clone().unwrap_or_default(),
        );
        let part = |name, get: fn(&Review) -> String, report: &mut Report| {
            text(
                &Three {
                    base: Some(get(&b)),
                    ours: get(&o),
                    theirs: get(&t),
                    name,
                },
                report,
            )
        };
        Some(Review {
            what_happened: part("review.what_happened", |r| r.what_happened.clone(), report),
            root_cause: part("review.root_cause", |r| r.root_cause.clone(), report),
            went_well: part("review.went_well", |r| r.went_well.clone(), report),
            went_wrong: part("review.went_wrong", |r| r.went_wrong.clone(), report),
        })
    })
}

/// Milestones each side kept in order can come out of order once merged
/// (the earliest acknowledgement from one side, a resolution from the
/// other): a milestone before its predecessor moves up to it.
fn in_order(inc: &mut Incident, report: &mut Report) {
    if inc.started_at > inc.declared_at {
        report.rule(
            "started_at",
            "moved to declared_at: milestones are chronological",
        );
        inc.started_at = inc.declared_at;
    }
    let mut previous = inc.declared_at;
    for (name, slot) in [
        ("acknowledged_at", &mut inc.acknowledged_at),
        ("mitigated_at", &mut inc.mitigated_at),
        ("resolved_at", &mut inc.resolved_at),
        ("closed_at", &mut inc.closed_at),
    ] {
        if let Some(at) = slot {
            if *at < previous {
                report.rule(
                    name,
                    "moved up to the milestone before it: milestones are chronological",
                );
                *at = previous;
            }
            previous = *at;
        }
    }
}
