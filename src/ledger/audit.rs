//! The walk behind `verify`: the facts of the ledger's history that the
//! domain's audit rules judge ([`crate::domain::audit`]).
//!
//! Uncommitted incident files come from `git status`; the commits touching
//! incident files from git's own path-limited log (as `history` reads them);
//! what each commit changed from its trees, compared as parsed incidents;
//! signatures from `git log --format=%G?`, the system git checking them
//! against the configured allowed signers. The last verified commit is kept
//! in a ref of the tool's own, which a successful `verify` moves to HEAD: a
//! history that no longer contains it was rewritten.

use std::path::{Path, PathBuf};

use git2::{Delta as Status, DiffOptions, Oid};

use super::history::Raw;
use super::{INCIDENTS_DIR, Ledger, LedgerError, trailer};
use crate::domain::CommitId;
use crate::domain::audit::{Audit, Finding, Kind, signature_fits, trailer_fits};
use crate::domain::change::Verb;
use crate::domain::delta::diff;
use crate::domain::history::Source;

use super::git::commit_id;

/// Where the last verified commit is kept (shared by every worktree).
pub(crate) const VERIFIED_REF: &str = "refs/git-incident/verified";

/// One incident file a commit changed: its paths before and after,
/// relative to the ledger's root, and the blobs.
struct Touched {
    before: Option<(PathBuf, Oid)>,
    after: Option<(PathBuf, Oid)>,
}

impl Ledger {
    /// Audits the ledger's integrity up to HEAD. Reads only: the verified
    /// point moves with [`Ledger::mark_verified`].
    pub(crate) fn audit(&self) -> Result<Audit, LedgerError> {
        let mut audit = Audit::default();
        self.check_uncommitted(&mut audit)?;
        let Ok(head) = self.head_oid() else {
            return Ok(audit);
        };
        audit.head = Some(commit_id(head));
        self.check_verified_point(head, &mut audit);
        for raw in self.commits_touching(head, Path::new(INCIDENTS_DIR))? {
            let touched = self.touched(&raw)?;
            if touched.is_empty() {
                continue;
            }
            audit.commits += 1;
            self.check_commit(&raw, &touched, &mut audit)?;
        }
        if self.signing_configured() {
            audit.signatures = true;
            let incidents = self.base().join(INCIDENTS_DIR);
            self.check_signatures(head, &incidents.to_string_lossy(), &mut audit)?;
        }
        Ok(audit)
    }

    /// Records `head` as the last verified commit.
    pub(crate) fn mark_verified(&self, head: &CommitId) -> Result<(), LedgerError> {
        let oid = super::git::oid(head)?;
        self.repo()
            .reference(VERIFIED_REF, oid, true, "git incident verify")?;
        Ok(())
    }

    /// (a) Incident files changed in the working tree or the index.
    fn check_uncommitted(&self, audit: &mut Audit) -> Result<(), LedgerError> {
        let incidents = self.base().join(INCIDENTS_DIR);
        let out = self.git(&[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            &incidents.to_string_lossy(),
        ])?;
        let mut records = out.split('\0');
        while let Some(record) = records.next() {
            let (Some(code), Some(path)) = (record.get(..2), record.get(3..)) else {
                continue;
            };
            // A rename or copy names its source next.
            if code.starts_with(['R', 'C']) {
                records.next();
            }
            let path = self.relative(Path::new(path));
            let what = match code {
                "??" => "is not committed (untracked)",
                c if c.contains('D') => "was deleted but the deletion is not committed",
                _ => "was changed but the change is not committed",
            };
            audit.findings.push(
                Finding::new(Kind::Uncommitted, format!("{} {what}", path.display())).at_path(path),
            );
        }
        Ok(())
    }

    /// (c) The last verified commit must still be in HEAD's history.
    fn check_verified_point(&self, head: Oid, audit: &mut Audit) {
        let Ok(verified) = self.repo().refname_to_id(VERIFIED_REF) else {
            return;
        };
        audit.verified = Some(commit_id(verified));
        let kept = verified == head
            || self
                .repo()
                .graph_descendant_of(head, verified)
                .unwrap_or(false);
        if !kept {
            let id = commit_id(verified);
            audit.findings.push(
                Finding::new(
                    Kind::Rewritten,
                    format!(
                        "history was rewritten: the last verified commit {} is no longer in the history of HEAD (an amend, rebase, reset or force-push dropped or replaced it)",
                        id.short()
                    ),
                )
                .at_commit(id),
            );
        }
    }

