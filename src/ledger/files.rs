//! File helpers: reading a file as text, parsing TOML and incidents, writing
//! atomically, reading many files on several threads, and reading the files
//! a user names on the command line (bounded in size).

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Component, Path, PathBuf};

use super::error::{self, LedgerError, ParseError};
use crate::domain::Incident;
use crate::domain::change::check_milestones;
use crate::ledger::IoOp;

/// `f` over `items` on up to 8 threads, in order; below a few hundred items
/// the threads would cost more than they save.
pub(crate) fn in_parallel<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    if items.len() < 256 || workers < 2 {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    let mut parts = Vec::with_capacity(workers);
    let mut items = items.into_iter();
    loop {
        let part: Vec<T> = items.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a reader thread does not panic"))
            .collect()
    })
}

/// The bytes of a file the user or git named, relative to `dir` (`@FILE`,
/// `runbook --check FILE`, `validate PATH`, the merge driver's sides);
/// refused past [`MAX_FILE`], the bound on any ledger file, without reading
/// the rest.
pub(crate) fn read_given(dir: &Path, path: &Path) -> io::Result<Vec<u8>> {
    let file = fs::File::open(dir.join(path))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > MAX_FILE) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_FILE >> 20),
        ));
    }
    Ok(bytes)
}

/// As [`read_given`], as UTF-8 text.
pub(crate) fn read_given_text(dir: &Path, path: &Path) -> io::Result<String> {
    String::from_utf8(read_given(dir, path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// The most a file of the ledger may hold (an incident file, ledger.toml,
/// the runbook, a blob in history): thousands of entries, and a bound on
/// what a pushed ledger can make the tool read.
pub(crate) const MAX_FILE: u64 = 4 << 20;

/// Why a path named by the ledger (in ledger.toml, runbook.toml or the
/// tree) is not one it reads: the ledger is data, read only inside itself.
fn outside(path: &Path, why: &str) -> LedgerError {
    LedgerError::Unsafe {
        path: path.to_path_buf(),
        message: why.to_owned(),
    }
}

/// Checks that `path`, relative to the ledger's root, stays inside it: no
/// absolute path, no `..`, no symbolic link on the way, and (if it exists)
/// a regular file at the end, never a FIFO or a device that would hang or
/// never end.
pub(crate) fn check_inside(root: &Path, path: &Path) -> Result<(), LedgerError> {
    match components_inside(root, path)? {
        Some(meta) if !meta.is_file() => Err(outside(path, "is not a regular file")),
        _ => Ok(()),
    }
}

/// As [`check_inside`], for a folder of the ledger (`incidents/`).
pub(crate) fn check_dir_inside(root: &Path, path: &Path) -> Result<(), LedgerError> {
    match components_inside(root, path)? {
        Some(meta) if !meta.is_dir() => Err(outside(path, "is not a folder")),
        _ => Ok(()),
    }
}

/// A file found by walking the ledger's own folders (entered without
/// following links): refused when its own lstat data shows a link or a
/// special file. One stat, where [`check_inside`] takes one per component.
pub(crate) fn check_walked(path: &Path, meta: &fs::Metadata) -> Result<(), LedgerError> {
    if meta.file_type().is_symlink() {
        return Err(outside(
            path,
            "is a symbolic link; the ledger reads only its own files",
        ));
    }
    if !meta.is_file() {
        return Err(outside(path, "is not a regular file"));
    }
    Ok(())
}

/// Walks `path` below `root` a component at a time, refusing `..`, an
/// absolute path and a link on the way; the lstat data of the last
/// component, or `None` where the path stops existing.
fn components_inside(root: &Path, path: &Path) -> Result<Option<fs::Metadata>, LedgerError> {
    let mut at = root.to_path_buf();
    let mut rel = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(name) => {
                at.push(name);
                rel.push(name);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(outside(path, "leads out of the ledger (`..`)"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(outside(
                    path,
                    "is an absolute path; the ledger names its files relative to itself",
                ));
            }
        }
        let Ok(meta) = fs::symlink_metadata(&at) else {
            return Ok(None);
        };
        if meta.file_type().is_symlink() {
            return Err(outside(
                &rel,
                "is a symbolic link; the ledger reads only its own files",
            ));
        }
        if at.as_path() == root.join(path) {
            return Ok(Some(meta));
        }
        if !meta.is_dir() {
            return Ok(None);
        }
    }
    Ok(fs::symlink_metadata(&at).ok())
}

/// The bytes of a file of the ledger, checked by [`check_inside`] and
/// refused past [`MAX_FILE`] without reading the rest.
pub(crate) fn read_inside(root: &Path, path: &Path) -> Result<Vec<u8>, LedgerError> {
    check_inside(root, path)?;
    let file = fs::File::open(root.join(path)).map_err(LedgerError::io(IoOp::Read, path))?;
    // The check above ran on the path; this one on what was opened.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(outside(path, "is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(LedgerError::io(IoOp::Read, path))?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > MAX_FILE) {
        return Err(too_large(path));
    }
    Ok(bytes)
}

/// A file or blob of the ledger over [`MAX_FILE`].
pub(crate) fn too_large(path: &Path) -> LedgerError {
    outside(path, &format!("is larger than {} MiB", MAX_FILE >> 20))
}

pub(super) fn read_text(root: &Path, path: &Path) -> Result<String, LedgerError> {
    text_of(path, read_inside(root, path)?)
}

/// The file's bytes as text, or where the first byte that is not UTF-8 sits.
pub(super) fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, LedgerError> {
    String::from_utf8(bytes).map_err(|e| {
        let (line, column, source_line) = error::locate(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        LedgerError::from(ParseError {
            path: path.to_path_buf(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
            source_line,
            width: 1,
        })
    })
}

pub(super) fn read_toml<T: serde::de::DeserializeOwned>(
    root: &Path,
    path: &Path,
) -> Result<T, LedgerError> {
    let text = read_text(root, path)?;
    parse_toml(path, &text)
}

/// Parses a TOML file, refusing unresolved merge conflicts first.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, LedgerError> {
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            return Err(LedgerError::ConflictMarkers {
                path: path.to_path_buf(),
                line: i + 1,
            });
        }
    }
    toml::from_str(text).map_err(|e| ParseError::from_toml(path.to_path_buf(), text, &e).into())
}

/// Parses an incident file and checks what the types cannot: the id matches
/// the file name, the milestones are in order.
pub(crate) fn parse_incident(path: &Path, text: &str) -> Result<Incident, LedgerError> {
    let incident: Incident = parse_toml(path, text)?;
    let invalid = |message: String| LedgerError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != incident.id.to_string() {
        return Err(invalid(format!(
            "the file holds id `{}` but is named {stem}.toml",
            incident.id
        )));
    }
    if let Err(e) = check_milestones(&incident) {
        return Err(match out_of_order(&incident, text) {
            Some((offset, width)) => {
                let (line, column, source_line) = super::error::locate(text, offset);
                LedgerError::Parse(Box::new(super::error::ParseError {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: e.to_string(),
                    source_line,
                    width,
                }))
            }
            None => invalid(e.to_string()),
        });
    }
    Ok(incident)
}

/// Where the first milestone that comes before its predecessor is written
/// in `text`: the byte offset of its key and the key's length.
fn out_of_order(incident: &Incident, text: &str) -> Option<(usize, usize)> {
    let mut previous = None;
    let name = incident.milestones().into_iter().find_map(|(name, at)| {
        let at = at?;
        let late = previous.is_some_and(|then| at < then);
        previous = Some(at);
        late.then_some(name)
    })?;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let rest = line.strip_prefix(name).map(str::trim_start);
        if rest.is_some_and(|r| r.starts_with('=')) {
            return Some((offset, name.len()));
        }
        if line.starts_with('[') {
            break;
        }
        offset += line.len();
    }
    None
}

