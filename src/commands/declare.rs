use crate::context::Context;
use crate::domain::Identity;
use crate::domain::change::Declaration;
use crate::error::CliError;
use crate::ui::Ui;

use super::{ForceArgs, report};

/// Declare a new incident
///
/// Records the incident under the next free id and prints that id. The
/// severity defaults to the ledger's `default_severity`, else the most severe
/// level: when unsure, pick the higher one (`git incident runbook` shows the
/// levels).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct DeclareArgs {
    /// One line: what is broken, as users see it
    title: String,
    /// Severity, such as SEV-2
    #[arg(long, visible_alias = "severity", value_name = "S")]
    sev: Option<String>,
    /// An affected service (repeat for several)
    #[arg(long = "service", value_name = "S")]
    services: Vec<String>,
    /// Who or what is affected, and how badly
    #[arg(long, value_name = "TEXT")]
    impact: Option<String>,
    /// The incident lead, "Name <email>"
    #[arg(long, value_name = "WHO")]
    lead: Option<String>,
    /// When the impact began, if before now
    #[arg(long, value_name = "TIME")]
    started: Option<String>,
    #[command(flatten)]
    force: ForceArgs,
}

const EXAMPLES: &str = r#"Examples:
  # What is known now; severity, services and impact can change later
  git incident declare "Checkout API returning 502s" --sev SEV-2 --service checkout-api
  # Declared late: the impact began at 18:30
  git incident declare "EU logins fail" --sev SEV-1 --service auth --started 18:30 \
      --impact "No EU user can log in" --lead "Ada Lovelace <ada@example.com>"
  # In a script: stdout holds the new id alone
  id=$(git incident declare "Disk full on db-3" --sev SEV-3 --service db --quiet)"#;

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: DeclareArgs) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let actor = ctx.actor(args.force.reason())?;
    let defaulted = args.sev.is_none();
    let severity = match args.sev {
        Some(sev) => sev,
        None => {
            let severities = ledger.runbook.severity_names();
            let default = ledger.config.default_severity(&severities);
            default.unwrap_or_default().to_owned()
        }
    };
    let lead = args
        .lead
        .as_deref()
        .map(Identity::parse)
        .transpose()
        .map_err(|e| CliError::refused(format!("--lead: {e}")))?;
    let started_at = args
        .started
        .as_deref()
        .map(|t| ctx.parse_time("--started", t))
        .transpose()?;
    let declaration = Declaration {
        title: args.title,
        severity,
        services: args.services,
        impact: args.impact,
        lead,
        started_at,
    };
    let uid = ctx.new_uid(&declaration.title);
    let committed = ledger.declare(declaration, uid, &actor)?;
    if defaulted {
        ui.status(&format!(
            "no --sev given: {}, the ledger's default; change it with `git incident sev`",
            committed.incident.severity
        ));
    }
    let mut times = Vec::new();
    if ctx.at.is_some() {
        times.push(("declared", actor.at));
    }
    if let Some(started_at) = started_at {
        times.push(("impact started", started_at));
    }
    report(ctx, ui, &committed, &times);
    super::sync::after_change(ctx, ui, &ledger);
    Ok(())
}
