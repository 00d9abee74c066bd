//! The ledger on disk: the only code that touches git2 and the files.
//!
//! It opens or creates a ledger, reads incidents, and applies one change as
//! one atomic file write plus one commit that contains that file and nothing
//! else. It never prompts and never prints, and it depends on the domain
//! only (the runbook's file format is `domain::runbook`).
//!
//! This file holds the [`Ledger`] and how it is found, opened and set up;
//! `read` reads the working tree, `at` committed trees, `write` is the one
//! write path, `history` the git log walk, `span` the two states
//! `cleanup --since` compares, `cache` the caches in the git directory,
//! `files` the file helpers, `audit` the integrity walk of `verify`, `sync`
//! the fetch, merge and push, and
//! `git` the plumbing.

mod aliases;
mod at;
mod audit;
pub(crate) mod cache;
pub(crate) mod config;
pub(crate) mod driver;
pub(crate) mod edit;
pub(crate) mod error;
mod files;
pub(crate) mod git;
pub(crate) mod history;
mod hooks;
mod intent;
mod message;
mod read;
pub(crate) mod rest;
pub mod schema;
pub(crate) mod span;
pub(crate) mod sync;
mod trailer;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{ObjectType, Oid, Repository};

use self::files::{read_text, read_toml};
use self::git::{Moved, Staged};
use crate::domain::runbook::{DEFAULT_RUNBOOK, Runbook};
use crate::domain::{Applied, CommitId, Identity, Incident, IncidentId, Settings};

pub use config::LedgerConfig;
pub use error::{IoOp, LedgerError, ParseError};
pub(crate) use files::{
    missing_folder, parse_incident, parse_toml, read_given, read_given_text, write_atomic,
    write_given,
};
pub(crate) use git::Author;

/// The ledger's settings file, whose folder is the ledger's root.
pub(crate) const LEDGER_FILE: &str = "ledger.toml";
/// Where incident files live, one folder per year.
pub(crate) const INCIDENTS_DIR: &str = "incidents";
/// How long a command waits for another one holding the ledger lock.
const LOCK_WAIT: Duration = Duration::from_secs(30);
/// How often a commit is retried when a plain `git commit` moved the branch.
const MAX_ATTEMPTS: u32 = 8;

/// An open ledger.
pub struct Ledger {
    root: PathBuf,
    repo: Repository,
    /// The ledger's folder relative to the repository's working tree.
    base: PathBuf,
    pub(crate) config: LedgerConfig,
    pub(crate) runbook: Runbook,
    /// The blob id of the runbook file, abbreviated.
    pub(crate) runbook_version: String,
    /// Where a write stops dead, for the crash tests (see `intent`).
    failpoint: Option<String>,
    /// Makes the key of a new entry from a seed (see `with_keys`).
    keys: Option<KeySource>,
    /// Who runs the command: the committer of every change, whoever `--as`
    /// names as its author. `None`: the author.
    committer: Option<Identity>,
}

/// Makes an entry key from a seed.
pub(crate) type KeySource = Box<dyn Fn(&str) -> String>;

/// An incident as stored: its parsed value, its path and its text.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) incident: Incident,
    /// Relative to the ledger's root, such as `incidents/2026/INC-42.toml`.
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

/// A change that was committed.
#[derive(Debug, Clone)]
pub(crate) struct Committed {
    pub(crate) id: IncidentId,
    pub(crate) path: PathBuf,
    pub(crate) commit: CommitId,
    pub(crate) applied: Applied,
    pub(crate) incident: Incident,
    /// What the repository's hooks printed, for the person who made it.
    pub(crate) hooks_said: String,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub(crate) struct Initialized {
    pub(crate) root: PathBuf,
    pub(crate) commit: CommitId,
    pub(crate) created_repository: bool,
}

impl Ledger {
    /// Finds the ledger in `start` or the nearest parent folder holding
    /// `ledger.toml`.
    pub(crate) fn find(start: &Path) -> Result<Self, LedgerError> {
        let start = fs::canonicalize(start).map_err(LedgerError::io(IoOp::Open, start))?;
        let root = start
            .ancestors()
            .find(|dir| dir.join(LEDGER_FILE).is_file())
            .ok_or_else(|| LedgerError::NotALedger(start.clone()))?
            .to_path_buf();
        Self::open(root)
    }

