//! Commit messages: a subject naming the incident, an optional body, and
//! trailers that plain `git log --grep` and `%(trailers)` can answer from.

use std::fmt::Write;
use std::path::Path;

use super::trailer::{self, CHANGE, FROM, INCIDENT, TO};
use crate::domain::change::Verb;
use crate::domain::{Applied, IncidentId};

/// Trailer values are one line.
fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message of a change to incident `id`.
pub(crate) fn commit_message(id: &IncidentId, applied: &Applied) -> String {
    let mut msg = format!("{id}: {}\n", one_line(&applied.summary));
    if let Some(body) = &applied.body {
        msg.push('\n');
        msg.push_str(body.trim_end());
        msg.push('\n');
    }
    msg.push('\n');
    let _ = writeln!(msg, "{INCIDENT}: {id}");
    let _ = writeln!(msg, "{CHANGE}: {}", applied.verb);
    if let Some((from, to)) = &applied.from_to {
        let _ = writeln!(msg, "{FROM}: {}", one_line(from));
        let _ = writeln!(msg, "{TO}: {}", one_line(to));
    }
    for (key, value) in &applied.trailers {
        let _ = writeln!(msg, "{}: {}", trailer::key(*key), one_line(value));
    }
    msg
}

/// The message of the set-up commit.
pub(crate) fn init_message(base: &Path) -> String {
    let place = if base.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" in {}", base.display())
    };
    format!(
        "Set up incident ledger{place}\n\n{CHANGE}: {}\n",
        Verb::Init
    )
}
