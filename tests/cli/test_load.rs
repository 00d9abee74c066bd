//! Eight processes making changes at once (notes, updates, mitigations and
//! severity changes across three incidents): every entry present exactly
//! once, one commit per change, `git fsck` clean. Prints p50/p99 latency;
//! no timing is asserted.
//!
//! 8 x 100 changes, about 25 s on two cores.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::harness::TestEnv;

const WORKERS: usize = 8;

fn changes_per_worker() -> usize {
    100
}

/// The `n`th change of worker `w`: its arguments and the text it records.
fn change(w: usize, n: usize) -> (Vec<String>, String) {
    let id = format!("INC-{}", 1 + (w + n) % 3);
    let text = format!("w{w} c{n}");
    let args = match n % 4 {
        0 | 1 => vec!["note".into(), id, text.clone()],
        2 => vec!["update".into(), id, text.clone()],
        _ if n % 8 == 3 => vec!["mitigate".into(), id, text.clone()],
        _ => {
            let sev = if (w + n).is_multiple_of(2) {
                "SEV-1"
            } else {
                "SEV-3"
            };
            // Lowering the severity needs a reason, kept as a note.
            vec!["sev".into(), id, sev.into(), "--why".into(), text.clone()]
        }
    };
    (args, text)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

#[test]
#[allow(clippy::print_stderr)]
fn eight_processes_change_three_incidents_without_losing_an_entry() {
    let env = TestEnv::ledger();
    for title in ["Checkout", "Search", "Payments"] {
        env.declare(title);
    }
    for id in ["INC-1", "INC-2", "INC-3"] {
        env.run(&["ack", id]).ok();
    }
    let before = env.commit_count();
    let per = changes_per_worker();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let cmds: Vec<_> = (0..per)
                .map(|n| {
                    let (args, text) = change(w, n);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    (env.command(&args), args[0].to_owned(), text)
                })
                .collect();
            std::thread::spawn(move || {
                let mut done = Vec::new();
                for (mut cmd, verb, text) in cmds {
                    let started = Instant::now();
                    let out = cmd.output().unwrap();
                    let took = started.elapsed();
                    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                    let ok = out.status.success();
                    // Another worker may have set that severity already.
                    assert!(
                        ok || (verb == "sev" && stderr.contains("is already")),
                        "{verb} {text}: {stderr}"
                    );
                    done.push((verb, text, ok, took));
                }
                done
            })
        })
        .collect();
    let results: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let committed = results.iter().filter(|r| r.2).count();
    assert_eq!(env.commit_count(), before + committed);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for id in ["INC-1", "INC-2", "INC-3"] {
        let inc = env.incident(id);
        for (list, field) in [
            ("notes", "text"),
            ("updates", "text"),
            ("mitigations", "action"),
        ] {
            for entry in inc[list].as_array().into_iter().flatten() {
                let text = entry[field].as_str().unwrap();
                if text.starts_with("Severity ") {
                    continue;
                }
                *seen.entry(text.to_owned()).or_default() += 1;
            }
        }
    }
    for (verb, text, _, _) in results.iter().filter(|r| r.0 != "sev") {
        assert_eq!(seen.get(text), Some(&1), "{verb} {text}");
    }
    assert_eq!(seen.len(), results.iter().filter(|r| r.0 != "sev").count());
    let fsck = env.git_run(&["fsck", "--no-dangling"]);
    assert_eq!(fsck.code, 0, "{}", fsck.stderr);
    assert_eq!(env.status(), "");
    let mut times: Vec<Duration> = results.iter().map(|r| r.3).collect();
    times.sort();
    eprintln!(
        "load: {WORKERS} processes x {per} changes ({committed} commits): p50 {:?}, p99 {:?}, max {:?}",
        percentile(&times, 50),
        percentile(&times, 99),
        times[times.len() - 1]
    );
}
