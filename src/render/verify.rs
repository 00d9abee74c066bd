//! What `verify` says: one line per finding, errors first, and a summary.

use super::plural;
use crate::domain::audit::{Audit, Finding, Level};

/// `error: history was rewritten: ...`, `warning: 1a2b3c4d by ...`.
pub(crate) fn findings(audit: &Audit) -> Vec<String> {
    let mut sorted: Vec<&Finding> = audit.findings.iter().collect();
    sorted.sort_by_key(|f| f.level != Level::Error);
    sorted
        .into_iter()
        .map(|f| {
            let level = match f.level {
                Level::Error => "error",
                Level::Warning => "warning",
            };
            format!("{level}: {}", f.message)
        })
        .collect()
}

/// `12 commits checked, signatures too: 1 error, 2 warnings`.
pub(crate) fn summary(audit: &Audit) -> String {
    let count = |level: Level| audit.findings.iter().filter(|f| f.level == level).count();
    let (errors, warnings) = (count(Level::Error), count(Level::Warning));
    let checked = format!(
        "{} checked{}",
        plural(audit.commits, "commit"),
        if audit.signatures {
            ", with their signatures"
        } else {
            ""
        }
    );
    match (errors, warnings) {
        (0, 0) => format!("{checked}: the ledger is intact"),
        (0, w) => format!("{checked}: no problem, {}", plural(w, "warning")),
        (e, 0) => format!("{checked}: {}", plural(e, "error")),
        (e, w) => format!(
            "{checked}: {}, {}",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{Finding, Kind};

    #[test]
    fn errors_come_first_and_the_summary_counts_them() {
        let mut audit = Audit {
            commits: 3,
            ..Audit::default()
        };
        assert_eq!(summary(&audit), "3 commits checked: the ledger is intact");
        audit
            .findings
            .push(Finding::new(Kind::OutOfBand, "hand edit"));
        assert_eq!(summary(&audit), "3 commits checked: no problem, 1 warning");
        audit.findings.push(Finding::new(Kind::Rewritten, "gone"));
        assert_eq!(findings(&audit), ["error: gone", "warning: hand edit"]);
        assert_eq!(summary(&audit), "3 commits checked: 1 error, 1 warning");
    }
}
