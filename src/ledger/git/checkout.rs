//! The working file as git's checkout would write it: line ends from the
//! attributes and config, written atomically where `git status` never sees
//! the temporary file.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use git2::Repository;

use super::lock::scratch_file;
use crate::ledger::IoOp;
use crate::ledger::error::LedgerError;

/// Whether git's checkout writes `path` with CRLF line ends, from the
/// `text`/`eol` attributes and `core.autocrlf`/`core.eol`, as git decides.
pub(crate) fn checkout_wants_crlf(repo: &Repository, path: &Path) -> bool {
    if !line_end_attributes_possible(repo, path) {
        return config_wants_crlf(repo, None);
    }
    let flags = git2::AttrCheckFlags::FILE_THEN_INDEX;
    let attr = |name: &str| {
        repo.get_attr(path, name, flags)
            .ok()
            .flatten()
            .map(str::to_owned)
    };
    let text_attr = attr("text");
    let text = git2::AttrValue::from_string(text_attr.as_deref());
    if matches!(text, git2::AttrValue::False) || attr("binary").is_some() {
        return false;
    }
    match attr("eol").as_deref() {
        Some("crlf") => return true,
        Some("lf") => return false,
        _ => {}
    }
    config_wants_crlf(repo, Some(!matches!(text, git2::AttrValue::Unspecified)))
}

/// What `core.autocrlf` and `core.eol` say, for a path whose `text`
/// attribute is set (`Some(true)`), unspecified, or not looked up (`None`).
fn config_wants_crlf(repo: &Repository, text_set: Option<bool>) -> bool {
    let config = repo.config().ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    match get("core.autocrlf").as_deref() {
        Some("true" | "yes" | "on" | "1") => return true,
        Some("input") => return false,
        _ => {}
    }
    text_set == Some(true) && get("core.eol").as_deref() == Some("crlf")
}

/// Whether any attributes file on the way to `path` could set line ends.
/// libgit2's attribute lookup reads the whole index, which costs more than
/// the rest of a change on a large ledger; most ledgers have no such
/// attribute, and this look at a few small files says so.
fn line_end_attributes_possible(repo: &Repository, path: &Path) -> bool {
    let config = repo.config().ok();
    if config
        .as_ref()
        .is_some_and(|c| c.get_string("core.attributesFile").is_ok())
    {
        return true;
    }
    let mut files = vec![repo.path().join("info").join("attributes")];
    if let Some(workdir) = repo.workdir() {
        let mut dir = workdir.to_path_buf();
        files.push(dir.join(".gitattributes"));
        for part in path.parent().into_iter().flat_map(Path::components) {
            dir.push(part);
            files.push(dir.join(".gitattributes"));
        }
    }
    files.iter().any(|file| {
        fs::read_to_string(file).is_ok_and(|text| {
            ["eol", "text", "crlf", "binary"]
                .iter()
                .any(|word| text.contains(word))
        })
    })
}

/// Writes a working-tree file atomically: a temporary file in the scratch
/// folder (never seen by `git status`), flushed, then renamed into place.
/// Where the working tree is on another file system than the git directory,
/// the temporary file sits beside the target under one fixed name, so a
/// crash leaves at most one, which the next write of that file replaces.
pub(crate) fn write_worktree_file(
    repo: &Repository,
    path: &Path,
    bytes: &[u8],
) -> Result<(), LedgerError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(LedgerError::io(IoOp::Create, dir))?;
    let write = |tmp: &Path| -> std::io::Result<()> {
        let mut file = File::create(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(tmp, path)
    };
    let tmp = scratch_file(repo, "file")?;
    match write(&tmp) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let _ = fs::remove_file(&tmp);
            let tmp = beside(path);
            write(&tmp).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                LedgerError::io(IoOp::Write, path)(e)
            })
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(LedgerError::io(IoOp::Write, path)(e))
        }
    }
}

/// The temporary file beside `path`, for a working tree on another file
/// system than its git directory.
pub(crate) fn beside(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.git-incident-tmp"))
}

/// The bytes git's checkout would write for a blob: with CRLF line ends
/// where the attributes or config ask for them.
pub(crate) fn worktree_bytes(repo: &Repository, path: &Path, blob: &[u8]) -> Vec<u8> {
    if !checkout_wants_crlf(repo, path) || blob.contains(&b'\r') {
        return blob.to_vec();
    }
    let mut out = Vec::with_capacity(blob.len() + blob.len() / 32);
    for &byte in blob {
        if byte == b'\n' {
            out.push(b'\r');
        }
        out.push(byte);
    }
    out
}
