//! The index: one entry staged without touching any other, and a quick
//! lookup of one entry in the index as it is now.

use std::fs::{self};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{ErrorCode, Oid, Repository};

use super::lock::{GIT_LOCK_WAIT, GitLock, scratch_file};
use super::run_with_input;
use crate::ledger::IoOp;
use crate::ledger::error::LedgerError;

/// What the index should hold at one path: a blob (with the working file
/// whose stat it records, if written), or nothing.
#[derive(Debug, Clone)]
pub(crate) struct Staged {
    /// Relative to the working tree.
    pub(crate) path: PathBuf,
    pub(crate) blob: Option<Oid>,
    /// The working file, to record its stat so `git status` need not hash it.
    pub(crate) file: Option<PathBuf>,
}

pub(super) fn index_entry_for(
    path: &Path,
    blob: Oid,
    meta: Option<&fs::Metadata>,
) -> git2::IndexEntry {
    let mut entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100_644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: path.to_string_lossy().as_bytes().to_vec(),
    };
    #[cfg(unix)]
    if let Some(meta) = meta {
        use std::os::unix::fs::MetadataExt;
        // The index keeps 32-bit fields; git truncates the same way.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            entry.ctime = git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
            entry.mtime = git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
            entry.dev = meta.dev() as u32;
            entry.ino = meta.ino() as u32;
            entry.uid = meta.uid();
            entry.gid = meta.gid();
            entry.file_size = meta.size() as u32;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    entry
}

fn index_path(repo: &Repository) -> PathBuf {
    repo.path().join("index")
}

fn read_index_bytes(path: &Path) -> Result<Option<Vec<u8>>, LedgerError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LedgerError::io(IoOp::Read, path)(e)),
    }
}

/// Sets the index entries of `changes`, leaving every other entry as it is
/// at that moment: the new index is built from the index as it is, put in
/// place under `index.lock` only if the index did not change meanwhile
/// (else built again), so a concurrent `git add` is never undone.
///
/// An index libgit2 cannot read whole (a split or sparse index) is updated
/// by git itself (`git update-index --index-info`), which takes the same
/// lock.
pub(crate) fn stage(
    repo: &Repository,
    changes: &[Staged],
    failpoint: impl Fn(&str),
) -> Result<(), LedgerError> {
    let index_file = index_path(repo);
    let started = Instant::now();
    loop {
        let before = read_index_bytes(&index_file)?;
        let scratch = scratch_file(repo, "index")?;
        if let Some(bytes) = &before {
            fs::write(&scratch, bytes).map_err(LedgerError::io(IoOp::Write, &scratch))?;
        } else {
            let _ = fs::remove_file(&scratch);
        }
        let built = git2::Index::open(&scratch).and_then(|mut index| {
            for change in changes {
                match change.blob {
                    Some(blob) => {
                        let meta = change.file.as_ref().and_then(|f| fs::metadata(f).ok());
                        index.add(&index_entry_for(&change.path, blob, meta.as_ref()))?;
                    }
                    None => match index.remove_path(&change.path) {
                        Err(e) if e.code() != ErrorCode::NotFound => return Err(e),
                        _ => {}
                    },
                }
            }
            index.write()
        });
        if built.is_err() {
            let _ = fs::remove_file(&scratch);
            return stage_with_git(repo, changes, started);
        }
        let lock = GitLock::take(
            scratch,
            &index_file,
            GIT_LOCK_WAIT.saturating_sub(started.elapsed()),
        )?;
        if read_index_bytes(&index_file)? != before {
            drop(lock);
            continue;
        }
        failpoint("index-locked");
        return lock.commit();
    }
}

