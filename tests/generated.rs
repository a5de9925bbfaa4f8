//! The synthetic claim-month generator (`examples/gen_month.rs`, included here as a module):
//! a clean month checks with no error and no warning, the output is a pure function of the
//! seed, every injected defect is reported at the line and with the code `injected.tsv` names
//! (and nothing else is), and the GO totals and multi-volume ids are right.

#[path = "../examples/gen_month.rs"]
mod gen;

use recelint::batch;
use recelint::check::{check_bytes, CheckOptions, FileReport};
use recelint::report::Severity;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A scratch folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p =
            std::env::temp_dir().join(format!("recelint-generated-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn opts(dir: &Path, receipts: u64, seed: u64, rate: f64, files: usize) -> gen::Opts {
    let mut o = gen::Opts::new(dir, receipts, seed);
    o.defect_rate = rate;
    o.files = files;
    o
}

/// Checks every generated file as the command line does (per file, then insured-number
/// resolution over the whole batch).
fn check_all(dir: &Path, s: &gen::Summary) -> Vec<FileReport> {
    let mut reports: Vec<FileReport> = s
        .files
        .iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(rel)).unwrap();
            check_bytes(rel, &bytes, &CheckOptions::default())
        })
        .collect();
    batch::resolve(&mut reports, batch::Evidence::default());
    reports
}

/// (file, line, code) of every error and warning.
fn findings(reports: &[FileReport]) -> BTreeSet<(String, u64, String)> {
    reports
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.severity >= Severity::Warning)
                .map(move |d| {
                    (
                        r.path.clone(),
                        d.line.unwrap_or(0) as u64,
                        d.rule.code.to_string(),
                    )
                })
        })
        .collect()
}

fn read_tsv(dir: &Path) -> BTreeSet<(String, u64, String)> {
    fs::read_to_string(dir.join("injected.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "injected.tsv line {l:?}");
            (f[0].to_string(), f[1].parse().unwrap(), f[2].to_string())
        })
        .collect()
}

