//! Git set-ups users really have: CRLF checkouts, split and sparse indexes,
//! a second worktree, signed commits (and a signing failure), a read-only
//! incident folder. Each works, or is refused before anything is written.

use std::path::Path;

use crate::harness::{ADA, BOB, TestEnv};

fn fsck_is_clean(env: &TestEnv) {
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "{}", fsck.stderr);
}

/// Checks the file out again, as git's checkout writes it under the
/// current settings.
fn checkout_again(env: &TestEnv, path: &str) {
    std::fs::remove_file(env.path(path)).unwrap();
    env.git(&["checkout", "--", path]);
}

#[test]
fn a_crlf_checkout_under_core_autocrlf_is_taken_as_committed() {
    for setting in ["true", "input"] {
        let env = TestEnv::ledger();
        env.git(&["config", "core.autocrlf", setting]);
        env.declare("Checkout 502s");
        let path = env.incident_path("INC-1");
        checkout_again(&env, &path);
        let crlf = setting == "true";
        assert_eq!(env.read(&path).contains("\r\n"), crlf, "{setting}");
        env.run(&["note", "INC-1", "works on Windows"]).ok();
        let text = env.read(&path);
        assert!(text.contains("works on Windows"), "{setting}");
        // Written back as git's checkout would write it.
        assert_eq!(text.contains("\r\n"), crlf, "{setting}");
        assert!(!env.git(&["show", &format!("HEAD:{path}")]).contains('\r'));
        assert_eq!(env.status(), "", "{setting}");
        fsck_is_clean(&env);
    }
}

#[test]
fn eol_crlf_in_the_attributes_gives_crlf_files_and_lf_commits() {
    let env = TestEnv::ledger();
    let attributes = format!(
        "{}incidents/**/*.toml eol=crlf\n",
        env.read(".gitattributes")
    );
    env.write(".gitattributes", &attributes);
    env.git(&["commit", "-q", "-am", "Incident files in CRLF"]);
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    assert!(env.read(&path).contains("\r\n"));
    env.run(&["note", "INC-1", "still fine"]).ok();
    assert!(env.read(&path).contains("still fine\"\r\n"));
    assert!(!env.git(&["show", &format!("HEAD:{path}")]).contains('\r'));
    assert_eq!(env.status(), "");
    fsck_is_clean(&env);
}

/// A ledger with the user's own work staged, to show it survives.
fn with_staged_work(env: &TestEnv) {
    env.write("docs/runbook-notes.md", "draft\n");
    env.git(&["add", "docs/runbook-notes.md"]);
}

#[test]
fn a_split_index_is_updated_through_git() {
    let env = TestEnv::ledger();
    env.git(&["update-index", "--split-index"]);
    with_staged_work(&env);
    env.declare("Checkout 502s");
    env.run(&["note", "INC-1", "split"]).ok();
    let path = env.incident_path("INC-1");
    assert_eq!(env.head_files(), std::slice::from_ref(&path));
    assert_eq!(env.status(), "A  docs/runbook-notes.md\n");
    assert!(std::fs::read_dir(env.path(".git")).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("sharedindex.")
    }));
    assert_eq!(
        env.git(&["rev-parse", &format!(":{path}")]),
        env.git(&["rev-parse", &format!("HEAD:{path}")])
    );
    fsck_is_clean(&env);
}

#[test]
fn a_sparse_index_is_updated_through_git() {
    let env = TestEnv::ledger();
    env.write("services/api/config.toml", "port = 80\n");
    env.git(&["add", "services"]);
    env.git(&["commit", "-q", "-m", "Service config"]);
    env.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    env.git(&["sparse-checkout", "set", "incidents", "schema", "docs"]);
    assert!(!env.path("services/api/config.toml").exists());
    env.declare("Checkout 502s");
    env.run(&["note", "INC-1", "sparse"]).ok();
    let path = env.incident_path("INC-1");
    assert_eq!(env.head_files(), std::slice::from_ref(&path));
    assert_eq!(env.status(), "");
    // Still sparse: the folder outside the cone is one entry.
    let sparse = env.git(&["ls-files", "--sparse"]);
    assert!(sparse.lines().any(|l| l == "services/"), "{sparse}");
    assert!(env.read(&path).contains("sparse"));
    fsck_is_clean(&env);
    // The user's staged work survives. (No fsck from here: git's own
    // `git add` in a sparse index leaves cache-tree entries fsck reports.)
    with_staged_work(&env);
    env.run(&["note", "INC-1", "sparse again"]).ok();
    assert_eq!(env.status(), "A  docs/runbook-notes.md\n");
}

