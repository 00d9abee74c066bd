//! The semantic three-way merge of incident files.
//!
//! Pure: text in (base, ours, theirs), text out, with the rules that decided
//! and the conflicts left for a person. Both the merge driver git calls and
//! an in-process `sync` use it. The result is the same bytes whichever side
//! is called ours (git swaps them during a rebase), keeps the comments
//! people wrote on either side, and is a valid incident file; input it
//! cannot read safely (not TOML, conflict markers already in it, two
//! different incidents) is refused, and the caller falls back to git's text
//! merge.

mod entries;
mod fields;
pub mod keys;
mod render;
pub mod text;

use toml_edit::DocumentMut;

use super::change::check_milestones;
use super::incident::Incident;

/// What the merge consults from the ledger's settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Severity names, most severe first (the runbook's table). A name not
    /// listed ranks by its number, lower being more severe, as `SEV-1`.
    pub severities: Vec<String>,
}

/// One of the three inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Base,
    Ours,
    Theirs,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Base => "the base",
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        }
    }
}

/// Why the merge declined: the caller falls back to a text merge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{} is not an incident file: {message}", side.as_str())]
    Unreadable { side: Side, message: String },
    #[error("{} already holds conflict markers", side.as_str())]
    Markers { side: Side },
    #[error("the two sides are different incidents (uid {ours} and {theirs})")]
    Different { ours: String, theirs: String },
    #[error("the merged incident does not validate: {0}")]
    Invalid(String),
}

/// A field and what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Where: `severity`, `notes`, `mitigations[M2].cleanup`, ...
    pub field: String,
    pub why: String,
}

/// The rules that decided, and the conflicts left for a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rules: Vec<Decision>,
    pub conflicts: Vec<Decision>,
}

impl Report {
    fn rule(&mut self, field: impl Into<String>, why: impl Into<String>) {
        self.rules.push(Decision {
            field: field.into(),
            why: why.into(),
        });
    }

    fn conflict(&mut self, field: impl Into<String>, why: impl Into<String>) {
        self.conflicts.push(Decision {
            field: field.into(),
            why: why.into(),
        });
    }
}

/// A merged file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub report: Report,
}

impl Merged {
    /// Nothing is left for a person to decide.
    pub fn is_clean(&self) -> bool {
        self.report.conflicts.is_empty()
    }
}

/// The value where the three agree on one: both sides alike, or only one
/// side changed from the base. `None` when both changed, differently.
fn three<T: PartialEq>(base: Option<T>, ours: T, theirs: T) -> Option<T> {
    if ours == theirs {
        return Some(ours);
    }
    match base {
        Some(b) if b == ours => Some(theirs),
        Some(b) if b == theirs => Some(ours),
        _ => None,
    }
}

struct Input {
    incident: Incident,
    doc: DocumentMut,
}

/// Merges three versions of one incident file. An empty `base` means the
/// file is new on both sides.
pub fn merge(base: &str, ours: &str, theirs: &str, options: &Options) -> Result<Merged, Refusal> {
    let crlf = ours.contains("\r\n");
    let lf = |text: &str| text.replace("\r\n", "\n");
    let (b, o, t) = (lf(base), lf(ours), lf(theirs));
    for (side, text) in [(Side::Base, &b), (Side::Ours, &o), (Side::Theirs, &t)] {
        if text::has_markers(text) {
            return Err(Refusal::Markers { side });
        }
    }
    let settled = three(Some(b.as_str()), o.as_str(), t.as_str());
    let (text, report) = match settled {
        Some(same) => (same.to_owned(), Report::default()),
        None => {
            let base = if b.trim().is_empty() {
                None
            } else {
                Some(read(Side::Base, &b)?)
            };
            let (o, t) = (read(Side::Ours, &o)?, read(Side::Theirs, &t)?);
            if o.incident.uid != t.incident.uid {
                return Err(Refusal::Different {
                    ours: o.incident.uid,
                    theirs: t.incident.uid,
                });
            }
            let mut report = Report::default();
            let merged = fields::merge(
                base.as_ref().map(|b| &b.incident),
                &o.incident,
                &t.incident,
                options,
                &mut report,
            );
            let text = render::render(
                &merged,
                [base.as_ref().map(|b| &b.doc), Some(&o.doc), Some(&t.doc)],
            );
            let back: Incident =
                toml::from_str(&text).map_err(|e| Refusal::Invalid(e.message().to_owned()))?;
            check_milestones(&back).map_err(|e| Refusal::Invalid(e.to_string()))?;
            (text, report)
        }
    };
    let text = if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    };
    Ok(Merged { text, report })
}

fn read(side: Side, text: &str) -> Result<Input, Refusal> {
    let unreadable = |message: String| Refusal::Unreadable { side, message };
    let incident: Incident =
        toml::from_str(text).map_err(|e| unreadable(e.message().to_owned()))?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| unreadable(e.message().to_owned()))?;
    Ok(Input { incident, doc })
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
