//! The ledger on disk: the only code that touches git2 and the files.
//!
//! It opens or creates a ledger, reads incidents, and applies one change as
//! one atomic file write plus one commit that contains that file and nothing
//! else. It never prompts and never prints.

pub mod cleanup;
pub mod config;
pub mod driver;
pub mod edit;
pub mod error;
pub mod git;
pub mod history;
mod intent;
mod journal;
mod message;
pub mod metrics;
pub mod records;
pub mod schema;
pub mod summary;
mod worktree;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{ObjectType, Oid, Repository};

use self::git::{Moved, OneFileCommit, Staged};
use self::intent::{Intent, failpoint, worktree_blob};
use crate::domain::change::{Declaration, check_milestones};
use crate::domain::merge::keys::assign_new_keys;
use crate::domain::{Actor, Applied, Change, CommitId, Identity, Incident, IncidentId, Settings};
use crate::runbook::model::{DEFAULT_RUNBOOK, Runbook};

pub use config::LedgerConfig;
pub use error::{LedgerError, ParseError};
pub use git::Author;

/// The ledger's settings file, whose folder is the ledger's root.
pub const LEDGER_FILE: &str = "ledger.toml";
/// Where incident files live, one folder per year.
pub const INCIDENTS_DIR: &str = "incidents";
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
    pub config: LedgerConfig,
    pub runbook: Runbook,
    /// The blob id of the runbook file, abbreviated.
    pub runbook_version: String,
    /// Where a write stops dead, for the crash tests (see `intent`).
    failpoint: Option<String>,
    /// Makes the key of a new entry from a seed (see `with_keys`).
    keys: Option<KeySource>,
    /// Who runs the command: the committer of every change, whoever `--as`
    /// names as its author. `None`: the author.
    committer: Option<Identity>,
}

/// Makes an entry key from a seed.
pub type KeySource = Box<dyn Fn(&str) -> String>;

/// An incident as stored: its parsed value, its path and its text.
#[derive(Debug, Clone)]
pub struct Stored {
    pub incident: Incident,
    /// Relative to the ledger's root, such as `incidents/2026/INC-42.toml`.
    pub path: PathBuf,
    pub text: String,
}

