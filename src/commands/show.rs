use crate::context::Context;
use crate::error::CliError;
use crate::render;
use crate::render::json::to_json;
use crate::ui::Ui;

/// Show one incident
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The incident, such as INC-42 (or just 42)
    id: String,
}

pub fn run(ctx: &Context, ui: &mut Ui, args: &ShowArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let id = ledger.parse_id(&args.id)?;
    let stored = ledger.load(&id)?;
    if ctx.json {
        let mut value = to_json(&stored.incident);
        value["path"] = serde_json::json!(stored.path);
        ui.json(&value);
    } else {
        let color = ui.color();
        ui.print(&render::incident::show(&stored.incident, color));
    }
    Ok(())
}
