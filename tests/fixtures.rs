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

/// Resolution reads a finding's receipt again: from the file by offset when it is a regular
/// file, from the lines kept aside when it came from memory or a pipe. Both give the same
/// findings, word for word, with the same source windows and receipt labels.
#[test]
fn findings_are_the_same_whether_receipts_are_read_again_from_disk_or_kept() {
    use recelint::check::{check_path, CheckOptions};
    let opts = CheckOptions {
        source_lines: true,
        ..Default::default()
    };
    // Result files are written out to a new temporary folder each time: its name is not
    // part of what is compared.
    let unfold = |s: String| -> String {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find("recelint-evidence-") {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            rest = &rest[rest.find('/').unwrap_or(rest.len())..];
        }
        out.push_str(rest);
        out
    };
    let show = |r: &FileReport| -> Vec<String> {
        let mut v: Vec<String> = r
            .diagnostics
            .iter()
            .map(common::diag_summary)
            .map(unfold)
            .collect();
        v.extend(r.labels.iter().map(|(n, l)| format!("label {n} {l:?}")));
        v
    };
    let dir = common::root().join("testdata/qualify");
    let tmp = std::env::temp_dir().join(format!("recelint-reread-{}", std::process::id()));
    let mut compared = 0;
    for case in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let case = case.path();
        if !case.is_dir() {
            continue;
        }
        let (_, kept, _) = common::run_case(&case);
        // The same case, from files on disk.
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let main = tmp.join("check.UKE");
        std::fs::write(&main, common::load(&case.join("check.txt")).bytes).unwrap();
        let mut reports = vec![check_path(&main, "check.UKE", &opts)];
        let mut names: Vec<String> = std::fs::read_dir(&case)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("history") && n.ends_with(".txt"))
            .collect();
        names.sort();
        let mut history = Vec::new();
        for n in names {
            let shown = n.replace(".txt", ".UKE");
            let p = tmp.join(&shown);
            std::fs::write(&p, common::load(&case.join(&n)).bytes).unwrap();
            let mut h = check_path(&p, &shown, &CheckOptions::default());
            h.diagnostics.clear();
            history.push(h);
        }
        let (qualifications, evidence_tmp) = common::evidence(&case);
        recelint::batch::resolve(
            &mut reports,
            recelint::batch::Evidence {
                qualifications,
                history,
            },
        );
        if let Some(t) = evidence_tmp {
            let _ = std::fs::remove_dir_all(t);
        }
        assert!(
            matches!(reports[0].body, recelint::qualify::reread::Body::File(_)),
            "a regular file is read again by offset"
        );
        assert_eq!(show(&reports[0]), show(&kept), "{}", case.display());
        compared += kept
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.rule.code,
                    "Q005"
                        | "Q006"
                        | "Q007"
                        | "Q008"
                        | "Q009"
                        | "Q014"
                        | "Q015"
                        | "Q016"
                        | "Q017"
                        | "Q018"
                        | "Q019"
                )
            })
            .count();
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        compared >= 6,
        "the cases hold resolution findings: {compared}"
    );
}

/// A file changed between its check and the resolution that reads it again (a レセコン
/// rewriting it, say) costs the finding its text, never the finding or the run.
#[test]
fn a_file_changed_before_it_is_read_again_keeps_its_findings() {
    use recelint::check::{check_path, CheckOptions};
    let case = common::root().join("testdata/qualify/q009_unknown_fill_on_revisit");
    let bytes = common::load(&case.join("check.txt")).bytes;
    let tmp = std::env::temp_dir().join(format!("recelint-changed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for (what, replacement) in [
        ("emptied", Vec::new()),
        ("rewritten", bytes.iter().map(|_| b'X').collect::<Vec<u8>>()),
        ("cut before its receipts", bytes[..40].to_vec()),
    ] {
        let p = tmp.join(format!("{}.UKE", what.len()));
        std::fs::write(&p, &bytes).unwrap();
        let mut reports = vec![check_path(&p, what, &CheckOptions::default())];
        std::fs::write(&p, &replacement).unwrap();
        recelint::batch::resolve(&mut reports, Default::default());
        let q009: Vec<_> = reports[0]
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "Q009")
            .collect();
        assert_eq!(q009.len(), 1, "{what}");
        assert_eq!(q009[0].line, Some(3), "{what}");
        assert_eq!(q009[0].span, None, "{what}: the text is not guessed");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_local_program_without_recipient_number_is_a_warning() {
    let f = common::load(&common::root().join("testdata/rules/I009_recipient_number_empty.txt"));
    let r = common::check("I009.UKE", &f.bytes);
    let sev: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "I009")
        .map(|d| (d.line, d.severity))
        .collect();
    use recelint::report::Severity::{Error, Warning};
    assert_eq!(
        sev,
        vec![(Some(4), Error), (Some(8), Error), (Some(13), Warning)]
    );
}

/// Under `--redact`, a finding based on a result file keeps the file, line and element it
/// names, and masks the patient's values from both the receipt and the result.
#[test]
fn findings_from_result_files_are_masked_under_redact() {
    let case = common::root().join("testdata/qualify/q015_identity_against_result");
    let (_, report, _) = common::run_case(&case);
    let mut reports = vec![report];
    recelint::report::redact::redact(&mut reports);
    let q016: Vec<_> = reports[0]
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "Q016")
        .collect();
    assert_eq!(q016.len(), 1);
    for lang in [recelint::report::Lang::Ja, recelint::report::Lang::En] {
        let m = q016[0].message(lang);
        assert!(!m.contains("19700101") && !m.contains("19700111"), "{m}");
        assert!(m.contains("OQSsiquc01res_20260412000002.xml:15"), "{m}");
        assert!(m.contains("/Birthdate"), "{m}");
    }
}

/// A result another facility asked for (its MedicalInstitutionCode's last 7 digits are not
/// the IR 医療機関コード) stays evidence — its Q014 stands — and the receipt gets one Q019
/// naming both codes and the result; a result of the file's own facility gets none.
#[test]
fn a_result_of_another_facility_is_evidence_with_a_warning() {
    let case = common::root().join("testdata/qualify/q019_result_of_another_facility");
    let (_, report, _) = common::run_case(&case);
    let at = |code: &str| -> Vec<u32> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == code)
            .filter_map(|d| d.line)
            .collect()
    };
    assert_eq!(at("Q014"), [3, 7]);
    assert_eq!(at("Q019"), [3]);
    let q019 = report
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "Q019")
        .unwrap();
    assert_eq!(q019.severity, recelint::report::Severity::Warning);
    let m = q019.message(recelint::report::Lang::En);
    assert!(
        m.contains("'1317654321'")
            && m.contains("'7654321'")
            && m.contains("'1234567'")
            && m.contains("OQSsiquc01res_20260415000001.xml:15"),
        "{m}"
    );
}
