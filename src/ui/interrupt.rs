//! Ctrl-C during guided response: the process-wide handler and its state.
//!
//! A question waiting for a key reports the interruption itself (the
//! prompter asks [`take`]); a change being written holds the interruption
//! off ([`hold_interrupts`]) so a commit is never cut in half; an editor in
//! the foreground owns Ctrl-C ([`in_editor`]).

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use console::Term;

/// Set by the Ctrl-C handler; the next question reports `Interrupted`.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// A question reported the interruption: the walk is on its way out.
static HANDLED: AtomicBool = AtomicBool::new(false);
/// An editor runs in the foreground: Ctrl-C belongs to it.
static IN_EDITOR: AtomicBool = AtomicBool::new(false);
/// Changes being written right now; Ctrl-C waits for them.
static WRITING: AtomicUsize = AtomicUsize::new(0);
static HANDLER: Once = Once::new();

/// How long the handler gives the current question to report Ctrl-C before
/// it ends the process itself.
const GRACE: Duration = Duration::from_millis(300);

/// Installs the Ctrl-C handler once per process, and forgets any earlier
/// interruption.
///
/// dialoguer hides the cursor while a list is shown and leaves it hidden
/// when interrupted: its maintainers leave signals to the application. The
/// handler shows the cursor again. A question waiting for a key reports
/// the interruption itself, and the walk returns through its callers. Where
/// no question picks it up (a key press landing between two reads, a slow
/// git), the handler ends the process after a short grace, unless a change
/// is being written: then the walk stops at its next question, so a commit
/// is never cut in half.
pub(crate) fn install() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if IN_EDITOR.load(Ordering::SeqCst) {
                return;
            }
            show_cursor();
            INTERRUPTED.store(true, Ordering::SeqCst);
            std::thread::sleep(GRACE);
            if HANDLED.load(Ordering::SeqCst) || WRITING.load(Ordering::SeqCst) > 0 {
                return;
            }
            let term = Term::stderr();
            let _ = term.write_line("");
            let _ = term.write_line(
                "error: interrupted; every answer given so far is recorded\nhint: `git incident respond <ID>` resumes the walk",
            );
            show_cursor();
            std::process::exit(130);
        });
    });
    INTERRUPTED.store(false, Ordering::SeqCst);
    HANDLED.store(false, Ordering::SeqCst);
}

/// Whether Ctrl-C was pressed and not yet reported.
pub(crate) fn pending() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A question reports the interruption: the handler leaves the process to
/// the walk, which returns through its callers.
pub(crate) fn take() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    HANDLED.store(true, Ordering::SeqCst);
}

/// Runs `edit` with Ctrl-C left to the editor in the foreground.
pub(crate) fn in_editor<T>(edit: impl FnOnce() -> T) -> T {
    IN_EDITOR.store(true, Ordering::SeqCst);
    let result = edit();
    IN_EDITOR.store(false, Ordering::SeqCst);
    result
}

/// Shows the cursor on whichever of stderr and stdout is a terminal.
fn show_cursor() {
    for term in [Term::stderr(), Term::stdout()] {
        if term.is_term() {
            let _ = term.show_cursor();
        }
    }
}

/// Holds Ctrl-C off while a change is being written; see
/// [`hold_interrupts`].
pub(crate) struct InterruptHold(());

/// Ctrl-C will not end the process until the returned hold is dropped; the
/// walk stops at its next question instead.
pub(crate) fn hold_interrupts() -> InterruptHold {
    WRITING.fetch_add(1, Ordering::SeqCst);
    InterruptHold(())
}

impl Drop for InterruptHold {
    fn drop(&mut self) {
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}