#[test]
fn a_second_worktree_records_on_its_own_branch() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let other = env.dir.parent().unwrap().join("other");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "drill",
        other.to_str().unwrap(),
    ]);
    let main_head = env.head();
    let mut cmd = env.command(&["note", "INC-1", "from the drill worktree"]);
    cmd.current_dir(&other);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.head(),
        main_head,
        "the main worktree's branch is untouched"
    );
    assert_eq!(env.status(), "");
    let git_in = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(git_in(&other, &["status", "--porcelain"]), "");
    assert!(
        git_in(&other, &["show", "drill:incidents/2026/INC-1.toml"])
            .contains("from the drill worktree")
    );
    assert!(git_in(&other, &["log", "-1", "--format=%gs", "-g", "drill"]).contains("git-incident"));
    fsck_is_clean(&env);
}

pub(crate) fn make_ssh_key(env: &TestEnv) -> std::path::PathBuf {
    env.trusted_ssh_key("id_ed25519", "ada@example.com")
}

#[test]
fn a_change_made_as_someone_else_is_signed_by_the_committer() {
    let env = TestEnv::ledger();
    let key = make_ssh_key(&env);
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    env.git(&["config", "commit.gpgsign", "true"]);
    env.declare("Signed incident");
    env.run(&["--as", BOB, "note", "INC-1", "typed by Ada for Bob"])
        .ok();
    assert_eq!(
        env.git(&["log", "-1", "--format=%G?|%an <%ae>|%cn <%ce>"])
            .trim(),
        format!("G|{BOB}|{ADA}")
    );
    assert_eq!(env.status(), "");
}

#[test]
fn a_signing_failure_shows_gits_message_and_writes_nothing() {
    let env = TestEnv::ledger();
    env.declare("Signed incident");
    env.git(&["config", "gpg.format", "ssh"]);
    let missing = env.home.join("no-such-key");
    env.git(&["config", "user.signingkey", missing.to_str().unwrap()]);
    env.git(&["config", "commit.gpgsign", "true"]);
    let run = env.refused(&["note", "INC-1", "x"], 1, "`git commit-tree -S` failed");
    assert!(run.stderr.contains("no-such-key"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("GIT_AUTHOR") && !run.stderr.contains("\"-F\""),
        "{}",
        run.stderr
    );
    assert!(!env.path(".git/git-incident/pending-write").exists());
}

/// Makes `dir` read-only for whoever runs the tests, root included.
fn read_only(dir: &Path, on: bool) {
    use std::os::unix::fs::PermissionsExt;
    if !on {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(dir)
            .output();
    }
    let mode = if on { 0o555 } else { 0o755 };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    let probe = dir.join(".probe");
    if on && std::fs::write(&probe, "").is_ok() {
        // Root ignores permissions; the immutable flag holds for it too.
        std::fs::remove_file(&probe).unwrap();
        let out = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cannot make {} read-only",
            dir.display()
        );
        assert!(std::fs::write(&probe, "").is_err());
    }
}

#[test]
#[cfg(unix)]
fn a_read_only_incident_folder_is_refused_before_anything_is_committed() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    let path = env.incident_path("INC-1");
    let dir = env.path(&path).parent().unwrap().to_path_buf();
    read_only(&dir, true);
    let run = env.refused(&["note", "INC-1", "x"], 1, "cannot write");
    read_only(&dir, false);
    assert!(run.stderr.contains("INC-1.toml"), "{}", run.stderr);
    assert!(!env.path(".git/git-incident/pending-write").exists());
    env.run(&["note", "INC-1", "x"]).ok();
    assert_eq!(env.status(), "");
}

