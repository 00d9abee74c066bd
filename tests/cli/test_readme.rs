//! The README's commands, run exactly as written, so that the first steps a
//! new user copies cannot rot: the identity set-up before the first command,
//! and the tour on a fresh ledger.

use crate::harness::TestEnv;

const README: &str = include_str!("../../README.md");

/// The first ```sh block after the heading `heading`.
fn block_after(heading: &str) -> String {
    let start = README
        .find(heading)
        .unwrap_or_else(|| panic!("the README has no heading {heading:?}"));
    let rest = &README[start..];
    let open = rest.find("```sh\n").expect("a sh block after the heading") + "```sh\n".len();
    let len = rest[open..].find("```").expect("the sh block ends");
    rest[open..open + len].to_owned()
}

/// The lines of the first block that set git's identity.
fn identity_lines() -> String {
    let first = block_after("# git-incident");
    let lines: Vec<&str> = first
        .lines()
        .filter(|l| l.starts_with("git config --global"))
        .collect();
    assert!(
        !lines.is_empty(),
        "the README's first block says how to set an identity:\n{first}"
    );
    let install = first.find("cargo install").expect("the install line");
    assert!(
        first.find(lines[0]).expect("found") < install,
        "the identity comes before the first command"
    );
    lines.join("\n")
}

#[test]
fn without_an_identity_init_says_how_to_set_one_and_the_readme_line_does() {
    let env = TestEnv::empty();
    std::fs::write(
        env.home.join(".gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    env.refused(&["init"], 2, "who are you?")
        .stderr_has("git config --global user.name");
    env.shell(&identity_lines()).ok();
    env.run(&["init"]).ok();
    assert_eq!(env.commit_count(), 1);
}

#[test]
fn the_tour_and_the_history_reads_run_as_written_on_a_fresh_ledger() {
    let env = TestEnv::empty();
    env.set_now("2026-12-01T21:00:00Z");
    let tour = block_after("## A five-minute tour");
    let run = env.shell(&tour);
    assert_eq!(
        run.code, 0,
        "the tour failed:\n{tour}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let ledger = env.home.join("incident-ledger");
    assert!(ledger.join("INC-1-review.md").is_file());
    let reads = block_after("## Reading the history");
    let mut cmd_env = env;
    cmd_env.dir = ledger;
    let run = cmd_env.shell(&reads);
    assert_eq!(
        run.code, 0,
        "the history reads failed:\n{reads}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(cmd_env.dir.join("review.md").is_file());
}
