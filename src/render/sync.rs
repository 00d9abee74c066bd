//! What `sync` says: one line of what came in and went out.

use super::plural;
use crate::domain::sync::Synced;

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
