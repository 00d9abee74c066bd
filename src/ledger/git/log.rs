//! Reading `git log` as it streams: record by record, each field bounded.
//!
//! A commit message is whatever whoever pushed it wrote, and a ledger pulled
//! from a shared remote may be hostile: one commit can carry a message of
//! gigabytes. The log is read from git's pipe in pieces, never whole, and a
//! field past [`MAX_FIELD`] keeps its first bytes and drops the rest, so
//! memory stays bounded per record whatever history holds. A field the
//! tool itself wrote is far below the bound (an incident file, at most
//! 4 MiB, is the largest text a message quotes).

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::ledger::LedgerError;
use crate::ledger::files::MAX_FILE;

/// `git log` output is split on NUL, the one byte git never prints from a
/// commit's text (it reads names and messages as C strings and stops at a
/// NUL), so no subject, body or name can fake a field or a commit. Every
/// field of a format ends with `%x00`.
pub(crate) const END: u8 = 0;

/// The most of one field kept: twice the largest file a message may quote.
pub(crate) const MAX_FIELD: usize = 2 * MAX_FILE as usize;

/// Runs `git ARGS` in `dir`, whose format ends each of its `fields` fields
/// with `%x00`, and hands each record to `each` as it arrives.
pub(crate) fn each_record(
    dir: &Path,
    args: &[&str],
    fields: usize,
    each: impl FnMut(&[String]),
) -> Result<(), LedgerError> {
    let failed = |stderr: String| LedgerError::GitCommand {
        command: args.join(" "),
        stderr,
    };
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    // stderr is drained beside stdout, so a chatty git never blocks on it.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.by_ref().take(64 * 1024).read_to_end(&mut text);
            let _ = io::copy(&mut pipe, &mut io::sink());
            text
        })
    });
    let read = match child.stdout.take() {
        Some(out) => read_records(
            BufReader::with_capacity(64 * 1024, out),
            fields,
            MAX_FIELD,
            each,
        ),
        None => Ok(()),
    };
    let status = child.wait().map_err(|e| failed(e.to_string()))?;
    let stderr = stderr
        .and_then(|t| t.join().ok())
        .map(|t| String::from_utf8_lossy(&t).trim().to_owned())
        .unwrap_or_default();
    if !status.success() {
        return Err(failed(stderr));
    }
    read.map_err(|e| failed(e.to_string()))
}

/// Splits `reader` into records of `fields` NUL-ended fields, each cut at
/// `cap` bytes; git adds a newline after each record, which is dropped.
pub(crate) fn read_records(
    mut reader: impl BufRead,
    fields: usize,
    cap: usize,
    mut each: impl FnMut(&[String]),
) -> io::Result<()> {
    let mut record: Vec<String> = Vec::with_capacity(fields);
    let mut field: Vec<u8> = Vec::new();
    while read_field(&mut reader, cap, &mut field)? {
        let text = String::from_utf8_lossy(&field);
        let text = if record.is_empty() {
            text.trim_start_matches('\n')
        } else {
            &text
        };
        record.push(text.to_owned());
        if record.len() == fields {
            each(&record);
            record.clear();
        }
    }
    Ok(())
}

/// Reads up to the next NUL into `field`, keeping at most `cap` bytes;
/// `false` at the end of the stream with nothing left.
fn read_field(reader: &mut impl BufRead, cap: usize, field: &mut Vec<u8>) -> io::Result<bool> {
    field.clear();
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            // A last field without its NUL is a cut stream: not a record.
            return Ok(false);
        }
        let (piece, done) = match buf.iter().position(|&b| b == END) {
            Some(at) => (&buf[..at], Some(at + 1)),
            None => (buf, None),
        };
        let room = cap.saturating_sub(field.len());
        field.extend_from_slice(&piece[..piece.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(bytes: &[u8], fields: usize, cap: usize) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        read_records(bytes, fields, cap, |r| out.push(r.to_vec())).unwrap();
        out
    }

    #[test]
    fn splits_records_and_drops_git_s_newline() {
        let got = split(b"a\0b\0\nc\0d\0\n", 2, 100);
        assert_eq!(got, [["a", "b"], ["c", "d"]]);
    }

    #[test]
    fn a_long_field_keeps_its_head_and_the_next_record_is_whole() {
        let long = "x".repeat(1000);
        let input = format!("{long}\0tail\0\nnext\0one\0\n");
        // A reader with a small buffer, so the field spans many reads.
        let reader = BufReader::with_capacity(7, input.as_bytes());
        let mut got = Vec::new();
        read_records(reader, 2, 10, |r| got.push(r.to_vec())).unwrap();
        assert_eq!(got, [["xxxxxxxxxx", "tail"], ["next", "one"]]);
    }

    #[test]
    fn a_cut_stream_yields_only_whole_records() {
        assert_eq!(split(b"a\0b\0\nc\0d", 2, 100), [["a", "b"]]);
    }
}