/// `stage` through git itself, retried while another git holds the lock.
fn stage_with_git(
    repo: &Repository,
    changes: &[Staged],
    started: Instant,
) -> Result<(), LedgerError> {
    let workdir = repo.workdir().unwrap_or(repo.path());
    let mut input = String::new();
    for change in changes {
        let path = change.path.to_string_lossy();
        match change.blob {
            Some(blob) => input.push_str(&format!("100644 {blob}\t{path}\n")),
            None => input.push_str(&format!("0 {}\t{path}\n", Oid::ZERO_SHA1)),
        }
    }
    loop {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(workdir)
            .args(["update-index", "--index-info"]);
        match run_with_input(cmd, "update-index --index-info", input.as_bytes()) {
            Ok(_) => return Ok(()),
            Err(LedgerError::GitCommand { stderr, .. })
                if stderr.contains("index.lock") && started.elapsed() < GIT_LOCK_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(LedgerError::GitCommand { stderr, .. }) if stderr.contains("index.lock") => {
                return Err(LedgerError::GitLocked(repo.path().join("index.lock")));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The id of the index entry at `path`, if any, read from the index as it
/// is now (never a copy cached earlier in the process).
pub(crate) fn index_entry(repo: &Repository, path: &Path) -> Result<Option<Oid>, LedgerError> {
    let bytes = read_index_bytes(&index_path(repo))?.unwrap_or_default();
    if bytes.is_empty() {
        return Ok(None);
    }
    if let Some(found) = scan_index(&bytes, path.to_string_lossy().as_bytes()) {
        return Ok(found);
    }
    // A split or sparse index, or a format this reader does not know: git
    // reads it.
    let workdir = repo.workdir().unwrap_or(repo.path());
    let spec = format!(":{}", path.to_string_lossy());
    let out = Command::new("git")
        .arg("-C")
        .arg(workdir)
        .args(["rev-parse", "--verify", "--quiet", &spec])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| LedgerError::GitCommand {
            command: "rev-parse".into(),
            stderr: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(Oid::from_str(text.trim()).ok())
}

/// Finds the stage-0 entry of `path` in the bytes of an index (versions 2
/// to 4), walking the entries without building them: a lookup costs a
/// fraction of libgit2's full read of a large index. `None` where the index
/// is one this walk cannot answer for: a split index (its entries live in
/// two files), a sparse index (a folder entry may hide the path), or an
/// unknown format.
fn scan_index(bytes: &[u8], path: &[u8]) -> Option<Option<Oid>> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32_at(8)?;
    let mut at = 12;
    let mut name: Vec<u8> = Vec::new();
    let mut found = None;
    for _ in 0..count {
        let id = Oid::from_bytes(bytes.get(at + 40..at + 60)?).ok()?;
        let flags = u16::from_be_bytes(bytes.get(at + 60..at + 62)?.try_into().ok()?);
        let mut path_at = at + 62;
        if version >= 3 && flags & 0x4000 != 0 {
            path_at += 2;
        }
        if version == 4 {
            // The path is the previous one less N bytes, plus a suffix.
            let (strip, used) = varint(bytes.get(path_at..)?)?;
            path_at += used;
            name.truncate(name.len().checked_sub(strip)?);
            let end = path_at + bytes.get(path_at..)?.iter().position(|&b| b == 0)?;
            name.extend_from_slice(&bytes[path_at..end]);
            at = end + 1;
        } else {
            let end = path_at + bytes.get(path_at..)?.iter().position(|&b| b == 0)?;
            name.clear();
            name.extend_from_slice(&bytes[path_at..end]);
            // Entries are padded with 1 to 8 NULs to a multiple of 8.
            at += (end - at + 8) & !7;
        }
        if name == path && flags & 0x3000 == 0 {
            found = Some(id);
        }
    }
    // The extensions, up to the 20-byte checksum.
    while at + 8 <= bytes.len().checked_sub(20)? {
        let signature = bytes.get(at..at + 4)?;
        if signature == b"link" || signature == b"sdir" {
            return None;
        }
        at += 8 + usize::try_from(u32_at(at + 4)?).ok()?;
    }
    Some(found)
}

/// git's offset varint (as in index v4), and how many bytes it took.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    let mut value = usize::from(byte & 127);
    while byte & 128 != 0 {
        used += 1;
        byte = *bytes.get(used)?;
        value = value.checked_add(1)?.checked_mul(128)? + usize::from(byte & 127);
    }
    Some((value, used + 1))
}

#[cfg(test)]
mod tests {
    use super::super::lock::scratch_dir;
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A long-running process (`respond`) opened the repository long ago;
    /// the user staged and committed files since. Staging one entry keeps
    /// every one of theirs.
    #[test]
    fn staging_reads_the_index_as_it_is_now_not_as_it_was_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        fs::write(root.join("a.txt"), "a\n").unwrap();
        git(root, &["add", "a.txt"]);
        git(root, &["commit", "-q", "-m", "a"]);
        let repo = Repository::open(root).unwrap();
        // What libgit2 would cache for the life of the process.
        assert!(
            repo.index()
                .unwrap()
                .get_path(Path::new("a.txt"), 0)
                .is_some()
        );
        fs::write(root.join("b.txt"), "b\n").unwrap();
        git(root, &["add", "b.txt"]);
        git(root, &["commit", "-q", "-m", "b"]);
        fs::write(root.join("c.txt"), "c\n").unwrap();
        git(root, &["add", "c.txt"]);
        assert!(index_entry(&repo, Path::new("c.txt")).unwrap().is_some());
        fs::write(root.join("a.txt"), "a2\n").unwrap();
        let blob = repo.blob(b"a2\n").unwrap();
        let staged = Staged {
            path: "a.txt".into(),
            blob: Some(blob),
            file: Some(root.join("a.txt")),
        };
        stage(&repo, &[staged], |_| {}).unwrap();
        assert_eq!(
            git(root, &["status", "--porcelain"]),
            "M  a.txt\nA  c.txt\n"
        );
        assert!(!root.join(".git/index.lock").exists());
        assert_eq!(fs::read_dir(scratch_dir(&repo)).unwrap().count(), 0);
    }

    /// The quick lookup agrees with git for every index version, and gives
    /// way to git for a split index.
    #[test]
    fn the_index_walk_finds_what_git_finds_in_every_version() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for name in [
            "a.txt",
            "dir/b.txt",
            "dir/sub/c.txt",
            "dir/sub/cd.txt",
            "z.txt",
        ] {
            let file = root.join(name);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(&file, name).unwrap();
        }
        git(root, &["add", "."]);
        let repo = Repository::open(root).unwrap();
        for version in ["2", "3", "4"] {
            git(root, &["update-index", "--index-version", version]);
            let bytes = fs::read(root.join(".git/index")).unwrap();
            for name in [
                "a.txt",
                "dir/b.txt",
                "dir/sub/c.txt",
                "dir/sub/cd.txt",
                "z.txt",
            ] {
                let want = git(root, &["rev-parse", &format!(":{name}")]);
                let found = scan_index(&bytes, name.as_bytes()).unwrap().unwrap();
                assert_eq!(found.to_string(), want.trim(), "v{version} {name}");
            }
            assert_eq!(scan_index(&bytes, b"dir/sub"), Some(None), "v{version}");
            assert_eq!(scan_index(&bytes, b"nope"), Some(None), "v{version}");
        }
        git(root, &["update-index", "--split-index"]);
        let bytes = fs::read(root.join(".git/index")).unwrap();
        assert_eq!(scan_index(&bytes, b"a.txt"), None);
        let want = git(root, &["rev-parse", ":dir/b.txt"]);
        let found = index_entry(&repo, Path::new("dir/b.txt")).unwrap().unwrap();
        assert_eq!(found.to_string(), want.trim());
    }
}