    /// (b) and (d): who made a commit, and whether its trailers say what it did.
    fn check_commit(
        &self,
        raw: &Raw,
        touched: &[Touched],
        audit: &mut Audit,
    ) -> Result<(), LedgerError> {
        let id = commit_id(raw.commit);
        let files = touched
            .iter()
            .filter_map(|t| t.after.as_ref().or(t.before.as_ref()))
            .map(|(p, _)| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let stated = raw
            .trailers
            .iter()
            .find(|(k, _)| k == trailer::CHANGE)
            .map(|(_, v)| v.as_str());
        if raw.parents.len() > 1 {
            return Ok(());
        }
        let Some(verb) = stated.and_then(Verb::parse) else {
            let why = match stated {
                Some(v) => format!("an unknown `Incident-Change: {v}`"),
                None => Source::Outside.as_str().to_owned(),
            };
            audit.findings.push(
                Finding::new(
                    Kind::OutOfBand,
                    format!(
                        "{} by {} changed {files} ({why}): \"{}\"",
                        id.short(),
                        raw.author,
                        raw.subject
                    ),
                )
                .at_commit(id),
            );
            return Ok(());
        };
        let mismatch = |message: String| {
            Finding::new(
                Kind::Mismatch,
                format!("{} by {}: {message}", id.short(), raw.author),
            )
            .at_commit(id.clone())
        };
        if touched.len() > 1 && verb != Verb::Renumber {
            audit.findings.push(mismatch(format!(
                "one change touches one incident file, but it touches {files}"
            )));
            return Ok(());
        }
        let from_to = trailer_value(raw, trailer::FROM).zip(trailer_value(raw, trailer::TO));
        let named = trailer_value(raw, trailer::INCIDENT);
        for t in touched {
            let read = |side: &Option<(PathBuf, Oid)>| match side {
                Some((path, blob)) => self.read_blob(path, *blob).map(|s| Some(s.incident)),
                None => Ok(None),
            };
            let (before, after) = match (read(&t.before), read(&t.after)) {
                (Ok(b), Ok(a)) => (b, a),
                (Err(e), _) | (_, Err(e)) => {
                    audit
                        .findings
                        .push(mismatch(format!("its incident file cannot be read: {e}")));
                    continue;
                }
            };
            let ids: Vec<String> = [&before, &after]
                .into_iter()
                .flatten()
                .map(|i| i.id.to_string())
                .collect();
            if let Some(named) = named
                && verb != Verb::Renumber
                && !ids.iter().any(|i| i == named)
            {
                audit.findings.push(mismatch(format!(
                    "the commit says `Incident: {named}` but changes {files}"
                )));
            }
            let deltas = diff(before.as_ref(), after.as_ref());
            if let Err(message) = trailer_fits(verb, from_to, &deltas) {
                audit.findings.push(mismatch(message));
            }
        }
        Ok(())
    }

    /// The incident files a commit changed against its first parent.
    fn touched(&self, raw: &Raw) -> Result<Vec<Touched>, LedgerError> {
        let repo = self.repo();
        let tree = repo.find_commit(raw.commit)?.tree()?;
        let parent = match raw.parents.first() {
            Some(p) => Some(repo.find_commit(*p)?.tree()?),
            None => None,
        };
        let mut options = DiffOptions::new();
        options.pathspec(self.base().join(INCIDENTS_DIR));
        let mut found = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut options))?;
        found.find_similar(None)?;
        let side = |file: git2::DiffFile<'_>| -> Option<(PathBuf, Oid)> {
            let path = file.path()?;
            (!file.id().is_zero() && is_incident_file(path))
                .then(|| (self.relative(path), file.id()))
        };
        Ok(found
            .deltas()
            .filter(|d| d.status() != Status::Unmodified)
            .map(|d| Touched {
                before: side(d.old_file()),
                after: side(d.new_file()),
            })
            .filter(|t| t.before.is_some() || t.after.is_some())
            .collect())
    }

    /// Whether the user's git config asks for signed commits, or names the
    /// SSH allowed signers that signatures are checked against.
    fn signing_configured(&self) -> bool {
        let Ok(config) = self.repo().config() else {
            return false;
        };
        let ssh = config.get_string("gpg.format").is_ok_and(|f| f == "ssh")
            && config.get_path("gpg.ssh.allowedSignersFile").is_ok();
        ssh || config.get_bool("commit.gpgsign").unwrap_or(false)
    }

    /// (e) Every commit touching incident files is signed, by a key git
    /// trusts, and by its committer.
    fn check_signatures(
        &self,
        head: Oid,
        incidents: &str,
        audit: &mut Audit,
    ) -> Result<(), LedgerError> {
        self.git_records(
            &[
                "log",
                "--full-history",
                "--format=%H%x00%G?%x00%GS%x00%ce%x00",
                &head.to_string(),
                "--",
                incidents,
            ],
            4,
            |f| {
                let [commit, status, signer, email] = f else {
                    return;
                };
                if let Err(why) = signature_fits(status, signer, email) {
                    let id = CommitId::from_hex(commit.trim());
                    audit.findings.push(
                        Finding::new(Kind::Signature, format!("{}: {why}", id.short()))
                            .at_commit(id),
                    );
                }
            },
        )?;
        Ok(())
    }

    /// A path in the repository, relative to the ledger's root.
    fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.base()).unwrap_or(path).to_path_buf()
    }
}

fn trailer_value<'a>(raw: &'a Raw, key: &str) -> Option<&'a str> {
    raw.trailers
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Incident files are the `.toml` files of the incidents folder.
fn is_incident_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}
