//! What `sync` says: one line of what came in and went out.

use super::plural;
use crate::domain::sync::{Standing, Synced};

/// `received 3 commits from origin/main, sent 1`.
pub(crate) fn summary(synced: &Synced) -> String {
    let place = format!("{}/{}", synced.remote, synced.branch);
    match (synced.received, synced.sent) {
        (0, 0) => format!("up to date with {place}"),
        (r, 0) => format!("received {} from {place}", plural(r, "commit")),
        (0, s) => format!("sent {} to {place}", plural(s, "commit")),
        (r, s) => format!("received {} from {place}, sent {s}", plural(r, "commit")),
    }
}

/// One line for `list` and `show` where the ledger is not level with its
/// remote; `None` where it is.
pub(crate) fn standing(s: &Standing) -> Option<String> {
    let what = match (s.ahead, s.behind) {
        (0, 0) => return None,
        (a, 0) => format!("{} not yet on {}", plural(a, "commit"), s.upstream),
        (0, b) => format!(
            "{} behind {} (as of the last fetch)",
            plural(b, "commit"),
            s.upstream
        ),
        (a, b) => format!(
            "{} not yet on {}, and {b} behind it (as of the last fetch)",
            plural(a, "commit"),
            s.upstream
        ),
    };
    Some(format!("{what}; `git incident sync` brings them level"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_came_in_and_went_out() {
        let mut synced = Synced {
            remote: "origin".into(),
            branch: "main".into(),
            ..Synced::default()
        };
        assert_eq!(summary(&synced), "up to date with origin/main");
        synced.received = 1;
        assert_eq!(summary(&synced), "received 1 commit from origin/main");
        synced.sent = 2;
        assert_eq!(
            summary(&synced),
            "received 1 commit from origin/main, sent 2"
        );
        synced.received = 0;
        assert_eq!(summary(&synced), "sent 2 commits to origin/main");
    }
}
