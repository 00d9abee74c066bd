//! The integration tests: one binary, the real `git-incident` on real git
//! repositories in temporary folders.

mod harness;

mod test_cache;
mod test_cleanup;
mod test_completions;
mod test_crash;
mod test_fuzz;
mod test_gitconfig;
mod test_globals;
mod test_help;
mod test_history;
mod test_hooks;
mod test_hostile;
mod test_input;
mod test_kill;
mod test_layers;
mod test_lifecycle;
mod test_listing;
mod test_load;
mod test_log_index;
mod test_man;
mod test_manners;
mod test_merge_driver;
mod test_pager;
mod test_race;
mod test_readme;
mod test_refusals;
mod test_respond;
mod test_respond_live;
mod test_respond_walk;
mod test_schema;
mod test_snapshots;
mod test_sync;
mod test_validate;
mod test_verify;
