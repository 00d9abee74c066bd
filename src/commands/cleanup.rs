use crate::context::Context;
use crate::domain::Change;
use crate::error::CliError;
use crate::render::json::to_json;
use crate::ui::Ui;

use super::apply_change;

/// Temporary mitigations still in place, and their cleanup
///
/// Without a subcommand, lists every pending temporary mitigation across the
/// ledger (or of one incident).
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CleanupArgs {
    #[command(subcommand)]
    action: Option<CleanupCommand>,
    /// Only this incident's mitigations
    id: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum CleanupCommand {
    /// Record that a temporary mitigation was undone
    Done {
        /// The incident, such as INC-42
        id: String,
        /// The mitigation, such as M1
        mitigation: String,
        /// How it was cleaned up
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Make a temporary mitigation permanent, so it is no longer pending
    Keep {
        /// The incident, such as INC-42
        id: String,
        /// The mitigation, such as M1
        mitigation: String,
        /// Why it stays; kept in the incident and the commit
        #[arg(long, value_name = "TEXT", required = true)]
        why: String,
    },
}

pub fn run(ctx: &Context, ui: &mut Ui, args: CleanupArgs) -> Result<(), CliError> {
    match args.action {
        Some(CleanupCommand::Done {
            id,
            mitigation,
            note,
        }) => apply_change(
            ctx,
            ui,
            &id,
            &Change::CleanupDone { mitigation, note },
            None,
        ),
        Some(CleanupCommand::Keep {
            id,
            mitigation,
            why,
        }) => apply_change(ctx, ui, &id, &Change::CleanupKeep { mitigation, why }, None),
        None => list(ctx, ui, args.id.as_deref()),
    }
}

fn list(ctx: &Context, ui: &mut Ui, id: Option<&str>) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let stored = match id {
        Some(id) => vec![ledger.load(&ledger.parse_id(id)?)?],
        None => ledger
            .load_all()?
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut pending = Vec::new();
    for s in &stored {
        for m in s.incident.pending_mitigations() {
            pending.push((&s.incident, m));
        }
    }
    if ctx.json {
        let items: Vec<_> = pending
            .iter()
            .map(|(inc, m)| serde_json::json!({ "incident": inc.id, "mitigation": to_json(m) }))
            .collect();
        ui.json(&serde_json::Value::Array(items));
        return Ok(());
    }
    if pending.is_empty() {
        ui.print("No temporary mitigations are pending cleanup.");
    }
    for (inc, m) in pending {
        ui.print(&format!(
            "{} {} {}: {} (cleanup: {})",
            inc.id,
            m.id,
            m.kind.as_str(),
            m.action,
            m.cleanup.as_deref().unwrap_or("-")
        ));
    }
    Ok(())
}
