use crate::context::Context;
use crate::domain::{Change, ReviewFields};
use crate::error::CliError;
use crate::ui::Ui;

use super::{apply_change, read_value};

/// Record the post-incident review
///
/// Give any of the fields; the others keep their value. Without fields, on a
/// terminal, the review opens in $VISUAL or $EDITOR. The timeline of events
/// is generated from the ledger's history, not written here.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The incident, such as INC-42
    id: String,
    /// What happened (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    what_happened: Option<String>,
    /// The root cause (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    root_cause: Option<String>,
    /// What worked well (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    went_well: Option<String>,
    /// What failed (`@FILE` reads a file)
    #[arg(long, value_name = "TEXT")]
    went_wrong: Option<String>,
}

const SECTIONS: [(&str, &str); 4] = [
    ("what_happened", "What happened"),
    ("root_cause", "Root cause"),
    ("went_well", "What worked well"),
    ("went_wrong", "What failed"),
];

pub fn run(ctx: &Context, ui: &mut Ui, args: ReviewArgs) -> Result<(), CliError> {
    let read = |v: Option<String>| v.map(|v| read_value(ctx, &v)).transpose();
    let mut fields = ReviewFields {
        what_happened: read(args.what_happened)?,
        root_cause: read(args.root_cause)?,
        went_well: read(args.went_well)?,
        went_wrong: read(args.went_wrong)?,
    };
    if fields == ReviewFields::default() {
        fields = edit(ctx, &args.id)?;
    }
    apply_change(ctx, ui, &args.id, &Change::Review(fields), None)
}

/// Opens the review in the editor, one `## Section` per field.
fn edit(ctx: &Context, id: &str) -> Result<ReviewFields, CliError> {
    if !(ctx.stdin_is_terminal && ctx.stdout_is_terminal) {
        return Err(
            CliError::usage("no review field given, and no terminal to open an editor")
                .with_hint("give --what-happened, --root-cause, --went-well or --went-wrong"),
        );
    }
    let ledger = ctx.ledger()?;
    let stored = ledger.load(&ledger.parse_id(id)?)?;
    let current = stored.incident.review.unwrap_or_default();
    let values = [
        &current.what_happened,
        &current.root_cause,
        &current.went_well,
        &current.went_wrong,
    ];
    let mut template = format!(
        "# Review of {}: {}\n# Lines starting with # are ignored. Leave a section empty to keep it unset.\n",
        stored.incident.id, stored.incident.title
    );
    for ((_, title), value) in SECTIONS.iter().zip(values) {
        template.push_str(&format!("\n## {title}\n{value}\n"));
    }
    let mut editor = dialoguer::Editor::new();
    if let Some(program) = &ctx.editor {
        editor.executable(program);
    }
    let text = editor
        .extension(".md")
        .edit(&template)
        .map_err(|e| CliError::usage(format!("the editor failed: {e}")))?
        .ok_or_else(|| CliError::refused("the review was not saved; nothing recorded"))?;
    let mut sections: Vec<String> = vec![String::new(); 4];
    let mut current_index = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            current_index = SECTIONS.iter().position(|(_, t)| *t == title.trim());
        } else if line.starts_with('#') {
        } else if let Some(i) = current_index {
            sections[i].push_str(line);
            sections[i].push('\n');
        }
    }
    let pick = |i: usize| {
        let text = sections[i].trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    Ok(ReviewFields {
        what_happened: pick(0),
        root_cause: pick(1),
        went_well: pick(2),
        went_wrong: pick(3),
    })
}