    fn open(root: PathBuf) -> Result<Self, LedgerError> {
        let repo = Repository::discover(&root)?;
        let base = base_in_workdir(&repo, &root)?;
        let config_path = root.join(LEDGER_FILE);
        let config: LedgerConfig = read_toml(&root, Path::new(LEDGER_FILE))?;
        let runbook_rel = PathBuf::from(&config.runbook);
        let runbook_text = read_text(&root, &runbook_rel)?;
        let runbook: Runbook = parse_toml(&runbook_rel, &runbook_text)?;
        if let Some(problem) = runbook.problems().into_iter().next() {
            return Err(LedgerError::Invalid {
                path: runbook_rel,
                message: problem,
            });
        }
        if let Some(problem) = config
            .problems(&runbook.severity_names())
            .into_iter()
            .next()
        {
            return Err(LedgerError::Invalid {
                path: config_path
                    .strip_prefix(&root)
                    .unwrap_or(&config_path)
                    .to_path_buf(),
                message: problem,
            });
        }
        // The runbook's blob id, shortened as a commit id is.
        let runbook_version =
            git::commit_id(Oid::hash_object(ObjectType::Blob, runbook_text.as_bytes())?)
                .short()
                .to_owned();
        Ok(Self {
            root,
            repo,
            base,
            config,
            runbook,
            runbook_version,
            failpoint: None,
            keys: None,
            committer: None,
        })
    }