#[test]
fn a_branch_only_in_packed_refs_moves_as_git_moves_it() {
    let env = TestEnv::ledger();
    env.declare("Checkout 502s");
    env.git(&["pack-refs", "--all"]);
    assert!(!env.path(".git/refs/heads/main").exists());
    let before = env.head();
    env.run(&["note", "INC-1", "packed"]).ok();
    assert_eq!(env.git(&["rev-parse", "HEAD~1"]).trim(), before);
    assert!(
        env.git(&["reflog", "-1", "--format=%gs", "main"])
            .contains("git-incident: INC-1: note")
    );
    assert_eq!(env.status(), "");
    fsck_is_clean(&env);
}

/// `git-incident` run from `dir` (relative to the repository's root).
fn run_in(env: &TestEnv, dir: &str, args: &[&str]) -> std::process::Output {
    env.command(args)
        .current_dir(env.path(dir))
        .output()
        .unwrap()
}

#[test]
fn a_ledger_in_a_subfolder_of_a_bigger_repository() {
    let env = TestEnv::empty();
    env.git(&["init", "-q"]);
    env.write("src/main.c", "int main() {}\n");
    env.write("ops/README", "ops notes\n");
    env.git(&["add", "."]);
    env.git(&["commit", "-qm", "Code"]);
    // The user's own work in progress, staged and not.
    env.write("src/main.c", "int main() { return 1; }\n");
    env.write("src/new.c", "new\n");
    env.git(&["add", "src/new.c"]);
    let work = env.status();

    env.run(&["init", "ops/ledger"]).ok();
    let init: Vec<String> = env.head_files();
    assert!(
        init.iter().all(|f| f.starts_with("ops/ledger/")),
        "{init:?}"
    );
    assert!(
        init.contains(&"ops/ledger/ledger.toml".to_owned()),
        "{init:?}"
    );

    // From the repository's root with -C, and from inside the folder.
    env.run(&[
        "-C",
        "ops/ledger",
        "declare",
        "Checkout down",
        "--sev",
        "SEV-2",
    ])
    .ok();
    assert_eq!(env.head_files(), ["ops/ledger/incidents/2026/INC-1.toml"]);
    let inside = run_in(
        &env,
        "ops/ledger/incidents",
        &["note", "INC-1", "from inside"],
    );
    assert!(
        inside.status.success(),
        "{}",
        String::from_utf8_lossy(&inside.stderr)
    );
    assert_eq!(env.head_files(), ["ops/ledger/incidents/2026/INC-1.toml"]);
    assert!(env.head_trailers().contains("Incident-Change: note"));
    assert_eq!(env.status(), work, "the user's work is left as it was");

    let list = env.run(&["-C", "ops/ledger", "list"]);
    assert!(list.ok().contains("Checkout down"));
    let list = run_in(&env, "ops/ledger", &["list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("Checkout down"));
    let log = env.run(&["-C", "ops/ledger", "log", "INC-1"]);
    assert!(
        log.ok().contains("note added: \"from inside\""),
        "{}",
        log.stdout
    );
    assert!(!log.stdout.contains("outside the tool"), "{}", log.stdout);
    env.run(&["-C", "ops/ledger", "verify"]).ok();
    env.run(&["-C", "ops/ledger", "validate"]).ok();
    // The pre-commit hook finds the ledger in its folder.
    env.run(&["init", "--hooks", "ops/ledger"]).ok();
    let path = "ops/ledger/incidents/2026/INC-1.toml";
    let good = env.read(path);
    env.write(path, &good.replace("SEV-2", "SEV-9"));
    let refused = env.git_run(&["commit", "-qm", "Raise it", "--", path]);
    assert!(
        refused.stderr.contains("unknown severity `SEV-9`"),
        "{}",
        refused.stderr
    );
    env.write(path, &good);

    // Outside the ledger's folder there is no ledger: a clear refusal, and
    // nothing written.
    let run = env.refused(&["note", "INC-1", "x"], 2, "no incident ledger here");
    assert!(run.stderr.contains("-C <dir>"), "{}", run.stderr);
    assert_eq!(env.status(), work);
    fsck_is_clean(&env);
}
