//! The post-incident review as the editor shows it: one `## Section` per
//! field under a commented head, and the same text read back into the
//! fields to record. The two live together so that the sections written
//! are the sections read.

use crate::domain::{Incident, ReviewFields};

/// The review's sections, in the order the editor shows them.
const SECTIONS: [&str; 4] = [
    "What happened",
    "Root cause",
    "What worked well",
    "What failed",
];

/// The text the editor opens with: the incident's current review, one
/// section per field.
pub(crate) fn template(inc: &Incident) -> String {
    let current = inc.review.clone().unwrap_or_default();
    let values = [
        &current.what_happened,
        &current.root_cause,
        &current.went_well,
        &current.went_wrong,
    ];
    let mut template = format!(
        "# Review of {}: {}\n# Lines starting with # are ignored. Leave a section empty to keep it unset.\n",
        inc.id, inc.title
    );
    for (title, value) in SECTIONS.iter().zip(values) {
        template.push_str(&format!("\n## {title}\n{value}\n"));
    }
    template
}

/// The fields of an edited review: each section's text, without comment
/// lines; an empty or missing section leaves its field unset.
pub(crate) fn read(text: &str) -> ReviewFields {
    let mut sections: Vec<String> = vec![String::new(); SECTIONS.len()];
    let mut current = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            current = SECTIONS.iter().position(|t| *t == title.trim());
        } else if line.starts_with('#') {
        } else if let Some(i) = current {
            sections[i].push_str(line);
            sections[i].push('\n');
        }
    }
    let pick = |i: usize| {
        let text = sections[i].trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    ReviewFields {
        what_happened: pick(0),
        root_cause: pick(1),
        went_well: pick(2),
        went_wrong: pick(3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sections_written_are_the_sections_read() {
        let text = "# Review of INC-1: Checkout down\n# ignored\n\n## What happened\nA deploy broke it.\n\n## Root cause\n\n## What worked well\nThe flag.\n# not part of it\n## Unknown section\nlost\n";
        let fields = read(text);
        assert_eq!(fields.what_happened.as_deref(), Some("A deploy broke it."));
        assert_eq!(fields.root_cause, None);
        assert_eq!(fields.went_well.as_deref(), Some("The flag."));
        assert_eq!(fields.went_wrong, None);
    }
}