fn show(set: &BTreeSet<(String, u64, String)>) -> String {
    set.iter()
        .take(20)
        .map(|(f, l, c)| format!("  {f}:{l}: {c}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn clean_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("clean");
    let s = gen::generate(&opts(&dir.0, 300, 7, 0.0, 1)).unwrap();
    assert_eq!(s.receipts, 300);
    assert_eq!(s.files, vec![s.files[0].clone()]);
    assert!(s.injected.is_empty());
    assert_eq!(fs::read(dir.0.join("injected.tsv")).unwrap(), b"");
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(bad.is_empty(), "clean month has findings:\n{}", show(&bad));
    let r = &reports[0];
    assert_eq!(r.receipts, 300);
    // Only the infos of ● names and 不詳 claims, and some of each.
    let infos: BTreeSet<&str> = r.diagnostics.iter().map(|d| d.rule.code).collect();
    assert!(
        infos.iter().all(|c| ["C002", "Q001"].contains(c)),
        "{infos:?}"
    );
    assert!(r.breakdown.unknown_fill > 0 && r.breakdown.black_circle_names > 0);
    // Shape: Shift_JIS with CR LF, IR first, GO last, 0x1A at the very end, ≈ 2 KB a receipt.
    let bytes = fs::read(dir.0.join(&s.files[0])).unwrap();
    assert!(bytes.starts_with(b"IR,"));
    assert!(bytes.ends_with(b"\r\n\x1A"));
    let body = &bytes[..bytes.len() - 1];
    assert_eq!(
        body.windows(2).filter(|w| w == b"\r\n").count(),
        body.iter().filter(|&&b| b == b'\n').count()
    );
    let last = body[..body.len() - 2]
        .rsplit(|&b| b == b'\n')
        .next()
        .unwrap();
    assert!(last.starts_with(b"GO,") && last.ends_with(b",99"));
    let per = bytes.len() as u64 / 300;
    assert!((1200..3200).contains(&per), "{per} bytes per receipt");
}

#[test]
fn same_seed_same_bytes() {
    let a = Scratch::new("same-a");
    let b = Scratch::new("same-b");
    let c = Scratch::new("same-c");
    let sa = gen::generate(&opts(&a.0, 250, 42, 0.2, 3)).unwrap();
    let sb = gen::generate(&opts(&b.0, 250, 42, 0.2, 3)).unwrap();
    let sc = gen::generate(&opts(&c.0, 250, 43, 0.2, 3)).unwrap();
    assert_eq!(sa.files, sb.files);
    assert_eq!(sa.injected, sb.injected);
    let mut names = sa.files.clone();
    names.push("injected.tsv".into());
    for rel in &names {
        let x = fs::read(a.0.join(rel)).unwrap();
        let y = fs::read(b.0.join(rel)).unwrap();
        assert!(x == y, "{rel} differs between two runs with the same seed");
    }
    // Another seed gives another month.
    let x: Vec<u8> = sa
        .files
        .iter()
        .flat_map(|r| fs::read(a.0.join(r)).unwrap())
        .collect();
    let z: Vec<u8> = sc
        .files
        .iter()
        .flat_map(|r| fs::read(c.0.join(r)).unwrap())
        .collect();
    assert!(x != z);
}

/// Every line of injected.tsv is reported with its code at its line, and recelint reports no
/// other error or warning.
fn defects_are_reported_exactly(
    tag: &str,
    receipts: u64,
    seed: u64,
    rate: f64,
    files: usize,
) -> BTreeSet<String> {
    let dir = Scratch::new(tag);
    let s = gen::generate(&opts(&dir.0, receipts, seed, rate, files)).unwrap();
    let injected = read_tsv(&dir.0);
    assert_eq!(injected.len(), s.injected.len(), "one defect per line");
    assert!(!injected.is_empty());
    let reports = check_all(&dir.0, &s);
    let found = findings(&reports);
    let missing: BTreeSet<_> = injected.difference(&found).cloned().collect();
    let extra: BTreeSet<_> = found.difference(&injected).cloned().collect();
    assert!(
        missing.is_empty(),
        "{} injected defect(s) not reported at their line:\n{}",
        missing.len(),
        show(&missing)
    );
    assert!(
        extra.is_empty(),
        "{} finding(s) besides the injected defects:\n{}",
        extra.len(),
        show(&extra)
    );
    injected.into_iter().map(|(_, _, c)| c).collect()
}

#[test]
fn injected_defects_are_reported_where_listed() {
    let codes = defects_are_reported_exactly("defects", 400, 7, 0.3, 3);
    assert!(codes.len() >= 10, "{codes:?}");
}

#[test]
fn every_kind_of_defect_is_reported_alone() {
    // A defect in every receipt: each kind shows up many times.
    let codes = defects_are_reported_exactly("every", 600, 3, 1.0, 4);
    let all: BTreeSet<String> = gen::DEFECTS.iter().map(|d| d.code().to_string()).collect();
    assert_eq!(codes, all);
}

/// Splits a file into its records (without the 0x1A mark).
fn records(bytes: &[u8]) -> Vec<Vec<&[u8]>> {
    let body = bytes.strip_suffix(b"\x1A").unwrap_or(bytes);
    body.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.strip_suffix(b"\r")
                .unwrap_or(l)
                .split(|&b| b == b',')
                .collect()
        })
        .collect()
}

fn num(f: &[u8]) -> u64 {
    std::str::from_utf8(f).unwrap().parse().unwrap()
}

