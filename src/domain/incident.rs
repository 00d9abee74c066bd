//! The incident record: one TOML file per incident, in a stable field order.
//!
//! These types are the single source of the file format: the JSON Schemas in
//! `schema/` are generated from them and tested against them both ways.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::serde_time;
use super::{Identity, IncidentId};

/// One incident, as stored in `incidents/<year>/<ID>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "git-incident incident file")]
pub struct Incident {
    /// The incident's id, `PREFIX-NUMBER`; matches the file name.
    pub id: IncidentId,
    /// A stable unique id (ULID) that survives renumbering.
    pub uid: String,
    /// The ids it had before: a `sync` renumbers an incident declared
    /// offline whose id the remote already gave another incident, and every
    /// command still accepts the old id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<IncidentId>,
    /// One line: what is broken, as users see it.
    pub title: String,
    /// A severity named in the runbook's severity table, such as `SEV-2`.
    pub severity: String,
    /// Where the incident stands in its lifecycle.
    pub status: Status,
    /// The incident lead, `Name <email>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Identity>,
    /// Affected services.
    #[serde(default)]
    pub services: Vec<String>,
    /// Who or what is affected, and how badly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// When the impact began (may be backfilled).
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub started_at: DateTime<Utc>,
    /// When the incident was declared.
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub declared_at: DateTime<Utc>,
    /// Who declared it.
    pub declared_by: Identity,
    /// When a responder confirmed it is real and tracking began.
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who acknowledged it (absent in files written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<Identity>,
    /// When the impact was stopped (the first mitigation).
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub mitigated_at: Option<DateTime<Utc>>,
    /// When the service was restored and stable.
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (absent in files written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<Identity>,
    /// When the incident was closed, or left through an exit.
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it, or led it out through an exit (absent in files written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<Identity>,
    /// How it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Why it was declined or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_reason: Option<String>,
    /// The incident this one duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<IncidentId>,
    /// The runbook step where guided response resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The version (blob id) of the runbook this incident follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    /// Investigation findings, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Stakeholder communication, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<Update>,
    /// Measures taken to stop the impact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<Mitigation>,
    /// The post-incident review; its timeline is generated from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Follow-up actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Rules that a responder overrode with `--force --why`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
}

/// Lifecycle states, in order, then the three exits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Declared,
    Acknowledged,
    Mitigated,
    Resolved,
    Closed,
    /// Not an incident after all.
    Declined,
    /// The same as another incident.
    Duplicate,
    /// Withdrawn.
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Declared,
        Status::Acknowledged,
        Status::Mitigated,
        Status::Resolved,
        Status::Closed,
        Status::Declined,
        Status::Duplicate,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Declared => "declared",
            Status::Acknowledged => "acknowledged",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Declined => "declined",
            Status::Duplicate => "duplicate",
            Status::Cancelled => "cancelled",
        }
    }

    /// Closed, or left through an exit: only `reopen` changes it now.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Declined | Status::Duplicate | Status::Cancelled
        )
    }

    /// Still being worked on: declared, acknowledged or mitigated.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Declared | Status::Acknowledged | Status::Mitigated
        )
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Status::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown status `{s}`; one of: {}", names.join(", "))
            })
    }
}

/// An investigation finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Event time (may be backdated with `--at`).
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub at: DateTime<Utc>,
    /// Who wrote it, `Name <email>`.
    pub by: Identity,
    pub text: String,
    /// A stable key, unique across clones, by which concurrent edits merge
    /// entry by entry. Files written before keys existed have none; such an
    /// entry is known by a key computed from its content (`content_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Who a stakeholder update is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Internal,
    External,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Internal => "internal",
            Audience::External => "external",
        }
    }
}

/// A stakeholder update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Update {
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub at: DateTime<Utc>,
    pub by: Identity,
    pub audience: Audience,
    pub text: String,
    /// A stable key, unique across clones, by which concurrent edits merge
    /// entry by entry. Files written before keys existed have none; such an
    /// entry is known by a key computed from its content (`content_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// What kind of measure a mitigation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MitigationKind {
    Rollback,
    Flag,
    Scale,
    Restart,
    Throttle,
    Other,
}

impl MitigationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MitigationKind::Rollback => "rollback",
            MitigationKind::Flag => "flag",
            MitigationKind::Scale => "scale",
            MitigationKind::Restart => "restart",
            MitigationKind::Throttle => "throttle",
            MitigationKind::Other => "other",
        }
    }
}

/// A measure taken to stop the impact; a temporary one waits for cleanup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    /// `M1`, `M2`, … within the incident.
    pub id: String,
    /// A stable key, unique across clones, by which concurrent edits merge
    /// entry by entry. Files written before keys existed have none; such an
    /// entry is known by a key computed from its content (`content_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub kind: MitigationKind,
    /// What was done.
    pub action: String,
    /// True when the measure must be undone later.
    #[serde(default)]
    pub temporary: bool,
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub applied_at: DateTime<Utc>,
    pub applied_by: Identity,
    /// How the temporary measure will be cleaned up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<String>,
    /// What was changed: a flag, a file, a deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The stable state, which the cleanup restores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The temporary state now in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub cleaned_up_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaned_up_by: Option<Identity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_note: Option<String>,
    /// When a temporary measure was made permanent instead.
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub kept_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<Identity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_why: Option<String>,
}