    /// Creates a ledger in `dir`, running `git init` first where `dir` is not
    /// inside a repository, and commits the set-up as one commit.
    pub(crate) fn init(dir: &Path, author: &Author) -> Result<Initialized, LedgerError> {
        fs::create_dir_all(dir).map_err(LedgerError::io(IoOp::Create, dir))?;
        let root = fs::canonicalize(dir).map_err(LedgerError::io(IoOp::Open, dir))?;
        if root.join(LEDGER_FILE).exists() {
            return Err(LedgerError::AlreadyALedger(root));
        }
        let created_repository = Repository::discover(&root).is_err();
        if created_repository {
            git::git_output(&root, &["init", "--quiet"])?;
        }
        let repo = Repository::discover(&root)?;
        let base = base_in_workdir(&repo, &root)?;
        let files: Vec<(PathBuf, Vec<u8>)> = vec![
            (LEDGER_FILE.into(), config::DEFAULT_LEDGER.into()),
            ("runbook.toml".into(), DEFAULT_RUNBOOK.into()),
            (".gitattributes".into(), driver::ATTRIBUTES.into()),
            (format!("{INCIDENTS_DIR}/.gitkeep").into(), Vec::new()),
            (
                "schema/incident.schema.json".into(),
                schema::incident().into_bytes(),
            ),
            (
                "schema/ledger.schema.json".into(),
                schema::ledger().into_bytes(),
            ),
            (
                "schema/runbook.schema.json".into(),
                schema::runbook().into_bytes(),
            ),
        ];
        let _lock = git::lock(&repo, LOCK_WAIT)?;
        intent::finish_interrupted(&repo)?;
        let (branch, tip) = git::head_branch(&repo)?;
        let in_repo: Vec<(PathBuf, Vec<u8>)> = files
            .iter()
            .map(|(p, b)| (base.join(p), b.clone()))
            .collect();
        let tree = git::tree_with_files(&repo, tip, &in_repo)?;
        let message = message::init_message(&base);
        let commit = git::commit_object(&repo, tip, tree, &message, author, author)?;
        // The files, their index entries, then the branch, as a change is
        // written (see `intent`); ledger.toml last, so that an `init` killed
        // half-way can be run again.
        let mut staged = Vec::new();
        for ((path, bytes), (repo_path, _)) in files.iter().zip(&in_repo).rev() {
            let file = root.join(path);
            let worktree = git::worktree_bytes(&repo, repo_path, bytes);
            git::write_worktree_file(&repo, &file, &worktree)?;
            staged.push(Staged {
                path: repo_path.clone(),
                blob: Some(Oid::hash_object(ObjectType::Blob, bytes)?),
                file: Some(file),
            });
        }
        git::stage(&repo, &staged, |_| {})?;
        if git::move_branch(&repo, &branch, tip, commit, author, &message, |_| {})? != Moved::Done {
            return Err(LedgerError::Contended(1));
        }
        Ok(Initialized {
            root,
            commit: git::commit_id(commit),
            created_repository,
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The settings that the domain's rules consult.
    pub(crate) fn settings(&self) -> Settings {
        Settings {
            severities: self.runbook.severity_names(),
            services: self.config.services.clone(),
            review_required: self.config.review_required.clone(),
        }
    }

    /// Sets who runs the command, the committer of every change.
    pub(crate) fn with_committer(mut self, committer: Option<Identity>) -> Self {
        self.committer = committer;
        self
    }

    /// Stops every write dead at the named point (`before-write`,
    /// `after-write`, `after-index`, `index-locked`, `ref-locked`,
    /// `after-commit`): how the tests crash a change half-way.
    pub(crate) fn with_failpoint(mut self, point: Option<String>) -> Self {
        self.failpoint = point;
        self
    }

    /// Where the keys of new entries come from: ids unique across clones,
    /// which the domain cannot make (no clock, no randomness). Without it,
    /// new entries go without a key and merge by their content.
    pub(crate) fn with_keys(mut self, keys: KeySource) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Parses an id typed by a user, with the ledger's prefix for a bare number.
    pub(crate) fn parse_id(&self, text: &str) -> Result<IncidentId, LedgerError> {
        IncidentId::parse(text, &self.config.prefix).map_err(LedgerError::BadId)
    }

    /// The repository, for the history readers of this module.
    pub(crate) fn repo(&self) -> &Repository {
        &self.repo
    }

    /// The ledger's folder relative to the repository's working tree.
    pub(crate) fn base(&self) -> &Path {
        &self.base
    }

    /// The repository's working tree, where git commands run.
    fn workdir(&self) -> &Path {
        self.repo().workdir().unwrap_or_else(|| self.root())
    }

    /// Runs a git command in the working tree; its standard output.
    fn git(&self, args: &[&str]) -> Result<String, LedgerError> {
        git::git_output(self.workdir(), args)
    }

    /// Runs a git command whose format ends each of its `fields` fields
    /// with `%x00`, handing each record to `each` as it streams in, every
    /// field bounded ([`git::log`]).
    fn git_records(
        &self,
        args: &[&str],
        fields: usize,
        each: impl FnMut(&[String]),
    ) -> Result<(), LedgerError> {
        git::log::each_record(self.workdir(), args, fields, each)
    }
}

/// The ledger's folder relative to the repository's working tree; a bare
/// repository has none, and cannot hold a ledger.
fn base_in_workdir(repo: &Repository, root: &Path) -> Result<PathBuf, LedgerError> {
    let workdir = repo.workdir().ok_or_else(|| LedgerError::Invalid {
        path: root.to_path_buf(),
        message: "the repository is bare; a ledger needs a clone with a working tree".into(),
    })?;
    let workdir = fs::canonicalize(workdir).map_err(LedgerError::io(IoOp::Open, workdir))?;
    Ok(root
        .strip_prefix(&workdir)
        .unwrap_or(Path::new(""))
        .to_path_buf())
}
