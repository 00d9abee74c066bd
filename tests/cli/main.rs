//! The integration tests: one binary, the real `git-incident` on real git
//! repositories in temporary folders.

mod harness;

mod test_history;
mod test_lifecycle;