impl Mitigation {
    /// A measure just applied: what is given, with no plan, target or
    /// states, and not yet cleaned up or kept.
    pub fn applied(
        id: String,
        kind: MitigationKind,
        action: String,
        temporary: bool,
        at: DateTime<Utc>,
        by: Identity,
    ) -> Self {
        Self {
            id,
            key: None,
            kind,
            action,
            temporary,
            applied_at: at,
            applied_by: by,
            cleanup: None,
            target: None,
            before: None,
            after: None,
            cleaned_up_at: None,
            cleaned_up_by: None,
            cleanup_note: None,
            kept_at: None,
            kept_by: None,
            kept_why: None,
        }
    }

    /// Temporary, and neither cleaned up nor made permanent.
    pub fn is_pending(&self) -> bool {
        self.temporary && self.cleaned_up_at.is_none() && self.kept_at.is_none()
    }
}

/// The post-incident review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what_happened: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub root_cause: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub went_well: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub went_wrong: String,
}

impl Review {
    /// What happened and the root cause are both written down.
    pub fn is_complete(&self) -> bool {
        !self.what_happened.trim().is_empty() && !self.root_cause.trim().is_empty()
    }

    /// A stand-in that is complete or not, as the review it stands for.
    pub fn stand_in(complete: bool) -> Self {
        let mark = if complete { "." } else { "" };
        Self {
            what_happened: mark.to_owned(),
            root_cause: mark.to_owned(),
            ..Self::default()
        }
    }
}

/// What a follow-up action improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Find it sooner: monitoring, alerts.
    Detective,
    /// Keep it from happening: safeguards, tests, safer deploys.
    Preventive,
    /// Fix what broke.
    Corrective,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Detective => "detective",
            ActionKind::Preventive => "preventive",
            ActionKind::Corrective => "corrective",
        }
    }
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// `A1`, `A2`, … within the incident.
    pub id: String,
    /// A stable key, unique across clones, by which concurrent edits merge
    /// entry by entry. Files written before keys existed have none; such an
    /// entry is known by a key computed from its content (`content_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub kind: ActionKind,
    pub text: String,
    /// Who owns it, `Name <email>`.
    pub owner: Identity,
    #[serde(
        default,
        with = "serde_time::date_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<NaiveDate>")]
    pub due: Option<NaiveDate>,
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub created_at: DateTime<Utc>,
    pub created_by: Identity,
    #[serde(
        default,
        with = "serde_time::utc_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<DateTime<Utc>>")]
    pub done_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<Identity>,
}

/// A rule overridden with `--force --why`, kept for the audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    #[serde(with = "serde_time::utc")]
    #[schemars(with = "DateTime<Utc>")]
    pub at: DateTime<Utc>,
    pub by: Identity,
    /// The command whose rule was overridden.
    pub change: String,
    /// The rule, as the refusal stated it.
    pub rule: String,
    pub why: String,
}

impl Incident {
    /// A freshly declared incident: what is given, the impact starting at the
    /// declaration, and every milestone, entry and optional field empty.
    pub fn declared(
        id: IncidentId,
        uid: String,
        title: String,
        severity: String,
        at: DateTime<Utc>,
        by: Identity,
    ) -> Self {
        Self {
            id,
            uid,
            aliases: Vec::new(),
            title,
            severity,
            status: Status::Declared,
            lead: None,
            services: Vec::new(),
            impact: None,
            started_at: at,
            declared_at: at,
            declared_by: by,
            acknowledged_at: None,
            acknowledged_by: None,
            mitigated_at: None,
            resolved_at: None,
            resolved_by: None,
            closed_at: None,
            closed_by: None,
            resolution: None,
            exit_reason: None,
            duplicate_of: None,
            step: None,
            runbook: None,
            notes: Vec::new(),
            updates: Vec::new(),
            mitigations: Vec::new(),
            review: None,
            actions: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// Temporary mitigations still in place.
    pub fn pending_mitigations(&self) -> impl Iterator<Item = &Mitigation> {
        self.mitigations.iter().filter(|m| m.is_pending())
    }

    pub fn mitigation(&self, id: &str) -> Option<&Mitigation> {
        self.mitigations
            .iter()
            .find(|m| m.id.eq_ignore_ascii_case(id))
    }

    pub fn action(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// The milestones in lifecycle order, with their names.
    pub fn milestones(&self) -> [(&'static str, Option<DateTime<Utc>>); 6] {
        [
            ("started_at", Some(self.started_at)),
            ("declared_at", Some(self.declared_at)),
            ("acknowledged_at", self.acknowledged_at),
            ("mitigated_at", self.mitigated_at),
            ("resolved_at", self.resolved_at),
            ("closed_at", self.closed_at),
        ]
    }
}
