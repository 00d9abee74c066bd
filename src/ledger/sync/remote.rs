//! The remote side of `sync`: which remote, and `git fetch` and `git push`
//! through the system git, with what git said turned into an error a
//! responder can act on (offline, credentials refused, a hook's refusal).

use super::*;

impl Ledger {
    /// The remote to sync with.
    pub(super) fn pick_remote(
        &self,
        branch: &str,
        asked: Option<&str>,
    ) -> Result<String, LedgerError> {
        let remotes = self.repo.remotes()?;
        let names: Vec<&str> = remotes.iter().flatten().flatten().collect();
        if let Some(asked) = asked {
            return names
                .contains(&asked)
                .then(|| asked.to_owned())
                .ok_or_else(|| SyncError::NoRemote.into());
        }
        let configured = self
            .repo
            .config()
            .and_then(|c| c.get_string(&format!("branch.{branch}.remote")))
            .ok()
            .filter(|r| names.contains(&r.as_str()));
        configured
            .or_else(|| (names.len() == 1).then(|| names[0].to_owned()))
            .or_else(|| names.contains(&"origin").then(|| "origin".to_owned()))
            .ok_or_else(|| SyncError::NoRemote.into())
    }

    /// The branch on the remote: the upstream git's config names, else the
    /// same name as here.
    pub(super) fn upstream_branch(&self, branch: &str) -> String {
        self.repo
            .config()
            .and_then(|c| c.get_string(&format!("branch.{branch}.merge")))
            .ok()
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
            .unwrap_or_else(|| branch.to_owned())
    }

    /// Fetches the remote's branch into its tracking branch; its tip, or
    /// `None` where the remote does not have the branch yet.
    pub(super) fn fetch(
        &self,
        remote: &str,
        upstream: &str,
        tracking: &str,
        prompt: bool,
    ) -> Result<Option<Oid>, LedgerError> {
        let refspec = format!("+refs/heads/{upstream}:{tracking}");
        let run = git::git_remote(
            self.workdir(),
            &["fetch", "--quiet", "--no-tags", remote, &refspec],
            prompt,
        )?;
        if !run.success {
            if run.stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(classify(remote, &run.stderr, "fetch"));
        }
        Ok(Some(self.repo.refname_to_id(tracking)?))
    }

    /// Pushes HEAD to the remote's branch; false when a concurrent push got
    /// there first (fetch, merge and try again). Never forced.
    pub(super) fn push(
        &self,
        remote: &str,
        upstream: &str,
        prompt: bool,
    ) -> Result<bool, LedgerError> {
        let target = format!("HEAD:refs/heads/{upstream}");
        let run = git::git_remote(
            self.workdir(),
            &["push", "--porcelain", "--quiet", remote, &target],
            prompt,
        )?;
        if run.success {
            return Ok(true);
        }
        let all = format!("{}\n{}", run.stdout, run.stderr);
        // Lost to a concurrent push: before us (rejected here) or at the
        // same moment (the remote's ref lock).
        if all.contains("[rejected]")
            || all.contains("non-fast-forward")
            || all.contains("fetch first")
            || all.contains("cannot lock ref")
            || all.contains("failed to update ref")
        {
            return Ok(false);
        }
        if all.contains("[remote rejected]") || all.contains("hook declined") {
            return Err(SyncError::Rejected {
                remote: remote.to_owned(),
                message: remote_lines(&all),
            }
            .into());
        }
        Err(classify(remote, &run.stderr, "push"))
    }
}

/// git's `remote:` lines (what a hook said), else its whole message.
fn remote_lines(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .filter_map(|l| l.strip_prefix("remote:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        output.trim().to_owned()
    } else {
        lines.join("\n")
    }
}

/// Tells an unreachable remote and refused credentials from other failures.
fn classify(remote: &str, stderr: &str, what: &str) -> LedgerError {
    let lower = stderr.to_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    let message = stderr.to_owned();
    let remote = remote.to_owned();
    if any(&[
        "authentication failed",
        "permission denied",
        "terminal prompts disabled",
        "could not read username",
        "could not read password",
        "access denied",
        "http 401",
        "http 403",
        "the requested url returned error: 401",
        "the requested url returned error: 403",
    ]) {
        return SyncError::Auth { remote, message }.into();
    }
    if any(&[
        "could not resolve host",
        "connection refused",
        "network is unreachable",
        "no route to host",
        "connection timed out",
        "operation timed out",
        "failed to connect",
        "couldn't connect",
        "unable to connect",
        "could not read from remote repository",
        "does not appear to be a git repository",
        "unable to access",
        "connection reset",
    ]) {
        return SyncError::Offline { remote, message }.into();
    }
    LedgerError::GitCommand {
        command: what.to_owned(),
        stderr: message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_offline_from_refused_credentials() {
        let offline = classify(
            "origin",
            "fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused",
            "fetch",
        );
        assert!(matches!(
            offline,
            LedgerError::Sync(SyncError::Offline { .. })
        ));
        let auth = classify(
            "origin",
            "fatal: could not read Username for 'https://example.com': terminal prompts disabled",
            "fetch",
        );
        assert!(matches!(auth, LedgerError::Sync(SyncError::Auth { .. })));
        let other = classify("origin", "fatal: bad object", "fetch");
        assert!(matches!(other, LedgerError::GitCommand { .. }));
    }

    #[test]
    fn a_hook_message_is_what_the_remote_said() {
        let out = "To ../remote.git\n!\trefs/heads/main\t[remote rejected] (pre-receive hook declined)\nremote: INC-1.toml:3:1: conflict markers\nremote: \n";
        assert_eq!(remote_lines(out), "INC-1.toml:3:1: conflict markers");
    }
}
