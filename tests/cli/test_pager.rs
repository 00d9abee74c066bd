//! Issue 12, point 15: long output goes through the pager as git pages its
//! own, and colour follows CLICOLOR_FORCE, NO_COLOR and `--no-color`.

use crate::harness::TestEnv;

/// A ledger with one incident, and a "pager" that marks every line it
/// shows, so that a test sees whether the output went through it.
fn ledger() -> TestEnv {
    let env = TestEnv::ledger();
    env.declare("Checkout API returning 502s");
    env
}

const MARKING_PAGER: &str = "sed 's/^/paged: /'";

fn in_pty(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> String {
    let mut cmd = env.command(args);
    cmd.env_remove("NO_COLOR")
        .env_remove("PAGER")
        .env_remove("GIT_PAGER")
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::inherit());
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let options = rexpect::reader::Options::new()
        .timeout_ms(Some(crate::test_respond::TIMEOUT_MS))
        .strip_ansi_escape_codes(false);
    let mut session = rexpect::session::spawn_with_options(cmd, options).expect("a pty");
    session.exp_eof().expect("the command ends")
}

/// On a terminal the views go through the pager, in git's order
/// (GIT_PAGER over core.pager over PAGER); `--no-pager`, `--json` and a
/// pipe bypass it.
#[test]
fn a_view_on_a_terminal_goes_through_the_pager_in_git_s_order() {
    let env = ledger();
    for args in [
        &["log", "INC-1"][..],
        &["show", "INC-1"],
        &["list"],
        &["report", "INC-1"],
    ] {
        let out = in_pty(&env, args, &[("PAGER", MARKING_PAGER)]);
        // stderr (the commit-graph notice) shares the terminal, unpaged.
        let shown: Vec<&str> = out.lines().filter(|l| l.contains("INC-1")).collect();
        assert!(!shown.is_empty(), "{args:?}: {out:?}");
        assert!(
            shown.iter().all(|l| l.starts_with("paged: ")),
            "{args:?}: {out:?}"
        );
        assert!(out.contains("paged: "), "{args:?}: {out:?}");
    }
    env.git(&["config", "core.pager", "sed 's/^/core: /'"]);
    let out = in_pty(&env, &["show", "INC-1"], &[("PAGER", MARKING_PAGER)]);
    assert!(
        out.contains("core:   severity") && !out.contains("paged: "),
        "{out:?}"
    );
    let out = in_pty(
        &env,
        &["show", "INC-1"],
        &[("PAGER", MARKING_PAGER), ("GIT_PAGER", "sed 's/^/git: /'")],
    );
    assert!(
        out.contains("git:   severity") && !out.contains("core: "),
        "{out:?}"
    );
    env.git(&["config", "--unset", "core.pager"]);

    let out = in_pty(
        &env,
        &["show", "INC-1", "--no-pager"],
        &[("PAGER", MARKING_PAGER)],
    );
    assert!(out.contains("INC-1") && !out.contains("paged: "), "{out:?}");
    let out = in_pty(
        &env,
        &["show", "INC-1", "--json"],
        &[("PAGER", MARKING_PAGER)],
    );
    assert!(
        out.contains("\"id\"") && !out.contains("paged: "),
        "{out:?}"
    );
    let out = in_pty(&env, &["show", "INC-1"], &[("PAGER", "cat")]);
    assert!(out.contains("INC-1"), "{out:?}");

    let mut piped = env.command(&["show", "INC-1"]);
    piped.env("PAGER", MARKING_PAGER);
    let out = piped.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("INC-1"), "{text}");
}

/// Colour reaches the pager from a terminal; CLICOLOR_FORCE=1 forces it on
/// a pipe; NO_COLOR and `--no-color` turn it off.
#[test]
fn colour_follows_clicolor_force_no_color_and_the_flag() {
    let env = ledger();
    let out = in_pty(&env, &["show", "INC-1"], &[("PAGER", MARKING_PAGER)]);
    assert!(out.contains('\u{1b}'), "colour through the pager: {out:?}");

    let piped = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["show", "INC-1"];
        args.extend(extra);
        let mut cmd = env.command(&args);
        cmd.env_remove("NO_COLOR");
        for (name, value) in vars {
            cmd.env(name, value);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(!piped(&[], &[]).contains('\u{1b}'));
    assert!(piped(&[("CLICOLOR_FORCE", "1")], &[]).contains('\u{1b}'));
    assert!(!piped(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\u{1b}'));
    assert!(!piped(&[("CLICOLOR_FORCE", "1")], &["--no-color"]).contains('\u{1b}'));
}
