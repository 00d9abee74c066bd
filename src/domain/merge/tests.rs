//! The fixture suite: `tests/fixtures/merge/<case>/` holds `Base.toml`
//! (absent or empty for a file new on both sides), `Left.toml`,
//! `Right.toml` and `Expected.toml`, and an optional `outcome` file saying
//! `conflict` or `refused` (default: a clean merge). Every case also runs
//! with the sides swapped and must give the same bytes.
//! `UPDATE_FIXTURES=1` rewrites `Expected.toml` from the merge, for review.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

fn options() -> Options {
    Options {
        severities: ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
            .map(String::from)
            .to_vec(),
    }
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/fixtures/merge exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn read(case: &Path, name: &str) -> Option<String> {
    fs::read_to_string(case.join(name)).ok()
}

#[test]
fn every_fixture_merges_as_expected_in_both_orders() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} merge fixtures", cases.len());
    // A test switch, not the program reading its environment.
    #[allow(clippy::disallowed_methods)]
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let base = read(case, "Base.toml").unwrap_or_default();
        let left = read(case, "Left.toml").expect("Left.toml");
        let right = read(case, "Right.toml").expect("Right.toml");
        let outcome = read(case, "outcome").unwrap_or_else(|| "clean".into());
        let one = merge(&base, &left, &right, &options());
        let two = merge(&base, &right, &left, &options());
        match outcome.trim() {
            "refused" => {
                if one.is_ok() || two.is_ok() {
                    failures.push(format!("{name}: expected a refusal, got {one:?}"));
                }
                continue;
            }
            expected => {
                let (Ok(one), Ok(two)) = (one, two) else {
                    failures.push(format!("{name}: refused"));
                    continue;
                };
                let lf = |s: &str| s.replace("\r\n", "\n");
                if lf(&one.text) != lf(&two.text) {
                    failures.push(format!(
                        "{name}: not symmetric\n--- left, right\n{}\n--- right, left\n{}",
                        one.text, two.text
                    ));
                }
                if one.is_clean() != (expected == "clean") || two.is_clean() != one.is_clean() {
                    failures.push(format!("{name}: expected {expected}, got {:?}", one.report));
                }
                if update {
                    fs::write(case.join("Expected.toml"), &one.text).unwrap();
                } else if read(case, "Expected.toml").as_deref() != Some(one.text.as_str()) {
                    failures.push(format!("{name}: differs from Expected.toml\n{}", one.text));
                }
                // A clean result merges into itself unchanged.
                if expected == "clean" {
                    let again = merge(&one.text, &one.text, &one.text, &options());
                    assert_eq!(
                        again.map(|m| m.text).as_deref(),
                        Ok(one.text.as_str()),
                        "{name}"
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
