//! A bounded run of the fuzzer of `examples/fuzz.rs` (same mutator, fixed seed), and every
//! input saved in `testdata/fuzz/` by earlier fuzzing runs checked again, so a crash once
//! found stays a regression test.

#[allow(dead_code)]
#[path = "../examples/fuzz.rs"]
mod fuzz;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// 2,000 mutated inputs, each checked and rendered in every format: no panic, none slow.
#[test]
fn two_thousand_mutated_inputs_do_not_panic() {
    let start = Instant::now();
    let cfg = fuzz::Config {
        iterations: 2_000,
        seed: 0x5EED,
        seconds: None,
        jobs: 1,
        // Nothing is written by the test: a failure names the panic and its location.
        crash_dir: None,
        slow_dir: None,
        // Debug builds are slow; only a pathological input takes this long.
        slow: Duration::from_secs(10),
        hang: Duration::from_secs(60),
        progress_secs: 0,
        minimize_budget: 0,
        // Unoptimised code: keep inputs small enough for the whole run to stay under 30 s.
        max_input: 16 << 10,
        // Chunk-size differences are findings of `--chunks` runs, not failures here.
        chunks: 0,
    };
    let sm = fuzz::run(&cfg);
    eprintln!(
        "fuzz smoke: {} executions in {:.1} s ({:.0}/s), slowest {:?} ({} bytes)",
        sm.executions,
        sm.elapsed.as_secs_f64(),
        sm.exec_per_sec(),
        sm.slowest,
        sm.slowest_len
    );
    assert_eq!(sm.executions, 2_000);
    let crashes: Vec<String> = sm
        .distinct
        .values()
        .map(|c| {
            format!(
                "{}: {}\n{}",
                c.crash.location, c.crash.message, c.crash.backtrace
            )
        })
        .collect();
    assert!(
        sm.crashes == 0,
        "{} panics:\n{}",
        sm.crashes,
        crashes.join("\n")
    );
    assert_eq!(sm.hangs, 0);
    assert_eq!(sm.slow_inputs, 0, "an input took over 10 s");
    eprintln!("took {:?}", start.elapsed());
}

/// The mutator is deterministic: the same seed gives the same inputs.
#[test]
fn the_mutator_is_deterministic() {
    let (claims, csvs) = fuzz::load_seeds();
    assert!(
        claims.len() > 100,
        "sample, rule fixtures, corpus: {}",
        claims.len()
    );
    let run = || {
        let mut m = fuzz::Mutator::new(claims.clone(), csvs.clone());
        let mut rng = fuzz::Rng::new(42);
        (0..50)
            .map(|_| fuzz::hash(&m.next_input(&mut rng)))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

/// Inputs that crashed (or hung) in a fuzzing run: each must now run without a panic.
#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let dir = fuzz::crash_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return; // no folder: nothing found yet
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    let (_, csvs) = fuzz::load_seeds();
    let mut fails = Vec::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        for (name, o) in fuzz::replay_variants(f, &csvs) {
            match fuzz::exec(&data, &o) {
                Ok(t) if t > Duration::from_secs(30) => {
                    fails.push(format!("{} ({name}): took {t:?}", f.display()))
                }
                Ok(_) => {}
                Err(c) => fails.push(format!(
                    "{} ({name}): panicked at {}: {}\n{}",
                    f.display(),
                    c.location,
                    c.message,
                    c.backtrace
                )),
            }
        }
    }
    eprintln!("{} saved fuzz input(s) checked", files.len());
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// The harness itself: a panic is caught, with its message and location, and quietly.
#[test]
fn a_panic_is_caught_with_its_location() {
    let line = line!() + 3;
    let r = fuzz::catch(|| {
        let v: Vec<u8> = Vec::new();
        let _ = v[std::hint::black_box(3)];
    });
    let c = r.expect_err("the panic is caught");
    assert!(c.message.contains("index out of bounds"), "{}", c.message);
    assert!(
        c.location
            .starts_with(&format!("tests/fuzz_smoke.rs:{line}:")),
        "{} (expected line {line})",
        c.location
    );
    assert!(fuzz::catch(|| 1).is_ok_and(|(v, _)| v == 1));
}

/// A panic that the code under test catches itself (recelint turns one inside a check into
/// an X001 finding) still counts as a crash, with its location.
#[test]
fn a_panic_caught_inside_still_counts() {
    let r = fuzz::catch(|| {
        let _ = std::panic::catch_unwind(|| {
            let v: Vec<u8> = Vec::new();
            v[std::hint::black_box(1)]
        });
    });
    let c = r.expect_err("the inner panic is found");
    assert!(c.message.contains("caught inside"), "{}", c.message);
    assert!(
        c.location.starts_with("tests/fuzz_smoke.rs:"),
        "{}",
        c.location
    );
}
