//! One synthetic incident: its lifecycle, simulated change by change, and the
//! rendering of each version as the incident file the CLI would write.
//!
//! The file format lives in ONE function, [`render`]; adjust it there when the
//! CLI's incident schema moves.

use std::fmt::Write as _;

use chrono::DateTime;

use super::rng::{Rng, ulid};

/// The responders; commits are authored and committed by them.
pub(crate) const PEOPLE: [(&str, &str); 6] = [
    ("Ada Lovelace", "ada@example.com"),
    ("Bob Ng", "bob@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Margaret Hamilton", "margaret@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Katherine Johnson", "katherine@example.com"),
];

const SERVICES: [&str; 12] = [
    "checkout-api",
    "payments",
    "search",
    "auth",
    "web",
    "notifications",
    "inventory",
    "billing",
    "cdn",
    "db-primary",
    "queue",
    "mobile-api",
];

const TITLES: [&str; 12] = [
    "{s} returning 502s",
    "Elevated p99 latency on {s}",
    "{s} queue backlog growing",
    "Login failures for EU users via {s}",
    "{s} timeouts after deploy",
    "Partial outage of {s}",
    "{s} error rate above SLO",
    "Stale data served by {s}",
    "{s} pods crash-looping",
    "Certificate expiry broke {s}",
    "{s} dropping webhooks",
    "Disk full on {s} hosts",
];

const IMPACTS: [&str; 6] = [
    "About 30% of checkout attempts fail",
    "Users see intermittent errors and slow pages",
    "Background jobs delayed by up to an hour",
    "A subset of EU customers cannot sign in",
    "No customer impact yet; internal tooling degraded",
    "Notifications arrive late or not at all",
];

const NOTES: [&str; 12] = [
    "5xx began right after deploy web-7f3a; rollback candidate identified",
    "Connection pool on the primary is saturated; max_connections reached",
    "Error rate correlates with traffic from one region; checking the load balancer",
    "Logs show repeated TLS handshake failures to the upstream provider",
    "CPU throttling on two nodes; the autoscaler did not react in time",
    "Dashboards confirm the issue started before the config change, not after",
    "Retry storm from mobile clients amplifies the load by about 4x",
    "Queue consumers stuck on a poison message; skipping it unblocks the rest",
    "Cache hit rate dropped from 95% to 40% after the eviction policy change",
    "The upstream status page confirms a partial outage on their side",
    "Memory grows steadily until the OOM killer restarts the process",
    "A schema migration holds a lock on the orders table",
];

/// Stakeholder updates by phase: before mitigation, mitigated, resolved.
const UPDATES: [[&str; 3]; 3] = [
    [
        "We are investigating elevated error rates; next update in 30 minutes.",
        "Degraded service identified; a rollback is in progress.",
        "Some customers may see slow responses; no data loss is expected.",
    ],
    [
        "A fix has been applied and we are monitoring the recovery.",
        "Mitigation in place; root cause investigation continues.",
        "The upstream provider is working on a fix; we have enabled a fallback.",
    ],
    [
        "Error rates are back to normal levels; we keep monitoring.",
        "Service fully restored; a post-incident review will follow.",
        "The incident is resolved; follow-up actions are being tracked.",
    ],
];

/// (kind, action, cleanup, target, before, after)
type MitigationTemplate = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const MITIGATIONS: [MitigationTemplate; 6] = [
    (
        "flag",
        "Disabled feature flag new-checkout-flow",
        "Re-enable gradually after the fix ships",
        "flags/checkout.toml",
        "new-checkout-flow = { enabled = true }",
        "new-checkout-flow = { enabled = false }",
    ),
    (
        "rollback",
        "Rolled back to the previous release",
        "Redeploy the fixed release",
        "deploy/web",
        "image = \"web:7f3a\"",
        "image = \"web:6e21\"",
    ),
    (
        "scale",
        "Scaled the worker pool from 8 to 24 replicas",
        "Scale back down once the backlog is drained",
        "k8s/workers.yaml",
        "replicas: 8",
        "replicas: 24",
    ),
    (
        "restart",
        "Restarted the stuck consumers",
        "Nothing to undo",
        "queue/consumers",
        "",
        "",
    ),
    (
        "throttle",
        "Rate-limited the bulk export endpoint to 10 rps",
        "Lift the rate limit after the capacity upgrade",
        "gateway/limits.toml",
        "export = { rps = 200 }",
        "export = { rps = 10 }",
    ),
    (
        "other",
        "Failed over to the secondary database",
        "Fail back after the primary is rebuilt",
        "db/cluster",
        "primary = \"db-a\"",
        "primary = \"db-b\"",
    ),
];

