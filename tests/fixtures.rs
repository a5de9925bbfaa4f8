//! Every fixture in `testdata/rules/` holds its own expectations (`#! expect`, `#! absent`,
//! `#! clean`); this runs them all, and checks that every rule has a fixture that triggers it
//! and one that must not.

mod common;

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

#[test]
fn every_fixture_meets_its_expectations() {
    let mut fails = Vec::new();
    for (name, f) in fixtures() {
        fails.extend(common::verify(&name, &f));
    }
    assert!(fails.is_empty(), "\n{}", fails.join("\n"));
}

#[test]
fn every_rule_has_a_firing_and_a_quiet_fixture() {
    let fx = fixtures();
    let fired: BTreeSet<&str> = fx
        .iter()
        .flat_map(|(_, f)| f.expect.expect.iter().map(|e| e.0.as_str()))
        .collect();
    let quiet: BTreeSet<&str> = fx
        .iter()
        .flat_map(|(_, f)| f.expect.absent.iter().map(String::as_str))
        .collect();
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
