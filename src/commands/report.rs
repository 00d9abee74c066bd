use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::{LedgerError, missing_folder, write_given};
use crate::render;
use crate::ui::Ui;

use super::args::{IdArg, announce_log_index};

/// The post-incident review document
///
/// In the runbook's outline: what happened; the timeline, generated from git
/// (milestones, notes, updates, mitigations, with times and authors); root
/// cause; what worked well; what failed; preventive actions with owners and
/// due dates. Headed by the impact, its duration and the response times:
/// time to declare (impact start to declaration), to acknowledge (declaration
/// to acknowledgement), to mitigate and to resolve (both from impact start).
/// Read from the committed incident at HEAD.
#[derive(Debug, clap::Args)]
pub(super) struct ReportArgs {
    #[command(flatten)]
    id: IdArg,
    /// Markdown (renders on GitHub and GitLab) or JSON
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Write the report to FILE (atomically) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &ReportArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = super::args::incident_id(ui, &ledger, &args.id.id)?;
    let head = ledger.head_commit()?;
    announce_log_index(ui, &ledger);
    let history = ledger.history(&id, Some(&head))?;
    let stored = ledger.load_as_of(&head, &id)?.ok_or_else(|| {
        LedgerError::unknown_incident(
            &id,
            "commit the incident first; the report is read from git",
        )
    })?;
    let commit = head.prefix(12);
    let text = if ctx.json || args.format == Format::Json {
        let value = render::report::json(&stored.incident, &history, commit);
        serde_json::to_string_pretty(&value).expect("JSON values serialise") + "\n"
    } else {
        render::report::markdown(&stored.incident, &history, commit)
    };
    match &args.output {
        Some(path) => {
            if let Some(folder) = missing_folder(&ctx.dir, path) {
                return Err(CliError::usage(format!(
                    "cannot write {}: there is no folder {}",
                    path.display(),
                    folder.display()
                ))
                .with_hint("create the folder first, or give another path with -o"));
            }
            write_given(&ctx.dir, path, text.as_bytes())?;
            ui.status(&format!("{id}: report written to {}", path.display()));
        }
        None => {
            ui.page(ctx.pager());
            ui.print(&text);
        }
    }
    Ok(())
}