/// What a write promises beyond atomicity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Flushed to the disk before it replaces the old file: a file a person
    /// keeps (a report, a merged incident file).
    Durable,
    /// Not flushed: the tool's own files in the git directory (a cache, a
    /// write intent), which guard against a process that dies and are
    /// rebuilt when lost.
    BestEffort,
}

/// Writes a file atomically: a temporary file in the same folder (created
/// if need be), renamed over the old one, so a reader sees the old content
/// or the new, never half.
pub(crate) fn write_file(path: &Path, bytes: &[u8], durability: Durability) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if durability == Durability::Durable {
            file.sync_all()?;
        }
        fs::rename(&tmp, path)
    };
    let written = write();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Writes a file a person keeps, durably (see [`write_file`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(LedgerError::io(IoOp::Create, dir))?;
    write_file(path, bytes, Durability::Durable).map_err(LedgerError::io(IoOp::Write, path))
}

/// The folder a file the user named (relative to `dir`) would go in, where
/// that folder does not exist: such a file is refused, never written into
/// a folder made by accident.
pub(crate) fn missing_folder(dir: &Path, path: &Path) -> Option<PathBuf> {
    let full = dir.join(path);
    full.parent()
        .filter(|folder| !folder.is_dir())
        .map(Path::to_path_buf)
}

/// Writes a file the user named, relative to `dir`, atomically and durably.
pub(crate) fn write_given(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    write_atomic(&dir.join(path), bytes)
}

/// One of the tool's own JSON files in the git directory, if it is there and
/// reads as a `T`.
pub(crate) fn read_private_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// Writes one of the tool's own JSON files, best effort: these are caches,
/// and one that cannot be written only costs speed.
pub(crate) fn write_private_json<T: serde::Serialize>(path: &Path, value: &T) {
    if let Ok(bytes) = serde_json::to_vec(value) {
        let _ = write_file(path, &bytes, Durability::BestEffort);
    }
}
