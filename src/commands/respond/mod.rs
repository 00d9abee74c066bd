use crate::context::Context;
use crate::error::CliError;
use crate::ledger::LedgerError;
use crate::render;
use crate::runbook::engine::{Engine, EngineError, Policy};
use crate::runbook::prompt::{AcceptDefaults, Prompter};
use crate::ui::Ui;
use crate::ui::terminal::DialoguerPrompter;

mod journal;

use journal::LedgerJournal;

/// The commands that do what guided response does, one change at a time.
const NON_INTERACTIVE: &str =
    "declare, ack, lead, mitigate, note, update, cleanup done, resolve, review, action, close";

/// Guided response: walk the runbook step by step
///
/// Without an ID, declares a new incident (title, severity, services, impact,
/// start time), then walks the ledger's runbook (`git incident runbook`
/// prints it; runbook.toml sets its steps, checklists and questions):
/// acknowledge, assign a lead, stabilize, investigate, communicate,
/// mitigate, recover, review, prevention and close. With an ID, it shows
/// where the incident stands and resumes at the step its state has reached,
/// whether an earlier walk or the single commands got it there.
///
/// Every answer is committed the moment it is given, one commit each, as the
/// single commands do, so Ctrl-C loses nothing; the walk's position moves
/// with the answers, never in a commit of its own. Long answers open the
/// editor git would (GIT_EDITOR, core.editor, VISUAL, EDITOR); with none
/// configured, they are typed line by line, an empty line ending them. As on
/// the command line, `@FILE` answers with a file's text and `@@` starts an
/// answer with a literal `@`; a lone `@` takes several lines.
///
/// It needs a terminal on stdin and stdout. Scripts use the single commands
/// instead: declare, ack, lead, mitigate, note, update, cleanup done,
/// resolve, review, action and close.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub(super) struct RespondArgs {
    /// The incident to resume, such as INC-42; without it, declare a new one
    id: Option<String>,
    /// Accept the default answer wherever there is one
    #[arg(short, long)]
    yes: bool,
}

const EXAMPLES: &str = r#"Examples:
  # Declare a new incident, then walk the runbook
  git incident respond
  # Resume: where INC-42 stands, then on from its current step
  git incident respond INC-42
  # From any folder, in the ledger's
  git -C ~/incident-ledger incident respond"#;

pub(super) fn run(ctx: &Context, ui: &mut Ui, args: &RespondArgs) -> Result<(), CliError> {
    if !(ctx.stdin_is_terminal && ctx.stdout_is_terminal) {
        return Err(CliError::usage(
            "guided response needs a terminal on stdin and stdout",
        )
        .with_hint(format!(
            "in scripts, record each change with its own command: {NON_INTERACTIVE} (see `git incident <command> --help`)"
        )));
    }
    if ctx.at.is_some() {
        return Err(CliError::usage("respond records each answer when it is given; --at does not apply")
            .with_hint("to backfill, use the single commands with --at, such as `git incident ack INC-42 --at 18:53`"));
    }
    let ledger = ctx.ledger()?;
    let existing = match &args.id {
        Some(id) => {
            let id = super::args::incident_id(ui, &ledger, id)?;
            // The commit first: what it holds is what the walk starts from,
            // or older, so a change committed meanwhile is never missed.
            let head = ledger.head_commit()?;
            // Refuse before the first question, not at the first answer.
            ledger.check_committed(&id)?;
            Some((ledger.load(&id)?.incident, head))
        }
        None => None,
    };
    let me = ctx.identity()?;
    let policy = Policy {
        me: me.clone(),
        local: ctx.local,
        services: ledger.config.services.clone(),
        review_required: ledger.config.review_required.clone(),
        update_cadence: ledger
            .runbook
            .severities
            .iter()
            .filter_map(|s| {
                let cadence = ledger.config.update_cadence(&s.name)?;
                Some((s.name.clone(), cadence))
            })
            .collect(),
        runbook_version: ledger.runbook_version.clone(),
    };
    let mut journal = LedgerJournal::new(
        &ledger,
        me,
        &ctx.dir,
        || ctx.tick(),
        |seed| ctx.new_uid(seed),
    );
    let existing = existing.map(|(incident, head)| {
        journal.seen_at(&incident.id, head);
        incident
    });
    let terminal = DialoguerPrompter::new(ctx.color, ctx.editor());
    let mut prompter: Box<dyn Prompter> = if args.yes {
        Box::new(AcceptDefaults(terminal))
    } else {
        Box::new(terminal)
    };
    let result =
        Engine::new(&ledger.runbook, &policy, prompter.as_mut(), &mut journal).respond(existing);
    let outcome = result?;
    let inc = &outcome.incident;
    if ctx.json {
        ui.json(&render::runbook::outcome_json(inc, outcome.finished));
    } else {
        ui.status(&format!("{}: {}", inc.id, inc.status));
        ui.print(&inc.id.to_string());
    }
    Ok(())
}

/// Why a walk stopped, as the user reads it.
impl From<EngineError<LedgerError>> for CliError {
    fn from(e: EngineError<LedgerError>) -> Self {
        match e {
            EngineError::Interrupted { id } => {
                let (message, hint) = match id {
                    Some(id) => (
                        format!("interrupted; every answer given so far is recorded in {id}"),
                        format!("resume with `git incident respond {id}`"),
                    ),
                    None => (
                        "interrupted before the incident was declared; nothing was recorded"
                            .to_owned(),
                        "start again with `git incident respond`".to_owned(),
                    ),
                };
                CliError::interrupted(message).with_hint(hint)
            }
            EngineError::Prompt(e) => CliError::usage(e.to_string()).with_hint(format!(
                "the single commands do the same without a terminal: {NON_INTERACTIVE}"
            )),
            EngineError::Journal(e) => e.into(),
            EngineError::Refused(e) => e.into(),
        }
    }
}