/// A change that was committed.
#[derive(Debug, Clone)]
pub struct Committed {
    pub id: String,
    pub path: PathBuf,
    pub commit: CommitId,
    pub applied: Applied,
    pub incident: Incident,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct Initialized {
    pub root: PathBuf,
    pub commit: CommitId,
    pub created_repository: bool,
}

impl Ledger {
    /// Finds the ledger in `start` or the nearest parent folder holding
    /// `ledger.toml`.
    pub fn find(start: &Path) -> Result<Self, LedgerError> {
        let start = fs::canonicalize(start).map_err(LedgerError::io("cannot open", start))?;
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
    pub fn init(dir: &Path, author: &Author) -> Result<Initialized, LedgerError> {
        fs::create_dir_all(dir).map_err(LedgerError::io("cannot create", dir))?;
        let root = fs::canonicalize(dir).map_err(LedgerError::io("cannot open", dir))?;
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

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings that the domain's rules consult.
    pub fn settings(&self) -> Settings {
        Settings {
            severities: self.runbook.severity_names(),
            services: self.config.services.clone(),
            review_required: self.config.review_required.clone(),
        }
    }

    /// Sets who runs the command, the committer of every change.
    pub fn with_committer(mut self, committer: Option<Identity>) -> Self {
        self.committer = committer;
        self
    }

    /// Stops every write dead at the named point (`before-write`,
    /// `after-write`, `after-index`, `index-locked`, `ref-locked`,
    /// `after-commit`): how the tests crash a change half-way.
    pub fn with_failpoint(mut self, point: Option<String>) -> Self {
        self.failpoint = point;
        self
    }

    /// Where the keys of new entries come from: ids unique across clones,
    /// which the domain cannot make (no clock, no randomness). Without it,
    /// new entries go without a key and merge by their content.
    pub fn with_keys(mut self, keys: KeySource) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Parses an id typed by a user, with the ledger's prefix for a bare number.
    pub fn parse_id(&self, text: &str) -> Result<IncidentId, LedgerError> {
        IncidentId::parse(text, &self.config.prefix).map_err(LedgerError::BadId)
    }

    /// The year folders, oldest first.
    fn year_dirs(&self) -> Result<Vec<PathBuf>, LedgerError> {
        let dir = self.root.join(INCIDENTS_DIR);
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut years: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| PathBuf::from(INCIDENTS_DIR).join(e.file_name()))
            .collect();
        years.sort();
        Ok(years)
    }

    /// The path of an incident's file, relative to the ledger's root.
    pub fn find_path(&self, id: &IncidentId) -> Result<PathBuf, LedgerError> {
        let name = format!("{id}.toml");
        for year in self.year_dirs()?.into_iter().rev() {
            let path = year.join(&name);
            if self.root.join(&path).is_file() {
                return Ok(path);
            }
        }
        Err(LedgerError::UnknownIncident {
            id: id.to_string(),
            hint: Some("`git incident list` shows the incidents in this ledger".into()),
        })
    }

    /// Reads one incident from the working tree.
    pub fn load(&self, id: &IncidentId) -> Result<Stored, LedgerError> {
        let path = self.find_path(id)?;
        let text = read_text(&self.root, &path)?;
        let incident = parse_incident(&path, &text)?;
        Ok(Stored {
            incident,
            path,
            text,
        })
    }

    /// The paths of every incident file, oldest year first.
    pub fn incident_paths(&self) -> Result<Vec<PathBuf>, LedgerError> {
        let mut paths = Vec::new();
        for year in self.year_dirs()? {
            let dir = self.root.join(&year);
            let entries = fs::read_dir(&dir).map_err(LedgerError::io("cannot read", &dir))?;
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                if name.to_str().is_some_and(|n| n.ends_with(".toml")) {
                    paths.push(year.join(name));
                }
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Reads every incident; a file that cannot be read is an error in its
    /// place, so one bad file does not hide the others.
    pub fn load_all(&self) -> Result<Vec<Result<Stored, LedgerError>>, LedgerError> {
        Ok(self.load_paths(self.incident_paths()?))
    }

    /// Reads the incident files at `paths` (relative to the ledger's root),
    /// each a result of its own, in the same order.
    pub fn load_paths(&self, paths: Vec<PathBuf>) -> Vec<Result<Stored, LedgerError>> {
        let root = self.root.as_path();
        in_parallel(paths, |path| {
            let text = read_text(root, &path)?;
            let incident = parse_incident(&path, &text)?;
            Ok(Stored {
                incident,
                path,
                text,
            })
        })
    }

    /// Resolves a point in history: a revision as git reads it (`HEAD~3`,
    /// a commit id, a tag), else `time`, the last commit on the current
    /// branch made at or before it.
    pub fn resolve_point(
        &self,
        text: &str,
        time: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<CommitId, LedgerError> {
        if let Ok(object) = self.repo.revparse_single(text)
            && let Ok(commit) = object.peel_to_commit()
        {
            return Ok(git::commit_id(commit.id()));
        }
        let Some(time) = time else {
            return Err(LedgerError::UnknownRevision(text.to_owned()));
        };
        // git's own walk reads the commit-graph, so this stays quick on a
        // ledger of a million commits; libgit2 would parse every commit.
        let out = git::git_output(
            self.repo.workdir().unwrap_or(&self.root),
            &[
                "rev-list",
                "-1",
                "--first-parent",
                &format!("--min-age={}", time.timestamp()),
                "HEAD",
                "--",
            ],
        )?;
        match out.trim() {
            "" => Err(LedgerError::BeforeHistory {
                text: text.to_owned(),
                time,
            }),
            sha => Ok(git::commit_id(Oid::from_str(sha)?)),
        }
    }

    /// The tree of the ledger's folder in `commit`, if it has one.
    fn ledger_tree(&self, commit: Oid) -> Result<Option<git2::Tree<'_>>, LedgerError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        if self.base.as_os_str().is_empty() {
            return Ok(Some(tree));
        }
        match tree.get_path(&self.base) {
            Ok(entry) => Ok(Some(self.repo.find_tree(entry.id())?)),
            Err(_) => Ok(None),
        }
    }

    /// Reads every incident as committed in `commit`.
    pub fn load_all_at(
        &self,
        commit: Oid,
    ) -> Result<Vec<Result<Stored, LedgerError>>, LedgerError> {
        // libgit2's repository is not shared across threads: read the blobs
        // here, parse them (the costly part) in parallel.
        let texts: Vec<(PathBuf, Result<String, LedgerError>)> = self
            .incident_blobs_at(commit)?
            .into_iter()
            .map(|(path, blob)| {
                let text = self.blob_text(&path, blob);
                (path, text)
            })
            .collect();
        Ok(in_parallel(texts, |(path, text)| {
            let text = text?;
            Ok(Stored {
                incident: parse_incident(&path, &text)?,
                path,
                text,
            })
        }))
    }

    /// The incident files of `commit`: paths relative to the ledger's root
    /// and their blob ids.
    pub fn incident_blobs_at(&self, commit: Oid) -> Result<Vec<(PathBuf, Oid)>, LedgerError> {
        let Some(tree) = self.ledger_tree(commit)? else {
            return Ok(Vec::new());
        };
        let Some(entry) = tree.get_name(INCIDENTS_DIR) else {
            return Ok(Vec::new());
        };
        let incidents = self.repo.find_tree(entry.id())?;
        let mut found = Vec::new();
        for year in incidents
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
        {
            let year_name = year.name().unwrap_or_default().to_owned();
            for file in self.repo.find_tree(year.id())?.iter() {
                let Ok(name) = file.name() else { continue };
                if name.ends_with(".toml") && file.kind() == Some(ObjectType::Blob) {
                    found.push((
                        PathBuf::from(INCIDENTS_DIR).join(&year_name).join(name),
                        file.id(),
                    ));
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Reads a committed incident file.
    pub fn read_blob(&self, path: &Path, blob: Oid) -> Result<Stored, LedgerError> {
        let text = self.blob_text(path, blob)?;
        let incident = parse_incident(path, &text)?;
        Ok(Stored {
            incident,
            path: path.to_path_buf(),
            text,
        })
    }

    fn blob_text(&self, path: &Path, blob: Oid) -> Result<String, LedgerError> {
        let blob = self.repo.find_blob(blob)?;
        String::from_utf8(blob.content().to_vec()).map_err(|_| LedgerError::Invalid {
            path: path.to_path_buf(),
            message: "the file is not valid UTF-8".into(),
        })
    }

    /// The repository, for the history readers of this module.
    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// The ledger's folder relative to the repository's working tree.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Declares a new incident under the next free id: one commit.
    pub fn declare(
        &self,
        declaration: Declaration,
        uid: String,
        actor: &Actor,
    ) -> Result<Committed, LedgerError> {
        let _lock = git::lock(&self.repo, LOCK_WAIT)?;
        intent::finish_interrupted(&self.repo)?;
        let first_step = self.runbook.steps.first().map(|s| s.id.clone());
        for _ in 0..MAX_ATTEMPTS {
            let (branch, tip) = git::head_branch(&self.repo)?;
            let number = self.next_number(tip)?;
            let id = IncidentId::new(&self.config.prefix, number).to_string();
            let (incident, applied) = declaration.clone().into_incident(
                id.clone(),
                uid.clone(),
                Some(self.runbook_version.clone()),
                first_step.clone(),
                actor,
                &self.settings(),
            )?;
            let year = incident.declared_at.format("%Y").to_string();
            let path = PathBuf::from(INCIDENTS_DIR)
                .join(year)
                .join(format!("{id}.toml"));
            let text = edit::render(None, &incident);
            if let Some(committed) =
                self.commit(&branch, tip, &path, &text, &incident, applied, actor)?
            {
                return Ok(committed);
            }
        }
        Err(LedgerError::Contended(MAX_ATTEMPTS))
    }

    /// The next free incident number: one past the highest in HEAD or in the
    /// working tree.
    fn next_number(&self, tip: Option<Oid>) -> Result<u64, LedgerError> {
        let prefix = format!("{}-", self.config.prefix);
        let number = |name: &str| -> Option<u64> {
            name.strip_suffix(".toml")?
                .strip_prefix(&prefix)?
                .parse()
                .ok()
        };
        let mut max = 0;
        for path in self.incident_paths()? {
            if let Some(n) = path.file_name().and_then(|n| n.to_str()).and_then(number) {
                max = max.max(n);
            }
        }
        if let Some(tip) = tip {
            let tree = self.repo.find_commit(tip)?.tree()?;
            if let Ok(entry) = tree.get_path(&self.base.join(INCIDENTS_DIR)) {
                let incidents = self.repo.find_tree(entry.id())?;
                for year in incidents
                    .iter()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                {
                    for file in self.repo.find_tree(year.id())?.iter() {
                        if let Some(n) = file.name().ok().and_then(number) {
                            max = max.max(n);
                        }
                    }
                }
            }
        }
        Ok(max + 1)
    }

    /// Applies one change to one incident: one commit.
    pub fn apply(
        &self,
        id: &IncidentId,
        change: &Change,
        actor: &Actor,
    ) -> Result<Committed, LedgerError> {
        let _lock = git::lock(&self.repo, LOCK_WAIT)?;
        intent::finish_interrupted(&self.repo)?;
        if let Change::Duplicate { of } = change {
            let of = self.parse_id(of)?;
            self.find_path(&of)?;
        }
        for _ in 0..MAX_ATTEMPTS {
            let (branch, tip) = git::head_branch(&self.repo)?;
            let path = self.find_path(id)?;
            let repo_path = self.base.join(&path);
            let bytes =
                fs::read(self.root.join(&path)).map_err(LedgerError::io("cannot read", &path))?;
            let committed = git::blob_at(&self.repo, tip, &repo_path)?;
            let on_disk = worktree_blob(&bytes, &committed.into_iter().collect::<Vec<_>>())?;
            let staged = git::index_entry(&self.repo, &repo_path)?;
            let Some(committed) = committed.filter(|c| *c == on_disk && staged == Some(*c)) else {
                return Err(LedgerError::Uncommitted(path));
            };
            // The committed text: the working file may be its CRLF checkout.
            let text = self.blob_text(&path, committed)?;
            let mut incident = parse_incident(&path, &text)?;
            let before = incident.clone();
            let applied = change.apply(&mut incident, actor, &self.settings())?;
            if let Some(keys) = &self.keys {
                assign_new_keys(&before, &mut incident, keys);
            }
            let new_text = edit::render(Some(&text), &incident);
            if let Some(committed) =
                self.commit(&branch, tip, &path, &new_text, &incident, applied, actor)?
            {
                return Ok(committed);
            }
        }
        Err(LedgerError::Contended(MAX_ATTEMPTS))
    }

    /// Writes `text` at `path` and commits it: the working file, its index
    /// entry, then the branch (see `intent` for why in this order). Returns
    /// `None` when the incident changed meanwhile and the caller must retry.
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        branch: &str,
        tip: Option<Oid>,
        path: &Path,
        text: &str,
        incident: &Incident,
        applied: Applied,
        actor: &Actor,
    ) -> Result<Option<Committed>, LedgerError> {
        // What we write must read back: never commit a file the next command
        // would refuse.
        parse_incident(path, text)?;
        let message = message::commit_message(&incident.id, &applied);
        let author = Author {
            name: actor.by.name.clone(),
            email: actor.by.email.clone(),
            time: actor.now.timestamp(),
        };
        let committer = self.committer.as_ref().map_or_else(
            || author.clone(),
            |who| Author {
                name: who.name.clone(),
                email: who.email.clone(),
                time: actor.now.timestamp(),
            },
        );
        let repo_path = self.base.join(path);
        let file = self.root.join(path);
        git::wait_for_locks(&self.repo, branch)?;
        let old = git::blob_at(&self.repo, tip, &repo_path)?;
        let new = self.repo.blob(text.as_bytes())?;
        let change = OneFileCommit {
            path: &repo_path,
            blob: new,
            message: &message,
            author: &author,
            committer: &committer,
        };
        // Made (and signed) before anything is written: a signing failure
        // leaves everything as it was.
        let commit = git::one_file_commit(&self.repo, tip, &change)?;
        Intent {
            path: repo_path.clone(),
            old,
            new,
        }
        .record(&self.repo)?;
        let stop = |point: &str| failpoint(self.failpoint.as_deref(), point);
        stop("before-write");
        let written = (|| -> Result<Option<Oid>, LedgerError> {
            let bytes = git::worktree_bytes(&self.repo, &repo_path, text.as_bytes());
            git::write_worktree_file(&self.repo, &file, &bytes)?;
            stop("after-write");
            let staged = Staged {
                path: repo_path.clone(),
                blob: Some(new),
                file: Some(file.clone()),
            };
            git::stage(&self.repo, &[staged], stop)?;
            stop("after-index");
            let (mut parent, mut commit) = (tip, commit);
            for _ in 0..MAX_ATTEMPTS {
                let moved = git::move_branch(
                    &self.repo, branch, parent, commit, &committer, &message, stop,
                )?;
                let Moved::Elsewhere(current) = moved else {
                    return Ok(Some(commit));
                };
                // A plain `git commit` moved the branch meanwhile.
                let there = git::blob_at(&self.repo, current, &repo_path)?;
                if there == Some(new) {
                    // It committed this very change (`commit -a`): recorded,
                    // and not to be recorded twice.
                    return Ok(current);
                }
                if there != old {
                    return Ok(None);
                }
                parent = current;
                commit = git::one_file_commit(&self.repo, parent, &change)?;
            }
            Err(LedgerError::Contended(MAX_ATTEMPTS))
        })();
        let commit = match written {
            Ok(Some(commit)) => commit,
            Ok(None) => {
                intent::finish_interrupted(&self.repo)?;
                return Ok(None);
            }
            Err(e) => {
                // Put the file and its entry back as the branch has them.
                let _ = intent::finish_interrupted(&self.repo);
                return Err(e);
            }
        };
        stop("after-commit");
        Intent::clear(&self.repo);
        if let Some(workdir) = self.repo.workdir() {
            git::auto_maintenance(workdir);
        }
        Ok(Some(Committed {
            id: incident.id.clone(),
            path: path.to_path_buf(),
            commit: git::commit_id(commit),
            applied,
            incident: incident.clone(),
        }))
    }
}

/// The ledger's folder relative to the repository's working tree; a bare
/// repository has none, and cannot hold a ledger.
fn base_in_workdir(repo: &Repository, root: &Path) -> Result<PathBuf, LedgerError> {
    let workdir = repo.workdir().ok_or_else(|| LedgerError::Invalid {
        path: root.to_path_buf(),
        message: "the repository is bare; a ledger needs a clone with a working tree".into(),
    })?;
    let workdir = fs::canonicalize(workdir).map_err(LedgerError::io("cannot open", workdir))?;
    Ok(root
        .strip_prefix(&workdir)
        .unwrap_or(Path::new(""))
        .to_path_buf())
}

/// `f` over `items` on up to 8 threads, in order; below a few hundred items
/// the threads would cost more than they save.
pub(crate) fn in_parallel<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    if items.len() < 256 || workers < 2 {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    let mut parts = Vec::with_capacity(workers);
    let mut items = items.into_iter();
    loop {
        let part: Vec<T> = items.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a reader thread does not panic"))
            .collect()
    })
}

fn read_text(root: &Path, path: &Path) -> Result<String, LedgerError> {
    let bytes = fs::read(root.join(path)).map_err(LedgerError::io("cannot read", path))?;
    text_of(path, bytes)
}

/// The file's bytes as text, or where the first byte that is not UTF-8 sits.
fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, LedgerError> {
    String::from_utf8(bytes).map_err(|e| {
        let (line, column, source_line) = error::locate(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        LedgerError::from(ParseError {
            path: path.to_path_buf(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
            source_line,
            width: 1,
        })
    })
}

fn read_toml<T: serde::de::DeserializeOwned>(root: &Path, path: &Path) -> Result<T, LedgerError> {
    let text = read_text(root, path)?;
    parse_toml(path, &text)
}

/// Parses a TOML file, refusing unresolved merge conflicts first.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, LedgerError> {
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            return Err(LedgerError::ConflictMarkers {
                path: path.to_path_buf(),
                line: i + 1,
            });
        }
    }
    toml::from_str(text).map_err(|e| ParseError::from_toml(path.to_path_buf(), text, &e).into())
}

/// Parses an incident file and checks what the types cannot: the id matches
/// the file name, the milestones are in order.
pub fn parse_incident(path: &Path, text: &str) -> Result<Incident, LedgerError> {
    let incident: Incident = parse_toml(path, text)?;
    let invalid = |message: String| LedgerError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != incident.id {
        return Err(invalid(format!(
            "the file holds id `{}` but is named {stem}.toml",
            incident.id
        )));
    }
    check_milestones(&incident).map_err(|e| invalid(e.to_string()))?;
    Ok(incident)
}

/// Writes one of the tool's own files in the git directory (a cache, a
/// write intent): a temporary file renamed over the old one, so a reader
/// sees the old content or the new, never half. Not flushed to the disk:
/// these guard against a process that dies, and are rebuilt when lost.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = fs::create_dir_all(dir)
        .and_then(|()| fs::write(&tmp, bytes))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// One of the tool's own JSON files in the git directory, if it is there and
/// reads as a `T`.
pub(crate) fn read_private_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// Writes one of the tool's own JSON files, best effort: these are caches,
/// and one that cannot be written only costs speed.
pub(crate) fn write_private_json<T: serde::Serialize>(path: &Path, value: &T) {
    if let Ok(bytes) = serde_json::to_vec(value) {
        let _ = write_private(path, &bytes);
    }
}

/// Writes a file atomically: a temporary file in the same folder, flushed,
/// then renamed over the old one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(LedgerError::io("cannot create", dir))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        LedgerError::io("cannot write", path)(e)
    })
}
