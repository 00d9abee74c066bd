//! The one place that reads the environment, the clock and the identity.
//!
//! Tests fix the clock with `GIT_INCIDENT_NOW` (RFC 3339), so commit ids in
//! their snapshots are stable.

use std::ffi::OsString;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, Offset, SubsecRound as _, TimeZone as _, Utc};

use crate::domain::when::{self, TimeError, parse_time};
use crate::domain::{Actor, Identity};
use crate::error::CliError;
use crate::ledger::Ledger;

/// Global options and what the environment says.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// `-C`, else `GIT_INCIDENT_DIR`, else the working directory.
    pub dir: PathBuf,
    pub now: DateTime<Utc>,
    pub local: FixedOffset,
    /// `--as`.
    pub act_as: Option<String>,
    /// `--at`.
    pub at: Option<String>,
    pub json: bool,
    pub color: bool,
    /// `--no-pager`.
    no_pager: bool,
    pub stdin_is_terminal: bool,
    pub stdout_is_terminal: bool,
    /// `GIT_INCIDENT_NOW` was set: runs are reproducible.
    pub fixed_clock: bool,
    env_author: (Option<String>, Option<String>),
    env_committer: (Option<String>, Option<String>),
    /// `GIT_EDITOR`, `VISUAL` (unless the terminal is dumb, as git reads
    /// it) and `EDITOR`: with `core.editor`, what [`Context::editor`]
    /// resolves.
    env_editor: [Option<String>; 3],
    /// `GIT_INCIDENT_FAILPOINT`: where the tests stop a write dead.
    failpoint: Option<String>,
    /// `GIT_INDEX_FILE`, as git sets it for a hook of `git commit -a`: the
    /// index the commit is staged in.
    pub index_file: Option<PathBuf>,
}

/// The global options that reach the context.
#[derive(Debug, Clone, Default)]
pub(crate) struct GlobalArgs {
    pub dir: Option<PathBuf>,
    pub act_as: Option<String>,
    pub at: Option<String>,
    pub json: bool,
    pub quiet: bool,
    pub no_color: bool,
    pub no_pager: bool,
}

fn env(name: &str) -> Option<String> {
    #[allow(clippy::disallowed_methods)]
    std::env::var_os(name)
        .and_then(|v: OsString| v.into_string().ok())
        .filter(|v| !v.is_empty())
}

