//! Every fixture in `testdata/rules/` holds its own expectations (`#! expect`, `#! absent`,
//! `#! clean`); so does every case folder of `testdata/qualify/` (insured-number resolution,
//! which needs evidence files). This runs them all, and checks that every rule has a fixture
//! that triggers it and one that must not.

mod common;

use recelint::check::FileReport;
use std::collections::BTreeSet;

fn fixtures() -> Vec<(String, common::Fixture)> {
    let dir = common::root().join("testdata/rules");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/rules")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                common::load(&p),
            )
        })
        .collect()
}

/// Each case folder's expectations and one report holding the findings on the checked file
/// and on its evidence files (Q011 is reported on the CSV).
fn cases() -> Vec<(String, common::Expect, FileReport)> {
    let dir = common::root().join("testdata/qualify");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/qualify")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            let (e, mut r, extra) = common::run_case(&p);
            for x in extra {
                r.diagnostics.extend(x.diagnostics);
            }
            (p.file_name().unwrap().to_string_lossy().into_owned(), e, r)
        })
        .collect()
}

#[test]
fn every_fixture_meets_its_expectations() {
    let mut fails = Vec::new();
    for (name, f) in fixtures() {
        fails.extend(common::verify(&name, &f));
    }
    assert!(fails.is_empty(), "\n{}", fails.join("\n"));
}

#[test]
fn every_qualification_case_meets_its_expectations() {
    let mut fails = Vec::new();
    for (name, expect, report) in cases() {
        fails.extend(common::verify_report(&name, &expect, &report));
    }
    assert!(fails.is_empty(), "\n{}", fails.join("\n"));
}

#[test]
fn every_rule_has_a_firing_and_a_quiet_fixture() {
    let fx = fixtures();
    let cs = cases();
    let expects = fx
        .iter()
        .map(|(_, f)| &f.expect)
        .chain(cs.iter().map(|c| &c.1));
    let mut fired: BTreeSet<&str> = BTreeSet::new();
    let mut quiet: BTreeSet<&str> = BTreeSet::new();
    for e in expects {
        fired.extend(e.expect.iter().map(|x| x.0.as_str()));
        quiet.extend(e.absent.iter().map(String::as_str));
    }
    let mut missing = Vec::new();
    for r in recelint::rules::all() {
        if !fired.contains(r.code) {
            missing.push(format!(
                "{}: no fixture with `#! expect {}`",
                r.code, r.code
            ));
        }
        if !quiet.contains(r.code) {
            missing.push(format!(
                "{}: no fixture with `#! absent {}`",
                r.code, r.code
            ));
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}
