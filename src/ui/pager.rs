//! Long output through the user's pager, as git pages its own: the pager
//! is `GIT_PAGER`, else `core.pager`, else `PAGER`, else `less`, run by
//! the shell with `LESS=FRX` and `LV=-c` unless they are set (so a short
//! page prints and exits, and colour passes). Never when stdout is not a
//! terminal, under `--json`, or with `--no-pager`; an empty pager or `cat`
//! means none. The pager comes from the user's environment and git
//! config, never from the ledger.

use std::process::{Child, ChildStdin, Command, Stdio};

/// The pager command line to run, resolved in git's order from the
/// environment and `core.pager`; `None` where paging is off.
pub(crate) fn resolve(
    env: impl Fn(&str) -> Option<String>,
    core_pager: Option<String>,
) -> Option<String> {
    let pager = env("GIT_PAGER")
        .or(core_pager)
        .or_else(|| env("PAGER"))
        .unwrap_or_else(|| "less".to_owned());
    let pager = pager.trim();
    (!pager.is_empty() && pager != "cat").then(|| pager.to_owned())
}

/// Starts `pager` with its stdin piped; `None` if it cannot be started
/// (the output then goes to the terminal as it would without one).
/// `unset` names the variables of `LESS` and `LV` the environment lacks,
/// which get git's defaults.
pub(crate) fn spawn(pager: &str, unset: &[&str]) -> Option<(Child, ChildStdin)> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(pager).stdin(Stdio::piped());
    for (name, default) in [("LESS", "FRX"), ("LV", "-c")] {
        if unset.contains(&name) {
            command.env(name, default);
        }
    }
    let mut child = command.spawn().ok()?;
    let stdin = child.stdin.take()?;
    Some((child, stdin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_s_order_and_cat_means_none() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                set.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(resolve(env(&[]), None).as_deref(), Some("less"));
        assert_eq!(
            resolve(env(&[("PAGER", "more")]), Some("most".into())).as_deref(),
            Some("most")
        );
        assert_eq!(
            resolve(
                env(&[("GIT_PAGER", "lv"), ("PAGER", "more")]),
                Some("most".into())
            )
            .as_deref(),
            Some("lv")
        );
        assert_eq!(resolve(env(&[("GIT_PAGER", "cat")]), None), None);
        assert_eq!(resolve(env(&[("PAGER", " ")]), None), None);
    }
}