const RESOLUTIONS: [&str; 4] = [
    "Rolled forward with a fix for the connection leak",
    "Upstream provider resolved their outage",
    "Reverted the faulty configuration change",
    "Added capacity and fixed the retry policy",
];

/// What the ledger's template says that incident files refer to.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub prefix: String,
    /// Severity names, most severe first.
    pub severities: Vec<String>,
    /// Severities whose close needs a review (else a recorded override).
    pub review_required: Vec<String>,
    /// Runbook step ids; empty when the runbook has none.
    pub steps: Vec<String>,
    /// The runbook's blob id, abbreviated to 8 hex digits.
    pub runbook_version: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub at: i64,
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Update {
    pub at: i64,
    pub by: String,
    pub audience: &'static str,
    pub text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Mitigation {
    pub id: String,
    pub kind: &'static str,
    pub action: String,
    pub temporary: bool,
    pub applied_at: i64,
    pub applied_by: String,
    pub cleanup: Option<String>,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The state of one incident, as its file holds it.
#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub id: String,
    pub uid: String,
    pub title: String,
    pub severity: String,
    pub status: &'static str,
    pub lead: Option<String>,
    pub services: Vec<String>,
    pub impact: Option<String>,
    pub started_at: i64,
    pub declared_at: i64,
    pub declared_by: String,
    pub acknowledged_at: Option<i64>,
    pub mitigated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub resolution: Option<String>,
    pub step: Option<String>,
    pub runbook: Option<String>,
    pub notes: Vec<Note>,
    pub updates: Vec<Update>,
    pub mitigations: Vec<Mitigation>,
    /// `(at, by, rule)` of the `close` rules a forced close overrode.
    pub overrides: Vec<(i64, String, String)>,
}

/// `2026-11-26T18:40:00Z`, as TOML and RFC 3339 write it.
pub(crate) fn time(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .expect("generated times are in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The calendar year of a time.
pub(crate) fn year(secs: i64) -> i32 {
    use chrono::Datelike as _;
    DateTime::from_timestamp(secs, 0)
        .expect("generated times are in range")
        .year()
}

/// A TOML basic string.
fn q(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The incident file, in the CLI's field order and `toml::to_string_pretty`
/// layout (multi-line arrays, one blank line before each table).
pub(crate) fn render(inc: &Incident) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str("#:schema ../../schema/incident.schema.json\n");
    let _ = writeln!(s, "id = {}", q(&inc.id));
    let _ = writeln!(s, "uid = {}", q(&inc.uid));
    let _ = writeln!(s, "title = {}", q(&inc.title));
    let _ = writeln!(s, "severity = {}", q(&inc.severity));
    let _ = writeln!(s, "status = {}", q(inc.status));
    if let Some(lead) = &inc.lead {
        let _ = writeln!(s, "lead = {}", q(lead));
    }
    if inc.services.is_empty() {
        s.push_str("services = []\n");
    } else {
        s.push_str("services = [\n");
        for service in &inc.services {
            let _ = writeln!(s, "    {},", q(service));
        }
        s.push_str("]\n");
    }
    if let Some(impact) = &inc.impact {
        let _ = writeln!(s, "impact = {}", q(impact));
    }
    let _ = writeln!(s, "started_at = {}", time(inc.started_at));
    let _ = writeln!(s, "declared_at = {}", time(inc.declared_at));
    let _ = writeln!(s, "declared_by = {}", q(&inc.declared_by));
    for (key, at) in [
        ("acknowledged_at", inc.acknowledged_at),
        ("mitigated_at", inc.mitigated_at),
        ("resolved_at", inc.resolved_at),
        ("closed_at", inc.closed_at),
    ] {
        if let Some(at) = at {
            let _ = writeln!(s, "{key} = {}", time(at));
        }
    }
    if let Some(resolution) = &inc.resolution {
        let _ = writeln!(s, "resolution = {}", q(resolution));
    }
    if let Some(step) = &inc.step {
        let _ = writeln!(s, "step = {}", q(step));
    }
    if let Some(runbook) = &inc.runbook {
        let _ = writeln!(s, "runbook = {}", q(runbook));
    }
    for note in &inc.notes {
        s.push_str("\n[[notes]]\n");
        let _ = writeln!(s, "at = {}", time(note.at));
        let _ = writeln!(s, "by = {}", q(&note.by));
        let _ = writeln!(s, "text = {}", q(&note.text));
    }
    for update in &inc.updates {
        s.push_str("\n[[updates]]\n");
        let _ = writeln!(s, "at = {}", time(update.at));
        let _ = writeln!(s, "by = {}", q(&update.by));
        let _ = writeln!(s, "audience = {}", q(update.audience));
        let _ = writeln!(s, "text = {}", q(&update.text));
    }
    for m in &inc.mitigations {
        s.push_str("\n[[mitigations]]\n");
        let _ = writeln!(s, "id = {}", q(&m.id));
        let _ = writeln!(s, "kind = {}", q(m.kind));
        let _ = writeln!(s, "action = {}", q(&m.action));
        let _ = writeln!(s, "temporary = {}", m.temporary);
        let _ = writeln!(s, "applied_at = {}", time(m.applied_at));
        let _ = writeln!(s, "applied_by = {}", q(&m.applied_by));
        for (key, value) in [
            ("cleanup", &m.cleanup),
            ("target", &m.target),
            ("before", &m.before),
            ("after", &m.after),
        ] {
            if let Some(value) = value {
                let _ = writeln!(s, "{key} = {}", q(value));
            }
        }
    }
    for (at, by, rule) in &inc.overrides {
        s.push_str("\n[[overrides]]\n");
        let _ = writeln!(s, "at = {}", time(*at));
        let _ = writeln!(s, "by = {}", q(by));
        s.push_str("change = \"close\"\n");
        let _ = writeln!(s, "rule = {}", q(rule));
        s.push_str("why = \"the review is kept in the team's postmortem document\"\n");
    }
    s
}

/// One committed version of an incident file.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    /// Author and committer time.
    pub at: i64,
    /// Index into [`PEOPLE`].
    pub by: usize,
    pub message: String,
    pub text: String,
}

/// How an incident ends up, for the manifest.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub status: &'static str,
    pub pending_cleanups: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verb {
    Ack,
    Lead,
    Sev,
    Note,
    Update,
    Mitigate,
    Resolve,
    Close,
}

/// The changes after `declare`: the usual lifecycle for `changes` = 10,
/// padded with notes and updates before `resolve` for more.
fn plan(changes: usize, open: bool, rng: &mut Rng) -> Vec<Verb> {
    use Verb::*;
    let core = [
        Ack, Lead, Note, Update, Mitigate, Note, Update, Resolve, Close,
    ];
    let after_declare = changes.saturating_sub(1);
    let mut verbs: Vec<Verb> = if after_declare <= core.len() {
        core[..after_declare].to_vec()
    } else {
        let mut v = core[..7].to_vec();
        for _ in 0..after_declare - core.len() {
            let roll = rng.range(0, 99);
            v.push(match roll {
                0..=49 => Note,
                50..=84 => Update,
                85..=89 => Sev,
                _ => Mitigate,
            });
        }
        v.extend([Resolve, Close]);
        v
    };
    if rng.chance(20)
        && let Some(first_note) = verbs.iter().position(|v| *v == Note)
    {
        verbs[first_note] = Sev;
    }
    if open {
        let keep_unmitigated = rng.chance(40);
        for v in &mut verbs {
            *v = match *v {
                Resolve => Note,
                Close => Update,
                Mitigate if keep_unmitigated => Note,
                other => other,
            };
        }
    }
    verbs
}

fn person(i: usize) -> String {
    let (name, email) = PEOPLE[i];
    format!("{name} <{email}>")
}

fn short(text: &str) -> &str {
    match text.char_indices().nth(60) {
        Some((cut, _)) => text[..cut].trim_end(),
        None => text,
    }
}

fn message(id: &str, summary: &str, verb: &str, trailers: &[(&str, String)]) -> String {
    let mut msg = format!("{id}: {summary}\n\nIncident: {id}\nIncident-Change: {verb}\n");
    for (key, value) in trailers {
        let _ = writeln!(msg, "{key}: {value}");
    }
    msg
}

/// Simulates incident `number`: declared at `declared_at`, then `changes - 1`
/// more changes. Returns every version, oldest first, and how it ends.
pub(crate) fn simulate(
    settings: &Settings,
    number: u64,
    declared_at: i64,
    changes: usize,
    open: bool,
    rng: &mut Rng,
) -> (Vec<Version>, Outcome) {
    let step_if = |name: &str, current: &Option<String>| -> Option<String> {
        if settings.steps.iter().any(|s| s == name) {
            Some(name.to_owned())
        } else {
            current.clone()
        }
    };
    let id = format!("{}-{number}", settings.prefix);
    let service_count = if rng.chance(30) { 2 } else { 1 };
    let mut services: Vec<String> = Vec::new();
    while services.len() < service_count {
        let s = (*rng.pick(&SERVICES)).to_owned();
        if !services.contains(&s) {
            services.push(s);
        }
    }
    let title = rng.pick(&TITLES).replace("{s}", &services[0]);
    let sev_count = settings.severities.len().max(1) as u64;
    let sev_index = usize::try_from(rng.range(0, sev_count - 1)).expect("small");
    let severity = settings
        .severities
        .get(sev_index)
        .cloned()
        .unwrap_or_else(|| "SEV-3".to_owned());
    let declarer = usize::try_from(rng.range(0, PEOPLE.len() as u64 - 1)).expect("small");
    let started_at = declared_at - i64::try_from(rng.range(0, 1800)).expect("small");
    let impact = rng.chance(70).then(|| (*rng.pick(&IMPACTS)).to_owned());
    let mut inc = Incident {
        id: id.clone(),
        uid: ulid(
            u64::try_from(declared_at).expect("after 1970") * 1000 + rng.range(0, 999),
            rng,
        ),
        title: title.clone(),
        severity: severity.clone(),
        status: "declared",
        lead: None,
        services,
        impact,
        started_at,
        declared_at,
        declared_by: person(declarer),
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        step: None,
        runbook: settings.runbook_version.clone(),
        notes: Vec::new(),
        updates: Vec::new(),
        mitigations: Vec::new(),
        overrides: Vec::new(),
    };
    inc.step = step_if("acknowledge", &inc.step);
    let mut versions = vec![Version {
        at: declared_at,
        by: declarer,
        message: message(
            &id,
            &format!("declared {severity}: {title}"),
            "declare",
            &[("Severity", severity.clone())],
        ),
        text: render(&inc),
    }];

    let mut now = declared_at;
    for verb in plan(changes, open, rng) {
        let by = usize::try_from(rng.range(0, PEOPLE.len() as u64 - 1)).expect("small");
        let who = person(by);
        let gap = match verb {
            Verb::Ack => rng.range(60, 900),
            Verb::Lead => rng.range(60, 1200),
            Verb::Sev => rng.range(120, 1800),
            Verb::Note => rng.range(300, 3600),
            Verb::Update => rng.range(600, 3600),
            Verb::Mitigate => rng.range(600, 7200),
            Verb::Resolve => rng.range(1800, 6 * 3600),
            Verb::Close => rng.range(86_400, 14 * 86_400),
        };
        now += i64::try_from(gap).expect("small");
        let status_change = |inc: &mut Incident, to: &'static str| -> Vec<(&str, String)> {
            let from = inc.status;
            inc.status = to;
            vec![("From", from.to_owned()), ("To", to.to_owned())]
        };
        // A close with temporary measures still in place would be refused;
        // such incidents stay resolved and get a note instead.
        let pending = inc.mitigations.iter().any(|m| m.temporary);
        let verb = match verb {
            Verb::Close if pending => Verb::Note,
            Verb::Ack if inc.status != "declared" => Verb::Note,
            other => other,
        };
        let message = match verb {
            Verb::Ack => {
                inc.acknowledged_at = Some(now);
                inc.step = step_if("lead", &inc.step);
                let t = status_change(&mut inc, "acknowledged");
                message(&id, "acknowledged", "ack", &t)
            }
            Verb::Lead => {
                let from = inc.lead.replace(who.clone());
                inc.step = step_if("stabilize", &inc.step);
                let mut t = Vec::new();
                if let Some(from) = &from {
                    t.push(("From", from.clone()));
                }
                t.push(("To", who.clone()));
                message(&id, &format!("lead {}", PEOPLE[by].0), "lead", &t)
            }
            Verb::Sev => {
                let others: Vec<&String> = settings
                    .severities
                    .iter()
                    .filter(|s| **s != inc.severity)
                    .collect();
                let to = if others.is_empty() {
                    inc.severity.clone()
                } else {
                    (*rng.pick(&others)).clone()
                };
                let from = std::mem::replace(&mut inc.severity, to.clone());
                message(
                    &id,
                    &format!("severity {from} -> {to}"),
                    "sev",
                    &[("From", from), ("To", to)],
                )
            }
            Verb::Note => {
                let text = (*rng.pick(&NOTES)).to_owned();
                let summary = format!("note: {}", short(&text));
                inc.notes.push(Note {
                    at: now,
                    by: who.clone(),
                    text,
                });
                message(&id, &summary, "note", &[])
            }
            Verb::Update => {
                let audience = if rng.chance(40) {
                    "external"
                } else {
                    "internal"
                };
                let phase = if inc.resolved_at.is_some() {
                    2
                } else {
                    usize::from(inc.mitigated_at.is_some())
                };
                let text = (*rng.pick(&UPDATES[phase])).to_owned();
                let summary = format!("{audience} update: {}", short(&text));
                inc.updates.push(Update {
                    at: now,
                    by: who.clone(),
                    audience,
                    text,
                });
                message(&id, &summary, "update", &[])
            }
            Verb::Mitigate => {
                let (kind, action, cleanup, target, before, after) = *rng.pick(&MITIGATIONS);
                let temporary = kind != "restart" && rng.chance(30);
                let mid = format!("M{}", inc.mitigations.len() + 1);
                let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                inc.mitigations.push(Mitigation {
                    id: mid.clone(),
                    kind,
                    action: action.to_owned(),
                    temporary,
                    applied_at: now,
                    applied_by: who.clone(),
                    cleanup: temporary.then(|| cleanup.to_owned()),
                    target: some(target),
                    before: some(before),
                    after: some(after),
                });
                let mut t = Vec::new();
                if inc.mitigated_at.is_none() {
                    inc.mitigated_at = Some(now);
                    inc.step = step_if("investigate", &inc.step);
                    t = status_change(&mut inc, "mitigated");
                }
                t.push(("Mitigation", mid.clone()));
                let how = if temporary {
                    format!("{kind}, temporary")
                } else {
                    kind.to_owned()
                };
                message(
                    &id,
                    &format!("mitigation {mid} ({how}): {action}"),
                    "mitigate",
                    &t,
                )
            }
            Verb::Resolve => {
                inc.resolved_at = Some(now);
                if rng.chance(50) {
                    inc.resolution = Some((*rng.pick(&RESOLUTIONS)).to_owned());
                }
                inc.step = step_if("review", &inc.step);
                let t = status_change(&mut inc, "resolved");
                message(&id, "resolved", "resolve", &t)
            }
            Verb::Close => {
                // The generated incidents have no review: their close is
                // forced, as `close --force --why` records it.
                if settings.review_required.contains(&inc.severity) {
                    let rule = format!(
                        "{id} is {} and has no review; record what happened and the root cause with `git incident review {id}`",
                        inc.severity
                    );
                    inc.overrides.push((now, who.clone(), rule));
                }
                inc.closed_at = Some(now);
                inc.step = step_if("prevention", &inc.step);
                let t = status_change(&mut inc, "closed");
                message(&id, "closed", "close", &t)
            }
        };
        versions.push(Version {
            at: now,
            by,
            message,
            text: render(&inc),
        });
    }
    let outcome = Outcome {
        status: inc.status,
        pending_cleanups: inc.mitigations.iter().filter(|m| m.temporary).count(),
    };
    (versions, outcome)
}
