//! Test helpers: claim files are Shift_JIS bytes, so fixtures are kept as readable UTF-8
//! text (see `testdata/README.md`) and built into bytes here.
#![allow(dead_code)]

use recelint::check::{check_bytes, CheckOptions, FileReport};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the third-party public samples, when the opt-in suite is asked for: the folder
/// is `RECELINT_PUBLIC_CORPUS` (relative to the crate root). Unset → `None` and a line saying
/// the test was skipped (`.ci/run` fails on such a line); set but missing → the test fails.
pub fn corpus(rel: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("RECELINT_PUBLIC_CORPUS") else {
        println!("skipped: RECELINT_PUBLIC_CORPUS is not set ({rel})");
        return None;
    };
    let p = root().join(dir).join(rel);
    assert!(
        p.is_file(),
        "RECELINT_PUBLIC_CORPUS is set but {} is not a file",
        p.display()
    );
    Some(p)
}

pub use recelint::fixture::{build, Expect, Fixture};

pub fn load(path: &Path) -> Fixture {
    build(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

pub fn check(name: &str, bytes: &[u8]) -> FileReport {
    check_bytes(
        name,
        bytes,
        &CheckOptions {
            source_lines: true,
            ..Default::default()
        },
    )
}

/// Codes reported, in order.
pub fn codes(r: &FileReport) -> Vec<&'static str> {
    r.diagnostics.iter().map(|d| d.rule.code).collect()
}

/// Asserts a fixture's expectations; returns a description of every failure.
pub fn verify(name: &str, f: &Fixture) -> Vec<String> {
    verify_report(name, &f.expect, &check(name, &f.bytes))
}

/// Checks a case folder of `testdata/qualify/`: `check.txt` (the file checked, with the
/// expectations), and optionally `qualifications.csv` and `history*.txt` (earlier months).
pub fn run_case(dir: &Path) -> (Expect, FileReport, Vec<FileReport>) {
    let main = load(&dir.join("check.txt"));
    let mut reports = vec![check("check.UKE", &main.bytes)];
    let csv_path = dir.join("qualifications.csv");
    let csv = csv_path.exists().then(|| {
        (
            "qualifications.csv".to_string(),
            Ok(std::fs::read(&csv_path).unwrap()),
        )
    });
    let mut history = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in names
        .iter()
        .filter(|n| n.starts_with("history") && n.ends_with(".txt"))
    {
        let h = load(&dir.join(n));
        history.push(recelint::batch::history_report(
            &n.replace(".txt", ".UKE"),
            &h.bytes,
        ));
    }
    recelint::batch::resolve(&mut reports, recelint::batch::Evidence { csv, history });
    let main_report = reports.remove(0);
    (main.expect, main_report, reports)
}

/// Asserts expectations against a report; returns a description of every failure.
pub fn verify_report(name: &str, expect: &Expect, r: &FileReport) -> Vec<String> {
    let mut fails = Vec::new();
    let seen = |code: &str, line: Option<u32>, field: Option<u16>| {
        r.diagnostics.iter().any(|d| {
            d.rule.code == code
                && (line.is_none() || d.line == line)
                && (field.is_none() || d.field == field)
        })
    };
    let found: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}@{}:{}",
                d.rule.code,
                d.line.map_or("-".into(), |l| l.to_string()),
                d.field.map_or("-".into(), |l| l.to_string())
            )
        })
        .collect();
    for (code, line, field) in &expect.expect {
        if !seen(code, *line, *field) {
            fails.push(format!(
                "{name}: expected {code} at {line:?}:{field:?}; found {found:?}"
            ));
        }
    }
    for code in &expect.absent {
        if seen(code, None, None) {
            fails.push(format!(
                "{name}: {code} must not be reported; found {found:?}"
            ));
        }
    }
    if expect.clean {
        for d in &r.diagnostics {
            if d.severity != recelint::report::Severity::Info {
                fails.push(format!(
                    "{name}: must be clean but has {} at line {:?}: {}",
                    d.rule.code,
                    d.line,
                    d.message(recelint::report::Lang::En)
                ));
            }
        }
    }
    fails
}

/// One line naming everything a finding says (tests compare two runs with it).
pub fn diag_summary(d: &recelint::report::Diagnostic) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        d.rule.code,
        d.severity,
        d.line,
        d.offset,
        d.receipt,
        d.field,
        d.span,
        d.value,
        d.args,
        d.source
    )
}

/// Builds the fixture `testdata/<rel>` and writes its bytes to `dir/<name>`, so CLI tests
/// run on a real file that this repository holds as readable text.
pub fn built_file(rel: &str, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, load(&root().join("testdata").join(rel)).bytes).unwrap();
    p
}

/// The defective 医科 file of the CLI tests (`testdata/cli/defective.txt`), written to `dir`.
pub fn defective(dir: &Path) -> PathBuf {
    built_file("cli/defective.txt", dir, "RECEIPTC.UKE")
}

/// Everything a report says, one line per item, for comparing two runs.
pub fn summary(r: &FileReport) -> Vec<String> {
    let mut v: Vec<String> = r.diagnostics.iter().map(diag_summary).collect();
    v.push(format!(
        "receipts {} records {} labels {:?}",
        r.receipts,
        r.records,
        r.labels
            .iter()
            .map(|(k, l)| (k, l.line))
            .collect::<Vec<_>>()
    ));
    v.push(format!("breakdown {:?}", r.breakdown));
    v.extend(r.facts.iter().map(|f| {
        format!(
            "fact {} {} {} {} {:?} {:?}",
            f.line,
            f.receipt,
            f.re_line,
            f.ho_offset(),
            f.claim(),
            f.keys()
        )
    }));
    v
}

/// Checks `bytes` whole and in chunks of 1, 100 and 4,096 bytes: the reports must agree.
pub fn same_in_chunks(name: &str, bytes: &[u8]) {
    let whole = check_bytes(
        name,
        bytes,
        &CheckOptions {
            source_lines: true,
            chunk_size: usize::MAX / 4,
            ..Default::default()
        },
    );
    for size in [1, 100, 4096] {
        let chunked = check_bytes(
            name,
            bytes,
            &CheckOptions {
                source_lines: true,
                chunk_size: size,
                ..Default::default()
            },
        );
        assert_eq!(
            summary(&whole),
            summary(&chunked),
            "{name} with chunks of {size} bytes"
        );
    }
}