impl Context {
    /// Reads the environment once, at start-up.
    pub(crate) fn from_env(args: GlobalArgs) -> Result<Self, CliError> {
        #[allow(clippy::disallowed_methods)]
        let cwd = std::env::current_dir()
            .map_err(|e| CliError::usage(format!("cannot read the working directory: {e}")))?;
        let dir = args
            .dir
            .or_else(|| env("GIT_INCIDENT_DIR").map(PathBuf::from))
            .map_or(cwd.clone(), |d| cwd.join(d));
        // Git records whole seconds; so does the ledger.
        let (now, fixed_clock) = match env("GIT_INCIDENT_NOW") {
            Some(text) => (
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| e.to_string())
                    .and_then(|t| {
                        when::in_range(t)
                            .then_some(t)
                            .ok_or_else(|| "outside the years 1970 to 9999".to_owned())
                    })
                    .map_err(|e| CliError::usage(format!("GIT_INCIDENT_NOW=`{text}`: {e}")))?,
                true,
            ),
            #[allow(clippy::disallowed_methods)]
            None => (Utc::now(), false),
        };
        let now = now.trunc_subsecs(0);
        #[allow(clippy::disallowed_methods)]
        let local = Local::now().offset().fix();
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let color = !args.no_color && env("NO_COLOR").is_none();
        Ok(Self {
            dir,
            now,
            local,
            act_as: args.act_as,
            at: args.at,
            json: args.json,
            color,
            no_pager: args.no_pager,
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stdout_is_terminal,
            fixed_clock,
            env_author: (env("GIT_AUTHOR_NAME"), env("GIT_AUTHOR_EMAIL")),
            env_committer: (env("GIT_COMMITTER_NAME"), env("GIT_COMMITTER_EMAIL")),
            env_editor: [
                env("GIT_EDITOR"),
                env("VISUAL").filter(|_| env("TERM").as_deref() != Some("dumb")),
                env("EDITOR"),
            ],
            failpoint: env("GIT_INCIDENT_FAILPOINT"),
            index_file: env("GIT_INDEX_FILE").map(|f| cwd.join(f)),
        })
    }

    /// The terminal's width in columns, when stdout is a terminal: what the
    /// views fit their lines to. `None` when piped, so nothing is cut.
    pub(crate) fn terminal_width(&self) -> Option<usize> {
        if !self.stdout_is_terminal {
            return None;
        }
        console::Term::stdout()
            .size_checked()
            .map(|(_, w)| usize::from(w))
    }

    /// The ledger at or above the chosen folder.
    pub(crate) fn ledger(&self) -> Result<Ledger, CliError> {
        let keys = self.clone();
        Ok(Ledger::find(&self.dir)?
            .with_failpoint(self.failpoint.clone())
            .with_committer(self.committer())
            .with_keys(Box::new(move |seed| keys.new_uid(seed))))
    }

    /// The pager for a long view, where one applies: stdout is a
    /// terminal, no `--json`, no `--no-pager` (see [`crate::ui::pager`]).
    /// With it, the names of `LESS` and `LV` that are not set.
    pub(crate) fn pager(&self) -> Option<(String, Vec<&'static str>)> {
        if !self.stdout_is_terminal || self.json || self.no_pager {
            return None;
        }
        let core_pager = git2::Repository::discover(&self.dir)
            .and_then(|r| r.config())
            .or_else(|_| git2::Config::open_default())
            .ok()
            .and_then(|c| c.get_string("core.pager").ok());
        let unset = ["LESS", "LV"]
            .into_iter()
            .filter(|v| env(v).is_none())
            .collect();
        crate::ui::pager::resolve(env, core_pager).map(|pager| (pager, unset))
    }

    /// Who acts: `--as` (where `me` is the configured identity, as in
    /// `lead me`), else GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else git's
    /// `user.name`/`user.email`, as git itself decides.
    pub(crate) fn identity(&self) -> Result<Identity, CliError> {
        if let Some(who) = self
            .act_as
            .as_ref()
            .filter(|w| !w.trim().eq_ignore_ascii_case("me"))
        {
            return Identity::parse(who).map_err(|e| CliError::usage(format!("--as: {e}")));
        }
        self.configured(&self.env_author).ok_or_else(|| {
            CliError::usage("who are you? No identity is configured")
                .with_hint("run `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`, or pass --as \"Name <email>\"")
        })
    }

    /// Who runs the command, the committer of every change whoever `--as`
    /// names: GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL, else git's
    /// `user.name`/`user.email`, as git decides. `None` where neither is
    /// set: the author commits.
    pub(crate) fn committer(&self) -> Option<Identity> {
        self.configured(&self.env_committer)
    }

    /// An identity from the environment pair `env`, else git's config.
    fn configured(&self, env: &(Option<String>, Option<String>)) -> Option<Identity> {
        let name = env.0.clone().or_else(|| self.git_config("user.name"))?;
        let email = env.1.clone().or_else(|| self.git_config("user.email"))?;
        Some(Identity::new(&name, &email))
    }

    /// A value of git's config, as the repository at hand sees it.
    fn git_config(&self, key: &str) -> Option<String> {
        git2::Repository::discover(&self.dir)
            .and_then(|r| r.config())
            .or_else(|_| git2::Config::open_default())
            .ok()?
            .get_string(key)
            .ok()
            .filter(|v| !v.trim().is_empty())
    }

    /// The editor git would open, in git's order: `GIT_EDITOR`,
    /// `core.editor`, `VISUAL`, `EDITOR`. `None` where none is set: git
    /// would fall back to `vi` in silence; the tool asks first.
    pub(crate) fn editor(&self) -> Option<String> {
        let [git_editor, visual, editor] = &self.env_editor;
        git_editor
            .clone()
            .or_else(|| self.git_config("core.editor"))
            .or_else(|| visual.clone())
            .or_else(|| editor.clone())
    }

    /// The time now, read again: a guided response lasts long enough that
    /// the start-up time would be wrong for its later answers. Under a fixed
    /// clock it is the fixed time.
    pub(crate) fn tick(&self) -> DateTime<Utc> {
        if self.fixed_clock {
            return self.now;
        }
        #[allow(clippy::disallowed_methods)]
        Utc::now().trunc_subsecs(0)
    }

    /// Reads a time as a responder types it, local times in the local zone
    /// (`TZ`) with the offset of their own day.
    pub(crate) fn parse_time(&self, what: &str, text: &str) -> Result<DateTime<Utc>, CliError> {
        parse_time(text, self.now, Local)
            .map_err(|e| CliError::usage(format!("{what}: {e}")).with_hint(e.hint()))
    }

    /// Whether `text` reads as a time, but one outside the years 1970 to
    /// 9999 the ledger accepts.
    pub(crate) fn time_out_of_range(&self, text: &str) -> bool {
        matches!(
            parse_time(text, self.now, Local),
            Err(TimeError::OutOfRange(_))
        )
    }

    /// The local zone's offset at `t` (daylight saving included).
    pub(crate) fn local_offset(&self, t: DateTime<Utc>) -> FixedOffset {
        Local.offset_from_utc_datetime(&t.naive_utc()).fix()
    }

    /// Who acts, when, and whether rules are overridden.
    pub(crate) fn actor(&self, force: Option<String>) -> Result<Actor, CliError> {
        let by = self.identity()?;
        let at = match &self.at {
            Some(text) => self.parse_time("--at", text)?,
            None => self.now,
        };
        Ok(Actor {
            by,
            now: self.now,
            at,
            force,
        })
    }

    /// The merge driver's command line for git's config: this program by
    /// its full path, so that git finds it whatever its `PATH`.
    pub(crate) fn driver_command(&self) -> String {
        let exe = self.exe();
        format!("'{}' merge-driver %O %A %B %P", exe.replace('\'', r"'\''"))
    }

    /// This program's path, for what git runs later (the merge driver, the
    /// pre-commit hook); `git-incident` on the PATH where it is unknown.
    pub(crate) fn exe(&self) -> String {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.to_str().map(str::to_owned))
            .unwrap_or_else(|| "git-incident".into())
    }

    /// A new ULID: the time in milliseconds, then 80 random bits (fixed by
    /// the seed under a fixed clock, so tests are reproducible).
    pub(crate) fn new_uid(&self, seed: &str) -> String {
        let random = |salt: u64| -> u64 {
            let mut h = if self.fixed_clock {
                std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default(
                )
                .build_hasher()
            } else {
                std::collections::hash_map::RandomState::new().build_hasher()
            };
            (seed, salt, self.now.timestamp_nanos_opt()).hash(&mut h);
            h.finish()
        };
        let millis = u128::try_from(self.now.timestamp_millis()).unwrap_or(0) & ((1 << 48) - 1);
        let bits = (millis << 80) | (u128::from(random(1)) << 16) | u128::from(random(2) & 0xffff);
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        (0..26)
            .rev()
            .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
            .collect()
    }
}
