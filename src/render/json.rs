//! JSON for scripts: the same values the files hold, times as RFC 3339
//! strings; and the documents the commands print with `--json` that belong
//! to no one view (a change applied, `show`, `init`, `validate`).

use std::path::Path;

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::domain::audit::Audit;
use crate::domain::sync::Synced;
use crate::domain::{Applied, CommitId, Incident, IncidentId};

/// An error under `--json`: its exit code, its kind (refused, usage,
/// internal, interrupted), the message and hint the text gives, and where
/// in which file, when a file's content is at fault.
pub(crate) fn error(
    code: u8,
    kind: &str,
    message: &str,
    causes: &[String],
    hint: Option<&str>,
    at: Option<(&Path, usize, usize)>,
) -> Json {
    let mut error = json!({
        "code": code,
        "kind": kind,
        "message": message,
        "hint": hint,
    });
    if !causes.is_empty() {
        error["causes"] = json!(causes);
    }
    if let Some((path, line, column)) = at {
        error["path"] = json!(path);
        error["line"] = json!(line);
        error["column"] = json!(column);
    }
    json!({ "error": error })
}

/// A change that had nothing to record (an incident acknowledged twice).
pub(crate) fn unchanged(id: &IncidentId, incident: &Incident, path: &Path) -> Json {
    json!({
        "id": id,
        "change": null,
        "unchanged": true,
        "path": path,
        "incident": to_json(incident),
    })
}

/// A change applied: what happened, its commit and the incident after it.
pub(crate) fn applied(
    id: &IncidentId,
    applied: &Applied,
    commit: &CommitId,
    path: &Path,
    incident: &Incident,
) -> Json {
    json!({
        "id": id,
        "change": applied.verb,
        "summary": applied.summary,
        "created": applied.created,
        "commit": commit.to_string(),
        "path": path,
        "overridden": applied.overridden,
        "incident": to_json(incident),
    })
}

/// `show`: the incident, where its file is, and the commit it was read at
/// (with `--at`).
pub(crate) fn shown(incident: &Incident, path: &Path, commit: Option<&CommitId>) -> Json {
    let mut value = to_json(incident);
    value["path"] = json!(path);
    if let Some(commit) = commit {
        value["commit"] = json!(commit.to_string());
    }
    value
}

/// `init`: the ledger made, and whether a repository was created for it.
pub(crate) fn initialized(root: &Path, commit: &CommitId, created_repository: bool) -> Json {
    json!({
        "root": root,
        "commit": commit.to_string(),
        "created_repository": created_repository,
    })
}

/// `validate`: how many files were checked, and one line per problem.
pub(crate) fn validated(checked: usize, problems: &[String]) -> Json {
    json!({ "checked": checked, "problems": problems })
}

/// `verify`: what was checked, every finding, and whether it failed.
pub(crate) fn verified(audit: &Audit) -> Json {
    json!({
        "ok": !audit.failed(),
        "head": audit.head,
        "verified_before": audit.verified,
        "commits": audit.commits,
        "signatures": audit.signatures,
        "findings": audit.findings,
    })
}

/// `sync`: what came in, went out, and what the merge decided.
pub(crate) fn synced(synced: &Synced) -> Json {
    json!(synced)
}

/// Converts any value that serialises to TOML into JSON, writing TOML
/// datetimes as strings (serde_json would otherwise see a private map).
pub fn to_json<T: Serialize>(value: &T) -> Json {
    // Invariant: the values given here (incidents, runbooks) were read from
    // TOML or written to it, so every time in them is a TOML datetime.
    let toml = toml::Value::try_from(value).expect("ledger values serialise to TOML");
    convert(toml)
}

fn convert(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => Json::from(f),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(convert).collect()),
        toml::Value::Table(t) => {
            // A datetime that went through `Value::try_from` arrives as
            // serde's private one-key map.
            if t.len() == 1
                && let Some(toml::Value::String(s)) = t.get("$__toml_private_datetime")
            {
                return Json::String(s.clone());
            }
            Json::Object(t.into_iter().map(|(k, v)| (k, convert(v))).collect())
        }
    }
}
