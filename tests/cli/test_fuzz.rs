//! The properties the fuzz targets check, and their regression suite.
//!
//! `fuzz/fuzz_targets/*.rs` include this file and hand each fuzzer input to
//! one of the functions below; a panic is a finding. Every input a fuzzer
//! ever failed on is kept in `tests/fixtures/fuzz/<target>/` and replayed
//! here, beside seeds made from the other fixtures, so a fixed finding stays
//! fixed. `fuzz/run` runs the fuzzers for a bounded time; the test command
//! never does. Self-contained (no harness), since the fuzz crate compiles it
//! too.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use git_incident::domain::Incident;
use git_incident::domain::change::check_milestones;
use git_incident::domain::merge::{Options, merge as merge3};
use git_incident::domain::when::{
    human_duration, in_range, parse_date, parse_duration, parse_time,
};

/// What splits one fuzzer input into the three sides of a merge.
pub(crate) const SIDES: char = '\0';

/// An incident file: parsing never panics, and what parses writes back to
/// TOML that reads as the same incident (nothing is lost on a rewrite).
pub(crate) fn incident(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(incident) = toml::from_str::<Incident>(text) else {
        return;
    };
    let _ = check_milestones(&incident);
    // A value TOML cannot hold (a time past 9999) is refused on writing,
    // not written wrong; anything written must read back the same.
    let Ok(written) = toml::to_string_pretty(&incident) else {
        return;
    };
    let again: Incident = toml::from_str(&written)
        .unwrap_or_else(|e| panic!("a written incident does not parse: {e}\n{written}"));
    assert_eq!(
        again, incident,
        "the incident changed on a rewrite:\n{written}"
    );
}

/// A time, date or duration typed by a responder: no panic; a time that is
/// accepted lies in the range the ledger can store.
pub(crate) fn time(data: &[u8]) {
    let Some((&zone, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let now = fixed_now();
    // Offsets from -12:00 to +12:15 in quarter hours.
    let quarters = i32::from(zone % 98) - 48;
    let local = FixedOffset::east_opt(quarters * 15 * 60).expect("within a day");
    if let Ok(t) = parse_time(text, now, local) {
        assert!(in_range(t), "{text:?} gave {t}, outside the stored range");
    }
    if let Ok(d) = parse_duration(text) {
        let _ = human_duration(d);
    }
    let _ = parse_date(text);
}

/// Three sides of an incident file, split by [`SIDES`]: the merge never
/// panics and gives the same bytes twice; on sides that are incident files,
/// what it gives is an incident file that validates; on LF inputs the mirror merge gives the same bytes.
pub(crate) fn merge(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, SIDES);
    let (Some(base), Some(ours), Some(theirs)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let options = Options {
        severities: vec![
            "SEV-1".into(),
            "SEV-2".into(),
            "SEV-3".into(),
            "SEV-4".into(),
        ],
    };
    let first = merge3(base, ours, theirs, &options);
    let again = merge3(base, ours, theirs, &options);
    match (&first, &again) {
        (Ok(a), Ok(b)) => assert_eq!(a.text, b.text, "the merge is not deterministic"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the merge succeeded once and failed once"),
    }
    let Ok(merged) = first else {
        return;
    };
    // A side that is not an incident file is git's text merge's to judge:
    // where one side did not change, the other comes back as it is.
    let parses = |t: &str| toml::from_str::<Incident>(t).is_ok();
    if !(parses(ours) && parses(theirs) && (base.is_empty() || parses(base))) {
        return;
    }
    let incident: Incident = toml::from_str(&merged.text)
        .unwrap_or_else(|e| panic!("the merge wrote what does not parse: {e}\n{}", merged.text));
    check_milestones(&incident).expect("the merged incident validates");
    if !text.contains('\r') {
        let mirror = merge3(base, theirs, ours, &options).expect("the mirror merge succeeds too");
        assert_eq!(merged.text, mirror.text, "the merge is not symmetric");
    }
}

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .single()
        .expect("a valid time")
}

#[cfg(test)]
mod replay {
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::SIDES;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
    }

    fn files(dir: &Path, ext: Option<&str>) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.expect("a readable entry").path())
            .filter(|p| p.is_file())
            .filter(|p| ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)))
            .collect();
        paths.sort();
        paths
    }

    /// The inputs kept for one target: its findings, and the seeds the
    /// other fixtures give it.
    fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let mut inputs: Vec<(PathBuf, Vec<u8>)> =
            files(&fixtures().join("fuzz").join(target), None)
                .into_iter()
                .map(|p| {
                    let bytes = fs::read(&p).expect("a readable finding");
                    (p, bytes)
                })
                .collect();
        match target {
            "incident" => {
                for dir in ["states", "bad", "invalid"] {
                    for p in files(&fixtures().join(dir), Some("toml")) {
                        let bytes = fs::read(&p).expect("a readable fixture");
                        inputs.push((p, bytes));
                    }
                }
            }
            "merge" => {
                let cases = fixtures().join("merge");
                for case in fs::read_dir(&cases).expect("tests/fixtures/merge") {
                    let dir = case.expect("a case").path();
                    let side = |name: &str| fs::read_to_string(dir.join(name)).unwrap_or_default();
                    let joined = [side("Base.toml"), side("Left.toml"), side("Right.toml")]
                        .join(&SIDES.to_string());
                    inputs.push((dir, joined.into_bytes()));
                }
            }
            _ => {}
        }
        inputs
    }

    fn replay(target: &str, property: fn(&[u8]), at_least: usize) {
        let inputs = inputs(target);
        assert!(
            inputs.len() >= at_least,
            "only {} inputs for {target}",
            inputs.len()
        );
        for (path, bytes) in inputs {
            let outcome = std::panic::catch_unwind(|| property(&bytes));
            assert!(outcome.is_ok(), "{target} fails on {}", path.display());
        }
    }

    #[test]
    fn every_kept_incident_input_holds() {
        replay("incident", super::incident, 10);
    }

    #[test]
    fn every_kept_merge_input_holds() {
        replay("merge", super::merge, 25);
    }

    #[test]
    fn every_kept_time_input_holds() {
        // The time target has no seeds from other fixtures: its findings
        // and the typed forms below.
        for typed in [
            "15m ago",
            "14:05",
            "2026-12-01T21:05:00Z",
            "3000 years ago",
            "2026-12-01",
        ] {
            let mut input = vec![48];
            input.extend_from_slice(typed.as_bytes());
            super::time(&input);
        }
        replay("time", super::time, 0);
    }
}
