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
/// expectations), and optionally `qualifications.csv`, `history*.txt` (earlier months) and
/// オンライン資格確認 result files (every other entry: see [`evidence`]).
pub fn run_case(dir: &Path) -> (Expect, FileReport, Vec<FileReport>) {
    let main = load(&dir.join("check.txt"));
    let mut reports = vec![check("check.UKE", &main.bytes)];
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
    let (qualifications, tmp) = evidence(dir);
    recelint::batch::resolve(
        &mut reports,
        recelint::batch::Evidence {
            qualifications,
            history,
        },
    );
    if let Some(t) = tmp {
        let _ = std::fs::remove_dir_all(t);
    }
    let main_report = reports.remove(0);
    (main.expect, main_report, reports)
}

/// A case folder's `--qualifications` inputs: `qualifications.csv` as bytes, and every entry
/// other than `check.txt`, `history*.txt`, `qualifications.csv` and `*.md` as a path, written
/// out first into a temporary folder (returned, to be removed) as the terminal would have
/// written it: a file `NAME.sjis` (readable UTF-8 here) becomes `NAME` in Shift_JIS, and a
/// folder `NAME.zip.d` becomes the archive `NAME.zip` of its files.
pub fn evidence(dir: &Path) -> (Vec<recelint::qualify::onshi::Input>, Option<PathBuf>) {
    use recelint::qualify::onshi::Input;
    let mut inputs = Vec::new();
    let csv = dir.join("qualifications.csv");
    if csv.exists() {
        inputs.push(Input::Bytes {
            path: "qualifications.csv".into(),
            bytes: Ok(std::fs::read(&csv).unwrap()),
        });
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n != "check.txt"
                && n != "qualifications.csv"
                && !n.ends_with(".md")
                && !(n.starts_with("history") && n.ends_with(".txt"))
        })
        .collect();
    if names.is_empty() {
        return (inputs, None);
    }
    names.sort();
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let tmp = std::env::temp_dir().join(format!(
        "recelint-evidence-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for n in names {
        let out = write_out(&dir.join(&n), &tmp);
        inputs.push(Input::Path(out));
    }
    (inputs, Some(tmp))
}

/// The bytes of an evidence fixture file: `*.sjis` encoded to Shift_JIS.
fn evidence_bytes(p: &Path) -> (String, Vec<u8>) {
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    match name.strip_suffix(".sjis") {
        Some(n) => (
            n.to_string(),
            recelint::encoding::sjis::encode(&std::fs::read_to_string(p).unwrap()),
        ),
        None => (name, std::fs::read(p).unwrap()),
    }
}

/// Writes `src` out under `to` as [`evidence`] says; returns the path written.
fn write_out(src: &Path, to: &Path) -> PathBuf {
    let name = src.file_name().unwrap().to_string_lossy().into_owned();
    if src.is_dir() {
        if let Some(zip) = name.strip_suffix(".zip.d") {
            let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(src)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| evidence_bytes(&e.path()))
                .collect();
            files.sort();
            let refs: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(n, b)| (n.as_str(), b.as_slice()))
                .collect();
            let out = to.join(format!("{zip}.zip"));
            std::fs::write(&out, recelint::qualify::onshi::zip::stored(&refs)).unwrap();
            return out;
        }
        let out = to.join(&name);
        std::fs::create_dir_all(&out).unwrap();
        for e in std::fs::read_dir(src).unwrap().filter_map(Result::ok) {
            write_out(&e.path(), &out);
        }
        return out;
    }
    let (n, bytes) = evidence_bytes(src);
    let out = to.join(n);
    std::fs::write(&out, bytes).unwrap();
    out
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
