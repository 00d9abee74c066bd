use std::fmt::Write;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;
use crate::ledger::{LedgerError, parse_toml};
use crate::render;
use crate::render::json::to_json;
use crate::runbook::Runbook;
use crate::ui::{Ui, paint, style};

/// Print the runbook in force, or check a runbook file
#[derive(Debug, clap::Args)]
pub struct RunbookArgs {
    /// Check this runbook file instead of printing the ledger's
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,
}

pub fn run(ctx: &Context, ui: &mut Ui, args: &RunbookArgs) -> Result<(), CliError> {
    if let Some(path) = &args.check {
        let text = std::fs::read_to_string(ctx.dir.join(path))
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        let runbook: Runbook = parse_toml(path, &text)?;
        let problems = runbook.problems();
        if let Some(first) = problems.first() {
            return Err(LedgerError::Invalid {
                path: path.clone(),
                message: first.clone(),
            }
            .into());
        }
        ui.status(&format!(
            "{}: a valid runbook with {} severities and {} steps.",
            path.display(),
            runbook.severities.len(),
            runbook.steps.len()
        ));
        return Ok(());
    }
    let ledger = ctx.ledger()?;
    if ctx.json {
        let mut value = to_json(&ledger.runbook);
        value["version"] = serde_json::json!(ledger.runbook_version);
        ui.json(&value);
    } else {
        let color = ui.color();
        let text = describe(&ledger.runbook, &ledger.runbook_version, color);
        ui.print(&render::fit_lines(&text, ctx.terminal_width()));
    }
    Ok(())
}

fn describe(runbook: &Runbook, version: &str, color: bool) -> String {
    let mut out = String::new();
    let head = |t: &str| paint(color, style::HEADER, t);
    let _ = writeln!(
        out,
        "{} ({version})",
        paint(color, style::BOLD, &runbook.name)
    );
    if !runbook.purpose.is_empty() {
        let _ = writeln!(out, "{}", runbook.purpose.trim());
    }
    let _ = writeln!(out, "\n{}", head("Severity levels"));
    for s in &runbook.severities {
        let _ = writeln!(out, "  {:<7} {}", s.name, s.description);
    }
    let _ = writeln!(out, "\n{}", head("Steps"));
    for (i, step) in runbook.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} [{}]", i + 1, step.title, step.id);
        if !step.guidance.is_empty() {
            let _ = writeln!(out, "     {}", step.guidance);
        }
        for example in &step.examples {
            let _ = writeln!(out, "     - {example}");
        }
        for item in &step.checklist {
            let _ = writeln!(out, "     [ ] {item}");
        }
        for prompt in &step.prompts {
            let _ = writeln!(out, "     ? {}", prompt.text);
        }
        if let Some(caution) = &step.caution {
            let _ = writeln!(out, "     ! {caution}");
        }
    }
    out
}