#[test]
fn go_totals_and_volumes_are_right() {
    let dir = Scratch::new("totals");
    let s = gen::generate(&opts(&dir.0, 500, 11, 0.0, 5)).unwrap();
    assert_eq!(s.files.len(), 5);
    assert!(
        s.multi_volume >= 1,
        "five files include a two-volume facility"
    );
    let reports = check_all(&dir.0, &s);
    for r in &reports {
        for d in &r.diagnostics {
            assert!(
                !["S010", "S011", "S012", "S005"].contains(&d.rule.code),
                "{}:{:?}: {}",
                r.path,
                d.line,
                d.rule.code
            );
        }
    }
    assert!(
        findings(&reports).is_empty(),
        "{}",
        show(&findings(&reports))
    );
    // Recount independently: per facility (folder), HO + KO records, and Σ HO 合計点数 (the
    // first KO's when a receipt has no HO).
    let mut facilities: Vec<String> = s
        .files
        .iter()
        .map(|f| f.split('/').next().unwrap().to_string())
        .collect();
    facilities.dedup();
    for fac in facilities {
        let vols: Vec<&String> = s
            .files
            .iter()
            .filter(|f| f.starts_with(&format!("{fac}/")))
            .collect();
        let (mut count, mut points) = (0u64, 0u64);
        let mut go = None;
        for (v, rel) in vols.iter().enumerate() {
            let bytes = fs::read(dir.0.join(rel)).unwrap();
            let recs = records(&bytes);
            let ir = &recs[0];
            let last = recs.last().unwrap();
            assert_eq!(ir[0], b"IR");
            assert_eq!(last[0], b"GO");
            assert_eq!(ir[8], format!("{v:02}").as_bytes(), "{rel}: IR volume");
            let want = if v + 1 == vols.len() {
                "99".to_string()
            } else {
                format!("{:02}", v + 1)
            };
            assert_eq!(last[3], want.as_bytes(), "{rel}: GO volume");
            let mut has_ho = false;
            let mut first_ko = true;
            for r in &recs {
                match r[0] {
                    b"RE" => {
                        has_ho = false;
                        first_ko = true;
                    }
                    b"HO" => {
                        count += 1;
                        has_ho = true;
                        points += num(r[5]);
                    }
                    b"KO" => {
                        count += 1;
                        if !has_ho && first_ko {
                            points += num(r[5]);
                        }
                        first_ko = false;
                    }
                    _ => {}
                }
            }
            if v + 1 == vols.len() {
                go = Some((num(last[1]), num(last[2])));
            } else {
                assert_eq!(
                    (last[1], last[2]),
                    (&b""[..], &b""[..]),
                    "{rel}: totals only on the last volume"
                );
            }
        }
        assert_eq!(go, Some((count, points)), "{fac}: GO totals");
    }
}

#[test]
fn arguments() {
    let a = |v: &[&str]| gen::parse_args(v.iter().map(|s| s.to_string()));
    let o = a(&[
        "--receipts",
        "10",
        "--seed",
        "7",
        "--out",
        "x",
        "--defect-rate=0.5",
        "--files",
        "2",
    ])
    .unwrap();
    assert_eq!(
        (o.receipts, o.seed, o.defect_rate, o.files),
        (10, 7, 0.5, 2)
    );
    assert_eq!(o.out, PathBuf::from("x"));
    assert!(a(&["--receipts", "10", "--out", "x"]).is_err());
    assert!(a(&[
        "--receipts",
        "1",
        "--seed",
        "1",
        "--out",
        "x",
        "--files",
        "2"
    ])
    .is_err());
    assert!(a(&[
        "--receipts",
        "1",
        "--seed",
        "1",
        "--out",
        "x",
        "--defect-rate",
        "2"
    ])
    .is_err());
    assert!(a(&["--receipts", "1", "--seed", "1", "--out", "x", "--bogus"]).is_err());
}

#[test]
fn check_digits_match_recelint() {
    for n in [
        "01130012", "33120015", "39130000", "138057", "12131017", "21136015", "1234566",
    ] {
        let d = n.as_bytes();
        assert_eq!(
            gen::check_digit(&d[..d.len() - 1]) + b'0',
            d[d.len() - 1],
            "{n}"
        );
    }
}
